import type { OtpAlgorithm } from './algorithms.ts';
import { type OtpRejection, reject } from './errors.ts';
import { type OtpKey, resolveKey } from './keyed.ts';
import {
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolveNonNegativeInt,
  resolveNow,
  resolvePeriod,
  resolveT0,
  type TimeInput,
  totpStepAt,
} from './params.ts';
import { MAX_TOTP_RESYNC_WINDOW, scanTotpSequence } from './resync.ts';
import { codeBytes, scanSequence } from './window.ts';

/**
 * Known Symantec VIP credential prefixes (the token model). SYMC/VSMT: VIP Access mobile;
 * SYDC/VSST: VIP Access desktop; UBHE: an event-based (HOTP) model. Symantec's full table
 * (TECH239895) is longer; any 4-letter prefix is accepted unless `allowedPrefixes` narrows it.
 */
export const KNOWN_VIP_PREFIXES: Readonly<
  Record<string, { readonly model: string; readonly mode: 'totp' | 'hotp' }>
> = Object.freeze({
  SYMC: { model: 'VIP Access mobile', mode: 'totp' },
  VSMT: { model: 'VIP Access mobile', mode: 'totp' },
  SYDC: { model: 'VIP Access desktop', mode: 'totp' },
  VSST: { model: 'VIP Access desktop', mode: 'totp' },
  UBHE: { model: 'event-based token', mode: 'hotp' },
});

/** A parsed VIP credential id. */
export interface VipCredentialId {
  /** Canonical form: 4 uppercase letters + 8 digits, e.g. `VSMT14393584`. */
  readonly credentialId: string;
  readonly prefix: string;
  /** TOTP unless the prefix is a known event-based model. */
  readonly mode: 'totp' | 'hotp';
}

/**
 * Parses a Symantec VIP credential id: 4 letters + 8 digits. Documented normalisation: letters
 * are upper-cased and spaces/hyphens removed (the apps display `VSMT 1439 3584`). Returns
 * `undefined` for anything else (including over-long input).
 */
export function parseVipCredentialId(
  input: unknown,
  allowedPrefixes?: readonly string[],
): VipCredentialId | undefined {
  if (typeof input !== 'string' || input.length > 32) return undefined;
  let id = '';
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x20 || c === 0x2d) continue;
    if (c >= 0x61 && c <= 0x7a) id += String.fromCharCode(c - 0x20);
    else id += input[i];
  }
  if (id.length !== 12) return undefined;
  for (let i = 0; i < 12; i++) {
    const c = id.charCodeAt(i);
    const ok = i < 4 ? c >= 0x41 && c <= 0x5a : c >= 0x30 && c <= 0x39;
    if (!ok) return undefined;
  }
  const prefix = id.slice(0, 4);
  if (allowedPrefixes !== undefined && !allowedPrefixes.includes(prefix)) return undefined;
  return { credentialId: id, prefix, mode: KNOWN_VIP_PREFIXES[prefix]?.mode ?? 'totp' };
}

/** Default search for the enrollment pair: ±4 steps (VIP provisioning's `ClockDrift 4`). */
export const DEFAULT_VIP_TOTP_WINDOW = 4;
/** Default look-ahead for event-based VIP tokens. */
export const DEFAULT_VIP_HOTP_LOOK_AHEAD = 100;
/** Cap of the event-based look-ahead for the pair (security catalog b8: HOTP ≤ 1000). */
export const MAX_VIP_HOTP_LOOK_AHEAD = 1000;

export interface VerifyVipEnrollmentOptions extends TimeInput {
  /** The credential id the user typed (Okta `profile.credentialId`). */
  readonly credentialId: unknown;
  /** First security code (Okta `passCode`). */
  readonly passCode: unknown;
  /** The following security code (Okta `nextPassCode`). */
  readonly nextPassCode: unknown;
  /** The credential's shared secret (when the verifier holds it) or a prepared key. */
  readonly secret: Uint8Array | OtpKey;
  /** Restrict accepted prefixes (some relying parties accept only one model). */
  readonly allowedPrefixes?: readonly string[];
  /** `'totp'` or `'hotp'`; default from the prefix (UBHE = hotp, else totp). */
  readonly mode?: 'totp' | 'hotp';
  /** Default SHA1 (VIP credentials are standard OATH). */
  readonly algorithm?: OtpAlgorithm;
  /** Default 6. */
  readonly digits?: number;
  /** TOTP period, default 30. */
  readonly period?: number;
  readonly t0?: number;
  /** TOTP: steps searched either side (default 4, max 240). */
  readonly window?: number;
  /** TOTP: the last accepted step (re-enrolling or re-syncing with an already used pair is `ERR_OTP_REPLAYED`). */
  readonly lastStep?: number;
  /** HOTP: the server's counter for the token (default 0). */
  readonly counter?: number;
  /** HOTP: look-ahead (default 100, max 1000). */
  readonly lookAhead?: number;
  /** Refuse secrets shorter than this many bits (default 80). */
  readonly minSecretBits?: number;
}

/** A successful enrollment: the result sets the synchronisation point. */
export type VipEnrollmentSuccess =
  | {
      readonly verified: true;
      readonly credentialId: string;
      readonly mode: 'totp';
      /** Step of `nextPassCode`: store as the last accepted step. */
      readonly step: number;
      /** Token clock offset in steps. */
      readonly drift: number;
    }
  | {
      readonly verified: true;
      readonly credentialId: string;
      readonly mode: 'hotp';
      /** Counter of `nextPassCode`. */
      readonly counter: number;
      /** Counter to store (HOTP: the counter advances by 2 from passCode's). */
      readonly nextCounter: number;
      readonly drift: number;
    };

export type VipEnrollmentResult = VipEnrollmentSuccess | OtpRejection;

/**
 * Symantec VIP enrollment (Okta factor `token`, provider SYMANTEC): `credentialId` plus two
 * consecutive security codes. Accepted only if some i in the window has passCode = OTP(i) and
 * nextPassCode = OTP(i+1) — swapped, identical or gapped codes fail. Every candidate is computed.
 */
export function verifyVipEnrollment(options: VerifyVipEnrollmentOptions): VipEnrollmentResult {
  const parsed = parseVipCredentialId(options.credentialId, options.allowedPrefixes);
  const algorithm = resolveAlgorithm(options.algorithm);
  const digits = resolveDigits(options.digits);
  const mode = options.mode ?? parsed?.mode ?? 'totp';
  if (mode !== 'totp' && mode !== 'hotp') throw new TypeError("mode must be 'totp' or 'hotp'");
  const key = resolveKey(options.secret, algorithm, options.minSecretBits);
  if (parsed === undefined) return reject('ERR_VIP_CREDENTIAL_ID_INVALID');
  const first = codeBytes(options.passCode, digits, false);
  const next = codeBytes(options.nextPassCode, digits, false);
  if (first === undefined || next === undefined) return reject('ERR_OTP_CODE_MALFORMED');
  if (options.passCode === options.nextPassCode) return reject('ERR_OTP_SEQUENCE_INVALID');
  if (mode === 'totp') {
    const window = resolveNonNegativeInt(
      options.window,
      'window',
      DEFAULT_VIP_TOTP_WINDOW,
      MAX_TOTP_RESYNC_WINDOW,
    );
    const step = totpStepAt(resolveNow(options), resolvePeriod(options.period), resolveT0(options.t0));
    const lastUsed = options.lastStep === undefined ? -1 : resolveCounter(options.lastStep, 'lastStep');
    const res = scanTotpSequence(key, digits, [first, next], step, window, lastUsed);
    if (!res.verified) return res;
    return { verified: true, credentialId: parsed.credentialId, mode, step: res.step, drift: res.drift };
  }
  const lookAhead = resolveNonNegativeInt(
    options.lookAhead,
    'lookAhead',
    DEFAULT_VIP_HOTP_LOOK_AHEAD,
    MAX_VIP_HOTP_LOOK_AHEAD,
  );
  const counter = options.counter === undefined ? 0 : resolveCounter(options.counter, 'counter');
  if (!Number.isSafeInteger(counter + lookAhead + 3))
    throw new RangeError('counter is too large for the window');
  const scan = scanSequence(key, digits, [first, next], counter, counter + lookAhead, counter, counter - 1);
  if (!scan.found) return reject('ERR_OTP_SEQUENCE_INVALID');
  return {
    verified: true,
    credentialId: parsed.credentialId,
    mode,
    counter: scan.value + 1,
    nextCounter: scan.value + 2,
    drift: scan.value - counter,
  };
}
