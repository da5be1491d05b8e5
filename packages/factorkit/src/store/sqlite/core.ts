import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { Row } from '../sql/rows.ts';
import type { StoreOptions } from '../types.ts';

export type Database = BetterSqlite3.Database;

let driver: typeof BetterSqlite3 | undefined;
/**
 * better-sqlite3 is required on first open, not imported: importing this module (or the
 * deprecated root re-export of `SqliteStore`) loads neither the driver nor its native addon.
 */
export function openDatabase(filename: string): Database {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return new driver(filename);
}

/** The connection plus the transaction discipline every sub-store uses. */
export class SqliteCore {
  readonly db: Database;
  readonly #options: StoreOptions;
  constructor(db: Database, options: StoreOptions) {
    this.db = db;
    this.#options = options;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken before the first
   * read, so a compare-and-set's read and write cannot interleave with another
   * connection's. `beforeCommit` fires after the writes; a throw rolls everything back.
   */
  write<T>(op: string, fn: () => T): T {
    if (!this.db.open) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
    return this.db
      .transaction(() => {
        const result = fn();
        void this.#options.beforeCommit?.(op);
        return result;
      })
      .immediate();
  }

  read<T>(fn: () => T): T {
    if (!this.db.open) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
    return fn();
  }

  get(sql: string, ...params: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  all(sql: string, ...params: unknown[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  run(sql: string, ...params: unknown[]): number {
    return this.db.prepare(sql).run(...params).changes;
  }
}
