import {
  type CounterUpdate,
  type CounterUpdateResult,
  compareCounters,
  type InsertManyResult,
  matchesFilter,
  type NewYubikeyTokenRecord,
  type StatusUpdate,
  type StatusUpdateResult,
  type StoreListQuery,
  TOMBSTONE_STATUSES,
  tokenSortKey,
  type YubikeyStore,
  type YubikeyTokenRecord,
} from './store.ts';

interface Row {
  record: YubikeyTokenRecord;
  sealedSecret: Uint8Array | undefined;
}

/** Hooks for a host store that embeds this one (e.g. the factorkit façade's `MemoryStore`). */
export interface MemoryYubikeyStoreOptions {
  /** Called before every read and write; throws when the host store is closed. */
  readonly assertOpen?: () => void;
  /**
   * Called with the operation name (`yubikey.insertMany`, …) after a write's checks and before
   * its changes are applied. A throw here (fault injection in contract tests) leaves the store
   * exactly as it was: writes are staged first and applied in one synchronous step.
   */
  readonly beforeCommit?: (op: string) => void;
}

/**
 * In-memory `YubikeyStore` for tests, single-process servers and as the reference semantics.
 * Each method does its check and its write synchronously (no `await` between them), which is
 * what makes it atomic on Node's single thread.
 */
export class MemoryYubikeyStore implements YubikeyStore {
  readonly #rows = new Map<string, Row>();
  readonly #byPublicId = new Map<string, string>();
  readonly #options: MemoryYubikeyStoreOptions;

  constructor(options: MemoryYubikeyStoreOptions = {}) {
    this.#options = options;
  }

  #open(): void {
    this.#options.assertOpen?.();
  }

  #commit(op: string, apply: () => void): void {
    this.#options.beforeCommit?.(op);
    apply();
  }

  /** Number of records held (tombstones included). */
  get size(): number {
    return this.#rows.size;
  }

  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    this.#open();
    const conflicts: string[] = [];
    const seen = new Set<string>();
    const seenIds = new Set<string>();
    for (const r of records) {
      if (this.#rows.has(r.id) || seenIds.has(r.id)) conflicts.push(r.id);
      seenIds.add(r.id);
      if (seen.has(r.publicId)) {
        conflicts.push(r.publicId);
        continue;
      }
      seen.add(r.publicId);
      const existing = this.#existingByPublicId(r.publicId);
      if (existing !== undefined && !TOMBSTONE_STATUSES.includes(existing.record.status)) {
        conflicts.push(r.publicId);
      }
    }
    if (conflicts.length > 0) return { ok: false, conflicts };
    // Stage every row first; the maps change only in the commit step.
    const staged = records.map((r) => {
      const tomb = this.#existingByPublicId(r.publicId);
      let lastOtp = r.lastOtp;
      // Keep the replay floor of the old seed (see the interface contract).
      const old = tomb?.record.lastOtp ?? null;
      if (old !== null && (lastOtp === null || compareCounters(old, lastOtp) > 0)) lastOtp = old;
      const row: Row = { record: freezeRecord(r, lastOtp), sealedSecret: new Uint8Array(r.sealedSecret) };
      return { row, tombId: tomb?.record.id };
    });
    this.#commit('yubikey.insertMany', () => {
      for (const { row, tombId } of staged) {
        if (tombId !== undefined) this.#rows.delete(tombId);
        this.#rows.set(row.record.id, row);
        this.#byPublicId.set(row.record.publicId, row.record.id);
      }
    });
    return { ok: true, inserted: records.length };
  }

  async getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    this.#open();
    return this.#rows.get(id)?.record;
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    this.#open();
    return this.#existingByPublicId(publicId)?.record;
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    this.#open();
    const secret = this.#rows.get(id)?.sealedSecret;
    // A copy (never a view: Buffer#slice would share memory), so callers cannot alter the store.
    return secret === undefined ? undefined : new Uint8Array(secret);
  }

  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    this.#open();
    const dir = query.sortOrder === 'DESC' ? -1 : 1;
    const keyed: { key: string; record: YubikeyTokenRecord }[] = [];
    for (const { record } of this.#rows.values()) {
      if (!matchesFilter(record, query.filter)) continue;
      const key = tokenSortKey(record, query.sortBy);
      if (
        query.after !== undefined &&
        dir * comparePosition(key, record.id, query.after.key, query.after.id) <= 0
      ) {
        continue;
      }
      keyed.push({ key, record });
    }
    keyed.sort((a, b) => dir * comparePosition(a.key, a.record.id, b.key, b.record.id));
    return keyed.slice(0, query.limit).map((k) => k.record);
  }

  async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
    this.#open();
    const row = this.#rows.get(update.id);
    if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
    const r = row.record;
    if (r.status !== update.expectStatus || r.userId !== update.expectUserId) {
      return { ok: false, reason: 'STATE_CHANGED' };
    }
    // The replay gate: strictly greater than the last accepted pair (protocols §4.4 step 2).
    if (r.lastOtp !== null && compareCounters(update.next, r.lastOtp) <= 0) {
      return { ok: false, reason: 'REPLAYED' };
    }
    const next: YubikeyTokenRecord = Object.freeze({
      ...r,
      lastOtp: Object.freeze({ ...update.next }),
      lastVerified: update.next.at,
      lastUpdated: update.next.at,
      ...(update.assignUserId !== undefined
        ? { status: 'ACTIVE' as const, userId: update.assignUserId, activated: update.next.at }
        : {}),
    });
    this.#commit('yubikey.compareAndSetCounter', () => {
      row.record = next;
    });
    return { ok: true, record: next };
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    this.#open();
    const row = this.#rows.get(update.id);
    if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
    const r = row.record;
    if (!update.expectStatus.includes(r.status)) return { ok: false, reason: 'STATE_CHANGED' };
    const next: YubikeyTokenRecord = Object.freeze({
      ...r,
      status: update.status,
      userId: update.userId,
      activated: update.userId === null ? null : r.userId === update.userId ? r.activated : update.at,
      lastUpdated: update.at,
    });
    this.#commit('yubikey.updateStatus', () => {
      row.record = next;
      if (update.clearSecret === true) {
        row.sealedSecret?.fill(0);
        row.sealedSecret = undefined;
      }
    });
    return { ok: true, record: next };
  }

  async delete(id: string): Promise<boolean> {
    this.#open();
    const row = this.#rows.get(id);
    if (row === undefined) return false;
    this.#commit('yubikey.delete', () => {
      row.sealedSecret?.fill(0);
      this.#rows.delete(id);
      if (this.#byPublicId.get(row.record.publicId) === id) this.#byPublicId.delete(row.record.publicId);
    });
    return true;
  }

  #existingByPublicId(publicId: string): Row | undefined {
    const id = this.#byPublicId.get(publicId);
    return id === undefined ? undefined : this.#rows.get(id);
  }
}

// Copies exactly the record fields (never `sealedSecret`) into a frozen object.
function freezeRecord(r: YubikeyTokenRecord, lastOtp: YubikeyTokenRecord['lastOtp']): YubikeyTokenRecord {
  return Object.freeze({
    id: r.id,
    publicId: r.publicId,
    serial: r.serial,
    status: r.status,
    userId: r.userId,
    created: r.created,
    lastUpdated: r.lastUpdated,
    lastVerified: r.lastVerified,
    activated: r.activated,
    lastOtp,
  });
}

function comparePosition(keyA: string, idA: string, keyB: string, idB: string): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  if (idA !== idB) return idA < idB ? -1 : 1;
  return 0;
}
