import { bytesEqual, utf8Encode } from '@factorkit/core';
import { timingSafeEqual } from '@factorkit/ct';
import { type AuthenticatorData, parseAuthenticatorData } from './authenticatorData.ts';
import { decodeBase64url, isBase64url } from './base64url.ts';
import type { CborMap } from './cbor.ts';
import {
  b64urlMember,
  type CeremonyOptions,
  checkClientData,
  isRecord,
  normalizeCeremony,
} from './ceremony.ts';
import { parseClientDataJSON } from './clientData.ts';
import { DEFAULT_SUPPORTED_ALGORITHMS, MAX_SIGNATURE_LENGTH } from './cose.ts';
import { defaultBackend } from './crypto/default.ts';
import type { CryptoBackend } from './crypto/types.ts';
import { asWebAuthnError, failure, type VerificationFailure, WebAuthnError } from './errors.ts';
import {
  type AuthenticationExtensionInputs,
  checkExtensionOutputs,
  type ExtensionResults,
} from './extensions.ts';
import { type CredentialKey, isCredentialKey, prepareCredentialKey } from './prepareCredentialKey.ts';

const MAX_AUTHENTICATOR_DATA_CHARS = 88_000;
const MAX_CLIENT_DATA_CHARS = 22_000;
// The longest signature of any accepted algorithm (ML-DSA-87, 4627 bytes) in base64url.
const MAX_SIGNATURE_CHARS = Math.ceil((MAX_SIGNATURE_LENGTH * 4) / 3);
const MAX_ID_CHARS = 1400;

/** The stored credential record the assertion is checked against (§4 "credential record"). */
export interface StoredCredential {
  /** Credential ID: raw bytes or base64url. */
  readonly id: Uint8Array | string;
  /** COSE_Key bytes as stored at registration, or a handle from `prepareCredentialKey`. */
  readonly publicKey: Uint8Array | CredentialKey;
  /** The stored signature counter. */
  readonly signCount: number;
  /** BE as recorded at registration; when given, a change is rejected (§7.2 step 19). */
  readonly backupEligible?: boolean;
  /** The user handle of the account that owns the credential: bytes or base64url. */
  readonly userHandle?: Uint8Array | string;
}

export interface VerifyAuthenticationOptions extends CeremonyOptions {
  readonly credential: StoredCredential;
  /**
   * Whether the user was identified before the ceremony (username, cookie: §7.2 step 6, first
   * case). Default `true`. Set `false` for a username-less ceremony (discoverable credential,
   * empty allowCredentials): then `response.userHandle` is required and must equal
   * `credential.userHandle`, which must be given — the handle is what identifies the account.
   */
  readonly userIdentified?: boolean;
  /** The allowCredentials list sent in the request (ids as bytes or base64url). Empty/absent: any. */
  readonly allowCredentials?: readonly (Uint8Array | string)[];
  /**
   * The FIDO AppID requested through the `appid` extension (U2F credentials). When the client
   * reports `appid: true`, rpIdHash must be SHA-256 of this value — never of the RP ID.
   */
  readonly appid?: string;
  /** COSE algorithms accepted for the stored key. Default: all but the opt-in ones. */
  readonly supportedAlgorithms?: readonly number[];
  /** Crypto backend. Default: node:crypto on Node, WebCrypto elsewhere. Ignored when `credential.publicKey` is a prepared handle. */
  readonly crypto?: CryptoBackend;
  /**
   * The `extensions` sent in the request options. When given, §7.2 step 23 checks every extension
   * output against them (unrequested authenticator outputs rejected, requested ones shape-checked,
   * unrequested client outputs dropped). When omitted, outputs are returned unchecked.
   */
  readonly extensions?: AuthenticationExtensionInputs;
  /** Authenticator extension identifiers tolerated when not requested. */
  readonly allowUnsolicitedExtensions?: readonly string[];
}

/** A verified assertion: what the server must update and may log. */
export interface AuthenticationVerified {
  readonly verified: true;
  readonly credentialId: Uint8Array;
  /** Store this as the credential's signCount (§7.2 step 24). */
  readonly newSignCount: number;
  readonly userPresent: boolean;
  readonly userVerified: boolean;
  readonly backupEligible: boolean;
  /** Store this as the credential's backup state. */
  readonly backupState: boolean;
  readonly origin: string;
  readonly topOrigin: string | undefined;
  /** The RP ID (or AppID, when `appidUsed`) whose hash matched. */
  readonly rpId: string;
  readonly appidUsed: boolean;
  readonly userHandle: Uint8Array | undefined;
  readonly authenticatorExtensionResults: CborMap | undefined;
  /** With `extensions`: only the requested outputs, PRF secrets removed. Otherwise as received. */
  readonly clientExtensionResults: Readonly<Record<string, unknown>>;
  /** The checked extension outputs (only when `extensions` was given). */
  readonly extensions: ExtensionResults | undefined;
}

export type AuthenticationResult = AuthenticationVerified | VerificationFailure;

// Step labels built once: the hot path names a step a dozen times per call.
const STEP_LABELS: readonly string[] = Array.from({ length: 25 }, (_, n) => `7.2 step ${n}`);
const S = (n: number): string => STEP_LABELS[n] ?? `7.2 step ${n}`;
const CLIENT_DATA_STEPS = {
  type: S(10),
  challenge: S(11),
  origin: S(12),
  crossOrigin: S(13),
  topOrigin: S(14),
} as const;

interface PendingSignature {
  readonly key: CredentialKey;
  readonly signature: Uint8Array;
  readonly signedData: Uint8Array;
  readonly success: AuthenticationVerified;
  readonly counterFailure: VerificationFailure | undefined;
  readonly extensionFailure: VerificationFailure | undefined;
}

/** Validates an id given as bytes or base64url (misuse: TypeError) without decoding it. */
function checkId(value: Uint8Array | string, name: string): void {
  if (value instanceof Uint8Array || isBase64url(value)) return;
  throw new TypeError(`${name} must be a Uint8Array or a base64url string`);
}

/**
 * `id` (bytes or validated base64url) equals the response's id (`text`, validated base64url,
 * decoded to `bytes`). Strict base64url gives every byte string exactly one encoding, so two
 * valid encodings are equal exactly when their bytes are: comparing the text is the same check
 * without decoding the stored id on every call.
 */
function sameId(id: Uint8Array | string, text: string, bytes: Uint8Array): boolean {
  return typeof id === 'string' ? id === text : bytesEqual(id, bytes);
}

// SHA-256 of each expected RP ID / AppID, per backend: a server checks the same one or two
// values on every login, so hashing them per call is wasted work. Bounded: cleared when full
// (the values come from the server's configuration, not from the response).
const RP_ID_HASH_CACHE_LIMIT = 256;
const rpIdHashCache = new WeakMap<CryptoBackend, Map<string, Uint8Array>>();

function rpIdHash(crypto: CryptoBackend, id: string): Uint8Array {
  let cache = rpIdHashCache.get(crypto);
  if (cache === undefined) {
    cache = new Map();
    rpIdHashCache.set(crypto, cache);
  }
  let h = cache.get(id);
  if (h === undefined) {
    if (cache.size >= RP_ID_HASH_CACHE_LIMIT) cache.clear();
    h = crypto.digest('SHA-256', utf8Encode(id));
    cache.set(id, h);
  }
  return h;
}

/**
 * Verifies an authentication ceremony response (`AuthenticationResponseJSON`) against a stored
 * credential, following WebAuthn Level 3 §7.2. Synchronous: needs a backend with `verifySync`
 * (the default Node backend). Use {@link verifyAuthenticationAsync} with the portable backend.
 */
export function verifyAuthentication(
  response: unknown,
  options: VerifyAuthenticationOptions,
): AuthenticationResult {
  const pending = prepareAssertion(response, options);
  if (pending.verified === false) return pending;
  const { key } = pending;
  const verifySync = key.crypto.verifySync;
  if (verifySync === undefined) {
    throw new TypeError(
      `the ${key.crypto.name} crypto backend is asynchronous: use verifyAuthenticationAsync`,
    );
  }
  return finish(pending, verifySync(key.imported, pending.signature, pending.signedData));
}

/** {@link verifyAuthentication} for any backend (WebCrypto-based ones are asynchronous). */
export async function verifyAuthenticationAsync(
  response: unknown,
  options: VerifyAuthenticationOptions,
): Promise<AuthenticationResult> {
  const pending = prepareAssertion(response, options);
  if (pending.verified === false) return pending;
  const { key } = pending;
  let valid: boolean;
  try {
    valid = await key.crypto.verify(key.imported, pending.signature, pending.signedData);
  } catch (e) {
    if (e instanceof WebAuthnError) return failure(e.code, S(21), e.message);
    throw e;
  }
  return finish(pending, valid);
}

function finish(pending: PendingSignature, valid: boolean): AuthenticationResult {
  // Step 21: the signature over authenticatorData ‖ SHA-256(clientDataJSON).
  if (!valid) return failure('ERR_INVALID_SIGNATURE', S(21), 'assertion signature is not valid');
  // Step 22: signature counter (checked after the signature so a forged counter reveals nothing).
  if (pending.counterFailure !== undefined) return pending.counterFailure;
  // Step 23: extension outputs (evaluated with the rest, reported after the signature).
  if (pending.extensionFailure !== undefined) return pending.extensionFailure;
  return pending.success;
}

// Steps 3–20 and 22–24 (everything but the signature check), shared by the sync and async APIs.
function prepareAssertion(
  response: unknown,
  options: VerifyAuthenticationOptions,
): (PendingSignature & { readonly verified?: undefined }) | VerificationFailure {
  const expected = normalizeCeremony(options, 'webauthn.get');
  const stored = options.credential;
  if (!isRecord(stored)) throw new TypeError('options.credential must be an object');
  checkId(stored.id, 'credential.id');
  if (!Number.isSafeInteger(stored.signCount) || stored.signCount < 0 || stored.signCount > 0xffffffff) {
    throw new TypeError('credential.signCount must be an integer in [0, 2^32 - 1]');
  }
  if (stored.backupEligible !== undefined && typeof stored.backupEligible !== 'boolean') {
    throw new TypeError('credential.backupEligible must be a boolean');
  }
  if (stored.userHandle !== undefined) checkId(stored.userHandle, 'credential.userHandle');
  const userIdentified = options.userIdentified ?? true;
  if (typeof userIdentified !== 'boolean') throw new TypeError('userIdentified must be a boolean');
  if (!userIdentified && stored.userHandle === undefined) {
    throw new TypeError('a username-less ceremony (userIdentified: false) needs credential.userHandle');
  }
  const allow = options.allowCredentials ?? [];
  if (!Array.isArray(allow)) throw new TypeError('allowCredentials must be an array');
  for (let i = 0; i < allow.length; i++) checkId(allow[i] as Uint8Array | string, `allowCredentials[${i}]`);
  if (options.appid !== undefined && (typeof options.appid !== 'string' || options.appid.length === 0)) {
    throw new TypeError('appid must be a non-empty string');
  }
  const supported = options.supportedAlgorithms ?? DEFAULT_SUPPORTED_ALGORITHMS;
  if (!Array.isArray(supported) || !supported.every(Number.isInteger)) {
    throw new TypeError('supportedAlgorithms must be an array of COSE algorithm identifiers');
  }
  const requestedExtensions = options.extensions;
  if (requestedExtensions !== undefined && !isRecord(requestedExtensions))
    throw new TypeError('extensions must be the extensions object sent in the request options');
  const tolerate = options.allowUnsolicitedExtensions ?? [];
  if (!Array.isArray(tolerate) || tolerate.some((t) => typeof t !== 'string'))
    throw new TypeError('allowUnsolicitedExtensions must be an array of extension identifiers');
  let key: CredentialKey;
  if (isCredentialKey(stored.publicKey)) {
    key = stored.publicKey;
  } else if (stored.publicKey instanceof Uint8Array) {
    // A stored key that cannot be used fails step 21 (the record may predate a policy change);
    // it is not caller misuse.
    try {
      key = prepareCredentialKey(stored.publicKey, { crypto: options.crypto ?? defaultBackend() });
    } catch (e) {
      if (e instanceof WebAuthnError)
        return failure(e.code, S(21), `stored credential public key: ${e.message}`);
      throw e;
    }
  } else {
    throw new TypeError('credential.publicKey must be COSE_Key bytes or a prepared CredentialKey');
  }
  const crypto = key.crypto;

  let step = S(3);
  try {
    // Step 3: response is a PublicKeyCredential whose response is an AuthenticatorAssertionResponse.
    if (!isRecord(response)) return failure('ERR_MALFORMED_RESPONSE', step, 'response must be an object');
    if (response['type'] !== 'public-key')
      return failure('ERR_MALFORMED_RESPONSE', step, 'type must be "public-key"');
    const rawId = b64urlMember(response, 'id', MAX_ID_CHARS);
    if (typeof rawId === 'string') return failure('ERR_MALFORMED_RESPONSE', step, rawId);
    if (response['rawId'] !== response['id'])
      return failure('ERR_MALFORMED_RESPONSE', step, 'id and rawId differ');
    const inner = response['response'];
    if (!isRecord(inner))
      return failure('ERR_MALFORMED_RESPONSE', step, 'response.response must be an object');
    const cData = b64urlMember(inner, 'clientDataJSON', MAX_CLIENT_DATA_CHARS);
    if (typeof cData === 'string') return failure('ERR_MALFORMED_RESPONSE', step, cData);
    // Decoded with 32 spare bytes: the signed data is authenticatorData ‖ SHA-256(clientDataJSON)
    // (step 21), built in place once the hash is known.
    const signedData = b64urlMember(inner, 'authenticatorData', MAX_AUTHENTICATOR_DATA_CHARS, 32);
    if (typeof signedData === 'string') return failure('ERR_MALFORMED_RESPONSE', step, signedData);
    const authData = signedData.subarray(0, signedData.length - 32);
    const sig = b64urlMember(inner, 'signature', MAX_SIGNATURE_CHARS);
    if (typeof sig === 'string') return failure('ERR_MALFORMED_RESPONSE', step, sig);
    let userHandle: Uint8Array | undefined;
    if (inner['userHandle'] !== undefined && inner['userHandle'] !== null && inner['userHandle'] !== '') {
      const uh = b64urlMember(inner, 'userHandle', 100);
      if (typeof uh === 'string') return failure('ERR_MALFORMED_RESPONSE', step, uh);
      userHandle = uh;
    }

    // Step 4: clientExtensionResults.
    step = S(4);
    const clientExtensionResults = response['clientExtensionResults'] ?? {};
    if (!isRecord(clientExtensionResults)) {
      return failure('ERR_EXTENSION_OUTPUT_INVALID', step, 'clientExtensionResults must be an object');
    }
    const appidReported = clientExtensionResults['appid'];
    if (appidReported !== undefined && typeof appidReported !== 'boolean') {
      return failure('ERR_EXTENSION_OUTPUT_INVALID', step, 'clientExtensionResults.appid must be a boolean');
    }

    // Step 5: the credential must be one of allowCredentials, when that list was sent.
    step = S(5);
    const idText = response['id'] as string;
    if (allow.length > 0 && !allow.some((a) => sameId(a, idText, rawId))) {
      return failure('ERR_CREDENTIAL_NOT_ALLOWED', step, 'credential is not in allowCredentials');
    }

    // Step 6: the credential record is the one for this rawId, and the userHandle (when
    // present) is its owner's (OWN-1). When the user was not identified before the ceremony,
    // the userHandle is what names the account: it is required (OWN-1).
    step = S(6);
    if (!sameId(stored.id, idText, rawId)) {
      return failure('ERR_CREDENTIAL_MISMATCH', step, 'response rawId is not the stored credential id');
    }
    if (!userIdentified && userHandle === undefined) {
      return failure(
        'ERR_USER_HANDLE_REQUIRED',
        step,
        'a username-less ceremony needs response.userHandle to identify the account',
      );
    }
    if (
      userHandle !== undefined &&
      stored.userHandle !== undefined &&
      !timingSafeEqual(
        userHandle,
        typeof stored.userHandle === 'string' ? decodeBase64url(stored.userHandle) : stored.userHandle,
      )
    ) {
      return failure('ERR_USER_HANDLE_MISMATCH', step, 'userHandle does not belong to the credential owner');
    }
    if (!supported.includes(key.alg)) {
      return failure(
        'ERR_ALGORITHM_NOT_ALLOWED',
        step,
        `credential algorithm ${key.cose.algorithm.name} not allowed`,
      );
    }

    // Step 7: authenticatorData (strict parse; an assertion carries no attested credential data).
    step = S(7);
    const ad: AuthenticatorData = parseAuthenticatorData(authData);
    if (ad.flags.at)
      return failure(
        'ERR_AUTHENTICATOR_DATA_INVALID',
        step,
        'assertion authenticatorData has the AT flag set',
      );

    // Steps 8–9: decode and parse clientDataJSON.
    step = S(8);
    const c = parseClientDataJSON(cData);

    // Steps 10–14: type, challenge, origin, crossOrigin, topOrigin.
    step = S(10);
    const cdFailure = checkClientData(c, expected, CLIENT_DATA_STEPS);
    if (cdFailure !== undefined) return cdFailure;

    // Step 15: rpIdHash. With the appid extension reported as used, the only acceptable hash
    // is SHA-256(appid): no fallback to the RP ID (§10.1.1).
    step = S(15);
    let rpId: string | undefined;
    const appidUsed = appidReported === true;
    if (appidUsed) {
      if (options.appid === undefined) {
        return failure(
          'ERR_EXTENSION_OUTPUT_INVALID',
          step,
          'client reported appid, which was not requested',
        );
      }
      if (bytesEqual(rpIdHash(crypto, options.appid), ad.rpIdHash)) rpId = options.appid;
    } else {
      for (const r of expected.rpIds) {
        if (bytesEqual(rpIdHash(crypto, r), ad.rpIdHash)) {
          rpId = r;
          break;
        }
      }
    }
    if (rpId === undefined)
      return failure('ERR_RP_ID_HASH_MISMATCH', step, 'rpIdHash does not match the expected RP ID');

    // Step 16: UP is always required for an assertion.
    step = S(16);
    if (!ad.flags.up) return failure('ERR_USER_PRESENCE_REQUIRED', step, 'user presence flag not set');

    // Step 17: UV when required.
    step = S(17);
    if (expected.requireUserVerification && !ad.flags.uv) {
      return failure(
        'ERR_USER_VERIFICATION_REQUIRED',
        step,
        'user verification required but UV flag not set',
      );
    }

    // Step 18: BS only with BE.
    step = S(18);
    if (ad.flags.bs && !ad.flags.be)
      return failure('ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY', step, 'BS flag set without BE');

    // Step 19: BE is fixed at creation; a change means a different authenticator or a bug.
    step = S(19);
    if (stored.backupEligible !== undefined && stored.backupEligible !== ad.flags.be) {
      return failure('ERR_BACKUP_ELIGIBILITY_CHANGED', step, 'BE flag differs from the stored credential');
    }

    // Step 20: hash of the exact clientDataJSON bytes.
    step = S(20);
    signedData.set(crypto.digest('SHA-256', cData), authData.length);

    // Step 22 (evaluated now, reported after step 21): if either counter is non-zero the new
    // one must be greater; otherwise the authenticator may be cloned.
    const counterFailure =
      (ad.signCount !== 0 || stored.signCount !== 0) && ad.signCount <= stored.signCount
        ? failure(
            'ERR_COUNTER_ROLLBACK',
            S(22),
            `signCount ${ad.signCount} is not greater than stored ${stored.signCount}`,
          )
        : undefined;

    // Step 23: extension outputs against the inputs sent.
    let extensions: ExtensionResults | undefined;
    let clientOutputs: Readonly<Record<string, unknown>> = clientExtensionResults;
    let extensionFailure: VerificationFailure | undefined;
    if (requestedExtensions !== undefined) {
      const checked = checkExtensionOutputs(
        'authentication',
        requestedExtensions,
        clientExtensionResults,
        ad.extensions,
        S(23),
        { tolerateUnsolicited: tolerate },
        idText,
      );
      if (checked.verified === false) {
        extensionFailure = checked;
      } else {
        extensions = checked.results;
        clientOutputs = checked.clientOutputs;
      }
    }

    // Step 24: the values to store.
    return {
      key,
      signature: sig,
      signedData,
      counterFailure,
      extensionFailure,
      success: {
        verified: true,
        credentialId: rawId,
        newSignCount: ad.signCount,
        userPresent: ad.flags.up,
        userVerified: ad.flags.uv,
        backupEligible: ad.flags.be,
        backupState: ad.flags.bs,
        origin: c.origin,
        topOrigin: c.topOrigin,
        rpId,
        appidUsed,
        userHandle,
        authenticatorExtensionResults: ad.extensions,
        clientExtensionResults: clientOutputs,
        extensions,
      },
    };
  } catch (e) {
    const known = asWebAuthnError(e);
    if (known !== undefined) return failure(known.code, step, known.message);
    // Every parser this function calls throws WebAuthnError (or core's CodecError, mapped above);
    // anything else is a bug here or a caller's misuse (e.g. a throwing challenge predicate) and
    // is never disguised as a verdict on the response.
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
    return failure('ERR_MALFORMED_RESPONSE', step, 'response could not be processed');
  }
}
