import { StoreError } from '../errors.ts';
import { jsonDecoded, toOtp } from '../sql/rows.ts';
import type { OtpFactorRecord, OtpFactorStore } from '../types.ts';
import type { PgCore } from './core.ts';
import { type PgNames, table } from './schema.ts';

export class PgOtpFactors implements OtpFactorStore {
  readonly #c: PgCore;
  readonly #t: string;
  constructor(core: PgCore, names: PgNames) {
    this.#c = core;
    this.#t = table(names, 'otp_factors');
  }

  async put(r: OtpFactorRecord): Promise<void> {
    const { rowCount } = await this.#c.write(
      'otp.put',
      `INSERT INTO ${this.#t} (id, user_id, type, secret, params, counter, created_at, last_verified_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        r.id,
        r.userId,
        r.type,
        Buffer.from(r.secret),
        JSON.stringify(r.params),
        r.counter,
        r.createdAt,
        r.lastVerifiedAt,
      ],
    );
    if (rowCount !== 1) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
  }

  async get(id: string): Promise<OtpFactorRecord | undefined> {
    const { rows } = await this.#c.query(`SELECT * FROM ${this.#t} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toOtp(rows[0], jsonDecoded);
  }

  async list(userId: string): Promise<readonly OtpFactorRecord[]> {
    const { rows } = await this.#c.query(
      `SELECT * FROM ${this.#t} WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
    return rows.map((row) => toOtp(row, jsonDecoded));
  }

  async advanceCounter(
    id: string,
    next: number,
    now: number,
    params?: OtpFactorRecord['params'],
  ): Promise<boolean> {
    // One conditional UPDATE: of concurrent advances to the same `next`, exactly one matches.
    const { rowCount } = await this.#c.write(
      'otp.advanceCounter',
      `UPDATE ${this.#t} SET counter = $2, last_verified_at = $3, params = COALESCE($4::jsonb, params)
       WHERE id = $1 AND (counter IS NULL OR counter < $2)`,
      [id, next, now, params === undefined ? null : JSON.stringify(params)],
    );
    return rowCount === 1;
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.#c.write('otp.delete', `DELETE FROM ${this.#t} WHERE id = $1`, [id]);
    return rowCount === 1;
  }
}
