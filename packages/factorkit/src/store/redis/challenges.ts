import { StoreError } from '../errors.ts';
import { toChallenge } from '../sql/rows.ts';
import type { ChallengeRecord, ChallengeStore } from '../types.ts';
import { type RedisCore, Script } from './core.ts';

/** Deletes the given challenge keys and their index entries; returns how many keys existed. */
const PURGE = new Script(`
local n = 0
for i = 2, #KEYS do n = n + redis.call('DEL', KEYS[i]) end
redis.call('ZREM', KEYS[1], unpack(ARGV))
return n`);

const PURGE_BATCH = 500;

/**
 * Challenges as strings: `SET key value NX PX ttl` (never overwrites; the server drops the key
 * after `challengeTtlMs`) and `GETDEL` (read and remove in one command: of concurrent
 * consumers exactly one gets the value). A sorted set by `expiresAt` serves `purgeExpired`.
 */
export class RedisChallenges implements ChallengeStore {
  readonly #c: RedisCore;
  readonly #ttlMs: number;
  readonly #index: string;
  constructor(core: RedisCore, ttlMs: number) {
    this.#c = core;
    this.#ttlMs = ttlMs;
    this.#index = core.key('ch', 'expiry');
  }

  async put(r: ChallengeRecord): Promise<void> {
    const value = JSON.stringify({
      id: r.id,
      factor: r.factor,
      user_id: r.userId,
      origin: r.origin,
      challenge: r.challenge,
      expires_at: r.expiresAt,
      data: JSON.stringify(r.data),
    });
    const set = await this.#c.write('challenges.put', () =>
      this.#c.call('SET', this.#c.key('ch', r.id), value, 'NX', 'PX', this.#ttlMs),
    );
    if (set !== 'OK') throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    await this.#c.call('ZADD', this.#index, r.expiresAt, r.id);
  }

  async consume(id: string): Promise<ChallengeRecord | undefined> {
    const value = await this.#c.write('challenges.consume', () =>
      this.#c.call('GETDEL', this.#c.key('ch', id)),
    );
    if (value === null || value === undefined) return undefined;
    await this.#c.call('ZREM', this.#index, id);
    let row: unknown;
    try {
      row = JSON.parse(String(value));
    } catch {
      throw new StoreError('ERR_STORE_CORRUPT', 'stored challenge does not have the expected shape');
    }
    return toChallenge(row as Record<string, unknown>);
  }

  async purgeExpired(now: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const ids = (await this.#c.call(
        'ZRANGE',
        this.#index,
        '-inf',
        now,
        'BYSCORE',
        'LIMIT',
        0,
        PURGE_BATCH,
      )) as string[];
      if (ids.length === 0) return purged;
      purged += Number(
        await this.#c.write('challenges.purgeExpired', () =>
          this.#c.run(PURGE, [this.#index, ...ids.map((id) => this.#c.key('ch', id))], ids),
        ),
      );
    }
  }
}
