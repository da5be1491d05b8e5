/**
 * The Redis seam: the caller's client (anything with ioredis' `call(command, ...args)`), Lua
 * scripts run by EVALSHA (loaded on first use and again after a server restart), the key
 * layout and the error mapping. No driver is imported here.
 *
 * Every key starts with `{<prefix>}:` — one hash tag, so in Redis Cluster the whole store
 * lives in one slot and a script may touch any of its keys atomically.
 */
import { StoreError } from '../errors.ts';
import type { StoreOptions } from '../types.ts';

/** The caller's client: an ioredis `Redis` fits as it is (`call(command, args)`). */
export interface RedisClient {
  call(command: string, args: (string | number)[]): Promise<unknown>;
}

/** Server replies that mean "not now" rather than "wrong". */
const UNAVAILABLE_REPLIES = [
  'OOM',
  'BUSY',
  'LOADING',
  'READONLY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'NOREPLICAS',
];

/** Maps a client error onto a `StoreError`; reply text is not copied (it can quote values). */
export function storeErrorFrom(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const e = error as { name?: unknown; message?: unknown } | null;
  if (e?.name === 'ReplyError') {
    const kind = String(e.message).split(' ', 1)[0] ?? '';
    if (kind === 'WRONGTYPE')
      return new StoreError('ERR_STORE_CORRUPT', 'a store key holds the wrong Redis type', { cause: error });
    return new StoreError(
      'ERR_STORE_UNAVAILABLE',
      UNAVAILABLE_REPLIES.includes(kind)
        ? `redis unavailable (${kind})`
        : `redis refused the operation (${kind})`,
      { cause: error },
    );
  }
  // No server reply: connection refused, closed or dropped, offline queue off, retries exhausted.
  return new StoreError('ERR_STORE_UNAVAILABLE', 'redis connection failed or dropped', { cause: error });
}

/** A Lua script run with EVALSHA. */
export class Script {
  readonly source: string;
  sha: string | undefined;
  constructor(source: string) {
    this.source = source;
  }
}

export class RedisCore {
  readonly #client: RedisClient;
  readonly #options: StoreOptions;
  /** `{prefix}` — the hash tag every key starts with. */
  readonly tag: string;
  closed = false;
  constructor(client: RedisClient, prefix: string, options: StoreOptions) {
    this.#client = client;
    this.#options = options;
    this.tag = `{${prefix}}`;
  }

  key(...parts: string[]): string {
    return [this.tag, ...parts].join(':');
  }

  #live(): void {
    if (this.closed) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
  }

  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    this.#live();
    try {
      return await this.#client.call(command, args);
    } catch (error) {
      throw storeErrorFrom(error);
    }
  }

  /**
   * A writing operation: the fault hook, then one atomic step (a script or one command).
   * Nothing is staged client-side, so a throw from the hook leaves no trace.
   */
  async write<T>(op: string, step: () => Promise<T>): Promise<T> {
    this.#live();
    await this.#options.beforeCommit?.(op);
    return step();
  }

  /** EVALSHA, loading the script when the server does not know it (first use, restart, flush). */
  async run(script: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    this.#live();
    for (let attempt = 0; ; attempt++) {
      try {
        script.sha ??= String(await this.#client.call('SCRIPT', ['LOAD', script.source]));
        // One argument list, never spread into a call: an import's ARGV has 14 values per row.
        return await this.#client.call('EVALSHA', [script.sha, keys.length].concat(keys, args));
      } catch (error) {
        const noScript = (error as { message?: unknown })?.message;
        if (attempt === 0 && typeof noScript === 'string' && noScript.startsWith('NOSCRIPT')) {
          script.sha = undefined;
          continue;
        }
        throw storeErrorFrom(error);
      }
    }
  }
}

/** A flat `[field, value, …]` reply as a record. */
export function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}
