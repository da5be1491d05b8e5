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
  type YubikeyTokenStatus,
} from '@factorkit/yubikey';
import { blob } from '../records.ts';
import { importConflicts } from '../sql/import-conflicts.ts';
import { toTokenRecord } from '../sql/rows.ts';
import { tokenListQuery } from '../sql/token-list.ts';
import type { SqliteCore } from './core.ts';

/** `YubikeyStore` (contract: @factorkit/yubikey) on SQLite. */
export class SqliteYubikeyTokens implements YubikeyStore {
  readonly #c: SqliteCore;
  constructor(core: SqliteCore) {
    this.#c = core;
  }

  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    return this.#c.write('yubikey.insertMany', (): InsertManyResult => {
      const conflicts = importConflicts(
        records,
        (id) => this.#c.get('SELECT 1 FROM yubikey_tokens WHERE id = ?', id) !== undefined,
        (publicId) =>
          this.#c.get('SELECT status FROM yubikey_tokens WHERE public_id = ?', publicId)?.['status'] as
            | YubikeyTokenStatus
            | undefined,
      );
      if (conflicts.length > 0) return { ok: false, conflicts };
      for (const r of records) {
        let lastOtp = r.lastOtp;
        const tomb = this.#c.get('SELECT * FROM yubikey_tokens WHERE public_id = ?', r.publicId);
        if (tomb !== undefined) {
          // A re-uploaded seed keeps the replay floor of its tombstone.
          const old = toTokenRecord(tomb).lastOtp;
          if (old !== null && (lastOtp === null || compareCounters(old, lastOtp) > 0)) lastOtp = old;
          this.#c.run('DELETE FROM yubikey_tokens WHERE id = ?', tomb['id']);
        }
        this.#c.run(
          `INSERT INTO yubikey_tokens (id, public_id, serial, status, user_id, created, last_updated, last_verified,
             activated, otp_usage, otp_session, otp_timestamp, otp_at, sealed_secret)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.id,
          r.publicId,
          r.serial,
          r.status,
          r.userId,
          r.created,
          r.lastUpdated,
          r.lastVerified,
          r.activated,
          lastOtp?.usageCounter ?? null,
          lastOtp?.sessionCounter ?? null,
          lastOtp?.timestamp ?? null,
          lastOtp?.at ?? null,
          r.sealedSecret,
        );
      }
      return { ok: true, inserted: records.length };
    });
  }

  async getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', id);
      return row === undefined ? undefined : toTokenRecord(row);
    });
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE public_id = ?', publicId);
      return row === undefined ? undefined : toTokenRecord(row);
    });
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    return this.#c.read(() => {
      const row = this.#c.get('SELECT sealed_secret FROM yubikey_tokens WHERE id = ?', id);
      return row === undefined || row['sealed_secret'] === null
        ? undefined
        : blob(row['sealed_secret'], 'sealed secret');
    });
  }

  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    return this.#c.read(() => {
      const { sql, params } = tokenListQuery('yubikey_tokens', query, () => '?');
      return this.#c.all(sql, ...params).map(toTokenRecord);
    });
  }

  async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
    return this.#c.write('yubikey.compareAndSetCounter', (): CounterUpdateResult => {
      const n = update.next;
      const assign = update.assignUserId;
      // One conditional UPDATE: the check and the write are a single statement.
      const changes = this.#c.run(
        `UPDATE yubikey_tokens SET otp_usage = ?, otp_session = ?, otp_timestamp = ?, otp_at = ?,
           last_verified = ?, last_updated = ?,
           status = COALESCE(?, status), user_id = COALESCE(?, user_id), activated = COALESCE(?, activated)
         WHERE id = ? AND status = ? AND user_id IS ?
           AND (otp_usage IS NULL OR otp_usage < ? OR (otp_usage = ? AND otp_session < ?))`,
        n.usageCounter,
        n.sessionCounter,
        n.timestamp,
        n.at,
        n.at,
        n.at,
        assign === undefined ? null : 'ACTIVE',
        assign ?? null,
        assign === undefined ? null : n.at,
        update.id,
        update.expectStatus,
        update.expectUserId,
        n.usageCounter,
        n.usageCounter,
        n.sessionCounter,
      );
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', update.id);
      if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
      const record = toTokenRecord(row);
      if (changes === 1) return { ok: true, record };
      if (record.status !== update.expectStatus || record.userId !== update.expectUserId) {
        return { ok: false, reason: 'STATE_CHANGED' };
      }
      return { ok: false, reason: 'REPLAYED' };
    });
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    return this.#c.write('yubikey.updateStatus', (): StatusUpdateResult => {
      const row = this.#c.get('SELECT * FROM yubikey_tokens WHERE id = ?', update.id);
      if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
      const r = toTokenRecord(row);
      if (!update.expectStatus.includes(r.status)) return { ok: false, reason: 'STATE_CHANGED' };
      const activated = update.userId === null ? null : r.userId === update.userId ? r.activated : update.at;
      this.#c.run(
        `UPDATE yubikey_tokens SET status = ?, user_id = ?, activated = ?, last_updated = ?,
           sealed_secret = CASE WHEN ? THEN NULL ELSE sealed_secret END
         WHERE id = ?`,
        update.status,
        update.userId,
        activated,
        update.at,
        update.clearSecret === true ? 1 : 0,
        update.id,
      );
      return {
        ok: true,
        record: Object.freeze({
          ...r,
          status: update.status,
          userId: update.userId,
          activated,
          lastUpdated: update.at,
        }),
      };
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.#c.write(
      'yubikey.delete',
      () => this.#c.run('DELETE FROM yubikey_tokens WHERE id = ?', id) === 1,
    );
  }
}
