import { StoreError } from '../errors.ts';
import { jsonDecoded, toChallenge } from '../sql/rows.ts';
import type { ChallengeRecord, ChallengeStore } from '../types.ts';
import type { PgCore } from './core.ts';
import { type PgNames, table } from './schema.ts';

export class PgChallenges implements ChallengeStore {
  readonly #c: PgCore;
  readonly #t: string;
  constructor(core: PgCore, names: PgNames) {
    this.#c = core;
    this.#t = table(names, 'challenges');
  }

  async put(r: ChallengeRecord): Promise<void> {
    const { rowCount } = await this.#c.write(
      'challenges.put',
      `INSERT INTO ${this.#t} (id, factor, user_id, origin, challenge, expires_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING`,
      [r.id, r.factor, r.userId, r.origin, r.challenge, r.expiresAt, JSON.stringify(r.data)],
    );
    if (rowCount !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
  }

  async consume(id: string): Promise<ChallengeRecord | undefined> {
    // DELETE … RETURNING: of concurrent consumers exactly one deletes the row and gets it.
    const { rows } = await this.#c.write(
      'challenges.consume',
      `DELETE FROM ${this.#t} WHERE id = $1 RETURNING *`,
      [id],
    );
    return rows[0] === undefined ? undefined : toChallenge(rows[0], jsonDecoded);
  }

  async purgeExpired(now: number): Promise<number> {
    const { rowCount } = await this.#c.write(
      'challenges.purgeExpired',
      `DELETE FROM ${this.#t} WHERE expires_at <= $1`,
      [now],
    );
    return rowCount ?? 0;
  }
}
