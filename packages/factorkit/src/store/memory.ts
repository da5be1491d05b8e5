import { StoreError } from './errors.ts';
import {
  compareKeys,
  countersAdvance,
  encodeCursor,
  matchesFilter,
  normalizeTokenQuery,
  sortKey,
  tokenInfo,
} from './query.ts';
import type {
  AttemptState,
  ChallengeRecord,
  CredentialRecord,
  CredentialUsePatch,
  FactorkitStore,
  OtpFactorRecord,
  StoreOptions,
  YubicoCounters,
  YubikeyTokenExpect,
  YubikeyTokenInfo,
  YubikeyTokenPage,
  YubikeyTokenPatch,
  YubikeyTokenQuery,
  YubikeyTokenRecord,
} from './types.ts';

interface AttemptRow {
  count: number;
  windowStartedAt: number;
}

/**
 * The embedded default store: process memory, nothing persisted. Every operation runs to
 * completion synchronously before its Promise settles (no `await` inside an operation),
 * so JavaScript's run-to-completion makes each one atomic with respect to every other.
 * Writes are staged and applied in one step after the `beforeCommit` hook, so a failure
 * leaves nothing half-written. Suitable for tests, single-process servers and the CLI;
 * use a shared store (SQLite, later Postgres/Redis) when several processes verify.
 */
export class MemoryStore implements FactorkitStore {
  readonly #options: StoreOptions;
  readonly #challenges = new Map<string, ChallengeRecord>();
  readonly #credentials = new Map<string, CredentialRecord>();
  readonly #otp = new Map<string, OtpFactorRecord>();
  readonly #tokens = new Map<string, YubikeyTokenRecord>();
  readonly #tokenByPublicId = new Map<string, string>();
  readonly #attempts = new Map<string, AttemptRow>();
  #closed = false;

  constructor(options: StoreOptions = {}) {
    this.#options = options;
  }

  #live(): void {
    if (this.#closed) throw new StoreError('ERR_STORE_CLOSED', 'store is closed');
  }

  #commit(op: string, apply: () => void): void {
    this.#options.beforeCommit?.(op);
    apply();
  }

  #seal(bytes: Uint8Array, context: string): Uint8Array {
    const sealer = this.#options.sealer;
    return sealer === undefined ? Uint8Array.from(bytes) : sealer.seal(bytes, context);
  }

  #open(bytes: Uint8Array, context: string): Uint8Array {
    const sealer = this.#options.sealer;
    return sealer === undefined ? Uint8Array.from(bytes) : sealer.open(bytes, context);
  }

  // ── challenges ──
  async putChallenge(record: ChallengeRecord): Promise<void> {
    this.#live();
    if (this.#challenges.has(record.id))
      throw new StoreError('ERR_STORE_CONFLICT', 'challenge id already exists');
    const copy = structuredClone(record);
    this.#commit('putChallenge', () => this.#challenges.set(record.id, copy));
  }

  async consumeChallenge(id: string): Promise<ChallengeRecord | undefined> {
    this.#live();
    const found = this.#challenges.get(id);
    if (found === undefined) return undefined;
    this.#commit('consumeChallenge', () => this.#challenges.delete(id));
    return structuredClone(found);
  }

  async purgeExpiredChallenges(now: number): Promise<number> {
    this.#live();
    const expired = [...this.#challenges.values()].filter((c) => c.expiresAt <= now).map((c) => c.id);
    this.#commit('purgeExpiredChallenges', () => {
      for (const id of expired) this.#challenges.delete(id);
    });
    return expired.length;
  }

  // ── credentials ──
  async putCredential(record: CredentialRecord): Promise<void> {
    this.#live();
    if (this.#credentials.has(record.id))
      throw new StoreError('ERR_STORE_CONFLICT', 'credential id already exists');
    const copy = structuredClone(record);
    this.#commit('putCredential', () => this.#credentials.set(record.id, copy));
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.#live();
    const found = this.#credentials.get(id);
    return found === undefined ? undefined : structuredClone(found);
  }

  async listCredentials(userId: string): Promise<readonly CredentialRecord[]> {
    this.#live();
    return [...this.#credentials.values()]
      .filter((c) => c.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((c) => structuredClone(c));
  }

  async updateCredentialCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean> {
    this.#live();
    const found = this.#credentials.get(id);
    if (found === undefined || found.signCount !== expected) return false;
    const updated: CredentialRecord = {
      ...found,
      signCount: next,
      lastUsedAt: patch.lastUsedAt,
      data: { ...found.data, ...structuredClone(patch.data ?? {}) },
    };
    this.#commit('updateCredentialCounter', () => this.#credentials.set(id, updated));
    return true;
  }

  async deleteCredential(id: string): Promise<boolean> {
    this.#live();
    if (!this.#credentials.has(id)) return false;
    this.#commit('deleteCredential', () => this.#credentials.delete(id));
    return true;
  }

  // ── OTP factors ──
  async putOtpFactor(record: OtpFactorRecord): Promise<void> {
    this.#live();
    if (this.#otp.has(record.id)) throw new StoreError('ERR_STORE_CONFLICT', 'OTP factor id already exists');
    const copy: OtpFactorRecord = {
      ...structuredClone(record),
      secret: this.#seal(record.secret, `otp:${record.id}:secret`),
    };
    this.#commit('putOtpFactor', () => this.#otp.set(record.id, copy));
  }

  async getOtpFactor(id: string): Promise<OtpFactorRecord | undefined> {
    this.#live();
    const found = this.#otp.get(id);
    return found === undefined ? undefined : this.#openOtp(found);
  }

  #openOtp(r: OtpFactorRecord): OtpFactorRecord {
    return { ...structuredClone(r), secret: this.#open(r.secret, `otp:${r.id}:secret`) };
  }

  async listOtpFactors(userId: string): Promise<readonly OtpFactorRecord[]> {
    this.#live();
    return [...this.#otp.values()]
      .filter((r) => r.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((r) => this.#openOtp(r));
  }

  async advanceOtpCounter(id: string, next: number, now: number): Promise<boolean> {
    this.#live();
    const found = this.#otp.get(id);
    if (found === undefined) return false;
    if (found.counter !== null && next <= found.counter) return false;
    const updated: OtpFactorRecord = { ...found, counter: next, lastVerifiedAt: now };
    this.#commit('advanceOtpCounter', () => this.#otp.set(id, updated));
    return true;
  }

  async deleteOtpFactor(id: string): Promise<boolean> {
    this.#live();
    if (!this.#otp.has(id)) return false;
    this.#commit('deleteOtpFactor', () => this.#otp.delete(id));
    return true;
  }

  // ── YubiKey tokens ──
  async putYubikeyTokens(records: readonly YubikeyTokenRecord[]): Promise<void> {
    this.#live();
    const ids = new Set<string>();
    const publicIds = new Set<string>();
    for (const r of records) {
      if (this.#tokens.has(r.id) || ids.has(r.id)) {
        throw new StoreError('ERR_STORE_CONFLICT', `token id already exists (publicId ${r.publicId})`);
      }
      if (this.#tokenByPublicId.has(r.publicId) || publicIds.has(r.publicId)) {
        throw new StoreError('ERR_STORE_CONFLICT', `publicId ${r.publicId} already exists`);
      }
      ids.add(r.id);
      publicIds.add(r.publicId);
    }
    // Seal everything first: a sealer failure half-way must leave the registry untouched.
    const staged = records.map(
      (r): YubikeyTokenRecord => ({
        ...tokenInfo(r),
        privateId: this.#seal(r.privateId, `yubikey:${r.id}:privateId`),
        aesKey: this.#seal(r.aesKey, `yubikey:${r.id}:aesKey`),
      }),
    );
    this.#commit('putYubikeyTokens', () => {
      for (const r of staged) {
        this.#tokens.set(r.id, r);
        this.#tokenByPublicId.set(r.publicId, r.id);
      }
    });
  }

  #openToken(r: YubikeyTokenRecord): YubikeyTokenRecord {
    return {
      ...tokenInfo(r),
      privateId: this.#open(r.privateId, `yubikey:${r.id}:privateId`),
      aesKey: this.#open(r.aesKey, `yubikey:${r.id}:aesKey`),
    };
  }

  async getYubikeyToken(id: string): Promise<YubikeyTokenRecord | undefined> {
    this.#live();
    const found = this.#tokens.get(id);
    return found === undefined ? undefined : this.#openToken(found);
  }

  async getYubikeyTokenByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined> {
    this.#live();
    const id = this.#tokenByPublicId.get(publicId);
    const found = id === undefined ? undefined : this.#tokens.get(id);
    return found === undefined ? undefined : this.#openToken(found);
  }

  async listYubikeyTokens(query?: YubikeyTokenQuery): Promise<YubikeyTokenPage> {
    this.#live();
    const q = normalizeTokenQuery(query);
    const dir = q.sortOrder === 'ASC' ? 1 : -1;
    const rows: { key: string | number; token: YubikeyTokenInfo }[] = [];
    for (const t of this.#tokens.values()) {
      if (!matchesFilter(t, q.filter)) continue;
      const key = sortKey(t, q.sortBy);
      if (q.after !== undefined && dir * compareKeys(key, t.id, q.after.key, q.after.id) <= 0) continue;
      rows.push({ key, token: t });
    }
    rows.sort((a, b) => dir * compareKeys(a.key, a.token.id, b.key, b.token.id));
    const page = rows.slice(0, q.limit);
    const items = page.map((r) => tokenInfo(r.token));
    const last = page.at(-1);
    return rows.length > q.limit && last !== undefined
      ? { items, after: encodeCursor(q, last.key, last.token.id) }
      : { items };
  }

  async updateYubikeyToken(
    id: string,
    expect: YubikeyTokenExpect,
    patch: YubikeyTokenPatch,
  ): Promise<boolean> {
    this.#live();
    const found = this.#tokens.get(id);
    if (found === undefined) return false;
    if (expect.status !== undefined) {
      const allowed = typeof expect.status === 'string' ? [expect.status] : expect.status;
      if (!allowed.includes(found.status)) return false;
    }
    if (expect.userId !== undefined && found.userId !== expect.userId) return false;
    const updated: YubikeyTokenRecord = {
      ...found,
      status: patch.status ?? found.status,
      userId: patch.userId === undefined ? found.userId : patch.userId,
      lastUpdated: patch.lastUpdated,
    };
    this.#commit('updateYubikeyToken', () => this.#tokens.set(id, updated));
    return true;
  }

  async advanceYubicoCounters(id: string, c: YubicoCounters): Promise<boolean> {
    this.#live();
    const found = this.#tokens.get(id);
    if (found === undefined) return false;
    if (!countersAdvance(found.usageCounter, found.sessionCounter, c.usageCounter, c.sessionCounter))
      return false;
    const updated: YubikeyTokenRecord = {
      ...found,
      usageCounter: c.usageCounter,
      sessionCounter: c.sessionCounter,
      timestamp: c.timestamp,
      lastVerified: c.now,
    };
    this.#commit('advanceYubicoCounters', () => this.#tokens.set(id, updated));
    return true;
  }

  async deleteYubikeyToken(id: string): Promise<boolean> {
    this.#live();
    const found = this.#tokens.get(id);
    if (found === undefined) return false;
    this.#commit('deleteYubikeyToken', () => {
      this.#tokens.delete(id);
      this.#tokenByPublicId.delete(found.publicId);
    });
    return true;
  }

  // ── attempts ──
  async getAttempts(key: string, now: number, windowMs: number): Promise<AttemptState> {
    this.#live();
    const row = this.#attempts.get(key);
    if (row === undefined || now - row.windowStartedAt >= windowMs) return { count: 0, windowStartedAt: now };
    return { ...row };
  }

  async recordAttempt(key: string, now: number, windowMs: number): Promise<AttemptState> {
    this.#live();
    const row = this.#attempts.get(key);
    const next: AttemptRow =
      row === undefined || now - row.windowStartedAt >= windowMs
        ? { count: 1, windowStartedAt: now }
        : { count: row.count + 1, windowStartedAt: row.windowStartedAt };
    this.#commit('recordAttempt', () => this.#attempts.set(key, next));
    return { ...next };
  }

  async resetAttempts(key: string): Promise<void> {
    this.#live();
    if (!this.#attempts.has(key)) return;
    this.#commit('resetAttempts', () => this.#attempts.delete(key));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
