import type { OtpAlgorithm } from './algorithms.ts';
import { algorithmEntry } from './algorithms.ts';

/** Defaults shared by HOTP and TOTP (RFC 4226 §5.3, RFC 6238 §4, Key URI format). */
export const DEFAULT_ALGORITHM: OtpAlgorithm = 'SHA1';
export const DEFAULT_DIGITS = 6;
/** RFC 6238 §5.2: the recommended time-step size X is 30 seconds. */
export const DEFAULT_PERIOD = 30;
/** RFC 6238 §5.2: at most one step of network delay; ±1 step is the usual default. */
export const DEFAULT_TOTP_WINDOW = 1;
/** Largest TOTP window per side (Okta allows up to 10 adjacent intervals). */
export const MAX_TOTP_WINDOW = 10;
/** RFC 4226 §7.4: look-ahead `s` "as low as possible"; 10 is the common default (Airlock, Yubico ≤ 25). */
export const DEFAULT_HOTP_LOOK_AHEAD = 10;
/** Hard cap on the HOTP look-ahead for ordinary verification (a bound on work and guessing). */
export const MAX_HOTP_LOOK_AHEAD = 100;
/** Default and cap of the search window for multi-code resynchronisation (RFC 4226 §7.4). */
export const DEFAULT_RESYNC_LOOK_AHEAD = 1000;
export const MAX_RESYNC_LOOK_AHEAD = 10_000;
/** Largest period accepted (seconds). */
export const MAX_PERIOD = 3600;

export const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/** A clock: milliseconds since the Unix epoch (e.g. `Date.now`). */
export type Clock = () => number;

/** The system clock, for callers who want it — nothing in this package calls it implicitly. */
export const systemClock: Clock = () => Date.now();

/** Where a TOTP computation gets the time from: an explicit instant or a clock. */
export interface TimeInput {
  /** The instant, as milliseconds since the Unix epoch or a Date. Takes precedence over `clock`. */
  readonly now?: number | Date;
  /** A clock, consulted once per call when `now` is absent. */
  readonly clock?: Clock;
}

/** Parameters of the TOTP time-step function (RFC 6238 §4.2). */
export interface TotpTimeParams {
  /** Time step X in seconds (default 30). */
  readonly period?: number;
  /** Unix time T0 to start counting steps from, in seconds (default 0). */
  readonly t0?: number;
}

export function resolveDigits(value: unknown): number {
  if (value === undefined) return DEFAULT_DIGITS;
  // RFC 4226 §5.3 requires at least 6 digits; Okta's VIP profile shows 10 (the 31-bit value has 10).
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 6 || value > 10) {
    throw new RangeError('digits must be an integer from 6 to 10');
  }
  return value;
}

export function resolveAlgorithm(value: unknown): OtpAlgorithm {
  return value === undefined ? DEFAULT_ALGORITHM : algorithmEntry(value).name;
}

export function resolvePeriod(value: unknown): number {
  if (value === undefined) return DEFAULT_PERIOD;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PERIOD) {
    throw new RangeError(`period must be an integer number of seconds from 1 to ${MAX_PERIOD}`);
  }
  return value;
}

export function resolveT0(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new RangeError('t0 must be an integer (seconds)');
  return value;
}

export function resolveCounter(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer`);
  }
  return value;
}

export function resolveNonNegativeInt(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}`);
  }
  return value;
}

/** Milliseconds since the epoch from `now` or `clock`; a TypeError when neither is given. */
export function resolveNow(input: TimeInput): number {
  const { now, clock } = input;
  let ms: unknown;
  if (now !== undefined) ms = now instanceof Date ? now.getTime() : now;
  else if (clock !== undefined) {
    if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
    ms = clock();
  } else {
    // State is explicit: no hidden Date.now(). Pass `clock: systemClock` to use the system time.
    throw new TypeError('now or clock is required');
  }
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw new RangeError('now must be a finite number of milliseconds');
  return ms;
}

/**
 * RFC 6238 §4.2: `T = floor((Current Unix time - T0) / X)`, computed in integer milliseconds so
 * values beyond 2^31 and 2^32 steps stay exact. A negative T (time before T0) is a RangeError.
 */
export function totpStepAt(ms: number, period: number, t0: number): number {
  const step = Math.floor((ms - t0 * 1000) / (period * 1000));
  if (step < 0 || !Number.isSafeInteger(step)) throw new RangeError('the time is before t0 or out of range');
  return step;
}
