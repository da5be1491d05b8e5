import { StoreError } from '../errors.ts';
import { toOtp } from '../sql/rows.ts';
import type { OtpFactorRecord, OtpFactorStore } from '../types.ts';
import type { SqliteCore } from './core.ts';

export class SqliteOtpFactors implements OtpFactorStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async put(r: OtpFactorRecord): Promise<void> {
    this.#c.write('otp.put', () => {
      const changes = this.#c.run(
        `INSERT INTO otp_factors (id, user_id, type, secret, params, counter, created_at, last_verified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        r.id,
        r.userId,
        r.type,
        r.secret,
        JSON.stringify(r.params),
        r.counter,
        r.createdAt,
        r.lastVerifiedAt,
      );
      if (changes !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
    });
  }

  async get(id: string): Promise<OtpFactorRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM otp_factors WHERE id = ?', id);
      return row === undefined ? undefined : toOtp(row);
    });
  }

  async list(userId: string): Promise<readonly OtpFactorRecord[]> {
    return this.#c.read(() =>
      this.#c
        .all('SELECT * FROM otp_factors WHERE user_id = ? ORDER BY created_at, id', userId)
        .map((row) => toOtp(row)),
    );
  }

  async advanceCounter(
    id: string,
    next: number,
    now: number,
    params?: OtpFactorRecord['params'],
  ): Promise<boolean> {
    // One conditional UPDATE: the monotonic check and the write are a single statement.
    return this.#c.write(
      'otp.advanceCounter',
      () =>
        this.#c.run(
          `UPDATE otp_factors SET counter = ?, last_verified_at = ?, params = COALESCE(?, params)
           WHERE id = ? AND (counter IS NULL OR counter < ?)`,
          next,
          now,
          params === undefined ? null : JSON.stringify(params),
          id,
          next,
        ) === 1,
    );
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write('otp.delete', () => this.#c.run('DELETE FROM otp_factors WHERE id = ?', id) === 1);
  }
}
