/**
 * Store seams for replay protection and attempt limiting. Every method returns a Promise so
 * network stores (SQL, Redis) implement the same interface; each documents the atomicity it
 * must provide — replay protection is only as good as the store's compare-and-set.
 */

/** Replay state per OTP credential. */
export interface OtpCounterStore {
  /**
   * The stored replay position of `factorId`: for TOTP/VIP the last accepted time step, for
   * HOTP the next acceptable counter (last accepted + 1). `null`/`undefined` when nothing has
   * been accepted yet.
   */
  getCounter(factorId: string): Promise<number | null | undefined>;
  /**
   * Atomic monotonic advance ("advance only if greater"): when the stored value is absent,
   * `null`, or strictly less than `next`, store `next` and resolve `true`; otherwise change
   * nothing and resolve `false`. Of any number of concurrent calls with the same `next`, exactly
   * one resolves `true`. SQL: `UPDATE … SET counter = ? WHERE id = ? AND (counter IS NULL OR
   * counter < ?)` and test the affected-row count.
   */
  advanceCounter(factorId: string, next: number, now: number): Promise<boolean>;
}

/** An attempt counter's state after an operation. */
export interface AttemptState {
  /** Attempts recorded in the current window. */
  readonly count: number;
  /** When the current window started (epoch ms). */
  readonly windowStartedAt: number;
}

/** Attempt counters for lockout policies (RFC 4226 §7.3, NIST SP 800-63B §5.2.2). */
export interface AttemptStore {
  /** Current state of `key`'s window at `now` (`count: 0` when none or expired). No write. */
  get(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /**
   * Atomically records one attempt: starts a new window at `now` (count 1) when none is open or
   * the open one started `windowMs` or more before `now`, else increments; resolves the state
   * after the update. Concurrent calls never lose an increment.
   */
  record(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /** Clears `key` (after a success). */
  reset(key: string): Promise<void>;
}

/**
 * In-memory {@link OtpCounterStore} for tests and single-process use. Each method does its
 * read-check-write without an `await` in between, which makes it atomic on one event loop.
 */
export class MemoryOtpCounterStore implements OtpCounterStore {
  readonly #counters = new Map<string, number>();

  async getCounter(factorId: string): Promise<number | undefined> {
    return this.#counters.get(factorId);
  }

  async advanceCounter(factorId: string, next: number, _now: number): Promise<boolean> {
    const current = this.#counters.get(factorId);
    if (current !== undefined && current >= next) return false;
    this.#counters.set(factorId, next);
    return true;
  }
}

/** In-memory {@link AttemptStore} (same atomicity argument as {@link MemoryOtpCounterStore}). */
export class MemoryAttemptStore implements AttemptStore {
  readonly #rows = new Map<string, AttemptState>();

  async get(key: string, now: number, windowMs: number): Promise<AttemptState> {
    const row = this.#rows.get(key);
    if (row === undefined || now - row.windowStartedAt >= windowMs) return { count: 0, windowStartedAt: now };
    return { ...row };
  }

  async record(key: string, now: number, windowMs: number): Promise<AttemptState> {
    const row = this.#rows.get(key);
    const next: AttemptState =
      row === undefined || now - row.windowStartedAt >= windowMs
        ? { count: 1, windowStartedAt: now }
        : { count: row.count + 1, windowStartedAt: row.windowStartedAt };
    this.#rows.set(key, next);
    return { ...next };
  }

  async reset(key: string): Promise<void> {
    this.#rows.delete(key);
  }
}
