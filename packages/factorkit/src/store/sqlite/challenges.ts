import { StoreError } from '../errors.ts';
import { toChallenge } from '../sql/rows.ts';
import type { ChallengeRecord, ChallengeStore } from '../types.ts';
import type { SqliteCore } from './core.ts';

export class SqliteChallenges implements ChallengeStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: ChallengeRecord): Promise<void> {
    this.#c.write('challenges.put', () => {
      const changes = this.#c.run(
        `INSERT INTO challenges (id, factor, user_id, origin, challenge, expires_at, data)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.factor,
        r.userId,
        r.origin,
        r.challenge,
        r.expiresAt,
        JSON.stringify(r.data),
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    });
  }

  async consume(id: string): Promise<ChallengeRecord | undefined> {
    return this.#c.write('challenges.consume', () => {
      // DELETE … RETURNING: the read and the removal are one statement.
      const row = this.#c.get('DELETE FROM challenges WHERE id = ? RETURNING *', id);
      return row === undefined ? undefined : toChallenge(row);
    });
  }

  async purgeExpired(now: number): Promise<number> {
    return this.#c.write('challenges.purgeExpired', () =>
      this.#c.run('DELETE FROM challenges WHERE expires_at <= ?', now),
    );
  }
}
