import { int } from '../records.ts';
import type { AttemptState, AttemptStore } from '../types.ts';
import type { PgCore } from './core.ts';
import { type PgNames, table } from './schema.ts';

export class PgAttempts implements AttemptStore {
  readonly #c: PgCore;
  readonly #t: string;
  constructor(core: PgCore, names: PgNames) {
    this.#c = core;
    this.#t = table(names, 'attempts');
  }

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    const { rows } = await this.#c.query(`SELECT count, window_started_at FROM ${this.#t} WHERE key = $1`, [
      key,
    ]);
    const row = rows[0];
    if (row === undefined) return { count: 0, windowStartedAt: now };
    const windowStartedAt = int(row['window_started_at'], 'attempt window');
    if (now - windowStartedAt >= windowMs) return { count: 0, windowStartedAt: now };
    return { count: int(row['count'], 'attempt count'), windowStartedAt };
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    // INSERT … ON CONFLICT DO UPDATE locks the row: concurrent failures never lose an increment.
    const { rows } = await this.#c.write(
      'attempts.record',
      `INSERT INTO ${this.#t} AS a (key, count, window_started_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN $2 - a.window_started_at >= $3 THEN 1 ELSE a.count + 1 END,
         window_started_at = CASE WHEN $2 - a.window_started_at >= $3 THEN $2 ELSE a.window_started_at END
       RETURNING count, window_started_at`,
      [key, now, windowMs],
    );
    const row = rows[0] ?? {};
    return {
      count: int(row['count'], 'attempt count'),
      windowStartedAt: int(row['window_started_at'], 'attempt window'),
    };
  }

  async reset(key: string): Promise<void> {
    await this.#c.write('attempts.reset', `DELETE FROM ${this.#t} WHERE key = $1`, [key]);
  }
}
