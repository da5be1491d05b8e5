import { MemoryYubikeyStore, type YubikeyStore } from '@factorkit/yubikey';
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
  /** The fault hook, run after a write's checks and before its changes are applied. */
  beforeCommit(op: string): void {
    this.#options.beforeCommit?.(op);
  }
  /** Runs the fault hook, then applies the staged writes in one synchronous step. */
  commit(op: string, apply: () => void): void {
    this.beforeCommit(op);
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
    // The reference in-memory YubiKey registry, wired to this store's closed check and fault hook.
    const core = this.#core;
    this.yubikey = new MemoryYubikeyStore({
      assertOpen: () => core.live(),
      beforeCommit: (op) => core.beforeCommit(op),
    });
    this.attempts = new MemoryAttempts(this.#core);
  }

  async close(): Promise<void> {
    this.#core.closed = true;
  }
}
