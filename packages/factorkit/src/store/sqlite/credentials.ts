import { StoreError } from '../errors.ts';
import { toCredential } from '../sql/rows.ts';
import type { CredentialRecord, CredentialStore, CredentialUsePatch } from '../types.ts';
import type { SqliteCore } from './core.ts';

export class SqliteCredentials implements CredentialStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: CredentialRecord): Promise<void> {
    this.#c.write('credentials.put', () => {
      const changes = this.#c.run(
        `INSERT INTO credentials (id, user_id, factor, public_key, sign_count, created_at, last_used_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.userId,
        r.factor,
        r.publicKey,
        r.signCount,
        r.createdAt,
        r.lastUsedAt,
        JSON.stringify(r.data),
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
    });
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM credentials WHERE id = ?', id);
      return row === undefined ? undefined : toCredential(row);
    });
  }

  async list(userId: string): Promise<readonly CredentialRecord[]> {
    return this.#c.read(() =>
      this.#c
        .all('SELECT * FROM credentials WHERE user_id = ? ORDER BY created_at, id', userId)
        .map((row) => toCredential(row)),
    );
  }

  async updateCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    // The read and the conditional write share one IMMEDIATE transaction (write lock held).
    return this.#c.write('credentials.updateCounter', () => {
      const row = this.#c.get('SELECT * FROM credentials WHERE id = ?', id);
      if (row === undefined) return false;
      const current = toCredential(row);
      if (current.signCount !== expected) return false;
      return (
        this.#c.run(
          'UPDATE credentials SET sign_count = ?, last_used_at = ?, data = ? WHERE id = ? AND sign_count = ?',
          next,
          patch.lastUsedAt,
          JSON.stringify({ ...current.data, ...(patch.data ?? {}) }),
          id,
          expected,
        ) === 1
      );
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write(
      'credentials.delete',
      () => this.#c.run('DELETE FROM credentials WHERE id = ?', id) === 1,
    );
  }
}
