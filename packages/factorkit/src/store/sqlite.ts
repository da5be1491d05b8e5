import {
  type AcceptedOtp,
  type CounterUpdate,
  type CounterUpdateResult,
  compareCounters,
  type InsertManyResult,
  type NewYubikeyTokenRecord,
  type StatusUpdate,
  type StatusUpdateResult,
  type StoreListQuery,
  TOMBSTONE_STATUSES,
  type YubikeyStore,
  type YubikeyTokenRecord,
  type YubikeyTokenSortField,
  type YubikeyTokenStatus,
} from '@factorkit/yubikey';
import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import type {
  AttemptState,
  AttemptStore,
  ChallengeRecord,
  ChallengeStore,
  CredentialRecord,
  CredentialStore,
  CredentialUsePatch,
  FactorkitStore,
  JsonValue,
  OtpFactorRecord,
  OtpFactorStore,
  OtpFactorType,
  StoreOptions,
} from './types.ts';

/** Schema migrations, applied in order on open; index + 1 = the version it produces. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE challenges (
     id TEXT PRIMARY KEY, factor TEXT NOT NULL, user_id TEXT, origin TEXT,
     challenge TEXT NOT NULL, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX challenges_expires_at ON challenges (expires_at);
   CREATE TABLE credentials (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, factor TEXT NOT NULL, public_key BLOB NOT NULL,
     sign_count INTEGER NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER, data TEXT NOT NULL);
   CREATE INDEX credentials_user_id ON credentials (user_id, created_at);
   CREATE TABLE otp_factors (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, secret BLOB NOT NULL,
     params TEXT NOT NULL, counter INTEGER, created_at INTEGER NOT NULL, last_verified_at INTEGER);
   CREATE INDEX otp_factors_user_id ON otp_factors (user_id, created_at);
   CREATE TABLE yubikey_tokens (
     id TEXT PRIMARY KEY, public_id TEXT NOT NULL UNIQUE, serial TEXT, status TEXT NOT NULL,
     user_id TEXT, created TEXT NOT NULL, last_updated TEXT NOT NULL, last_verified TEXT, activated TEXT,
     otp_usage INTEGER, otp_session INTEGER, otp_timestamp INTEGER, otp_at TEXT, sealed_secret BLOB);
   CREATE INDEX yubikey_tokens_status ON yubikey_tokens (status);
   CREATE INDEX yubikey_tokens_user_id ON yubikey_tokens (user_id);
   CREATE INDEX yubikey_tokens_serial ON yubikey_tokens (serial);
   CREATE TABLE attempts (key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_started_at INTEGER NOT NULL);`,
];

/** The schema version this build writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS.length;

/** SQL for `tokenSortKey` of @factorkit/yubikey: the same strings, null as ''. */
const TOKEN_SORT_SQL: Record<YubikeyTokenSortField, string> = {
  created: 'created',
  lastUpdated: 'last_updated',
  lastVerified: "COALESCE(last_verified, '')",
  activated: "COALESCE(activated, '')",
  status: 'status',
  'profile.serial': "COALESCE(serial, '')",
  'user.id': "COALESCE(user_id, '')",
};

export interface SqliteStoreOptions extends StoreOptions {
  /** How long a writer waits for another connection's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

/** The connection plus the transaction discipline every sub-store uses. */
class SqliteCore {
  readonly db: Database.Database;
  readonly #options: SqliteStoreOptions;
  constructor(db: Database.Database, options: SqliteStoreOptions) {
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
        this.#options.beforeCommit?.(op);
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

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const bytes = (v: unknown): Uint8Array => Uint8Array.from(v as Uint8Array);

class SqliteChallenges implements ChallengeStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: ChallengeRecord): Promise<void> {
    this.#c.write('challenges.put', () => {
      const changes = this.#c.run(
        `INSERT INTO challenges (id, factor, user_id, origin, challenge, expires_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.factor,
        r.userId,
        r.origin,
        r.challenge,
        r.expiresAt,
        JSON.stringify(r.data),
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    });
  }

  async consume(id: string): Promise<ChallengeRecord | undefined> {
    return this.#c.write('challenges.consume', () => {
      // DELETE … RETURNING: the read and the removal are one statement.
      const row = this.#c.get('DELETE FROM challenges WHERE id = ? RETURNING *', id);
      return row === undefined ? undefined : toChallenge(row);
    });
  }

  async purgeExpired(now: number): Promise<number> {
    return this.#c.write('challenges.purgeExpired', () =>
      this.#c.run('DELETE FROM challenges WHERE expires_at <= ?', now),
    );
  }
}

class SqliteCredentials implements CredentialStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: CredentialRecord): Promise<void> {
    this.#c.write('credentials.put', () => {
      const changes = this.#c.run(
        `INSERT INTO credentials (id, user_id, factor, public_key, sign_count, created_at, last_used_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.userId,
        r.factor,
        r.publicKey,
        r.signCount,
        r.createdAt,
        r.lastUsedAt,
        JSON.stringify(r.data),
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
    });
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM credentials WHERE id = ?', id);
      return row === undefined ? undefined : toCredential(row);
    });
  }

  async list(userId: string): Promise<readonly CredentialRecord[]> {
    return this.#c.read(() =>
      this.#c
        .all('SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id', userId)
        .map(toCredential),
    );
  }

  async updateCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    return this.#c.write('credentials.updateCounter', () => {
      const row = this.#c.get('SELECT sign_count, data FROM credentials WHERE id = ?', id);
      if (row === undefined || Number(row['sign_count']) !== expected) return false;
      const data = {
        ...(JSON.parse(String(row['data'])) as Record<string, JsonValue>),
        ...(patch.data ?? {}),
      };
      return (
        this.#c.run(
          'UPDATE credentials SET sign_count = ?, last_used_at = ?, data = ? WHERE id = ? AND sign_count = ?',
          next,
          patch.lastUsedAt,
          JSON.stringify(data),
          id,
          expected,
        ) === 1
      );
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write(
      'credentials.delete',
      () => this.#c.run('DELETE FROM credentials WHERE id = ?', id) === 1,
    );
  }
}

class SqliteOtpFactors implements OtpFactorStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: OtpFactorRecord): Promise<void> {
    this.#c.write('otp.put', () => {
      const changes = this.#c.run(
        `INSERT INTO otp_factors (id, user_id, type, secret, params, counter, created_at, last_verified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.userId,
        r.type,
        r.secret,
        JSON.stringify(r.params),
        r.counter,
        r.createdAt,
        r.lastVerifiedAt,
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
    });
  }

  async get(id: string): Promise<OtpFactorRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM otp_factors WHERE id = ?', id);
      return row === undefined ? undefined : toOtp(row);
    });
  }

  async list(userId: string): Promise<readonly OtpFactorRecord[]> {
    return this.#c.read(() =>
      this.#c.all('SELECT * FROM otp_factors WHERE user_id = ? ORDER BY created_at, id', userId).map(toOtp),
    );
  }

  async advanceCounter(
    id: string,
    next: number,
    now: number,
    params?: OtpFactorRecord['params'],
  ): Promise<boolean> {
    return this.#c.write(
      'otp.advanceCounter',
      () =>
        this.#c.run(
          `UPDATE otp_factors SET counter = ?, last_verified_at = ?, params = COALESCE(?, params)
           WHERE id = ? AND (counter IS NULL OR counter < ?)`,
          next,
          now,
          params === undefined ? null : JSON.stringify(params),
          id,
          next,
        ) === 1,
    );
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write('otp.delete', () => this.#c.run('DELETE FROM otp_factors WHERE id = ?', id) === 1);
  }
}

/** `YubikeyStore` (contract: @factorkit/yubikey) on SQLite. */
class SqliteYubikeyTokens implements YubikeyStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    return this.#c.write('yubikey.insertMany', (): InsertManyResult => {
      const conflicts: string[] = [];
      const ids = new Set<string>();
      const publicIds = new Set<string>();
      for (const r of records) {
        if (ids.has(r.id) || this.#c.get('SELECT 1 FROM yubikey_tokens WHERE id = ?', r.id) !== undefined) {
          conflicts.push(r.id);
        }
        ids.add(r.id);
        if (publicIds.has(r.publicId)) {
          conflicts.push(r.publicId);
          continue;
        }
        publicIds.add(r.publicId);
        const existing = this.#c.get('SELECT status FROM yubikey_tokens WHERE public_id = ?', r.publicId);
        if (
          existing !== undefined &&
          !TOMBSTONE_STATUSES.includes(existing['status'] as YubikeyTokenStatus)
        ) {
          conflicts.push(r.publicId);
        }
      }
      if (conflicts.length > 0) return { ok: false, conflicts };
      for (const r of records) {
        let lastOtp = r.lastOtp;
        const tomb = this.#c.get('SELECT * FROM yubikey_tokens WHERE public_id = ?', r.publicId);
        if (tomb !== undefined) {
          // A re-uploaded seed keeps the replay floor of its tombstone.
          const old = toTokenRecord(tomb).lastOtp;
          if (old !== null && (lastOtp === null || compareCounters(old, lastOtp) > 0)) lastOtp = old;
          this.#c.run('DELETE FROM yubikey_tokens WHERE id = ?', tomb['id']);
        }
        this.#c.run(
          `INSERT INTO yubikey_tokens (id, public_id, serial, status, user_id, created, last_updated, last_verified,
             activated, otp_usage, otp_session, otp_timestamp, otp_at, sealed_secret)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.id,
          r.publicId,
          r.serial,
          r.status,
          r.userId,
          r.created,
          r.lastUpdated,
          r.lastVerified,
          r.activated,
          lastOtp?.usageCounter ?? null,
          lastOtp?.sessionCounter ?? null,
          lastOtp?.timestamp ?? null,
          lastOtp?.at ?? null,
          r.sealedSecret,
        );
      }
      return { ok: true, inserted: records.length };
    });
  }

  async getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', id);
      return row === undefined ? undefined : toTokenRecord(row);
    });
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE public_id = ?', publicId);
      return row === undefined ? undefined : toTokenRecord(row);
    });
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT sealed_secret FROM yubikey_tokens WHERE id = ?', id);
      return row === undefined || row['sealed_secret'] === null ? undefined : bytes(row['sealed_secret']);
    });
  }

  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    return this.#c.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      const f = query.filter;
      if (f.status !== undefined) {
        where.push(f.status.length === 0 ? '0' : `status IN (${f.status.map(() => '?').join(', ')})`);
        params.push(...f.status);
      }
      if (f.serial !== undefined) {
        where.push('serial = ?');
        params.push(f.serial);
      }
      if (f.userId !== undefined) {
        if (f.userId === null) where.push('user_id IS NULL');
        else {
          where.push('user_id = ?');
          params.push(f.userId);
        }
      }
      // Exclusive ranges; a NULL column never matches a range (as in matchesFilter).
      for (const [column, range] of [
        ['created', f.created],
        ['last_verified', f.lastVerified],
        ['activated', f.activated],
      ] as const) {
        if (range === undefined) continue;
        where.push(`${column} IS NOT NULL`);
        if (range.after !== undefined) {
          where.push(`${column} > ?`);
          params.push(range.after);
        }
        if (range.before !== undefined) {
          where.push(`${column} < ?`);
          params.push(range.before);
        }
      }
      const key = TOKEN_SORT_SQL[query.sortBy];
      if (key === undefined) throw new TypeError('unknown sortBy');
      const dir = query.sortOrder === 'DESC' ? 'DESC' : 'ASC';
      if (query.after !== undefined) {
        where.push(`(${key}, id) ${dir === 'ASC' ? '>' : '<'} (?, ?)`);
        params.push(query.after.key, query.after.id);
      }
      const sql = `SELECT * FROM yubikey_tokens ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY ${key} ${dir}, id ${dir} LIMIT ?`;
      return this.#c.all(sql, ...params, query.limit).map(toTokenRecord);
    });
  }

  async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
    return this.#c.write('yubikey.compareAndSetCounter', (): CounterUpdateResult => {
      const n = update.next;
      const assign = update.assignUserId;
      // One conditional UPDATE: the check and the write are a single statement.
      const changes = this.#c.run(
        `UPDATE yubikey_tokens SET otp_usage = ?, otp_session = ?, otp_timestamp = ?, otp_at = ?,
           last_verified = ?, last_updated = ?,
           status = COALESCE(?, status), user_id = COALESCE(?, user_id), activated = COALESCE(?, activated)
         WHERE id = ? AND status = ? AND user_id IS ?
           AND (otp_usage IS NULL OR otp_usage < ? OR (otp_usage = ? AND otp_session < ?))`,
        n.usageCounter,
        n.sessionCounter,
        n.timestamp,
        n.at,
        n.at,
        n.at,
        assign === undefined ? null : 'ACTIVE',
        assign ?? null,
        assign === undefined ? null : n.at,
        update.id,
        update.expectStatus,
        update.expectUserId,
        n.usageCounter,
        n.usageCounter,
        n.sessionCounter,
      );
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', update.id);
      if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
      const record = toTokenRecord(row);
      if (changes === 1) return { ok: true, record };
      if (record.status !== update.expectStatus || record.userId !== update.expectUserId) {
        return { ok: false, reason: 'STATE_CHANGED' };
      }
      return { ok: false, reason: 'REPLAYED' };
    });
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    return this.#c.write('yubikey.updateStatus', (): StatusUpdateResult => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', update.id);
      if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
      const r = toTokenRecord(row);
      if (!update.expectStatus.includes(r.status)) return { ok: false, reason: 'STATE_CHANGED' };
      const activated = update.userId === null ? null : r.userId === update.userId ? r.activated : update.at;
      this.#c.run(
        `UPDATE yubikey_tokens SET status = ?, user_id = ?, activated = ?, last_updated = ?,
           sealed_secret = CASE WHEN ? THEN NULL ELSE sealed_secret END
         WHERE id = ?`,
        update.status,
        update.userId,
        activated,
        update.at,
        update.clearSecret === true ? 1 : 0,
        update.id,
      );
      return {
        ok: true,
        record: Object.freeze({
          ...r,
          status: update.status,
          userId: update.userId,
          activated,
          lastUpdated: update.at,
        }),
      };
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write(
      'yubikey.delete',
      () => this.#c.run('DELETE FROM yubikey_tokens WHERE id = ?', id) === 1,
    );
  }
}

class SqliteAttempts implements AttemptStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT count, window_started_at FROM attempts WHERE key = ?', key);
      if (row === undefined || now - Number(row['window_started_at']) >= windowMs)
        return { count: 0, windowStartedAt: now };
      return { count: Number(row['count']), windowStartedAt: Number(row['window_started_at']) };
    });
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#c.write('attempts.record', () => {
      const row = this.#c.get('SELECT count, window_started_at FROM attempts WHERE key = ?', key);
      const next =
        row === undefined || now - Number(row['window_started_at']) >= windowMs
          ? { count: 1, windowStartedAt: now }
          : { count: Number(row['count']) + 1, windowStartedAt: Number(row['window_started_at']) };
      this.#c.run(
        `INSERT INTO attempts (key, count, window_started_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_started_at = excluded.window_started_at`,
        key,
        next.count,
        next.windowStartedAt,
      );
      return next;
    });
  }

  async reset(key: string): Promise<void> {
    this.#c.write('attempts.reset', () => this.#c.run('DELETE FROM attempts WHERE key = ?', key));
  }
}

/**
 * A store in one SQLite database file (better-sqlite3 12). On open it applies schema
 * migrations (tracked in `schema_version`, all-or-nothing), switches to WAL mode and
 * `synchronous=FULL` (an accepted OTP or counter must survive a power cut, or it could be
 * replayed after one). Every writing operation runs in a `BEGIN IMMEDIATE` transaction,
 * so each compare-and-set holds the write lock from its read to its write — safe across
 * several connections and processes on one file. `':memory:'` opens a private database.
 */
export class SqliteStore implements FactorkitStore {
  readonly #db: Database.Database;
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;

  constructor(filename: string, options: SqliteStoreOptions = {}) {
    if (typeof filename !== 'string' || filename === '')
      throw new TypeError('filename must be a non-empty string');
    this.#db = new Database(filename);
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
    return Number(
      (this.#db.prepare('SELECT version FROM schema_version').get() as Row | undefined)?.['version'] ?? 0,
    );
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    let version = row === undefined ? 0 : Number(row['version']);
    if (version > MIGRATIONS.length) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `database schema version ${version} is newer than this build supports (${MIGRATIONS.length})`,
      );
    }
    for (; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    }
  }).immediate();
}

function toChallenge(row: Row): ChallengeRecord {
  return {
    id: String(row['id']),
    factor: String(row['factor']),
    userId: str(row['user_id']),
    origin: str(row['origin']),
    challenge: String(row['challenge']),
    expiresAt: Number(row['expires_at']),
    data: JSON.parse(String(row['data'])) as JsonValue,
  };
}

function toCredential(row: Row): CredentialRecord {
  return {
    id: String(row['id']),
    userId: String(row['user_id']),
    factor: String(row['factor']) as CredentialRecord['factor'],
    publicKey: bytes(row['public_key']),
    signCount: Number(row['sign_count']),
    createdAt: Number(row['created_at']),
    lastUsedAt: num(row['last_used_at']),
    data: JSON.parse(String(row['data'])) as Record<string, JsonValue>,
  };
}

function toOtp(row: Row): OtpFactorRecord {
  return {
    id: String(row['id']),
    userId: String(row['user_id']),
    type: String(row['type']) as OtpFactorType,
    secret: bytes(row['secret']),
    params: JSON.parse(String(row['params'])) as Record<string, JsonValue>,
    counter: num(row['counter']),
    createdAt: Number(row['created_at']),
    lastVerifiedAt: num(row['last_verified_at']),
  };
}

function toTokenRecord(row: Row): YubikeyTokenRecord {
  const usage = num(row['otp_usage']);
  const lastOtp: AcceptedOtp | null =
    usage === null
      ? null
      : Object.freeze({
          usageCounter: usage,
          sessionCounter: Number(row['otp_session']),
          timestamp: Number(row['otp_timestamp']),
          at: String(row['otp_at']),
        });
  return Object.freeze({
    id: String(row['id']),
    publicId: String(row['public_id']),
    serial: str(row['serial']),
    status: String(row['status']) as YubikeyTokenStatus,
    userId: str(row['user_id']),
    created: String(row['created']),
    lastUpdated: String(row['last_updated']),
    lastVerified: str(row['last_verified']),
    activated: str(row['activated']),
    lastOtp,
  });
}
