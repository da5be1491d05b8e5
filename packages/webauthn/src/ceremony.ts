import { timingSafeEqual } from '@factorkit/ct';
import { decodeBase64url, decodeBase64urlWithSpare, isBase64url } from './base64url.ts';
import type { CollectedClientData } from './clientData.ts';
import { failure, type VerificationFailure } from './errors.ts';

/** What the RP issued: the challenge bytes, its base64url text, or a predicate over the text. */
export type ExpectedChallenge = Uint8Array | string | ((challenge: string) => boolean);

/** Options shared by both ceremonies: what the Relying Party expects to see in clientDataJSON. */
export interface CeremonyOptions {
  /**
   * The challenge issued for this ceremony: bytes, their base64url text, or a synchronous
   * predicate called with `clientData.challenge` (for challenges kept in a store).
   */
  readonly expectedChallenge: ExpectedChallenge;
  /** Accepted origin(s), compared exactly (e.g. `https://example.com`, `android:apk-key-hash:...`). */
  readonly expectedOrigin: string | readonly string[];
  /** Accepted RP ID(s); the authenticatorData rpIdHash must be SHA-256 of one of them. */
  readonly expectedRpId: string | readonly string[];
  /** Accepted clientData.type value(s). Default: `webauthn.create` / `webauthn.get`. */
  readonly expectedType?: string | readonly string[];
  /**
   * Accept `clientData.crossOrigin: true` (the ceremony ran in a cross-origin iframe).
   * Default `false`; implied when `expectedTopOrigin` is given.
   */
  readonly allowCrossOrigin?: boolean;
  /** Top-level origin(s) allowed to embed the ceremony in a cross-origin iframe. Default: none. */
  readonly expectedTopOrigin?: string | readonly string[];
  /** Require the UV flag. Default `false` (the spec's `userVerification: "preferred"`). */
  readonly requireUserVerification?: boolean;
}

export interface NormalizedCeremony {
  readonly challenge: ExpectedChallenge;
  readonly origins: readonly string[];
  readonly rpIds: readonly string[];
  readonly types: readonly string[];
  readonly allowCrossOrigin: boolean;
  readonly topOrigins: readonly string[];
  readonly requireUserVerification: boolean;
}

export interface ClientDataSteps {
  readonly type: string;
  readonly challenge: string;
  readonly origin: string;
  readonly crossOrigin: string;
  readonly topOrigin: string;
}

function stringList(value: unknown, name: string, allowEmpty = false): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new TypeError(`${name} must be a non-empty string or an array of non-empty strings`);
  }
  if (!allowEmpty && list.length === 0) throw new TypeError(`${name} must not be empty`);
  return list as readonly string[];
}

/** Validates the caller's options (misuse throws TypeError) and fills in defaults. */
export function normalizeCeremony(options: CeremonyOptions, defaultType: string): NormalizedCeremony {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { expectedChallenge } = options;
  if (typeof expectedChallenge === 'string') {
    if (!isBase64url(expectedChallenge)) throw new TypeError('expectedChallenge string must be base64url');
  } else if (!(expectedChallenge instanceof Uint8Array) && typeof expectedChallenge !== 'function') {
    throw new TypeError('expectedChallenge must be a Uint8Array, a base64url string or a function');
  }
  if (options.allowCrossOrigin !== undefined && typeof options.allowCrossOrigin !== 'boolean') {
    throw new TypeError('allowCrossOrigin must be a boolean');
  }
  if (options.requireUserVerification !== undefined && typeof options.requireUserVerification !== 'boolean') {
    throw new TypeError('requireUserVerification must be a boolean');
  }
  const topOrigins =
    options.expectedTopOrigin === undefined
      ? []
      : stringList(options.expectedTopOrigin, 'expectedTopOrigin', true);
  return {
    challenge: expectedChallenge,
    origins: stringList(options.expectedOrigin, 'expectedOrigin'),
    rpIds: stringList(options.expectedRpId, 'expectedRpId'),
    types:
      options.expectedType === undefined ? [defaultType] : stringList(options.expectedType, 'expectedType'),
    allowCrossOrigin: options.allowCrossOrigin === true || topOrigins.length > 0,
    topOrigins,
    requireUserVerification: options.requireUserVerification ?? false,
  };
}

function challengeMatches(expected: ExpectedChallenge, received: string): boolean {
  if (typeof expected === 'function') {
    const ok = expected(received);
    if (typeof ok !== 'boolean') throw new TypeError('expectedChallenge function must return a boolean');
    return ok;
  }
  let receivedBytes: Uint8Array;
  try {
    receivedBytes = decodeBase64url(received);
  } catch {
    return false;
  }
  const expectedBytes = typeof expected === 'string' ? decodeBase64url(expected) : expected;
  return timingSafeEqual(expectedBytes, receivedBytes);
}

/**
 * §7.1 steps 7–11 / §7.2 steps 10–14: type, challenge, origin, crossOrigin, topOrigin.
 * Returns the first failure, or undefined when all pass.
 */
export function checkClientData(
  c: CollectedClientData,
  expected: NormalizedCeremony,
  steps: ClientDataSteps,
): VerificationFailure | undefined {
  if (!expected.types.includes(c.type)) {
    return failure('ERR_TYPE_MISMATCH', steps.type, `unexpected clientData.type "${c.type.slice(0, 64)}"`);
  }
  if (!challengeMatches(expected.challenge, c.challenge)) {
    return failure(
      'ERR_CHALLENGE_MISMATCH',
      steps.challenge,
      'clientData.challenge does not match the expected challenge',
    );
  }
  if (!expected.origins.includes(c.origin)) {
    return failure(
      'ERR_ORIGIN_MISMATCH',
      steps.origin,
      `unexpected clientData.origin "${c.origin.slice(0, 200)}"`,
    );
  }
  // The RP must expect a cross-origin iframe before accepting one (clickjacking: §13.4.2).
  if (c.crossOrigin === true && !expected.allowCrossOrigin) {
    return failure('ERR_CROSS_ORIGIN_NOT_ALLOWED', steps.crossOrigin, 'cross-origin ceremony not allowed');
  }
  if (c.topOrigin !== undefined) {
    if (c.crossOrigin !== true) {
      return failure(
        'ERR_TOP_ORIGIN_MISMATCH',
        steps.topOrigin,
        'clientData.topOrigin present without crossOrigin',
      );
    }
    if (!expected.topOrigins.includes(c.topOrigin)) {
      return failure(
        'ERR_TOP_ORIGIN_MISMATCH',
        steps.topOrigin,
        `unexpected clientData.topOrigin "${c.topOrigin.slice(0, 200)}"`,
      );
    }
  }
  return undefined;
}

/**
 * Reads a required base64url string member of an untrusted JSON object; `spare` zero bytes
 * are appended to the decoded ones (see `decodeBase64urlWithSpare`).
 */
export function b64urlMember(
  obj: Record<string, unknown>,
  key: string,
  maxChars: number,
  spare = 0,
): Uint8Array | string {
  const v = obj[key];
  if (typeof v !== 'string') return `${key} must be a base64url string`;
  if (v.length > maxChars) return `${key} is too long`;
  try {
    return decodeBase64urlWithSpare(v, spare);
  } catch {
    return `${key} is not valid base64url`;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
