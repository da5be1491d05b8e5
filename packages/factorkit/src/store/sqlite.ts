import Database from 'better-sqlite3';
import { StoreError } from './errors.ts';
import {
  countersAdvance,
  encodeCursor,
  normalizeTokenQuery,
  statusList,
  type TokenSortField,
} from './query.ts';
import type {
  AttemptState,
  ChallengeRecord,
  CredentialRecord,
  CredentialUsePatch,
  FactorkitStore,
  JsonValue,
  OtpFactorRecord,
  OtpFactorType,
  StoreOptions,
  YubicoCounters,
  YubikeyTokenExpect,
  YubikeyTokenInfo,
  YubikeyTokenPage,
  YubikeyTokenPatch,
  YubikeyTokenQuery,
  YubikeyTokenRecord,
  YubikeyTokenStatus,
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
     user_id TEXT, created INTEGER NOT NULL, last_updated INTEGER NOT NULL, last_verified INTEGER,
     usage_counter INTEGER, session_counter INTEGER, timestamp INTEGER,
     private_id BLOB NOT NULL, aes_key BLOB NOT NULL);
   CREATE INDEX yubikey_tokens_status ON yubikey_tokens (status);
   CREATE INDEX yubikey_tokens_user_id ON yubikey_tokens (user_id);
   CREATE TABLE attempts (key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_started_at INTEGER NOT NULL);`,
];

/** The schema version this build writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS.length;

const SORT_SQL: Record<TokenSortField, string> = {
  created: 'created',
  lastVerified: 'COALESCE(last_verified, -1)',
  serial: "COALESCE(serial, '')",
  status: 'status',
  userId: "COALESCE(user_id, '')",
};

export interface SqliteStoreOptions extends StoreOptions {
  /** How long a writer waits for another connection's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

/**
 * A store in one SQLite database file (better-sqlite3 12). On open it applies schema
 * migrations (tracked in `schema_version`), switches to WAL mode and `synchronous=FULL`
 * (an accepted OTP or counter must survive a power cut, or it could be replayed after
 * one). Every writing operation runs in a `BEGIN IMMEDIATE` transaction, so each
 * compare-and-set holds the write lock from its read to its write — safe across several
 * connections and processes on one file. Use `':memory:'` for a private in-memory DB.
 */
export class SqliteStore implements FactorkitStore {
  readonly #db: Database.Database;
  readonly #options: SqliteStoreOptions;

  constructor(filename: string, options: SqliteStoreOptions = {}) {
    if (typeof filename !== 'string' || filename === '')
      throw new TypeError('filename must be a non-empty string');
    this.#options = options;
    this.#db = new Database(filename);
    try {
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (filename !== ':memory:') this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#migrate();
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    const row = this.#db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
    return Number(row?.['version'] ?? 0);
  }

  #migrate(): void {
    const run = this.#db.transaction(() => {
      this.#db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = this.#db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
      let version = row === undefined ? 0 : Number(row['version']);
      if (row === undefined) this.#db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
      if (version > MIGRATIONS.length) {
        throw new StoreError(
          'ERR_STORE_SCHEMA',
          `database schema version ${version} is newer than this build supports (${MIGRATIONS.length})`,
        );
      }
      for (; version < MIGRATIONS.length; version++) {
        this.#db.exec(MIGRATIONS[version] as string);
        this.#db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
      }
    });
    run.immediate();
  }

  /** Runs `fn` in an IMMEDIATE transaction; `beforeCommit` fires after its writes. */
  #write<T>(op: string, fn: () => T): T {
    if (!this.#db.open) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
    return this.#db
      .transaction(() => {
        const result = fn();
        this.#options.beforeCommit?.(op);
        return result;
      })
      .immediate();
  }

  #read<T>(fn: () => T): T {
    if (!this.#db.open) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
    return fn();
  }

  #seal(bytes: Uint8Array, context: string): Uint8Array {
    const sealer = this.#options.sealer;
    return sealer === undefined ? bytes : sealer.seal(bytes, context);
  }

  #open(bytes: unknown, context: string): Uint8Array {
    const raw = Uint8Array.from(bytes as Uint8Array);
    const sealer = this.#options.sealer;
    return sealer === undefined ? raw : sealer.open(raw, context);
  }

  // ── challenges ──
  async putChallenge(r: ChallengeRecord): Promise<void> {
    this.#write('putChallenge', () => {
      const res = this.#db
        .prepare(
          `INSERT INTO challenges (id, factor, user_id, origin, challenge, expires_at, data)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(r.id, r.factor, r.userId, r.origin, r.challenge, r.expiresAt, JSON.stringify(r.data));
      if (res.changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    });
  }

  async consumeChallenge(id: string): Promise<ChallengeRecord | undefined> {
    return this.#write('consumeChallenge', () => {
      // DELETE … RETURNING: the read and the removal are one statement.
      const row = this.#db.prepare('DELETE FROM challenges WHERE id = ? RETURNING *').get(id) as
        | Row
        | undefined;
      return row === undefined ? undefined : toChallenge(row);
    });
  }

  async purgeExpiredChallenges(now: number): Promise<number> {
    return this.#write(
      'purgeExpiredChallenges',
      () => this.#db.prepare('DELETE FROM challenges WHERE expires_at <= ?').run(now).changes,
    );
  }

  // ── credentials ──
  async putCredential(r: CredentialRecord): Promise<void> {
    this.#write('putCredential', () => {
      const res = this.#db
        .prepare(
          `INSERT INTO credentials (id, user_id, factor, public_key, sign_count, created_at, last_used_at, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(
          r.id,
          r.userId,
          r.factor,
          r.publicKey,
          r.signCount,
          r.createdAt,
          r.lastUsedAt,
          JSON.stringify(r.data),
        );
      if (res.changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
    });
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    return this.#read(() => {
      const row = this.#db.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as Row | undefined;
      return row === undefined ? undefined : toCredential(row);
    });
  }

  async listCredentials(userId: string): Promise<readonly CredentialRecord[]> {
    return this.#read(() =>
      (
        this.#db
          .prepare('SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id')
          .all(userId) as Row[]
      ).map(toCredential),
    );
  }

  async updateCredentialCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    return this.#write('updateCredentialCounter', () => {
      const row = this.#db.prepare('SELECT sign_count, data FROM credentials WHERE id = ?').get(id) as
        | Row
        | undefined;
      if (row === undefined || Number(row['sign_count']) !== expected) return false;
      const data = {
        ...(JSON.parse(String(row['data'])) as Record<string, JsonValue>),
        ...(patch.data ?? {}),
      };
      const res = this.#db
        .prepare(
          'UPDATE credentials SET sign_count = ?, last_used_at = ?, data = ? WHERE id = ? AND sign_count = ?',
        )
        .run(next, patch.lastUsedAt, JSON.stringify(data), id, expected);
      return res.changes === 1;
    });
  }

  async deleteCredential(id: string): Promise<boolean> {
    return this.#write(
      'deleteCredential',
      () => this.#db.prepare('DELETE FROM credentials WHERE id = ?').run(id).changes === 1,
    );
  }

  // ── OTP factors ──
  async putOtpFactor(r: OtpFactorRecord): Promise<void> {
    this.#write('putOtpFactor', () => {
      const res = this.#db
        .prepare(
          `INSERT INTO otp_factors (id, user_id, type, secret, params, counter, created_at, last_verified_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(
          r.id,
          r.userId,
          r.type,
          this.#seal(r.secret, `otp:${r.id}:secret`),
          JSON.stringify(r.params),
          r.counter,
          r.createdAt,
          r.lastVerifiedAt,
        );
      if (res.changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
    });
  }

  #toOtp = (row: Row): OtpFactorRecord => {
    const id = String(row['id']);
    return {
      id,
      userId: String(row['user_id']),
      type: String(row['type']) as OtpFactorType,
      secret: this.#open(row['secret'], `otp:${id}:secret`),
      params: JSON.parse(String(row['params'])) as Record<string, JsonValue>,
      counter: nullableNumber(row['counter']),
      createdAt: Number(row['created_at']),
      lastVerifiedAt: nullableNumber(row['last_verified_at']),
    };
  };

  async getOtpFactor(id: string): Promise<OtpFactorRecord | undefined> {
    return this.#read(() => {
      const row = this.#db.prepare('SELECT * FROM otp_factors WHERE id = ?').get(id) as Row | undefined;
      return row === undefined ? undefined : this.#toOtp(row);
    });
  }

  async listOtpFactors(userId: string): Promise<readonly OtpFactorRecord[]> {
    return this.#read(() =>
      (
        this.#db
          .prepare('SELECT * FROM otp_factors WHERE user_id = ? ORDER BY created_at, id')
          .all(userId) as Row[]
      ).map(this.#toOtp),
    );
  }

  async advanceOtpCounter(id: string, next: number, now: number): Promise<boolean> {
    return this.#write(
      'advanceOtpCounter',
      () =>
        this.#db
          .prepare(
            'UPDATE otp_factors SET counter = ?, last_verified_at = ? WHERE id = ? AND (counter IS NULL OR counter < ?)',
          )
          .run(next, now, id, next).changes === 1,
    );
  }

  async deleteOtpFactor(id: string): Promise<boolean> {
    return this.#write(
      'deleteOtpFactor',
      () => this.#db.prepare('DELETE FROM otp_factors WHERE id = ?').run(id).changes === 1,
    );
  }

  // ── YubiKey tokens ──
  async putYubikeyTokens(records: readonly YubikeyTokenRecord[]): Promise<void> {
    this.#write('putYubikeyTokens', () => {
      const insert = this.#db.prepare(
        `INSERT INTO yubikey_tokens (id, public_id, serial, status, user_id, created, last_updated, last_verified,
           usage_counter, session_counter, timestamp, private_id, aes_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      );
      for (const r of records) {
        const res = insert.run(
          r.id,
          r.publicId,
          r.serial,
          r.status,
          r.userId,
          r.created,
          r.lastUpdated,
          r.lastVerified,
          r.usageCounter,
          r.sessionCounter,
          r.timestamp,
          this.#seal(r.privateId, `yubikey:${r.id}:privateId`),
          this.#seal(r.aesKey, `yubikey:${r.id}:aesKey`),
        );
        if (res.changes !== 1)
          throw new StoreError('ERR_STORE_CONFLICT', `publicId ${r.publicId} or its id already exists`);
      }
    });
  }

  #toToken = (row: Row): YubikeyTokenRecord => {
    const id = String(row['id']);
    return {
      ...toTokenInfo(row),
      privateId: this.#open(row['private_id'], `yubikey:${id}:privateId`),
      aesKey: this.#open(row['aes_key'], `yubikey:${id}:aesKey`),
    };
  };

  async getYubikeyToken(id: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#read(() => {
      const row = this.#db.prepare('SELECT * FROM yubikey_tokens WHERE id = ?').get(id) as Row | undefined;
      return row === undefined ? undefined : this.#toToken(row);
    });
  }

  async getYubikeyTokenByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#read(() => {
      const row = this.#db.prepare('SELECT * FROM yubikey_tokens WHERE public_id = ?').get(publicId) as
        | Row
        | undefined;
      return row === undefined ? undefined : this.#toToken(row);
    });
  }

  async listYubikeyTokens(query?: YubikeyTokenQuery): Promise<YubikeyTokenPage> {
    const q = normalizeTokenQuery(query);
    return this.#read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      const f = q.filter;
      const statuses = statusList(f.status);
      if (statuses !== undefined) {
        where.push(statuses.length === 0 ? '0' : `status IN (${statuses.map(() => '?').join(', ')})`);
        params.push(...statuses);
      }
      const add = (clause: string, value: string | number | undefined): void => {
        if (value === undefined) return;
        where.push(clause);
        params.push(value);
      };
      add('serial = ?', f.serial);
      add('user_id = ?', f.userId);
      add('created >= ?', f.createdFrom);
      add('created < ?', f.createdTo);
      add('COALESCE(last_verified, -1) >= ?', f.lastVerifiedFrom);
      add('last_verified < ?', f.lastVerifiedTo);
      const key = SORT_SQL[q.sortBy];
      const dir = q.sortOrder;
      if (q.after !== undefined) {
        where.push(`(${key}, id) ${dir === 'ASC' ? '>' : '<'} (?, ?)`);
        params.push(q.after.key, q.after.id);
      }
      const sql = `SELECT *, ${key} AS sort_key FROM yubikey_tokens ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY ${key} ${dir}, id ${dir} LIMIT ?`;
      const rows = this.#db.prepare(sql).all(...params, q.limit + 1) as Row[];
      const page = rows.slice(0, q.limit);
      const items = page.map(toTokenInfo);
      const last = page.at(-1);
      return rows.length > q.limit && last !== undefined
        ? { items, after: encodeCursor(q, last['sort_key'] as string | number, String(last['id'])) }
        : { items };
    });
  }

  async updateYubikeyToken(
    id: string,
    expect: YubikeyTokenExpect,
    patch: YubikeyTokenPatch,
  ): Promise<boolean> {
    return this.#write('updateYubikeyToken', () => {
      const row = this.#db.prepare('SELECT status, user_id FROM yubikey_tokens WHERE id = ?').get(id) as
        | Row
        | undefined;
      if (row === undefined) return false;
      const status = String(row['status']) as YubikeyTokenStatus;
      const userId = row['user_id'] === null ? null : String(row['user_id']);
      const allowed = statusList(expect.status);
      if (allowed !== undefined && !allowed.includes(status)) return false;
      if (expect.userId !== undefined && userId !== expect.userId) return false;
      this.#db
        .prepare('UPDATE yubikey_tokens SET status = ?, user_id = ?, last_updated = ? WHERE id = ?')
        .run(
          patch.status ?? status,
          patch.userId === undefined ? userId : patch.userId,
          patch.lastUpdated,
          id,
        );
      return true;
    });
  }

  async advanceYubicoCounters(id: string, c: YubicoCounters): Promise<boolean> {
    return this.#write('advanceYubicoCounters', () => {
      const row = this.#db
        .prepare('SELECT usage_counter, session_counter FROM yubikey_tokens WHERE id = ?')
        .get(id) as Row | undefined;
      if (row === undefined) return false;
      if (
        !countersAdvance(
          nullableNumber(row['usage_counter']),
          nullableNumber(row['session_counter']),
          c.usageCounter,
          c.sessionCounter,
        )
      ) {
        return false;
      }
      this.#db
        .prepare(
          `UPDATE yubikey_tokens SET usage_counter = ?, session_counter = ?, timestamp = ?, last_verified = ?
           WHERE id = ?`,
        )
        .run(c.usageCounter, c.sessionCounter, c.timestamp, c.now, id);
      return true;
    });
  }

  async deleteYubikeyToken(id: string): Promise<boolean> {
    return this.#write(
      'deleteYubikeyToken',
      () => this.#db.prepare('DELETE FROM yubikey_tokens WHERE id = ?').run(id).changes === 1,
    );
  }

  // ── attempts ──
  async getAttempts(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#read(() => {
      const row = this.#db.prepare('SELECT count, window_started_at FROM attempts WHERE key = ?').get(key) as
        | Row
        | undefined;
      if (row === undefined || now - Number(row['window_started_at']) >= windowMs) {
        return { count: 0, windowStartedAt: now };
      }
      return { count: Number(row['count']), windowStartedAt: Number(row['window_started_at']) };
    });
  }

  async recordAttempt(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#write('recordAttempt', () => {
      const row = this.#db.prepare('SELECT count, window_started_at FROM attempts WHERE key = ?').get(key) as
        | Row
        | undefined;
      const next =
        row === undefined || now - Number(row['window_started_at']) >= windowMs
          ? { count: 1, windowStartedAt: now }
          : { count: Number(row['count']) + 1, windowStartedAt: Number(row['window_started_at']) };
      this.#db
        .prepare(
          `INSERT INTO attempts (key, count, window_started_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_started_at = excluded.window_started_at`,
        )
        .run(key, next.count, next.windowStartedAt);
      return next;
    });
  }

  async resetAttempts(key: string): Promise<void> {
    this.#write('resetAttempts', () => this.#db.prepare('DELETE FROM attempts WHERE key = ?').run(key));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function toChallenge(row: Row): ChallengeRecord {
  return {
    id: String(row['id']),
    factor: String(row['factor']),
    userId: row['user_id'] === null ? null : String(row['user_id']),
    origin: row['origin'] === null ? null : String(row['origin']),
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
    publicKey: Uint8Array.from(row['public_key'] as Uint8Array),
    signCount: Number(row['sign_count']),
    createdAt: Number(row['created_at']),
    lastUsedAt: nullableNumber(row['last_used_at']),
    data: JSON.parse(String(row['data'])) as Record<string, JsonValue>,
  };
}

function toTokenInfo(row: Row): YubikeyTokenInfo {
  return {
    id: String(row['id']),
    publicId: String(row['public_id']),
    serial: row['serial'] === null ? null : String(row['serial']),
    status: String(row['status']) as YubikeyTokenStatus,
    userId: row['user_id'] === null ? null : String(row['user_id']),
    created: Number(row['created']),
    lastUpdated: Number(row['last_updated']),
    lastVerified: nullableNumber(row['last_verified']),
    usageCounter: nullableNumber(row['usage_counter']),
    sessionCounter: nullableNumber(row['session_counter']),
    timestamp: nullableNumber(row['timestamp']),
  };
}
