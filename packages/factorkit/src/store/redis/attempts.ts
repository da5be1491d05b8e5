import { int } from '../records.ts';
import type { AttemptState, AttemptStore } from '../types.ts';
import type { RedisCore } from './core.ts';
import { Script } from './core.ts';

/**
 * One failure: a new window at `now` when none is open or it is `windowMs` old, else an
 * increment — in one script, so no increment is lost. The key expires `windowMs` after the last
 * failure (a garbage-collection bound; the window itself is judged on the caller's clock).
 * KEYS: counter. ARGV: now, windowMs. Returns count, windowStartedAt.
 */
const RECORD = new Script(`
local s = redis.call('HMGET', KEYS[1], 'count', 'window_started_at')
local count, start
if s[1] == false or tonumber(ARGV[1]) - tonumber(s[2]) >= tonumber(ARGV[2]) then
  count = 1
  start = ARGV[1]
else
  count = tonumber(s[1]) + 1
  start = s[2]
end
redis.call('HSET', KEYS[1], 'count', count, 'window_started_at', start)
if tonumber(ARGV[2]) <= 315360000000 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {count, start}`);

export class RedisAttempts implements AttemptStore {
  readonly #c: RedisCore;
  constructor(core: RedisCore) {
    this.#c = core;
  }

  #key = (key: string): string => this.#c.key('att', key);

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    const [count, start] = (await this.#c.call('HMGET', this.#key(key), 'count', 'window_started_at')) as (
      | string
      | null
    )[];
    if (count === null || count === undefined || start === null || start === undefined)
      return { count: 0, windowStartedAt: now };
    const windowStartedAt = int(start, 'attempt window');
    if (now - windowStartedAt >= windowMs) return { count: 0, windowStartedAt: now };
    return { count: int(count, 'attempt count'), windowStartedAt };
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    const [count, start] = (await this.#c.write('attempts.record', () =>
      this.#c.run(RECORD, [this.#key(key)], [String(now), String(windowMs)]),
    )) as unknown[];
    return { count: int(count, 'attempt count'), windowStartedAt: int(start, 'attempt window') };
  }

  async reset(key: string): Promise<void> {
    await this.#c.write('attempts.reset', () => this.#c.call('DEL', this.#key(key)));
  }
}
