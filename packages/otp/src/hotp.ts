import type { OtpAlgorithm } from './algorithms.ts';
import { type OtpRejection, reject } from './errors.ts';
import { type OtpKey, resolveKey } from './keyed.ts';
import {
  DEFAULT_HOTP_LOOK_AHEAD,
  MAX_HOTP_LOOK_AHEAD,
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolveNonNegativeInt,
} from './params.ts';
import { codeBytes, otpString, scanWindow } from './window.ts';

/** Parameters shared by HOTP generation and verification. */
export interface HotpParams {
  /** The shared secret K (raw bytes) or a prepared {@link OtpKey}. */
  readonly secret: Uint8Array | OtpKey;
  /** HMAC hash (default `'SHA1'`; RFC 4226 defines SHA-1, RFC 6238 adds SHA-256/512). */
  readonly algorithm?: OtpAlgorithm;
  /** Number of digits, 6–10 (default 6). */
  readonly digits?: number;
  /** Refuse secrets shorter than this many bits (default 80). */
  readonly minSecretBits?: number;
}

export interface GenerateHotpOptions extends HotpParams {
  /** The moving factor C (RFC 4226 §5.2), a non-negative safe integer. */
  readonly counter: number;
}

/** HOTP(K, C) = Truncate(HMAC(K, C)) mod 10^Digit (RFC 4226 §5.3), zero-padded. */
export function generateHotp(options: GenerateHotpOptions): string {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const counter = resolveCounter(options.counter, 'counter');
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  return otpString(key, counter, digits);
}

export interface VerifyHotpOptions extends HotpParams {
  /** The code the user submitted (exactly `digits` ASCII digits; anything else is malformed). */
  readonly code: unknown;
  /**
   * The server's counter: the next value it expects (RFC 4226 §7.2). Defaults to
   * `lastCounter + 1`; one of the two is required.
   */
  readonly counter?: number;
  /**
   * The last counter accepted for this token. Codes at or below it are rejected as
   * `ERR_OTP_REPLAYED`; the code for `lastCounter` itself is also computed so that resubmitting
   * the last accepted code is reported as a replay rather than a plain mismatch.
   */
  readonly lastCounter?: number;
  /** RFC 4226 §7.4 look-ahead `s`: counters `counter .. counter + s` are checked (default 10, max 100). */
  readonly lookAhead?: number;
}

/** A successful HOTP verification: store `counter` as the last accepted value (or `nextCounter`). */
export interface HotpSuccess {
  readonly verified: true;
  /** The counter whose code matched. */
  readonly counter: number;
  /** RFC 4226 §7.2: the server's counter after success (matched + 1, never reused). */
  readonly nextCounter: number;
  /** How far ahead of the expected counter the token was (0 = in sync). */
  readonly drift: number;
}

export type HotpResult = HotpSuccess | OtpRejection;

/**
 * Verifies an HOTP code against counters `counter .. counter + lookAhead` (RFC 4226 §7.2, §7.4).
 * Never looks behind (notp#21); every candidate is computed and compared in constant time.
 */
export function verifyHotp(options: VerifyHotpOptions): HotpResult {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const lookAhead = resolveNonNegativeInt(
    options.lookAhead,
    'lookAhead',
    DEFAULT_HOTP_LOOK_AHEAD,
    MAX_HOTP_LOOK_AHEAD,
  );
  const { counter, lastUsed } = resolveHotpPosition(options.counter, options.lastCounter, lookAhead);
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  const submitted = codeBytes(options.code, digits, true);
  if (submitted === undefined) return reject('ERR_OTP_CODE_MALFORMED');
  const from = lastUsed >= 0 && lastUsed === counter - 1 ? lastUsed : counter;
  const scan = scanWindow(
    key,
    digits,
    submitted,
    from,
    counter + lookAhead,
    counter,
    Math.max(lastUsed, counter - 1),
  );
  if (scan.found) {
    return { verified: true, counter: scan.value, nextCounter: scan.value + 1, drift: scan.value - counter };
  }
  return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_INVALID');
}

/** Resolves the expected counter and the last used one (-1 = none) from the two optional inputs. */
export function resolveHotpPosition(
  counterIn: number | undefined,
  lastCounterIn: number | undefined,
  lookAhead: number,
): { counter: number; lastUsed: number } {
  const lastUsed = lastCounterIn === undefined ? -1 : resolveCounter(lastCounterIn, 'lastCounter');
  let counter: number;
  if (counterIn !== undefined) counter = resolveCounter(counterIn, 'counter');
  else if (lastCounterIn !== undefined) counter = lastUsed + 1;
  else throw new TypeError('counter or lastCounter is required');
  if (!Number.isSafeInteger(counter + lookAhead + 3))
    throw new RangeError('counter is too large for the window');
  return { counter, lastUsed };
}
