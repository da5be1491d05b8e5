import type { OtpAlgorithm } from './algorithms.ts';
import { reject } from './errors.ts';
import type { HotpResult } from './hotp.ts';
import { type OtpKey, resolveKey } from './keyed.ts';
import {
  DEFAULT_HOTP_LOOK_AHEAD,
  MAX_HOTP_LOOK_AHEAD,
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolveNonNegativeInt,
  resolveNow,
  resolvePeriod,
  resolveT0,
  totpStepAt,
} from './params.ts';
import { resolveTotpWindow, type TotpResult, type TotpWindow } from './totp.ts';
import { codeBytes, otpString, scanWindow } from './window.ts';

export interface TotpVerifierOptions {
  readonly secret: Uint8Array | OtpKey;
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  readonly period?: number;
  readonly t0?: number;
  readonly window?: TotpWindow;
  readonly minSecretBits?: number;
}

/** A TOTP verifier with its key and parameters resolved once (for hot paths and benchmarks). */
export interface TotpVerifier {
  readonly key: OtpKey;
  /** The code for the step containing `now` (ms since the epoch or a Date). */
  generate(now: number | Date): string;
  /** Same checks and result as {@link verifyTotp} with this verifier's parameters. */
  verify(code: unknown, now: number | Date, lastStep?: number): TotpResult;
}

/**
 * Prepares a TOTP verifier: options are validated and the HMAC key state built once; each
 * `verify` then only computes the window (every candidate, constant-time compare). Same results
 * as {@link verifyTotp}.
 */
export function createTotpVerifier(options: TotpVerifierOptions): TotpVerifier {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const period = resolvePeriod(options.period);
  const t0 = resolveT0(options.t0);
  const [past, future] = resolveTotpWindow(options.window);
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  return {
    key,
    generate(now: number | Date): string {
      return otpString(key, totpStepAt(resolveNow({ now }), period, t0), digits);
    },
    verify(code: unknown, now: number | Date, lastStep?: number): TotpResult {
      const step = totpStepAt(resolveNow({ now }), period, t0);
      const lastUsed = lastStep === undefined ? -1 : resolveCounter(lastStep, 'lastStep');
      const submitted = codeBytes(code, digits, true);
      if (submitted === undefined) return reject('ERR_OTP_CODE_MALFORMED');
      const scan = scanWindow(
        key,
        digits,
        submitted,
        Math.max(0, step - past),
        step + future,
        step,
        lastUsed,
      );
      if (scan.found) return { verified: true, step: scan.value, drift: scan.value - step };
      return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_INVALID');
    },
  };
}

export interface HotpVerifierOptions {
  readonly secret: Uint8Array | OtpKey;
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  readonly lookAhead?: number;
  readonly minSecretBits?: number;
}

/** An HOTP verifier with its key and parameters resolved once. */
export interface HotpVerifier {
  readonly key: OtpKey;
  generate(counter: number): string;
  /** Same checks and result as {@link verifyHotp}: `counter` is the next expected counter. */
  verify(code: unknown, counter: number, lastCounter?: number): HotpResult;
}

/** Prepares an HOTP verifier (see {@link createTotpVerifier}). */
export function createHotpVerifier(options: HotpVerifierOptions): HotpVerifier {
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const lookAhead = resolveNonNegativeInt(
    options.lookAhead,
    'lookAhead',
    DEFAULT_HOTP_LOOK_AHEAD,
    MAX_HOTP_LOOK_AHEAD,
  );
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  return {
    key,
    generate(counter: number): string {
      return otpString(key, resolveCounter(counter, 'counter'), digits);
    },
    verify(code: unknown, counterIn: number, lastCounter?: number): HotpResult {
      const counter = resolveCounter(counterIn, 'counter');
      if (!Number.isSafeInteger(counter + lookAhead + 3))
        throw new RangeError('counter is too large for the window');
      const lastUsed = lastCounter === undefined ? -1 : resolveCounter(lastCounter, 'lastCounter');
      const submitted = codeBytes(code, digits, true);
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
        return {
          verified: true,
          counter: scan.value,
          nextCounter: scan.value + 1,
          drift: scan.value - counter,
        };
      }
      return reject(scan.stale ? 'ERR_OTP_REPLAYED' : 'ERR_OTP_INVALID');
    },
  };
}
