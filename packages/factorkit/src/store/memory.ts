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
} from '@factorkit/yubikey';
import { StoreError } from './errors.ts';
import type {
  AttemptState,
  AttemptStore,
  ChallengeRecord,
  ChallengeStore,
  CredentialRecord,
  CredentialStore,
  CredentialUsePatch,
  FactorkitStore,
  OtpFactorRecord,
  OtpFactorStore,
  StoreOptions,
} from './types.ts';

/** Shared plumbing: closed check and the staged-commit step with the fault hook. */
class Core {
  closed = false;
  readonly #options: StoreOptions;
  constructor(options: StoreOptions) {
    this.#options = options;
  }
  live(): void {
    if (this.closed) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
  }
  /** Runs the fault hook, then applies the staged writes in one synchronous step. */
  commit(op: string, apply: () => void): void {
    this.#options.beforeCommit?.(op);
    apply();
  }
}

const byCreated = <T extends { createdAt: number; id: string }>(a: T, b: T): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

class MemoryChallenges implements ChallengeStore {
  readonly #rows = new Map<string, ChallengeRecord>();
  readonly core: Core;
  constructor(core: Core) {
    this.core = core;
  }

  async put(record: ChallengeRecord): Promise<void> {
    this.core.live();
    if (this.#rows.has(record.id)) throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    const copy = structuredClone(record);
    this.core.commit('challenges.put', () => this.#rows.set(record.id, copy));
  }

  async consume(id: string): Promise<ChallengeRecord | undefined> {
    this.core.live();
    const found = this.#rows.get(id);
    if (found === undefined) return undefined;
    this.core.commit('challenges.consume', () => this.#rows.delete(id));
    return structuredClone(found);
  }

  async purgeExpired(now: number): Promise<number> {
    this.core.live();
    const expired = [...this.#rows.values()].filter((c) => c.expiresAt <= now).map((c) => c.id);
    this.core.commit('challenges.purgeExpired', () => {
      for (const id of expired) this.#rows.delete(id);
    });
    return expired.length;
  }
}

class MemoryCredentials implements CredentialStore {
  readonly #rows = new Map<string, CredentialRecord>();
  readonly core: Core;
  constructor(core: Core) {
    this.core = core;
  }

  async put(record: CredentialRecord): Promise<void> {
    this.core.live();
    if (this.#rows.has(record.id)) throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
    const copy = structuredClone(record);
    this.core.commit('credentials.put', () => this.#rows.set(record.id, copy));
  }

  async get(id: string): Promise<CredentialRecord | undefined> {
    this.core.live();
    const found = this.#rows.get(id);
    return found === undefined ? undefined : structuredClone(found);
  }

  async list(userId: string): Promise<readonly CredentialRecord[]> {
    this.core.live();
    return [...this.#rows.values()]
      .filter((c) => c.userId === userId)
      .sort(byCreated)
      .map((c) => structuredClone(c));
  }

  async updateCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    this.core.live();
    const found = this.#rows.get(id);
    if (found === undefined || found.signCount !== expected) return false;
    const updated: CredentialRecord = {
      ...found,
      signCount: next,
      lastUsedAt: patch.lastUsedAt,
      data: { ...found.data, ...structuredClone(patch.data ?? {}) },
    };
    this.core.commit('credentials.updateCounter', () => this.#rows.set(id, updated));
    return true;
  }

  async delete(id: string): Promise<boolean> {
    this.core.live();
    if (!this.#rows.has(id)) return false;
    this.core.commit('credentials.delete', () => this.#rows.delete(id));
    return true;
  }
}

class MemoryOtpFactors implements OtpFactorStore {
  readonly #rows = new Map<string, OtpFactorRecord>();
  readonly core: Core;
  constructor(core: Core) {
    this.core = core;
  }

  async put(record: OtpFactorRecord): Promise<void> {
    this.core.live();
    if (this.#rows.has(record.id)) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
    const copy = structuredClone(record);
    this.core.commit('otp.put', () => this.#rows.set(record.id, copy));
  }

  async get(id: string): Promise<OtpFactorRecord | undefined> {
    this.core.live();
    const found = this.#rows.get(id);
    return found === undefined ? undefined : structuredClone(found);
  }

  async list(userId: string): Promise<readonly OtpFactorRecord[]> {
    this.core.live();
    return [...this.#rows.values()]
      .filter((r) => r.userId === userId)
      .sort(byCreated)
      .map((r) => structuredClone(r));
  }

  async advanceCounter(
    id: string,
    next: number,
    now: number,
    params?: OtpFactorRecord['params'],
  ): Promise<boolean> {
    this.core.live();
    const found = this.#rows.get(id);
    if (found === undefined) return false;
    if (found.counter !== null && next <= found.counter) return false;
    const updated: OtpFactorRecord = {
      ...found,
      counter: next,
      lastVerifiedAt: now,
      ...(params === undefined ? {} : { params: structuredClone(params) }),
    };
    this.core.commit('otp.advanceCounter', () => this.#rows.set(id, updated));
    return true;
  }

  async delete(id: string): Promise<boolean> {
    this.core.live();
    if (!this.#rows.has(id)) return false;
    this.core.commit('otp.delete', () => this.#rows.delete(id));
    return true;
  }
}

interface TokenRow {
  readonly record: YubikeyTokenRecord;
  readonly sealedSecret: Uint8Array | undefined;
}

/** `YubikeyStore` (contract: @factorkit/yubikey) in memory. */
class MemoryYubikeyTokens implements YubikeyStore {
  readonly #rows = new Map<string, TokenRow>();
  readonly #byPublicId = new Map<string, string>();
  readonly core: Core;
  constructor(core: Core) {
    this.core = core;
  }

  #byPublic(publicId: string): TokenRow | undefined {
    const id = this.#byPublicId.get(publicId);
    return id === undefined ? undefined : this.#rows.get(id);
  }

  async insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult> {
    this.core.live();
    const conflicts: string[] = [];
    const ids = new Set<string>();
    const publicIds = new Set<string>();
    for (const r of records) {
      if (this.#rows.has(r.id) || ids.has(r.id)) conflicts.push(r.id);
      ids.add(r.id);
      if (publicIds.has(r.publicId)) {
        conflicts.push(r.publicId);
        continue;
      }
      publicIds.add(r.publicId);
      const existing = this.#byPublic(r.publicId);
      if (existing !== undefined && !TOMBSTONE_STATUSES.includes(existing.record.status))
        conflicts.push(r.publicId);
    }
    if (conflicts.length > 0) return { ok: false, conflicts };
    // Stage every row first; the registry mutates only in the commit step.
    const staged = records.map((r) => {
      const tomb = this.#byPublic(r.publicId);
      let lastOtp = r.lastOtp;
      const old = tomb?.record.lastOtp ?? null;
      // A re-uploaded seed keeps the replay floor of its tombstone.
      if (old !== null && (lastOtp === null || compareCounters(old, lastOtp) > 0)) lastOtp = old;
      const { sealedSecret, ...rest } = r;
      const row: TokenRow = {
        record: Object.freeze({ ...structuredClone(rest), lastOtp }),
        sealedSecret: Uint8Array.from(sealedSecret),
      };
      return { row, tombId: tomb?.record.id };
    });
    this.core.commit('yubikey.insertMany', () => {
      for (const { row, tombId } of staged) {
        if (tombId !== undefined) this.#rows.delete(tombId);
        this.#rows.set(row.record.id, row);
        this.#byPublicId.set(row.record.publicId, row.record.id);
      }
    });
    return { ok: true, inserted: records.length };
  }

  async getById(id: string): Promise<YubikeyTokenRecord | undefined> {
    this.core.live();
    return this.#rows.get(id)?.record;
  }

  async getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    this.core.live();
    return this.#byPublic(publicId)?.record;
  }

  async getSealedSecret(id: string): Promise<Uint8Array | undefined> {
    this.core.live();
    const secret = this.#rows.get(id)?.sealedSecret;
    return secret === undefined ? undefined : Uint8Array.from(secret);
  }

  async list(query: StoreListQuery): Promise<YubikeyTokenRecord[]> {
    this.core.live();
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
    this.core.live();
    const row = this.#rows.get(update.id);
    if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
    const r = row.record;
    if (r.status !== update.expectStatus || r.userId !== update.expectUserId)
      return { ok: false, reason: 'STATE_CHANGED' };
    if (r.lastOtp !== null && compareCounters(update.next, r.lastOtp) <= 0)
      return { ok: false, reason: 'REPLAYED' };
    const next: YubikeyTokenRecord = Object.freeze({
      ...r,
      lastOtp: Object.freeze({ ...update.next }),
      lastVerified: update.next.at,
      lastUpdated: update.next.at,
      ...(update.assignUserId !== undefined
        ? { status: 'ACTIVE' as const, userId: update.assignUserId, activated: update.next.at }
        : {}),
    });
    this.core.commit('yubikey.compareAndSetCounter', () =>
      this.#rows.set(update.id, { ...row, record: next }),
    );
    return { ok: true, record: next };
  }

  async updateStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    this.core.live();
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
    const clear = update.clearSecret === true;
    this.core.commit('yubikey.updateStatus', () => {
      if (clear) row.sealedSecret?.fill(0);
      this.#rows.set(update.id, { record: next, sealedSecret: clear ? undefined : row.sealedSecret });
    });
    return { ok: true, record: next };
  }

  async delete(id: string): Promise<boolean> {
    this.core.live();
    const row = this.#rows.get(id);
    if (row === undefined) return false;
    this.core.commit('yubikey.delete', () => {
      row.sealedSecret?.fill(0);
      this.#rows.delete(id);
      if (this.#byPublicId.get(row.record.publicId) === id) this.#byPublicId.delete(row.record.publicId);
    });
    return true;
  }
}

function comparePosition(keyA: string, idA: string, keyB: string, idB: string): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  if (idA !== idB) return idA < idB ? -1 : 1;
  return 0;
}

class MemoryAttempts implements AttemptStore {
  readonly #rows = new Map<string, AttemptState>();
  readonly core: Core;
  constructor(core: Core) {
    this.core = core;
  }

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    this.core.live();
    const row = this.#rows.get(key);
    if (row === undefined || now - row.windowStartedAt >= windowMs) return { count: 0, windowStartedAt: now };
    return { ...row };
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    this.core.live();
    const row = this.#rows.get(key);
    const next: AttemptState =
      row === undefined || now - row.windowStartedAt >= windowMs
        ? { count: 1, windowStartedAt: now }
        : { count: row.count + 1, windowStartedAt: row.windowStartedAt };
    this.core.commit('attempts.record', () => this.#rows.set(key, next));
    return { ...next };
  }

  async reset(key: string): Promise<void> {
    this.core.live();
    if (!this.#rows.has(key)) return;
    this.core.commit('attempts.reset', () => this.#rows.delete(key));
  }
}

/**
 * The embedded default store: process memory, nothing persisted. Every operation runs to
 * completion synchronously before its Promise settles (no `await` inside an operation),
 * so JavaScript's run-to-completion makes each one atomic with respect to every other.
 * Writes are staged and applied in one step after the `beforeCommit` hook, so a failure
 * leaves nothing half-written. Suitable for tests, single-process servers and the CLI;
 * use a shared store (SQLite; Postgres/Redis later) when several processes verify.
 */
export class MemoryStore implements FactorkitStore {
  readonly #core: Core;
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;

  constructor(options: StoreOptions = {}) {
    this.#core = new Core(options);
    this.challenges = new MemoryChallenges(this.#core);
    this.credentials = new MemoryCredentials(this.#core);
    this.otp = new MemoryOtpFactors(this.#core);
    this.yubikey = new MemoryYubikeyTokens(this.#core);
    this.attempts = new MemoryAttempts(this.#core);
  }

  async close(): Promise<void> {
    this.#core.closed = true;
  }
}
