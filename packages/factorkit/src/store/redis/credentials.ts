import { StoreError } from '../errors.ts';
import { jsonDecoded, toCredential } from '../sql/rows.ts';
import type { CredentialData, CredentialRecord, CredentialStore, CredentialUsePatch } from '../types.ts';
import { pairs, type RedisCore, Script } from './core.ts';

/** Insert unless the key exists; add to the user's index. KEYS: record, user index. ARGV: id, field/value… */
export const PUT_HASH: Script = new Script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1`);

/** Delete the record and its index entry. KEYS: record, user index. ARGV: id. */
export const DELETE_HASH: Script = new Script(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
return 1`);

/**
 * The counter compare-and-set: string-equal stored `sign_count`, then counter, time and the
 * patched `data` members in the same script. KEYS: record. ARGV: expected, next, lastUsedAt, d:member/json…
 */
const UPDATE_COUNTER = new Script(`
if redis.call('HGET', KEYS[1], 'sign_count') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'sign_count', ARGV[2], 'last_used_at', ARGV[3], unpack(ARGV, 4))
return 1`);

/** `data` members are hash fields `d:<member>` holding JSON, so a patch merges member by member. */
const dataFields = (data: CredentialData): string[] =>
  Object.entries(data).flatMap(([member, value]) =>
    value === undefined ? [] : [`d:${member}`, JSON.stringify(value)],
  );

/** Hash → the SQL row shape, parsed by the same boundary code as the SQL stores. */
export function hashRow(hash: Record<string, string>, binary: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('d:')) {
      try {
        data[field.slice(2)] = JSON.parse(value);
      } catch {
        throw new StoreError('ERR_STORE_CORRUPT', 'stored record does not have the expected shape');
      }
    } else row[field] = binary.includes(field) ? Buffer.from(value, 'base64') : value;
  }
  if (!('data' in row)) row['data'] = data;
  return row;
}

export class RedisCredentials implements CredentialStore {
  readonly #c: RedisCore;
  constructor(core: RedisCore) {
    this.#c = core;
  }

  #key = (id: string): string => this.#c.key('cred', id);
  #userKey = (userId: string): string => this.#c.key('cred', 'user', userId);

  async put(r: CredentialRecord): Promise<void> {
    const fields: (string | number)[] = [
      'id',
      r.id,
      'user_id',
      r.userId,
      'factor',
      r.factor,
      'public_key',
      Buffer.from(r.publicKey).toString('base64'),
      'sign_count',
      r.signCount,
      'created_at',
      r.createdAt,
      ...(r.lastUsedAt === null ? [] : ['last_used_at', r.lastUsedAt]),
      ...dataFields(r.data),
    ];
    const ok = await this.#c.write('credentials.put', () =>
      this.#c.run(PUT_HASH, [this.#key(r.id), this.#userKey(r.userId)], [r.id, ...fields]),
    );
    if (ok !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    const hash = pairs(await this.#c.call('HGETALL', this.#key(id)));
    return hash['id'] === undefined ? undefined : toCredential(hashRow(hash, ['public_key']), jsonDecoded);
  }

  async list(userId: string): Promise<readonly CredentialRecord[]> {
    const ids = (await this.#c.call('SMEMBERS', this.#userKey(userId))) as string[];
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found
      .filter((c): c is CredentialRecord => c !== undefined && c.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async updateCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    const done = await this.#c.write('credentials.updateCounter', () =>
      this.#c.run(
        UPDATE_COUNTER,
        [this.#key(id)],
        [String(expected), String(next), String(patch.lastUsedAt), ...dataFields(patch.data ?? {})],
      ),
    );
    return done === 1;
  }

  async delete(id: string): Promise<boolean> {
    const userId = await this.#c.call('HGET', this.#key(id), 'user_id');
    if (userId === null || userId === undefined) return false;
    const done = await this.#c.write('credentials.delete', () =>
      this.#c.run(DELETE_HASH, [this.#key(id), this.#userKey(String(userId))], [id]),
    );
    return done === 1;
  }
}
