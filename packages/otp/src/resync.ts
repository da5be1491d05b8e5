import { type OtpRejection, reject } from './errors.ts';
import type { HotpParams } from './hotp.ts';
import { resolveHotpPosition } from './hotp.ts';
import { resolveKey } from './keyed.ts';
import {
  DEFAULT_RESYNC_LOOK_AHEAD,
  MAX_RESYNC_LOOK_AHEAD,
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolveNonNegativeInt,
  resolveNow,
  resolvePeriod,
  resolveT0,
  totpStepAt,
} from './params.ts';
import type { TotpParams } from './totp.ts';
import { codeBytes, scanSequence } from './window.ts';

/** Default TOTP resynchronisation search: ±10 steps (security catalog b8: TOTP ≤ ±10). */
export const DEFAULT_TOTP_RESYNC_WINDOW = 10;
/** Largest TOTP resynchronisation search per side (2 hours of 30 s steps). */
export const MAX_TOTP_RESYNC_WINDOW = 240;

/** Reads 2 or 3 consecutive codes; `undefined` when any is malformed. Identical codes are refused. */
function sequenceBytes(codes: readonly unknown[], digits: number): Uint8Array[] | 'malformed' | 'identical' {
  if (!Array.isArray(codes) || codes.length < 2 || codes.length > 3) {
    throw new TypeError('codes must be an array of 2 or 3 codes');
  }
  const out: Uint8Array[] = [];
  for (const code of codes) {
    const bytes = codeBytes(code, digits, false);
    if (bytes === undefined) return 'malformed';
    out.push(bytes);
  }
  // Security catalog OTP-8/b8: otp1 = otp2 is refused outright (a real token repeats a code
  // only by a 10^-digits accident; asking for the next pair costs the user one press).
  for (let i = 0; i < codes.length; i++) {
    for (let j = i + 1; j < codes.length; j++) if (codes[i] === codes[j]) return 'identical';
  }
  return out;
}

export interface ResyncHotpOptions extends HotpParams {
  /** Consecutive codes as the token displayed them, oldest first (2 or 3; Duo uses 3). */
  readonly codes: readonly unknown[];
  /** The server's next expected counter (or give `lastCounter`). */
  readonly counter?: number;
  /** The last accepted counter; sequences starting at or below it are `ERR_OTP_REPLAYED`. */
  readonly lastCounter?: number;
  /** How far ahead the first code may be (default 1000, max 10000). */
  readonly lookAhead?: number;
}

/** A successful HOTP resynchronisation: store `nextCounter`. */
export interface HotpResyncSuccess {
  readonly verified: true;
  /** Counter of the first code of the sequence. */
  readonly firstCounter: number;
  /** Counter of the last code (the new synchronisation point). */
  readonly counter: number;
  /** The server's counter after resync: last + 1. */
  readonly nextCounter: number;
  /** How far ahead of the expected counter the first code was. */
  readonly drift: number;
}

export type HotpResyncResult = HotpResyncSuccess | OtpRejection;

/**
 * RFC 4226 §7.4 resynchronisation: the token is further out of step than the normal look-ahead
 * allows, so the user submits 2 (or 3) consecutive codes and a much larger window is searched
 * for the whole sequence — the false-accept chance per candidate drops from 10^-d to 10^-2d
 * (10^-3d), which is what makes the large window safe. Every candidate is computed and compared;
 * nothing stops at the first match.
 */
export function resyncHotp(options: ResyncHotpOptions): HotpResyncResult {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const lookAhead = resolveNonNegativeInt(
    options.lookAhead,
    'lookAhead',
    DEFAULT_RESYNC_LOOK_AHEAD,
    MAX_RESYNC_LOOK_AHEAD,
  );
  const { counter, lastUsed } = resolveHotpPosition(options.counter, options.lastCounter, lookAhead);
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  const codes = sequenceBytes(options.codes, digits);
  if (codes === 'malformed') return reject('ERR_OTP_CODE_MALFORMED');
  if (codes === 'identical') return reject('ERR_OTP_SEQUENCE_INVALID');
  const from = lastUsed >= 0 && lastUsed === counter - 1 ? lastUsed : counter;
  const scan = scanSequence(
    key,
    digits,
    codes,
    from,
    counter + lookAhead,
    counter,
    Math.max(lastUsed, counter - 1),
  );
  if (scan.found) {
    const last = scan.value + codes.length - 1;
    return {
      verified: true,
      firstCounter: scan.value,
      counter: last,
      nextCounter: last + 1,
      drift: scan.value - counter,
    };
  }
  return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_SEQUENCE_INVALID');
}

export interface DuoResyncOptions extends HotpParams {
  /** Duo `POST /admin/v1/tokens/{id}/resync`: three consecutive codes. */
  readonly code1: unknown;
  readonly code2: unknown;
  readonly code3: unknown;
  /** The server's next expected counter (Duo's import default is 0). */
  readonly counter: number;
  /** How far ahead code1 may be (default 1000). */
  readonly lookAhead?: number;
}

/** Duo hardware-token resync (h6/h8): code1, code2, code3 must be consecutive HOTP values. */
export function resyncDuoToken(options: DuoResyncOptions): HotpResyncResult {
  const { code1, code2, code3, ...rest } = options;
  return resyncHotp({ ...rest, codes: [code1, code2, code3] });
}

export interface ResyncTotpOptions extends TotpParams {
  /** Consecutive codes (steps T, T+1[, T+2]), oldest first. */
  readonly codes: readonly unknown[];
  /** Steps searched on each side of the current one (default 10, max 240). */
  readonly window?: number;
  /** Last accepted step; a sequence whose first step is at or below it is `ERR_OTP_REPLAYED`. */
  readonly lastStep?: number;
}

/** A successful TOTP resynchronisation: store `step` as the last accepted step. */
export interface TotpResyncSuccess {
  readonly verified: true;
  /** Step of the first code. */
  readonly firstStep: number;
  /** Step of the last code (store as the last accepted step). */
  readonly step: number;
  /** `step` minus the current step: the token clock's offset, to apply to later verifications. */
  readonly drift: number;
}

export type TotpResyncResult = TotpResyncSuccess | OtpRejection;

/**
 * TOTP resynchronisation (RFC 6238 §6) with 2–3 consecutive codes searched over a wide window
 * (Symantec VIP "sync credential"). All steps in the window are evaluated.
 */
export function resyncTotp(options: ResyncTotpOptions): TotpResyncResult {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const window = resolveNonNegativeInt(
    options.window,
    'window',
    DEFAULT_TOTP_RESYNC_WINDOW,
    MAX_TOTP_RESYNC_WINDOW,
  );
  const step = totpStepAt(resolveNow(options), resolvePeriod(options.period), resolveT0(options.t0));
  const lastUsed = options.lastStep === undefined ? -1 : resolveCounter(options.lastStep, 'lastStep');
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  const codes = sequenceBytes(options.codes, digits);
  if (codes === 'malformed') return reject('ERR_OTP_CODE_MALFORMED');
  if (codes === 'identical') return reject('ERR_OTP_SEQUENCE_INVALID');
  return scanTotpSequence(key, digits, codes, step, window, lastUsed);
}

/** Shared by {@link resyncTotp} and the VIP enrollment: both codes inside `[T - w, T + w]`. */
export function scanTotpSequence(
  key: Parameters<typeof scanSequence>[0],
  digits: number,
  codes: readonly Uint8Array[],
  step: number,
  window: number,
  lastUsed: number,
): TotpResyncResult {
  const n = codes.length;
  const from = Math.max(0, step - window);
  const lastStart = step + window - (n - 1);
  if (lastStart < from) return reject('ERR_OTP_SEQUENCE_INVALID');
  // The sequence is fresh when its FIRST step is after the last accepted one (no step reused).
  const scan = scanSequence(key, digits, codes, from, lastStart, step - (n - 1), lastUsed);
  if (scan.found) {
    const last = scan.value + n - 1;
    return { verified: true, firstStep: scan.value, step: last, drift: last - step };
  }
  return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_SEQUENCE_INVALID');
}
