import type { OtpAlgorithm } from './algorithms.ts';
import { type OtpRejection, reject } from './errors.ts';
import { type OtpKey, resolveKey } from './keyed.ts';
import {
  DEFAULT_TOTP_WINDOW,
  MAX_TOTP_WINDOW,
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolveNonNegativeInt,
  resolveNow,
  resolvePeriod,
  resolveT0,
  type TimeInput,
  type TotpTimeParams,
  totpStepAt,
} from './params.ts';
import { codeBytes, otpString, scanWindow } from './window.ts';

/** Parameters shared by TOTP generation and verification (RFC 6238 §4). */
export interface TotpParams extends TotpTimeParams, TimeInput {
  /** The shared secret K (raw bytes) or a prepared {@link OtpKey}. */
  readonly secret: Uint8Array | OtpKey;
  /** HMAC hash (default `'SHA1'`). */
  readonly algorithm?: OtpAlgorithm;
  /** Number of digits, 6–10 (default 6). */
  readonly digits?: number;
  /** Refuse secrets shorter than this many bits (default 80). */
  readonly minSecretBits?: number;
}

/** TOTP window: steps accepted on each side of the current one (number = same both sides). */
export type TotpWindow = number | { readonly past: number; readonly future: number };

/** RFC 6238 §4.2: the time step T for an instant (ms since the epoch or a Date). */
export function totpStep(now: number | Date, params: TotpTimeParams = {}): number {
  return totpStepAt(resolveNow({ now }), resolvePeriod(params.period), resolveT0(params.t0));
}

export interface GenerateTotpOptions extends TotpParams {
  /** Generate for this time step T directly instead of from `now`/`clock`. */
  readonly step?: number;
}

/** TOTP = HOTP(K, T) (RFC 6238 §4.2). Takes `now`, `clock` or `step` — never the hidden system time. */
export function generateTotp(options: GenerateTotpOptions): string {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const step =
    options.step !== undefined
      ? resolveCounter(options.step, 'step')
      : totpStepAt(resolveNow(options), resolvePeriod(options.period), resolveT0(options.t0));
  return otpString(resolveKey(options.secret, algorithm, options.minSecretBits), step, digits);
}

export interface VerifyTotpOptions extends TotpParams {
  /** The code the user submitted (exactly `digits` ASCII digits). */
  readonly code: unknown;
  /** Steps accepted either side of the current one (default 1, max 10 per side). */
  readonly window?: TotpWindow;
  /**
   * The last accepted time step for this credential. RFC 6238 §5.2: the verifier MUST NOT accept
   * the second attempt of the same OTP — a matching step at or below it gives `ERR_OTP_REPLAYED`.
   */
  readonly lastStep?: number;
}

/** A successful TOTP verification: store `step` as the credential's last accepted step. */
export interface TotpSuccess {
  readonly verified: true;
  /** The time step T whose code matched. */
  readonly step: number;
  /** `step` minus the verifier's current step (negative = the token is behind). RFC 6238 §6. */
  readonly drift: number;
}

export type TotpResult = TotpSuccess | OtpRejection;

/** Resolves a window option to `[past, future]`. */
export function resolveTotpWindow(
  window: TotpWindow | undefined,
  name = 'window',
): readonly [number, number] {
  if (window === undefined) return [DEFAULT_TOTP_WINDOW, DEFAULT_TOTP_WINDOW];
  if (typeof window === 'number') {
    const w = resolveNonNegativeInt(window, name, DEFAULT_TOTP_WINDOW, MAX_TOTP_WINDOW);
    return [w, w];
  }
  if (typeof window !== 'object' || window === null)
    throw new TypeError(`${name} must be a number or { past, future }`);
  return [
    resolveNonNegativeInt(window.past, `${name}.past`, DEFAULT_TOTP_WINDOW, MAX_TOTP_WINDOW),
    resolveNonNegativeInt(window.future, `${name}.future`, DEFAULT_TOTP_WINDOW, MAX_TOTP_WINDOW),
  ];
}

/**
 * Verifies a TOTP code within `window` steps of the current step (RFC 6238 §5.2, §6). Every step
 * in the window is computed and compared in constant time; the result carries the matched step
 * and the drift so the caller can store them.
 */
export function verifyTotp(options: VerifyTotpOptions): TotpResult {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const [past, future] = resolveTotpWindow(options.window);
  const step = totpStepAt(resolveNow(options), resolvePeriod(options.period), resolveT0(options.t0));
  const lastUsed = options.lastStep === undefined ? -1 : resolveCounter(options.lastStep, 'lastStep');
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  const submitted = codeBytes(options.code, digits, true);
  if (submitted === undefined) return reject('ERR_OTP_CODE_MALFORMED');
  // Steps before 0 do not exist (time before T0).
  const scan = scanWindow(key, digits, submitted, Math.max(0, step - past), step + future, step, lastUsed);
  if (scan.found) return { verified: true, step: scan.value, drift: scan.value - step };
  return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_INVALID');
}
