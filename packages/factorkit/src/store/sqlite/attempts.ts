import { int } from '../records.ts';
import type { AttemptState, AttemptStore } from '../types.ts';
import type { SqliteCore } from './core.ts';

export class SqliteAttempts implements AttemptStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  #current(key: string): AttemptState | undefined {
    const row = this.#c.get('SELECT count, window_started_at FROM attempts WHERE key = ?', key);
    return row === undefined
      ? undefined
      : {
          count: int(row['count'], 'attempt count'),
          windowStartedAt: int(row['window_started_at'], 'attempt window'),
        };
  }

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#c.read(() => {
      const row = this.#current(key);
      if (row === undefined || now - row.windowStartedAt >= windowMs)
        return { count: 0, windowStartedAt: now };
      return row;
    });
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    return this.#c.write('attempts.record', () => {
      const row = this.#current(key);
      const next =
        row === undefined || now - row.windowStartedAt >= windowMs
          ? { count: 1, windowStartedAt: now }
          : { count: row.count + 1, windowStartedAt: row.windowStartedAt };
      this.#c.run(
        `INSERT INTO attempts (key, count, window_started_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_started_at = excluded.window_started_at`,
        key,
        next.count,
        next.windowStartedAt,
      );
      return next;
    });
  }

  async reset(key: string): Promise<void> {
    this.#c.write('attempts.reset', () => this.#c.run('DELETE FROM attempts WHERE key = ?', key));
  }
}
