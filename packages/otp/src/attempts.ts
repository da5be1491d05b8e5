import { OtpError, type OtpRejection, reject } from './errors.ts';
import type { AttemptStore } from './store.ts';

/**
 * How many verification attempts a key (account + credential) gets. Attempts are counted before
 * verifying — the counter is the reservation — and a success resets it, so the limit cannot be
 * raced by concurrent requests.
 */
export interface AttemptPolicy {
  /** Attempts allowed per window; attempt `maxAttempts + 1` is refused. */
  readonly maxAttempts: number;
  /**
   * Window length in seconds. Omitted: attempts accumulate until a success resets them
   * (NIST "consecutive failed attempts").
   */
  readonly windowSeconds?: number;
}

/** Okta: activation of OTP factors is limited to five attempts within five minutes per user. */
export const OKTA_ACTIVATION_ATTEMPT_POLICY: AttemptPolicy = Object.freeze({
  maxAttempts: 5,
  windowSeconds: 300,
});
/** NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account. */
export const NIST_800_63B_ATTEMPT_POLICY: AttemptPolicy = Object.freeze({ maxAttempts: 100 });
/**
 * Default: 10 attempts per 15 minutes. With 6 digits and a ±1 window an attacker's success per
 * window is about 3·10 / 10^6 = 3·10^-5 (RFC 4226 Appendix A: s·v / 10^Digit).
 */
export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = Object.freeze({ maxAttempts: 10, windowSeconds: 900 });

// Stores hold numbers; "no window" is a window longer than any clock reading.
const NO_WINDOW_MS = Number.MAX_SAFE_INTEGER;

function windowMsOf(policy: AttemptPolicy): number {
  if (typeof policy !== 'object' || policy === null) throw new TypeError('policy must be an AttemptPolicy');
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 1_000_000) {
    throw new RangeError('policy.maxAttempts must be a positive integer');
  }
  if (policy.windowSeconds === undefined) return NO_WINDOW_MS;
  if (!Number.isInteger(policy.windowSeconds) || policy.windowSeconds < 1) {
    throw new RangeError('policy.windowSeconds must be a positive integer');
  }
  return policy.windowSeconds * 1000;
}

/**
 * Validates an {@link AttemptPolicy} (for configuration time, so a bad policy is found when the
 * server starts, not at the first verification). Throws `TypeError`/`RangeError`.
 */
export function checkAttemptPolicy(policy: AttemptPolicy): void {
  windowMsOf(policy);
}

/** Where and how to count attempts. */
export interface AttemptLimit {
  readonly store: AttemptStore;
  /** One limiter per account and credential, shared by every endpoint that accepts a code. */
  readonly key: string;
  readonly policy: AttemptPolicy;
}

/** A read-only view of a key's limiter. */
export interface AttemptStatus {
  readonly locked: boolean;
  /** Attempts left in the current window. */
  readonly remaining: number;
  /** Seconds until the window ends; `null` for policies without a window (until reset). */
  readonly retryAfterSeconds: number | null;
}

function retryAfter(windowStartedAt: number, windowMs: number, now: number): number | null {
  if (windowMs === NO_WINDOW_MS) return null;
  return Math.max(0, Math.ceil((windowStartedAt + windowMs - now) / 1000));
}

/** The limiter's state for `limit.key` at `now` (no write). */
export async function attemptStatus(limit: AttemptLimit, now: number): Promise<AttemptStatus> {
  const windowMs = windowMsOf(limit.policy);
  const state = await storeCall(() => limit.store.get(limit.key, now, windowMs));
  const remaining = Math.max(0, limit.policy.maxAttempts - state.count);
  return {
    locked: remaining === 0,
    remaining,
    retryAfterSeconds: remaining === 0 ? retryAfter(state.windowStartedAt, windowMs, now) : null,
  };
}

/**
 * Runs `attempt` under the attempt limit: records the attempt atomically first; when that makes
 * more than `maxAttempts` in the window, resolves `ERR_OTP_LOCKED_OUT` (with `retryAfterSeconds`)
 * without calling `attempt`; otherwise runs it and resets the counter when it verified.
 */
export async function limitAttempts<R extends { readonly verified: boolean }>(
  limit: AttemptLimit,
  now: number,
  attempt: () => R | Promise<R>,
): Promise<R | OtpRejection> {
  const windowMs = windowMsOf(limit.policy);
  if (typeof limit.key !== 'string' || limit.key === '')
    throw new TypeError('key must be a non-empty string');
  const state = await storeCall(() => limit.store.record(limit.key, now, windowMs));
  if (!Number.isInteger(state.count) || state.count < 1) {
    throw new OtpError('ERR_OTP_STORE_FAILURE', 'attempt store returned an invalid count');
  }
  if (state.count > limit.policy.maxAttempts) {
    return {
      ...reject('ERR_OTP_LOCKED_OUT'),
      retryAfterSeconds: retryAfter(state.windowStartedAt, windowMs, now),
    };
  }
  const result = await attempt();
  if (result.verified) await storeCall(() => limit.store.reset(limit.key));
  return result;
}

/** Runs a store call, turning any failure into `ERR_OTP_STORE_FAILURE` (cause attached). */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof OtpError) throw cause;
    throw new OtpError('ERR_OTP_STORE_FAILURE', 'store operation failed', { cause });
  }
}
