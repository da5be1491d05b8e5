import {
  type CounterUpdate,
  type CounterUpdateResult,
  type InsertManyResult,
  matchesFilter,
  type NewYubikeyTokenRecord,
  type StatusUpdate,
  type StatusUpdateResult,
  type StoreListQuery,
  tokenSortKey,
  type YubikeyStore,
  type YubikeyTokenRecord,
} from '@factorkit/yubikey';
import { StoreError } from '../errors.ts';
import { blob } from '../records.ts';
import { toTokenRecord } from '../sql/rows.ts';
import { type RedisCore, Script } from './core.ts';

/** Record fields (hash fields, SQL column names) in HMGET order; `sealed_secret` is kept apart. */
const FIELDS = [
  'id',
  'public_id',
  'serial',
  'status',
  'user_id',
  'created',
  'last_updated',
  'last_verified',
  'activated',
  'otp_usage',
  'otp_session',
  'otp_timestamp',
  'otp_at',
] as const;
const FIELD_LIST = FIELDS.map((f) => `'${f}'`).join(', ');

/** Lua: the record fields of key K (never the secret). */
const READ = `redis.call('HMGET', K, ${FIELD_LIST})`;

/**
 * The whole import in one script (Redis runs a script alone: all or nothing, as long as the
 * server does not run out of memory — leave `maxmemory` unset or large for the store's keys).
 * The checks come first and write nothing; then every record is written.
 * KEYS: the id set. ARGV: tag, count, then per record: id, publicId, then the FIELDS values
 * after id/publicId and the sealed secret ('' = null).
 */
const INSERT_MANY = new Script(`
local tag, n = ARGV[1], tonumber(ARGV[2])
local width = ${FIELDS.length} + 1
local function at(i, j) return ARGV[2 + (i - 1) * width + j] end
local conflicts, ids, pubs, tombs = {}, {}, {}, {}
for i = 1, n do
  local id, pub = at(i, 1), at(i, 2)
  if ids[id] or redis.call('EXISTS', tag .. ':yk:' .. id) == 1 then conflicts[#conflicts + 1] = id end
  ids[id] = true
  if pubs[pub] then
    conflicts[#conflicts + 1] = pub
  else
    pubs[pub] = true
    local old = redis.call('GET', tag .. ':yk:pub:' .. pub)
    if old then
      local status = redis.call('HGET', tag .. ':yk:' .. old, 'status')
      if status == 'REVOKED' or status == 'DELETED' then tombs[i] = old else conflicts[#conflicts + 1] = pub end
    end
  end
end
if #conflicts > 0 then return conflicts end
local fields = {${FIELD_LIST}, 'sealed_secret'}
for i = 1, n do
  local id, pub = at(i, 1), at(i, 2)
  local K = tag .. ':yk:' .. id
  for j = 1, width do
    local v = at(i, j)
    if v ~= '' then redis.call('HSET', K, fields[j], v) end
  end
  if tombs[i] then
    -- A re-uploaded seed keeps the replay floor of its tombstone.
    local T = tag .. ':yk:' .. tombs[i]
    local old = redis.call('HMGET', T, 'otp_usage', 'otp_session', 'otp_timestamp', 'otp_at')
    if old[1] then
      local nu, ns = redis.call('HGET', K, 'otp_usage'), redis.call('HGET', K, 'otp_session')
      local ou, os = tonumber(old[1]), tonumber(old[2])
      if not nu or ou > tonumber(nu) or (ou == tonumber(nu) and os > tonumber(ns)) then
        redis.call('HSET', K, 'otp_usage', old[1], 'otp_session', old[2], 'otp_timestamp', old[3], 'otp_at', old[4])
      end
    end
    redis.call('DEL', T)
    redis.call('SREM', KEYS[1], tombs[i])
  end
  redis.call('SET', tag .. ':yk:pub:' .. pub, id)
  redis.call('SADD', KEYS[1], id)
end
return n`);

/**
 * The replay gate: status, binding and (usage, session) strictly greater than the last
 * accepted pair, then the write — one script. KEYS: token. ARGV: expectStatus, expectUserId
 * ('' = null), usage, session, timestamp, at, assignUserId ('' = none).
 */
const COMPARE_AND_SET = new Script(`
local K = KEYS[1]
local r = redis.call('HMGET', K, 'status', 'user_id', 'otp_usage', 'otp_session')
if not r[1] then return {'NOT_FOUND'} end
if r[1] ~= ARGV[1] or (r[2] or '') ~= ARGV[2] then return {'STATE_CHANGED'} end
if r[3] then
  local lu, ls, nu, ns = tonumber(r[3]), tonumber(r[4]), tonumber(ARGV[3]), tonumber(ARGV[4])
  if nu < lu or (nu == lu and ns <= ls) then return {'REPLAYED'} end
end
redis.call('HSET', K, 'otp_usage', ARGV[3], 'otp_session', ARGV[4], 'otp_timestamp', ARGV[5], 'otp_at', ARGV[6],
  'last_verified', ARGV[6], 'last_updated', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', K, 'status', 'ACTIVE', 'user_id', ARGV[7], 'activated', ARGV[6]) end
return {'OK', ${READ}}`);

/** Lifecycle transition. KEYS: token. ARGV: status, userId ('' = null), at, clearSecret ('1'), expected statuses… */
const UPDATE_STATUS = new Script(`
local K = KEYS[1]
local r = redis.call('HMGET', K, 'status', 'user_id', 'activated')
if not r[1] then return {'NOT_FOUND'} end
local allowed = false
for i = 5, #ARGV do if ARGV[i] == r[1] then allowed = true end end
if not allowed then return {'STATE_CHANGED'} end
redis.call('HSET', K, 'status', ARGV[1], 'last_updated', ARGV[3])
if ARGV[2] == '' then
  redis.call('HDEL', K, 'user_id', 'activated')
else
  redis.call('HSET', K, 'user_id', ARGV[2])
  if r[2] ~= ARGV[2] then redis.call('HSET', K, 'activated', ARGV[3]) end
end
if ARGV[4] == '1' then redis.call('HDEL', K, 'sealed_secret') end
return {'OK', ${READ}}`);

/** Purge: the record, its publicId entry (when still its own) and its id-set entry. KEYS: token, id set. ARGV: tag, id. */
const DELETE = new Script(`
local pub = redis.call('HGET', KEYS[1], 'public_id')
if not pub then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
local P = ARGV[1] .. ':yk:pub:' .. pub
if redis.call('GET', P) == ARGV[2] then redis.call('DEL', P) end
return 1`);

const READ_BATCH = 500;

function toRow(values: readonly unknown[]): Record<string, unknown> | undefined {
  if (values[0] === null || values[0] === undefined || values[0] === false) return undefined;
  const row: Record<string, unknown> = {};
  FIELDS.forEach((field, i) => {
    const v = values[i];
    row[field] = v === null || v === undefined || v === false ? null : String(v);
  });
  return row;
}

/** `YubikeyStore` (contract: @factorkit/yubikey) on Redis: a hash per token, a publicId → id key, an id set. */
export class RedisYubikeyTokens implements YubikeyStore {
  readonly #c: RedisCore;
  readonly #ids: string;
  constructor(core: RedisCore) {
    this.#c = core;
    this.#ids = core.key('yk', 'ids');
  }

  #key = (id: string): string => this.#c.key('yk', id);

  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    if (records.length === 0) return { ok: true, inserted: 0 };
    const args: string[] = [this.#c.tag, String(records.length)];
    for (const r of records) {
      const o = r.lastOtp;
      args.push(
        r.id,
        r.publicId,
        r.serial ?? '',
        r.status,
        r.userId ?? '',
        r.created,
        r.lastUpdated,
        r.lastVerified ?? '',
        r.activated ?? '',
        o === null ? '' : String(o.usageCounter),
        o === null ? '' : String(o.sessionCounter),
        o === null ? '' : String(o.timestamp),
        o?.at ?? '',
        Buffer.from(r.sealedSecret).toString('base64'),
      );
    }
    const reply = await this.#c.write('yubikey.insertMany', () =>
      this.#c.run(INSERT_MANY, [this.#ids], args),
    );
    if (Array.isArray(reply)) return { ok: false, conflicts: reply.map(String) };
    return { ok: true, inserted: Number(reply) };
  }

  async #read(id: string): Promise<YubikeyTokenRecord | undefined> {
    const row = toRow((await this.#c.call('HMGET', this.#key(id), ...FIELDS)) as unknown[]);
    return row === undefined ? undefined : toTokenRecord(row);
  }

  getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#read(id);
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    const id = await this.#c.call('GET', this.#c.key('yk', 'pub', publicId));
    return id === null || id === undefined ? undefined : this.#read(String(id));
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    const v = await this.#c.call('HGET', this.#key(id), 'sealed_secret');
    return v === null || v === undefined
      ? undefined
      : blob(Buffer.from(String(v), 'base64'), 'sealed secret');
  }

  /**
   * Filter, order and keyset position in the client over every token (SMEMBERS, then HMGET in
   * batches): O(tokens) per page. Fine for an admin listing of a seed registry; the
   * verification path never lists.
   */
  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    const ids = (await this.#c.call('SMEMBERS', this.#ids)) as string[];
    const records: YubikeyTokenRecord[] = [];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = await Promise.all(ids.slice(i, i + READ_BATCH).map((id) => this.#read(id)));
      for (const r of batch) if (r !== undefined && matchesFilter(r, query.filter)) records.push(r);
    }
    if (!(query.sortBy in SORTABLE)) throw new TypeError('unknown sortBy');
    const dir = query.sortOrder === 'DESC' ? -1 : 1;
    const cmp = (ka: string, ia: string, kb: string, ib: string): number =>
      ka !== kb ? (ka < kb ? -1 : 1) : ia !== ib ? (ia < ib ? -1 : 1) : 0;
    const keyed = records
      .map((record) => ({ key: tokenSortKey(record, query.sortBy), record }))
      .filter(
        ({ key, record }) =>
          query.after === undefined || dir * cmp(key, record.id, query.after.key, query.after.id) > 0,
      )
      .sort((a, b) => dir * cmp(a.key, a.record.id, b.key, b.record.id));
    return keyed.slice(0, query.limit).map((k) => k.record);
  }

  async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
    const n = update.next;
    const reply = (await this.#c.write('yubikey.compareAndSetCounter', () =>
      this.#c.run(
        COMPARE_AND_SET,
        [this.#key(update.id)],
        [
          update.expectStatus,
          update.expectUserId ?? '',
          String(n.usageCounter),
          String(n.sessionCounter),
          String(n.timestamp),
          n.at,
          update.assignUserId ?? '',
        ],
      ),
    )) as unknown[];
    return this.#result(reply) as CounterUpdateResult;
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    const reply = (await this.#c.write('yubikey.updateStatus', () =>
      this.#c.run(
        UPDATE_STATUS,
        [this.#key(update.id)],
        [
          update.status,
          update.userId ?? '',
          update.at,
          update.clearSecret === true ? '1' : '0',
          ...update.expectStatus,
        ],
      ),
    )) as unknown[];
    return this.#result(reply) as StatusUpdateResult;
  }

  #result(reply: unknown[]): CounterUpdateResult | StatusUpdateResult {
    const [status, values] = reply;
    if (status === 'OK') {
      const row = Array.isArray(values) ? toRow(values) : undefined;
      if (row === undefined)
        throw new StoreError('ERR_STORE_CORRUPT', 'stored token does not have the expected shape');
      return { ok: true, record: toTokenRecord(row) };
    }
    return {
      ok: false,
      reason: String(status) as 'NOT_FOUND' | 'STATE_CHANGED' | 'REPLAYED',
    } as CounterUpdateResult;
  }

  async delete(id: string): Promise<boolean> {
    const done = await this.#c.write('yubikey.delete', () =>
      this.#c.run(DELETE, [this.#key(id), this.#ids], [this.#c.tag, id]),
    );
    return done === 1;
  }
}

const SORTABLE: Record<string, true> = {
  created: true,
  lastUpdated: true,
  lastVerified: true,
  activated: true,
  status: true,
  'profile.serial': true,
  'user.id': true,
};
