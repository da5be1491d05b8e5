/**
 * `factorkit/redis`: the store in Redis (6.2+), for several instances sharing one Redis
 * primary. Pass your own client (an ioredis 5/6 `Redis` fits as it is); the store never
 * connects, configures or quits it, and imports no driver.
 *
 * Every compare-and-set is a Lua script run by EVALSHA (Redis runs a script alone, so the
 * check and the write are one step); challenges are `SET NX PX` (server-side TTL) and `GETDEL`.
 * Persistence is the server's: run it with `appendonly yes` and `appendfsync everysec` (or
 * `always`), or a restart can forget that an OTP or a challenge was used and accept it again.
 */
import type { YubikeyStore } from '@factorkit/yubikey';
import { StoreError } from '../errors.ts';
import type {
  AttemptStore,
  ChallengeStore,
  CredentialStore,
  FactorkitStore,
  OtpFactorStore,
  StoreOptions,
} from '../types.ts';
import { RedisAttempts } from './attempts.ts';
import { RedisChallenges } from './challenges.ts';
import { type RedisClient, RedisCore } from './core.ts';
import { RedisCredentials } from './credentials.ts';
import { RedisOtpFactors } from './otp.ts';
import { RedisYubikeyTokens } from './yubikey.ts';

export type { RedisClient } from './core.ts';

/** The key layout version this build writes (kept in `{prefix}:schema_version`). */
export const REDIS_SCHEMA_VERSION: number = 1;

export interface RedisStoreOptions extends StoreOptions {
  /** Key prefix, used as the hash tag `{prefix}` (default `factorkit`). */
  readonly prefix?: string;
  /**
   * How long the server keeps an unconsumed challenge, ms (default 15 minutes). Must exceed
   * the façade's challenge timeout, so a late answer is still reported as TIMEOUT.
   */
  readonly challengeTtlMs?: number;
}

const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

export class RedisStore implements FactorkitStore {
  readonly #core: RedisCore;
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;

  private constructor(core: RedisCore, ttlMs: number) {
    this.#core = core;
    this.challenges = new RedisChallenges(core, ttlMs);
    this.credentials = new RedisCredentials(core);
    this.otp = new RedisOtpFactors(core);
    this.yubikey = new RedisYubikeyTokens(core);
    this.attempts = new RedisAttempts(core);
  }

  /** Opens the store on the caller's client: records (or checks) the key layout version. */
  static async open(client: RedisClient, options: RedisStoreOptions = {}): Promise<RedisStore> {
    if (typeof client?.call !== 'function') throw new TypeError('client must be an ioredis client (call)');
    const prefix = options.prefix ?? 'factorkit';
    if (!PREFIX.test(prefix)) throw new TypeError('prefix must match /^[A-Za-z0-9_.-]{1,64}$/');
    const ttlMs = options.challengeTtlMs ?? 15 * 60_000;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000)
      throw new RangeError('challengeTtlMs must be an integer ≥ 1000');
    const core = new RedisCore(client, prefix, options);
    const key = core.key('schema_version');
    await core.call('SET', key, String(REDIS_SCHEMA_VERSION), 'NX');
    const version = Number(await core.call('GET', key));
    if (version !== REDIS_SCHEMA_VERSION)
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `redis key layout version ${version} is not the one this build supports (${REDIS_SCHEMA_VERSION})`,
      );
    return new RedisStore(core, ttlMs);
  }

  /** Stops this store (further calls reject with `ERR_STORE_CLOSED`); the client stays yours to quit. */
  async close(): Promise<void> {
    this.#core.closed = true;
  }
}
