import type { OtpAlgorithm } from './algorithms.ts';
import { OtpError } from './errors.ts';
import { DEFAULT_HOTP_LOOK_AHEAD, DEFAULT_TOTP_WINDOW, MAX_PERIOD, MAX_TOTP_WINDOW } from './params.ts';
import { type DecodedSecret, decodeSecret, type SecretEncoding, type SecretPolicy } from './secret.ts';

/**
 * An Okta custom OTP factor profile, in any of the shapes Okta exposes:
 * - Identity Engine `custom_otp` authenticator settings: `protocol`, `algorithm`, `encoding`,
 *   `passCodeLength`, `timeIntervalInSeconds`, `acceptableAdjacentIntervals`;
 * - classic `/api/v1/org/factors/hotp/profiles` settings: `timeBased`, `otpLength`, `timeStep`,
 *   `acceptableAdjacentIntervals`, `encoding`, `hmacAlgorithm`;
 * - the Terraform resource's names: `clockDriftInterval`, `sharedSecretEncoding`.
 * Aliases may both appear only with the same value.
 */
export interface OktaOtpProfile {
  readonly protocol?: string;
  readonly timeBased?: boolean;
  readonly algorithm?: string;
  readonly hmacAlgorithm?: string;
  readonly passCodeLength?: number;
  readonly otpLength?: number;
  readonly timeIntervalInSeconds?: number;
  readonly timeStep?: number;
  readonly acceptableAdjacentIntervals?: number;
  readonly clockDriftInterval?: number;
  readonly encoding?: string;
  readonly sharedSecretEncoding?: string;
}

/** The profile mapped to this package's options. */
export interface OktaOtpConfig {
  readonly type: 'totp' | 'hotp';
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  /** TOTP step in seconds (TOTP only). */
  readonly period?: number;
  /** TOTP: steps either side (`acceptableAdjacentIntervals`; 60 s × 5 = ±300 s). */
  readonly window?: number;
  /** HOTP: look-ahead (`acceptableAdjacentIntervals`, default 10). */
  readonly lookAhead?: number;
  /** How the profile's `sharedSecret` is encoded. */
  readonly secretEncoding: SecretEncoding;
}

const ALGORITHMS: ReadonlyMap<string, OtpAlgorithm> = new Map([
  ['hmacsha1', 'SHA1'],
  ['hmacsha256', 'SHA256'],
  ['hmacsha512', 'SHA512'],
]);
const ENCODINGS: ReadonlyMap<string, SecretEncoding> = new Map([
  ['base32', 'base32'],
  ['base64', 'base64'],
  ['hexadecimal', 'hex'],
]);

function pick(profile: Record<string, unknown>, names: readonly string[], bad: string[]): unknown {
  let value: unknown;
  let from: string | undefined;
  for (const name of names) {
    if (!Object.hasOwn(profile, name) || profile[name] === undefined) continue;
    if (from !== undefined && profile[name] !== value) {
      bad.push(name);
      continue;
    }
    value = profile[name];
    from = name;
  }
  return value;
}

function intIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Maps an Okta custom OTP factor profile to verification options. All invalid settings are
 * collected and reported together: throws `ERR_OKTA_PROFILE_INVALID` with `fields` naming them
 * (never their values). Required: algorithm, code length and (for TOTP) the time step;
 * `encoding` defaults to base32 and `acceptableAdjacentIntervals` to 1 (TOTP) / 10 (HOTP).
 */
export function oktaProfileToOtpConfig(profile: unknown): OktaOtpConfig {
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw new OtpError('ERR_OKTA_PROFILE_INVALID', 'the factor profile must be an object', {
      fields: ['profile'],
    });
  }
  const p = profile as Record<string, unknown>;
  const bad: string[] = [];

  const protocol = pick(p, ['protocol'], bad);
  // custom_otp authenticators are TOTP; SYMANTEC and YUBICO have their own verifiers.
  if (protocol !== undefined && protocol !== 'TOTP') bad.push('protocol');
  const timeBased = pick(p, ['timeBased'], bad);
  if (timeBased !== undefined && typeof timeBased !== 'boolean') bad.push('timeBased');
  const type: 'totp' | 'hotp' = timeBased === false ? 'hotp' : 'totp';
  if (type === 'hotp' && protocol === 'TOTP') bad.push('timeBased');

  const algorithmRaw = pick(p, ['algorithm', 'hmacAlgorithm'], bad);
  const algorithm = typeof algorithmRaw === 'string' ? ALGORITHMS.get(algorithmRaw.toLowerCase()) : undefined;
  if (algorithm === undefined) bad.push(Object.hasOwn(p, 'hmacAlgorithm') ? 'hmacAlgorithm' : 'algorithm');

  const digits = pick(p, ['passCodeLength', 'otpLength'], bad);
  // Okta: passCodeLength 6..10, multipleOf 2.
  const digitsOk = intIn(digits, 6, 10) && digits % 2 === 0;
  if (!digitsOk) bad.push(Object.hasOwn(p, 'otpLength') ? 'otpLength' : 'passCodeLength');

  const period = pick(p, ['timeIntervalInSeconds', 'timeStep'], bad);
  if (type === 'totp' && !intIn(period, 1, MAX_PERIOD)) {
    bad.push(Object.hasOwn(p, 'timeStep') ? 'timeStep' : 'timeIntervalInSeconds');
  }

  const drift = pick(p, ['acceptableAdjacentIntervals', 'clockDriftInterval'], bad);
  if (drift !== undefined && !intIn(drift, 0, MAX_TOTP_WINDOW)) {
    bad.push(Object.hasOwn(p, 'clockDriftInterval') ? 'clockDriftInterval' : 'acceptableAdjacentIntervals');
  }

  const encodingRaw = pick(p, ['encoding', 'sharedSecretEncoding'], bad);
  const secretEncoding =
    encodingRaw === undefined
      ? 'base32'
      : typeof encodingRaw === 'string'
        ? ENCODINGS.get(encodingRaw)
        : undefined;
  if (secretEncoding === undefined)
    bad.push(Object.hasOwn(p, 'sharedSecretEncoding') ? 'sharedSecretEncoding' : 'encoding');

  if (bad.length > 0 || algorithm === undefined || secretEncoding === undefined) {
    const fields = [...new Set(bad)];
    throw new OtpError('ERR_OKTA_PROFILE_INVALID', `invalid factor profile settings: ${fields.join(', ')}`, {
      fields,
    });
  }
  const base = { type, algorithm, digits: digits as number, secretEncoding };
  if (type === 'totp') {
    return {
      ...base,
      period: period as number,
      window: (drift as number | undefined) ?? DEFAULT_TOTP_WINDOW,
    };
  }
  return { ...base, lookAhead: (drift as number | undefined) ?? DEFAULT_HOTP_LOOK_AHEAD };
}

/** Decodes an enrolment's `profile.sharedSecret` with the profile's encoding (strict; length-checked). */
export function decodeOktaSharedSecret(
  sharedSecret: unknown,
  config: OktaOtpConfig,
  policy: SecretPolicy = {},
): DecodedSecret {
  if (typeof sharedSecret !== 'string')
    throw new OtpError('ERR_SECRET_ENCODING', 'sharedSecret must be a string');
  return decodeSecret(sharedSecret, config.secretEncoding, policy);
}
