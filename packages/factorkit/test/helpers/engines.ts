/**
 * Opens one engine's store from a plain descriptor (so a child process can open the same
 * store), and wraps a store into the check-then-write control used to show that the race
 * tests can fail: reads go through the real store, then an unconditional write follows.
 */
import type { AcceptedOtp } from '@factorkit/yubikey';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/index.ts';
import { RedisStore } from '../../src/store/redis/index.ts';
import { jsonDecoded, type Row, toChallenge } from '../../src/store/sql/rows.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { ChallengeRecord, FactorkitStore, StoreOptions } from '../../src/store/types.ts';

export type EngineDescriptor =
  | { readonly engine: 'sqlite'; readonly file: string }
  | { readonly engine: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly engine: 'redis'; readonly url: string; readonly prefix: string };

/** Unconditional writes for the control store. */
interface RawWrites {
  peekChallenge(id: string): Promise<ChallengeRecord | undefined>;
  deleteChallenge(id: string): Promise<void>;
  setOtpCounter(id: string, next: number, now: number): Promise<void>;
  setSignCount(id: string, next: number, lastUsedAt: number): Promise<void>;
  setYubikeyOtp(id: string, next: AcceptedOtp, assignUserId: string | undefined): Promise<void>;
}

export interface OpenedEngine {
  readonly store: FactorkitStore;
  /** The same store with its four replay gates replaced by check-then-write. */
  readonly control: FactorkitStore;
  close(): Promise<void>;
}

export async function openEngine(d: EngineDescriptor, options: StoreOptions = {}): Promise<OpenedEngine> {
  if (d.engine === 'sqlite') {
    const store = new SqliteStore(d.file, options);
    // Reach the database through a second handle: plain statements, no transaction.
    const db = (await import('better-sqlite3')).default(d.file);
    db.pragma('busy_timeout = 5000');
    const run = async (sql: string, ...params: unknown[]): Promise<void> => {
      await new Promise((r) => setImmediate(r)); // a network store's round trip
      db.prepare(sql).run(...params);
    };
    const writes: RawWrites = {
      async peekChallenge(id) {
        const row = db.prepare('SELECT * FROM challenges WHERE id = ?').get(id) as Row | undefined;
        await new Promise((r) => setImmediate(r));
        return row === undefined ? undefined : toChallenge(row);
      },
      deleteChallenge: (id) => run('DELETE FROM challenges WHERE id = ?', id),
      setOtpCounter: (id, next, now) =>
        run('UPDATE otp_factors SET counter = ?, last_verified_at = ? WHERE id = ?', next, now, id),
      setSignCount: (id, next, at) =>
        run('UPDATE credentials SET sign_count = ?, last_used_at = ? WHERE id = ?', next, at, id),
      setYubikeyOtp: (id, n, assign) =>
        run(
          `UPDATE yubikey_tokens SET otp_usage = ?, otp_session = ?, otp_timestamp = ?, otp_at = ?,
             last_verified = ?, user_id = COALESCE(?, user_id) WHERE id = ?`,
          n.usageCounter,
          n.sessionCounter,
          n.timestamp,
          n.at,
          n.at,
          assign ?? null,
          id,
        ),
    };
    return {
      store,
      control: checkThenWrite(store, writes),
      async close() {
        db.close();
        await store.close();
      },
    };
  }
  if (d.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: d.url, max: 10 });
    pool.on('error', () => {});
    const store = await PostgresStore.open(pool, { ...options, schema: d.schema, migrate: false });
    const t = (name: string): string => `"${d.schema}".factorkit_${name}`;
    const q = async (sql: string, values: unknown[]): Promise<void> => {
      await pool.query(sql, values);
    };
    const writes: RawWrites = {
      async peekChallenge(id) {
        const { rows } = await pool.query(`SELECT * FROM ${t('challenges')} WHERE id = $1`, [id]);
        return rows[0] === undefined ? undefined : toChallenge(rows[0], jsonDecoded);
      },
      deleteChallenge: (id) => q(`DELETE FROM ${t('challenges')} WHERE id = $1`, [id]),
      setOtpCounter: (id, next, now) =>
        q(`UPDATE ${t('otp_factors')} SET counter = $2, last_verified_at = $3 WHERE id = $1`, [
          id,
          next,
          now,
        ]),
      setSignCount: (id, next, at) =>
        q(`UPDATE ${t('credentials')} SET sign_count = $2, last_used_at = $3 WHERE id = $1`, [id, next, at]),
      setYubikeyOtp: (id, n, assign) =>
        q(
          `UPDATE ${t('yubikey_tokens')} SET otp_usage = $2, otp_session = $3, otp_timestamp = $4, otp_at = $5,
             last_verified = $5, user_id = COALESCE($6::text, user_id) WHERE id = $1`,
          [id, n.usageCounter, n.sessionCounter, n.timestamp, n.at, assign ?? null],
        ),
    };
    return {
      store,
      control: checkThenWrite(store, writes),
      async close() {
        await store.close();
        await pool.end();
      },
    };
  }
  const client = new Redis(d.url, { maxRetriesPerRequest: 2 });
  client.on('error', () => {});
  const store = await RedisStore.open(client, { ...options, prefix: d.prefix });
  const k = (...parts: string[]): string => [`{${d.prefix}}`, ...parts].join(':');
  const writes: RawWrites = {
    async peekChallenge(id) {
      const v = await client.get(k('ch', id));
      return v === null ? undefined : toChallenge(JSON.parse(v) as Row);
    },
    deleteChallenge: async (id) => {
      await client.del(k('ch', id));
    },
    setOtpCounter: async (id, next, now) => {
      await client.hset(k('otp', id), 'counter', String(next), 'last_verified_at', String(now));
    },
    setSignCount: async (id, next, at) => {
      await client.hset(k('cred', id), 'sign_count', String(next), 'last_used_at', String(at));
    },
    setYubikeyOtp: async (id, n, assign) => {
      await client.hset(k('yk', id), {
        otp_usage: String(n.usageCounter),
        otp_session: String(n.sessionCounter),
        otp_timestamp: String(n.timestamp),
        otp_at: n.at,
        last_verified: n.at,
        ...(assign === undefined ? {} : { user_id: assign }),
      });
    },
  };
  return {
    store,
    control: checkThenWrite(store, writes),
    async close() {
      await store.close();
      client.disconnect();
    },
  };
}

/** Removes everything an engine descriptor's store wrote (schema, file, keys). */
export async function dropEngine(d: EngineDescriptor): Promise<void> {
  if (d.engine === 'sqlite') {
    const { rmSync } = await import('node:fs');
    for (const suffix of ['', '-wal', '-shm']) rmSync(d.file + suffix, { force: true });
  } else if (d.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: d.url, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${d.schema}" CASCADE`);
    await pool.end();
  } else {
    const client = new Redis(d.url);
    await dropRedisKeys(client, `{${d.prefix}}:*`);
    client.disconnect();
  }
}

/** Deletes every key matching `pattern` (SCAN, then DEL in batches). */
export async function dropRedisKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export type CheckThenWrite = (store: FactorkitStore, writes: RawWrites) => FactorkitStore;
export type { RawWrites };

/** The control: every replay gate reads, decides, then writes unconditionally. */
export const checkThenWrite: CheckThenWrite = (store, w) => ({
  ...store,
  challenges: {
    ...store.challenges,
    put: (r) => store.challenges.put(r),
    purgeExpired: (now) => store.challenges.purgeExpired(now),
    async consume(id) {
      const found = await w.peekChallenge(id);
      if (found === undefined) return undefined;
      await w.deleteChallenge(id);
      return found;
    },
  },
  credentials: {
    ...bind(store.credentials),
    async updateCounter(id, expected, next, patch) {
      const c = await store.credentials.get(id);
      if (c === undefined || c.signCount !== expected) return false;
      await w.setSignCount(id, next, patch.lastUsedAt);
      return true;
    },
  },
  otp: {
    ...bind(store.otp),
    async advanceCounter(id, next, now) {
      const f = await store.otp.get(id);
      if (f === undefined || (f.counter !== null && next <= f.counter)) return false;
      await w.setOtpCounter(id, next, now);
      return true;
    },
  },
  yubikey: {
    ...bind(store.yubikey),
    async compareAndSetCounter(u) {
      const r = await store.yubikey.getById(u.id);
      if (r === undefined) return { ok: false, reason: 'NOT_FOUND' };
      if (r.status !== u.expectStatus || r.userId !== u.expectUserId)
        return { ok: false, reason: 'STATE_CHANGED' };
      const last = r.lastOtp;
      if (
        last !== null &&
        (u.next.usageCounter < last.usageCounter ||
          (u.next.usageCounter === last.usageCounter && u.next.sessionCounter <= last.sessionCounter))
      )
        return { ok: false, reason: 'REPLAYED' };
      await w.setYubikeyOtp(u.id, u.next, u.assignUserId);
      return { ok: true, record: { ...r, lastOtp: u.next, lastVerified: u.next.at } };
    },
  },
  attempts: store.attempts,
  close: () => store.close(),
});

/** Copies every method of a sub-store bound to it (class methods are not own properties). */
function bind<T extends object>(sub: T): T {
  const out: Record<string, unknown> = {};
  let proto: object | null = sub;
  while (proto !== null && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const v = (sub as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof v === 'function' && !(key in out))
        out[key] = (v as (...a: unknown[]) => unknown).bind(sub);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return out as T;
}
