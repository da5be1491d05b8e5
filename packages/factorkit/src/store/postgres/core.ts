/**
 * The Postgres seam: the caller's pool (anything shaped like `pg`'s `Pool`), the error
 * mapping and the transaction discipline. No driver is imported here — the caller owns the
 * client library, the pool and its configuration.
 */
import { StoreError } from '../errors.ts';
import type { Row } from '../sql/rows.ts';
import type { StoreOptions } from '../types.ts';

/** The result shape of `pg`'s `query`. */
export interface PgQueryResult {
  readonly rows: Row[];
  readonly rowCount: number | null;
}

/** Something that runs one parameterised statement (`pg`'s `Pool` or `PoolClient`). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

/** A connection checked out of the pool; `release(error)` discards a broken one. */
export interface PgPoolClient extends PgQueryable {
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** The caller's pool: `new pg.Pool(...)` fits as it is. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
}

/** SQLSTATE classes that mean the server or the connection is gone (or refusing work). */
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58'];

/** Maps a driver error onto a `StoreError`; the driver's message (which may quote values) is not copied. */
export function storeErrorFrom(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '42P01' || code === '42703')
      return new StoreError('ERR_STORE_SCHEMA', `database schema missing or outdated (SQLSTATE ${code})`, {
        cause: error,
      });
    const kind = UNAVAILABLE_CLASSES.includes(code.slice(0, 2)) ? 'server unavailable' : 'database error';
    return new StoreError('ERR_STORE_UNAVAILABLE', `${kind} (SQLSTATE ${code})`, { cause: error });
  }
  // No SQLSTATE: a socket error, a refused connection, a pool timeout, a dropped connection.
  return new StoreError('ERR_STORE_UNAVAILABLE', 'database connection failed or dropped', { cause: error });
}

/** The SQLSTATE behind a mapped error, if the server sent one. */
export function sqlState(error: unknown): string | undefined {
  const source = error instanceof StoreError ? error.cause : error;
  const code = (source as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether the connection itself is unusable after `error`. */
function connectionLost(error: unknown): boolean {
  const code = sqlState(error);
  return code === undefined || !/^[0-9A-Z]{5}$/.test(code) || UNAVAILABLE_CLASSES.includes(code.slice(0, 2));
}

export const UNIQUE_VIOLATION = '23505';

export class PgCore {
  readonly #pool: PgPool;
  readonly #options: StoreOptions;
  closed = false;
  constructor(pool: PgPool, options: StoreOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  #live(): void {
    if (this.closed) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
  }

  /** One statement on any pooled connection (autocommit): reads, and writes that are one statement. */
  async query(sql: string, values: unknown[]): Promise<PgQueryResult> {
    this.#live();
    try {
      return await this.#pool.query(sql, values);
    } catch (error) {
      throw storeErrorFrom(error);
    }
  }

  /**
   * A writing operation that is a single statement. Without a `beforeCommit` hook it runs in
   * autocommit (one round trip; the statement is atomic by itself). With a hook (fault tests)
   * it runs inside a transaction with the hook between the statement and COMMIT, so a test can
   * crash or drop the connection after the change is staged and see it rolled back.
   */
  async write(op: string, sql: string, values: unknown[]): Promise<PgQueryResult> {
    if (this.#options.beforeCommit === undefined) return this.query(sql, values);
    return this.transaction(op, (c) => c.query(sql, values));
  }

  /** `BEGIN … COMMIT` on one connection; any throw rolls back; a broken connection is discarded. */
  async transaction<T>(op: string, fn: (client: PgQueryable) => Promise<T>): Promise<T> {
    this.#live();
    let client: PgPoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeErrorFrom(error);
    }
    // A connection that dies between statements reports it as an 'error' event; without a
    // listener that would be an uncaught exception. The next statement then fails (mapped below).
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
    };
    client.on('error', onError);
    const run: PgQueryable = {
      async query(sql, values) {
        try {
          return await client.query(sql, values);
        } catch (error) {
          if (connectionLost(error)) lost ??= error as Error;
          throw storeErrorFrom(error);
        }
      },
    };
    try {
      await run.query('BEGIN');
      const result = await fn(run);
      await this.#options.beforeCommit?.(op);
      await run.query('COMMIT');
      lost = undefined;
      return result;
    } catch (error) {
      // A hook's throw or a lost CAS propagates unchanged; the server discards an
      // uncommitted transaction whose connection is gone, so nothing is half-applied.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        lost ??= rollbackError as Error;
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(lost);
    }
  }
}
