import {
  type CounterUpdate,
  type CounterUpdateResult,
  compareCounters,
  type InsertManyResult,
  type NewYubikeyTokenRecord,
  type StatusUpdate,
  type StatusUpdateResult,
  type StoreListQuery,
  type YubikeyStore,
  type YubikeyTokenRecord,
} from '@factorkit/yubikey';
import { StoreError } from '../errors.ts';
import { blob } from '../records.ts';
import { importConflicts } from '../sql/import-conflicts.ts';
import { toTokenRecord } from '../sql/rows.ts';
import { tokenListQuery } from '../sql/token-list.ts';
import { type PgCore, type PgQueryable, sqlState, UNIQUE_VIOLATION } from './core.ts';
import { type PgNames, table } from './schema.ts';

const COLUMNS =
  'id, public_id, serial, status, user_id, created, last_updated, last_verified, activated, ' +
  'otp_usage, otp_session, otp_timestamp, otp_at, sealed_secret';
const UNNEST =
  'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], ' +
  '$8::text[], $9::text[], $10::int[], $11::int[], $12::int[], $13::text[], $14::bytea[])';

/** How often an import that collided with a concurrent one is re-checked before giving up. */
const IMPORT_ATTEMPTS = 3;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `YubikeyStore` (contract: @factorkit/yubikey) on Postgres. */
export class PgYubikeyTokens implements YubikeyStore {
  readonly #c: PgCore;
  readonly #t: string;
  readonly #batch: number;
  constructor(core: PgCore, names: PgNames, batchSize: number) {
    this.#c = core;
    this.#t = table(names, 'yubikey_tokens');
    this.#batch = batchSize;
  }

  /**
   * All or nothing, in one transaction, statements bounded to `importBatchSize` rows each.
   * Existing rows with the batch's publicIds are locked (`FOR UPDATE`) while checked; a
   * concurrent import of the same new publicId hits the unique index, and the whole import is
   * rolled back and checked again (it then reports the conflict).
   */
  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#c.transaction('yubikey.insertMany', (q) => this.#insertMany(q, records));
      } catch (error) {
        if (sqlState(error) !== UNIQUE_VIOLATION || attempt === IMPORT_ATTEMPTS) {
          if (sqlState(error) === UNIQUE_VIOLATION)
            throw new StoreError('ERR_STORE_CONFLICT', 'a concurrent import holds these tokens', {
              cause: error,
            });
          throw error;
        }
      }
    }
  }

  async #insertMany(q: PgQueryable, records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    const existingIds = new Set<string>();
    const byPublicId = new Map<string, YubikeyTokenRecord>();
    for (const batch of chunks(records, this.#batch)) {
      const ids = await q.query(`SELECT id FROM ${this.#t} WHERE id = ANY($1::text[])`, [
        batch.map((r) => r.id),
      ]);
      for (const row of ids.rows) existingIds.add(String(row['id']));
      const held = await q.query(`SELECT * FROM ${this.#t} WHERE public_id = ANY($1::text[]) FOR UPDATE`, [
        batch.map((r) => r.publicId),
      ]);
      for (const row of held.rows) {
        const record = toTokenRecord(row);
        byPublicId.set(record.publicId, record);
      }
    }
    const conflicts = importConflicts(
      records,
      (id) => existingIds.has(id),
      (publicId) => byPublicId.get(publicId)?.status,
    );
    if (conflicts.length > 0) return { ok: false, conflicts };
    for (const batch of chunks(records, this.#batch)) {
      const tombs: string[] = [];
      const rows = batch.map((r) => {
        let lastOtp = r.lastOtp;
        const tomb = byPublicId.get(r.publicId);
        if (tomb !== undefined) {
          // A re-uploaded seed keeps the replay floor of its tombstone.
          const old = tomb.lastOtp;
          if (old !== null && (lastOtp === null || compareCounters(old, lastOtp) > 0)) lastOtp = old;
          tombs.push(tomb.id);
        }
        return { r, lastOtp };
      });
      if (tombs.length > 0) await q.query(`DELETE FROM ${this.#t} WHERE id = ANY($1::text[])`, [tombs]);
      await q.query(`INSERT INTO ${this.#t} (${COLUMNS}) SELECT * FROM ${UNNEST}`, [
        rows.map((x) => x.r.id),
        rows.map((x) => x.r.publicId),
        rows.map((x) => x.r.serial),
        rows.map((x) => x.r.status),
        rows.map((x) => x.r.userId),
        rows.map((x) => x.r.created),
        rows.map((x) => x.r.lastUpdated),
        rows.map((x) => x.r.lastVerified),
        rows.map((x) => x.r.activated),
        rows.map((x) => x.lastOtp?.usageCounter ?? null),
        rows.map((x) => x.lastOtp?.sessionCounter ?? null),
        rows.map((x) => x.lastOtp?.timestamp ?? null),
        rows.map((x) => x.lastOtp?.at ?? null),
        rows.map((x) => Buffer.from(x.r.sealedSecret)),
      ]);
    }
    return { ok: true, inserted: records.length };
  }

  async getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    const { rows } = await this.#c.query(`SELECT * FROM ${this.#t} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toTokenRecord(rows[0]);
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    const { rows } = await this.#c.query(`SELECT * FROM ${this.#t} WHERE public_id = $1`, [publicId]);
    return rows[0] === undefined ? undefined : toTokenRecord(rows[0]);
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.#c.query(`SELECT sealed_secret FROM ${this.#t} WHERE id = $1`, [id]);
    const secret = rows[0]?.['sealed_secret'];
    return secret === undefined || secret === null ? undefined : blob(secret, 'sealed secret');
  }

  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    const { sql, params } = tokenListQuery(this.#t, query, (n) => `$${n}`);
    return (await this.#c.query(sql, params)).rows.map(toTokenRecord);
  }

  async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
    const n = update.next;
    const assign = update.assignUserId;
    // One conditional UPDATE … RETURNING: status, binding and (usage, session) > last in one step.
    const { rows } = await this.#c.write(
      'yubikey.compareAndSetCounter',
      `UPDATE ${this.#t} SET otp_usage = $2, otp_session = $3, otp_timestamp = $4, otp_at = $5,
         last_verified = $5, last_updated = $5,
         status = COALESCE($6::text, status), user_id = COALESCE($7::text, user_id),
         activated = CASE WHEN $7::text IS NULL THEN activated ELSE $5 END
       WHERE id = $1 AND status = $8 AND user_id IS NOT DISTINCT FROM $9::text
         AND (otp_usage IS NULL OR otp_usage < $2 OR (otp_usage = $2 AND otp_session < $3))
       RETURNING *`,
      [
        update.id,
        n.usageCounter,
        n.sessionCounter,
        n.timestamp,
        n.at,
        assign === undefined ? null : 'ACTIVE',
        assign ?? null,
        update.expectStatus,
        update.expectUserId,
      ],
    );
    if (rows[0] !== undefined) return { ok: true, record: toTokenRecord(rows[0]) };
    // Lost: read once to say why (the answer is advisory; nothing was written).
    const now = await this.getById(update.id);
    if (now === undefined) return { ok: false, reason: 'NOT_FOUND' };
    if (now.status !== update.expectStatus || now.userId !== update.expectUserId)
      return { ok: false, reason: 'STATE_CHANGED' };
    return { ok: false, reason: 'REPLAYED' };
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    // SET expressions see the old row: `activated` is kept only when the binding does not change.
    const { rows } = await this.#c.write(
      'yubikey.updateStatus',
      `UPDATE ${this.#t} SET status = $2, user_id = $3::text,
         activated = CASE WHEN $3::text IS NULL THEN NULL WHEN user_id = $3::text THEN activated ELSE $4 END,
         last_updated = $4, sealed_secret = CASE WHEN $5 THEN NULL ELSE sealed_secret END
       WHERE id = $1 AND status = ANY($6::text[])
       RETURNING *`,
      [
        update.id,
        update.status,
        update.userId,
        update.at,
        update.clearSecret === true,
        [...update.expectStatus],
      ],
    );
    if (rows[0] !== undefined) return { ok: true, record: toTokenRecord(rows[0]) };
    const exists = await this.#c.query(`SELECT 1 FROM ${this.#t} WHERE id = $1`, [update.id]);
    return { ok: false, reason: exists.rows.length === 0 ? 'NOT_FOUND' : 'STATE_CHANGED' };
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.#c.write('yubikey.delete', `DELETE FROM ${this.#t} WHERE id = $1`, [id]);
    return rowCount === 1;
  }
}
