import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { timingSafeEqual } from '@factorkit/ct';
import { type FacetOptions, isFacetIdAuthorized } from './appid.ts';
import type { TrustAnchorInput, U2fTransport } from './attestation.ts';
import { decodeWebsafeBase64, encodeWebsafeBase64 } from './base64.ts';
import type { U2fChallengeRecord, U2fChallengeStore } from './challenge-store.ts';
import { requireString, responseField } from './checks.ts';
import { parseClientData } from './client-data.ts';
import { failure, failureFromError, U2fError, type U2fFailure } from './errors.ts';
import {
  type U2fCredential,
  type U2fSignResponse,
  type VerifyAuthenticationResult,
  verifyAuthentication,
} from './verify-authentication.ts';
import {
  type U2fRegisterResponse,
  type VerifyRegistrationResult,
  verifyRegistration,
} from './verify-registration.ts';

/** Default challenge lifetime: 5 minutes (long enough for a user to find a token, short enough to limit replay). */
export const DEFAULT_CHALLENGE_TIMEOUT_SECONDS = 300;
/** Random bytes per challenge (≥ 16 required by WebAuthn-era guidance; 32 as U2F servers use). */
const CHALLENGE_BYTES = 32;

/** JS API 1.1 `RegisteredKey`. */
export interface U2fRegisteredKey {
  readonly version: 'U2F_V2';
  readonly keyHandle: string;
  readonly transports?: readonly U2fTransport[];
  /** Present when the key was registered under another AppID than the request's. */
  readonly appId?: string;
}

/** What the server sends for `u2f.register(appId, registerRequests, registeredKeys, cb, timeoutSeconds)`. */
export interface U2fRegisterRequest {
  readonly appId: string;
  readonly registerRequests: readonly [{ readonly version: 'U2F_V2'; readonly challenge: string }];
  readonly registeredKeys: readonly U2fRegisteredKey[];
  readonly timeoutSeconds: number;
}

/** What the server sends for `u2f.sign(appId, challenge, registeredKeys, cb, timeoutSeconds)`. */
export interface U2fSignRequest {
  readonly appId: string;
  readonly challenge: string;
  readonly registeredKeys: readonly U2fRegisteredKey[];
  readonly timeoutSeconds: number;
}

/** A key the user already has: for `registeredKeys`. */
export interface U2fKeyDescriptor {
  readonly keyHandle: string;
  readonly transports?: readonly U2fTransport[];
  readonly appId?: string;
}

export interface CreateRequestOptions extends FacetOptions {
  readonly store: U2fChallengeStore;
  readonly appId: string;
  /** The facetId (web origin or app facet) of the page/app starting the ceremony. */
  readonly facetId: string;
  readonly userId: string;
  /** Lifetime of the challenge. Default {@link DEFAULT_CHALLENGE_TIMEOUT_SECONDS}. */
  readonly timeoutSeconds?: number;
  /** Issue time. Default: the current time. */
  readonly now?: Date;
  /** Crypto backend for the challenge's random bytes. Default: the runtime's (`@factorkit/core/crypto/default`). */
  readonly crypto?: CryptoBackend;
}

export interface CreateRegisterRequestOptions extends CreateRequestOptions {
  /** Keys already registered for the user (excluded: the token answers DEVICE_INELIGIBLE). */
  readonly registeredKeys?: readonly U2fKeyDescriptor[];
}

export interface CreateSignRequestOptions extends CreateRequestOptions {
  /** The user's keys; the response must come from one of them. Non-empty. */
  readonly registeredKeys: readonly U2fKeyDescriptor[];
}

function nowMs(now: Date | undefined): number {
  if (now === undefined) return Date.now();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  return now.getTime();
}

function describeKeys(keys: readonly U2fKeyDescriptor[] | undefined, appId: string): U2fRegisteredKey[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new TypeError('registeredKeys must be an array');
  return keys.map((k, i) => {
    let keyHandle: string;
    try {
      // Canonical (unpadded websafe) form, so later comparisons are exact.
      keyHandle = encodeWebsafeBase64(
        decodeWebsafeBase64(requireString(k?.keyHandle, `registeredKeys[${i}].keyHandle`), {
          allowStandardAlphabet: true,
          maxLength: 512,
        }),
      );
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw new TypeError(`registeredKeys[${i}].keyHandle is not websafe base64`);
    }
    return {
      version: 'U2F_V2' as const,
      keyHandle,
      ...(k.transports === undefined ? {} : { transports: [...k.transports] }),
      ...(k.appId === undefined || k.appId === appId ? {} : { appId: k.appId }),
    };
  });
}

async function issue(
  options: CreateRequestOptions,
  ceremony: 'register' | 'sign',
  keys: U2fRegisteredKey[],
): Promise<{ challenge: string; timeoutSeconds: number }> {
  if (typeof options?.store?.save !== 'function' || typeof options.store.consume !== 'function') {
    throw new TypeError('store must implement U2fChallengeStore');
  }
  const appId = requireString(options.appId, 'appId');
  const facetId = requireString(options.facetId, 'facetId');
  const userId = requireString(options.userId, 'userId');
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_CHALLENGE_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
    throw new RangeError('timeoutSeconds must be an integer in [1, 3600]');
  }
  // Origin binding starts here: refuse to issue a challenge to a facet the AppID does not authorize.
  const decision = isFacetIdAuthorized(appId, facetId, options);
  if (!decision.authorized) throw new U2fError(decision.code, decision.message, 'facetId');
  const challenge = encodeWebsafeBase64((options.crypto ?? defaultBackend).randomBytes(CHALLENGE_BYTES));
  const record: U2fChallengeRecord = {
    challenge,
    ceremony,
    appId,
    facetId,
    userId,
    keyHandles: keys.map((k) => k.keyHandle),
    expiresAt: nowMs(options.now) + timeoutSeconds * 1000,
  };
  await options.store.save(record);
  return { challenge, timeoutSeconds };
}

/**
 * Issues a registration challenge bound to `{appId, facetId, userId, registeredKeys}` and
 * returns the JS API request. Throws `U2fError` (`ERR_FACET_NOT_AUTHORIZED`/`ERR_APPID_INVALID`)
 * when the facet may not use the AppID, `TypeError`/`RangeError` on misuse.
 */
export async function createRegisterRequest(
  options: CreateRegisterRequestOptions,
): Promise<U2fRegisterRequest> {
  const keys = describeKeys(options.registeredKeys, options.appId);
  const { challenge, timeoutSeconds } = await issue(options, 'register', keys);
  return {
    appId: options.appId,
    registerRequests: [{ version: 'U2F_V2', challenge }],
    registeredKeys: keys,
    timeoutSeconds,
  };
}

/** Issues an authentication challenge for the user's keys; see {@link createRegisterRequest}. */
export async function createSignRequest(options: CreateSignRequestOptions): Promise<U2fSignRequest> {
  const keys = describeKeys(options.registeredKeys, options.appId);
  if (keys.length === 0) throw new TypeError('registeredKeys must not be empty for a sign request');
  const { challenge, timeoutSeconds } = await issue(options, 'sign', keys);
  return { appId: options.appId, challenge, registeredKeys: keys, timeoutSeconds };
}

interface FinishCommon {
  readonly store: U2fChallengeStore;
  /** The account completing the ceremony (from the server session, never from the client). */
  readonly userId: string;
  /** Completion time. Default: the current time. */
  readonly now?: Date;
  readonly allowStandardBase64?: boolean;
  /** Crypto backend for the verification. Default: the runtime's (`@factorkit/core/crypto/default`). */
  readonly crypto?: CryptoBackend;
}

/**
 * Takes the pending challenge named in `clientData` out of the store (consumed whatever the
 * outcome) and checks it belongs to this ceremony, user, and has not expired.
 */
async function takeChallenge(
  options: FinishCommon,
  response: unknown,
  ceremony: 'register' | 'sign',
): Promise<U2fChallengeRecord | U2fFailure> {
  if (typeof options?.store?.consume !== 'function')
    throw new TypeError('store must implement U2fChallengeStore');
  const userId = requireString(options.userId, 'userId');
  const now = nowMs(options.now);
  try {
    const clientData = parseClientData(responseField(response, 'clientData'), {
      allowStandardAlphabet: options.allowStandardBase64 === true,
    });
    const record = await options.store.consume(clientData.challenge);
    if (record === undefined) {
      return failure(
        'ERR_CHALLENGE_UNKNOWN',
        'no pending challenge matches (unknown or already used)',
        'challenge',
      );
    }
    if (record.ceremony !== ceremony || record.userId !== userId) {
      return failure(
        'ERR_CHALLENGE_CONTEXT_MISMATCH',
        'challenge was issued for another ceremony or user',
        'challenge',
      );
    }
    if (now >= record.expiresAt)
      return failure('ERR_CHALLENGE_EXPIRED', 'challenge expired (TIMEOUT)', 'challenge');
    return record;
  } catch (error) {
    return failureFromError(error);
  }
}

export interface FinishRegistrationOptions extends FinishCommon {
  readonly response: U2fRegisterResponse;
  readonly trustAnchors?: readonly TrustAnchorInput[];
  readonly requireTrustedAttestation?: boolean;
  /** Evaluate attestation certificate validity at `now` too. Default `false`. */
  readonly checkCertificateDates?: boolean;
}

/**
 * Completes a registration started with {@link createRegisterRequest}: consumes the challenge,
 * then {@link verifyRegistration} with the bound appId and facetId, and refuses a key handle
 * that was already registered.
 */
export async function finishRegistration(
  options: FinishRegistrationOptions,
): Promise<VerifyRegistrationResult> {
  const record = await takeChallenge(options, options.response, 'register');
  if ('verified' in record) return record;
  const result = await verifyRegistration({
    response: options.response,
    appId: record.appId,
    expectedChallenge: record.challenge,
    expectedFacetIds: [record.facetId],
    ...(options.trustAnchors === undefined ? {} : { trustAnchors: options.trustAnchors }),
    ...(options.requireTrustedAttestation === undefined
      ? {}
      : { requireTrustedAttestation: options.requireTrustedAttestation }),
    ...(options.checkCertificateDates === true ? { now: options.now ?? new Date() } : {}),
    ...(options.allowStandardBase64 === undefined
      ? {}
      : { allowStandardBase64: options.allowStandardBase64 }),
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });
  if (result.verified && record.keyHandles.includes(result.registration.keyHandle)) {
    return failure(
      'ERR_KEY_HANDLE_INVALID',
      'key handle is already registered',
      'registrationData.keyHandle',
    );
  }
  return result;
}

export interface FinishSignOptions extends FinishCommon {
  readonly response: U2fSignResponse;
  /** The user's registrations; the one matching the response's key handle is used. */
  readonly credentials: readonly U2fCredential[];
  readonly requireUserPresence?: boolean;
  readonly allowCounterRegression?: boolean;
}

/**
 * Completes an authentication started with {@link createSignRequest}: consumes the challenge,
 * requires the response's key handle to be one the request named and one of the user's
 * credentials, then {@link verifyAuthentication}. On success, store `result.counter` for that
 * key handle with a compare-and-set against the counter you passed in.
 */
export async function finishSign(options: FinishSignOptions): Promise<VerifyAuthenticationResult> {
  if (!Array.isArray(options?.credentials)) throw new TypeError('credentials must be an array');
  const record = await takeChallenge(options, options.response, 'sign');
  if ('verified' in record) return record;
  try {
    const encoded = responseField(options.response, 'keyHandle');
    const keyHandle = decodeWebsafeBase64(encoded, {
      allowStandardAlphabet: options.allowStandardBase64 === true,
      maxLength: 512,
    });
    const same = (candidate: string): boolean => {
      try {
        return timingSafeEqual(
          decodeWebsafeBase64(candidate, { allowStandardAlphabet: true, maxLength: 512 }),
          keyHandle,
        );
      } catch {
        return false;
      }
    };
    if (!record.keyHandles.some(same)) {
      return failure('ERR_KEY_HANDLE_INVALID', 'key handle was not part of this sign request', 'keyHandle');
    }
    const credential = options.credentials.find((c) => same(c.keyHandle));
    if (credential === undefined) {
      return failure('ERR_KEY_HANDLE_INVALID', 'key handle is not one of the user credentials', 'keyHandle');
    }
    return await verifyAuthentication({
      response: options.response,
      appId: record.appId,
      expectedChallenge: record.challenge,
      expectedFacetIds: [record.facetId],
      credential,
      ...(options.requireUserPresence === undefined
        ? {}
        : { requireUserPresence: options.requireUserPresence }),
      ...(options.allowCounterRegression === undefined
        ? {}
        : { allowCounterRegression: options.allowCounterRegression }),
      ...(options.allowStandardBase64 === undefined
        ? {}
        : { allowStandardBase64: options.allowStandardBase64 }),
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    });
  } catch (error) {
    return failureFromError(error);
  }
}
