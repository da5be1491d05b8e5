/**
 * `factorkit/postgres`: the store in PostgreSQL, for several instances behind a load
 * balancer. Pass your own pool (`new pg.Pool(...)` from `pg` 8 fits as it is); the store
 * never creates connections, never ends your pool, and imports no driver.
 *
 * Atomicity is by construction: every compare-and-set is one conditional
 * `UPDATE … WHERE … RETURNING`, a challenge is consumed by `DELETE … RETURNING`, and a seed
 * import is one transaction in bounded batches.
 */
import type { YubikeyStore } from '@factorkit/yubikey';
import type {
  AttemptStore,
  ChallengeStore,
  CredentialStore,
  FactorkitStore,
  OtpFactorStore,
  StoreOptions,
} from '../types.ts';
import { PgAttempts } from './attempts.ts';
import { PgChallenges } from './challenges.ts';
import { PgCore, type PgPool } from './core.ts';
import { PgCredentials } from './credentials.ts';
import { PgOtpFactors } from './otp.ts';
import { checkVersion, migrate, pgNames } from './schema.ts';
import { PgYubikeyTokens } from './yubikey.ts';

export type { PgPool, PgPoolClient, PgQueryable, PgQueryResult } from './core.ts';
export { POSTGRES_SCHEMA_VERSION } from './schema.ts';

export interface PostgresStoreOptions extends StoreOptions {
  /** Schema holding the tables (default `public`; created by the migrations if missing). */
  readonly schema?: string;
  /** Prefix of every table and index name (default `factorkit_`; may be empty). */
  readonly tablePrefix?: string;
  /**
   * `true` (default): apply missing migrations when the store opens (the role needs CREATE
   * on the schema). `false`: only check that the schema is at this build's version (run
   * {@link migratePostgres} from a deploy step with a privileged role instead).
   */
  readonly migrate?: boolean;
  /** Rows per statement in a seed import (default 500, 1–5000); the import stays one transaction. */
  readonly importBatchSize?: number;
}

/**
 * Applies the missing migrations to `pool`'s database (versioned, idempotent, serialised by
 * an advisory lock, each in one transaction with its version bump). Returns the version.
 */
export async function migratePostgres(
  pool: PgPool,
  options: Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'> = {},
): Promise<number> {
  return migrate(new PgCore(pool, {}), pgNames(options.schema, options.tablePrefix));
}

export class PostgresStore implements FactorkitStore {
  readonly #core: PgCore;
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;
  /** The schema version found (after migrating, when `migrate` is on). */
  readonly schemaVersion: number;

  private constructor(core: PgCore, options: PostgresStoreOptions, version: number) {
    const names = pgNames(options.schema, options.tablePrefix);
    this.#core = core;
    this.schemaVersion = version;
    this.challenges = new PgChallenges(core, names);
    this.credentials = new PgCredentials(core, names);
    this.otp = new PgOtpFactors(core, names);
    this.yubikey = new PgYubikeyTokens(core, names, options.importBatchSize ?? 500);
    this.attempts = new PgAttempts(core, names);
  }

  /** Opens the store on the caller's pool: migrates (or checks the version) first. */
  static async open(pool: PgPool, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function')
      throw new TypeError('pool must be a pg Pool (query and connect)');
    const names = pgNames(options.schema, options.tablePrefix);
    const batch = options.importBatchSize ?? 500;
    if (!Number.isSafeInteger(batch) || batch < 1 || batch > 5000)
      throw new RangeError('importBatchSize must be an integer in 1..5000');
    const core = new PgCore(pool, options);
    const version = options.migrate === false ? await checkVersion(core, names) : await migrate(core, names);
    return new PostgresStore(core, options, version);
  }

  /** Stops this store (further calls reject with `ERR_STORE_CLOSED`); the pool stays yours to end. */
  async close(): Promise<void> {
    this.#core.closed = true;
  }
}
