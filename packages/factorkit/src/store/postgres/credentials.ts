import { StoreError } from '../errors.ts';
import { jsonDecoded, toCredential } from '../sql/rows.ts';
import type { CredentialRecord, CredentialStore, CredentialUsePatch } from '../types.ts';
import type { PgCore } from './core.ts';
import { type PgNames, table } from './schema.ts';

export class PgCredentials implements CredentialStore {
  readonly #c: PgCore;
  readonly #t: string;
  constructor(core: PgCore, names: PgNames) {
    this.#c = core;
    this.#t = table(names, 'credentials');
  }

  async put(r: CredentialRecord): Promise<void> {
    const { rowCount } = await this.#c.write(
      'credentials.put',
      `INSERT INTO ${this.#t} (id, user_id, factor, public_key, sign_count, created_at, last_used_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (id) DO NOTHING`,
      [
        r.id,
        r.userId,
        r.factor,
        Buffer.from(r.publicKey),
        r.signCount,
        r.createdAt,
        r.lastUsedAt,
        JSON.stringify(r.data),
      ],
    );
    if (rowCount !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    const { rows } = await this.#c.query(`SELECT * FROM ${this.#t} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toCredential(rows[0], jsonDecoded);
  }

  async list(userId: string): Promise<readonly CredentialRecord[]> {
    const { rows } = await this.#c.query(
      `SELECT * FROM ${this.#t} WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((row) => toCredential(row, jsonDecoded));
  }

  async updateCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    // One conditional UPDATE: compare, set the counter and merge `data` (jsonb ||) together.
    const { rowCount } = await this.#c.write(
      'credentials.updateCounter',
      `UPDATE ${this.#t} SET sign_count = $3, last_used_at = $4, data = data || $5::jsonb
       WHERE id = $1 AND sign_count = $2`,
      [id, expected, next, patch.lastUsedAt, JSON.stringify(patch.data ?? {})],
    );
    return rowCount === 1;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.#c.write('credentials.delete', `DELETE FROM ${this.#t} WHERE id = $1`, [
      id,
    ]);
    return rowCount === 1;
  }
}
