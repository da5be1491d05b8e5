/**
 * `factorkit/sqlite`: the store in one SQLite database file (better-sqlite3 12), for one
 * machine (one or several processes on one file).
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
import { SqliteAttempts } from './attempts.ts';
import { SqliteChallenges } from './challenges.ts';
import { type Database, openDatabase, SqliteCore } from './core.ts';
import { SqliteCredentials } from './credentials.ts';
import { SqliteOtpFactors } from './otp.ts';
import { migrate, schemaVersion } from './schema.ts';
import { SqliteYubikeyTokens } from './yubikey.ts';

export { SQLITE_SCHEMA_VERSION } from './schema.ts';

export interface SqliteStoreOptions extends StoreOptions {
  /** How long a writer waits for another connection's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

/**
 * A store in one SQLite database file. On open it applies schema migrations (tracked in
 * `schema_version`, all-or-nothing), switches to WAL mode and `synchronous=FULL` (an
 * accepted OTP or counter must survive a power cut, or it could be replayed after one).
 * Every writing operation runs in a `BEGIN IMMEDIATE` transaction, so each compare-and-set
 * holds the write lock from its read to its write — safe across several connections and
 * processes on one file. `':memory:'` opens a private database.
 */
export class SqliteStore implements FactorkitStore {
  readonly #db: Database;
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;

  constructor(filename: string, options: SqliteStoreOptions = {}) {
    if (typeof filename !== 'string' || filename === '')
      throw new TypeError('filename must be a non-empty string');
    this.#db = openDatabase(filename);
    try {
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (filename !== ':memory:') this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      migrate(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const core = new SqliteCore(this.#db, options);
    this.challenges = new SqliteChallenges(core);
    this.credentials = new SqliteCredentials(core);
    this.otp = new SqliteOtpFactors(core);
    this.yubikey = new SqliteYubikeyTokens(core);
    this.attempts = new SqliteAttempts(core);
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
