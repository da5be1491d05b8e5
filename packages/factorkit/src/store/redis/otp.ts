import { StoreError } from '../errors.ts';
import { toOtp } from '../sql/rows.ts';
import type { OtpFactorRecord, OtpFactorStore } from '../types.ts';
import { pairs, type RedisCore, Script } from './core.ts';
import { DELETE_HASH, hashRow, PUT_HASH } from './credentials.ts';

/**
 * The monotonic advance: an absent `counter` (null) or one strictly below `next` is replaced,
 * with `last_verified_at` (and `params` when given), in one script. KEYS: record.
 * ARGV: next, now, params JSON or ''.
 */
const ADVANCE = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local c = redis.call('HGET', KEYS[1], 'counter')
if c and tonumber(c) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'counter', ARGV[1], 'last_verified_at', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'params', ARGV[3]) end
return 1`);

export class RedisOtpFactors implements OtpFactorStore {
  readonly #c: RedisCore;
  constructor(core: RedisCore) {
    this.#c = core;
  }

  #key = (id: string): string => this.#c.key('otp', id);
  #userKey = (userId: string): string => this.#c.key('otp', 'user', userId);

  async put(r: OtpFactorRecord): Promise<void> {
    const fields: (string | number)[] = [
      'id',
      r.id,
      'user_id',
      r.userId,
      'type',
      r.type,
      'secret',
      Buffer.from(r.secret).toString('base64'),
      'params',
      JSON.stringify(r.params),
      'created_at',
      r.createdAt,
      ...(r.counter === null ? [] : ['counter', r.counter]),
      ...(r.lastVerifiedAt === null ? [] : ['last_verified_at', r.lastVerifiedAt]),
    ];
    const ok = await this.#c.write('otp.put', () =>
      this.#c.run(PUT_HASH, [this.#key(r.id), this.#userKey(r.userId)], [r.id, ...fields]),
    );
    if (ok !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
  }

  async get(id: string): Promise<OtpFactorRecord | undefined> {
    const hash = pairs(await this.#c.call('HGETALL', this.#key(id)));
    return hash['id'] === undefined ? undefined : toOtp(hashRow(hash, ['secret']));
  }

  async list(userId: string): Promise<readonly OtpFactorRecord[]> {
    const ids = (await this.#c.call('SMEMBERS', this.#userKey(userId))) as string[];
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found
      .filter((r): r is OtpFactorRecord => r !== undefined && r.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async advanceCounter(
    id: string,
    next: number,
    now: number,
    params?: OtpFactorRecord['params'],
  ): Promise<boolean> {
    const done = await this.#c.write('otp.advanceCounter', () =>
      this.#c.run(
        ADVANCE,
        [this.#key(id)],
        [String(next), String(now), params === undefined ? '' : JSON.stringify(params)],
      ),
    );
    return done === 1;
  }

  async delete(id: string): Promise<boolean> {
    const userId = await this.#c.call('HGET', this.#key(id), 'user_id');
    if (userId === null || userId === undefined) return false;
    const done = await this.#c.write('otp.delete', () =>
      this.#c.run(DELETE_HASH, [this.#key(id), this.#userKey(String(userId))], [id]),
    );
    return done === 1;
  }
}
