import { concat, utf8Encode as utf8 } from '@factorkit/core';
import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { decodeWebsafeBase64, encodeWebsafeBase64 } from './base64.ts';
import { checkClientData, facetList, requireString, responseField } from './checks.ts';
import { type ClientData, TYP_GET_ASSERTION } from './client-data.ts';
import { failure, failureFromError, U2fError, type U2fFailure } from './errors.ts';
import { p256PublicKey, verifyEs256 } from './p256.ts';
import { MAX_SIGNATURE_DATA_BYTES, parseSignatureData } from './raw-messages.ts';

/** The U2F JS API `SignResponse`. */
export interface U2fSignResponse {
  readonly keyHandle: string;
  readonly clientData: string;
  readonly signatureData: string;
}

/** A stored U2F registration, as needed to verify an authentication. */
export interface U2fCredential {
  /** Websafe base64 key handle. */
  readonly keyHandle: string;
  /** 65-byte uncompressed P-256 point (bytes, or websafe base64). */
  readonly publicKey: Uint8Array | string;
  /** Last accepted counter (0 for a fresh registration). */
  readonly counter: number;
  /** The appId used when this key was registered, when it differs from the request's. */
  readonly appId?: string;
}

export interface VerifyAuthenticationOptions {
  readonly response: U2fSignResponse;
  /** The request's appId; the signature is checked over `credential.appId ?? appId`. */
  readonly appId: string;
  readonly expectedChallenge: string;
  /** Accepted facetIds (`clientData.origin`), compared exactly. */
  readonly expectedFacetIds: string | readonly string[];
  /** The registration the response's key handle belongs to (looked up for the ceremony's user). */
  readonly credential: U2fCredential;
  /**
   * Require the user-presence bit. Default `true`; only set `false` for a flow that asked the
   * token for dont-enforce-user-presence-and-sign (control byte 0x08) on purpose.
   */
  readonly requireUserPresence?: boolean;
  /**
   * Accept a counter that did not increase, flagging `counterRegressed: true` instead of failing.
   * Default `false`: a non-increasing counter is a possible cloned token and fails.
   */
  readonly allowCounterRegression?: boolean;
  /** Accept `+`/`/` in the base64 fields. Default `false`. */
  readonly allowStandardBase64?: boolean;
  /**
   * Crypto backend (`@factorkit/core/crypto`): node:crypto on Node by default, WebCrypto elsewhere.
   * The façade passes the same one to every factor package.
   */
  readonly crypto?: CryptoBackend;
}

export interface VerifiedAuthentication {
  readonly verified: true;
  readonly keyHandle: string;
  readonly userPresent: boolean;
  /** The counter the token sent: store it with a compare-and-set against the old value. */
  readonly counter: number;
  /** `true` only when `allowCounterRegression` let a non-increasing counter through. */
  readonly counterRegressed: boolean;
  readonly clientData: ClientData;
}

export type VerifyAuthenticationResult = VerifiedAuthentication | U2fFailure;

const MAX_COUNTER = 0xffffffff;

/**
 * Verifies a U2F authentication (digest §2.4; FIDO U2F Raw Message Formats §5.4). Steps:
 * the response key handle is the credential's; clientData `typ` = `navigator.id.getAssertion`,
 * `challenge`, `origin`; signatureData framing; user presence (bit 0); the signature over
 * `SHA-256(appId) ‖ userPresence ‖ counter ‖ SHA-256(clientData)` with the registered key;
 * then the counter rule of WebAuthn §6.1.1: when the stored or the received counter is
 * non-zero, the received one must be greater.
 */
export async function verifyAuthentication(
  options: VerifyAuthenticationOptions,
): Promise<VerifyAuthenticationResult> {
  const requestAppId = requireString(options.appId, 'appId');
  const expectedChallenge = requireString(options.expectedChallenge, 'expectedChallenge');
  const facets = facetList(options.expectedFacetIds, 'expectedFacetIds');
  const credential = options.credential;
  if (typeof credential !== 'object' || credential === null) throw new TypeError('credential is required');
  const storedKeyHandle = requireString(credential.keyHandle, 'credential.keyHandle');
  const appId =
    credential.appId === undefined ? requestAppId : requireString(credential.appId, 'credential.appId');
  const stored = credential.counter;
  if (!Number.isInteger(stored) || stored < 0 || stored > MAX_COUNTER) {
    throw new RangeError('credential.counter must be an integer in [0, 2^32 - 1]');
  }
  let publicKeyBytes: Uint8Array;
  try {
    publicKeyBytes =
      typeof credential.publicKey === 'string'
        ? decodeWebsafeBase64(credential.publicKey)
        : credential.publicKey;
    if (!(publicKeyBytes instanceof Uint8Array)) throw new TypeError('credential.publicKey must be bytes');
  } catch (error) {
    if (error instanceof U2fError) throw new TypeError('credential.publicKey is not websafe base64');
    throw error;
  }
  const crypto = options.crypto ?? defaultBackend;
  let key: ReturnType<typeof p256PublicKey>;
  try {
    key = p256PublicKey(publicKeyBytes, crypto);
  } catch {
    throw new TypeError('credential.publicKey is not a valid P-256 point');
  }
  const allowStandardAlphabet = options.allowStandardBase64 === true;
  try {
    const encodedKeyHandle = responseField(options.response, 'keyHandle');
    const encodedClientData = responseField(options.response, 'clientData');
    const encodedSignatureData = responseField(options.response, 'signatureData');
    // The response must be for the credential we looked up (a handle of another key, or of
    // another user's key, never verifies against this one).
    const keyHandle = decodeWebsafeBase64(encodedKeyHandle, { allowStandardAlphabet, maxLength: 512 });
    const expectedKeyHandle = decodeWebsafeBase64(storedKeyHandle, {
      allowStandardAlphabet: true,
      maxLength: 512,
    });
    if (!crypto.timingSafeEqual(keyHandle, expectedKeyHandle)) {
      return failure(
        'ERR_KEY_HANDLE_INVALID',
        'response keyHandle is not the credential key handle',
        'keyHandle',
      );
    }
    const clientData = checkClientData(
      encodedClientData,
      TYP_GET_ASSERTION,
      expectedChallenge,
      facets,
      allowStandardAlphabet,
    );
    const raw = decodeWebsafeBase64(encodedSignatureData, {
      allowStandardAlphabet,
      maxLength: Math.ceil((MAX_SIGNATURE_DATA_BYTES * 4) / 3) + 3,
    });
    const message = parseSignatureData(raw);
    const userPresent = (message.userPresence & 0x01) === 0x01;
    if (!userPresent && options.requireUserPresence !== false) {
      return failure(
        'ERR_USER_PRESENCE_REQUIRED',
        'user-presence bit is not set',
        'signatureData.userPresence',
      );
    }
    // Signed bytes (FIDO U2F Raw Message Formats §5.4): applicationParameter ‖ user presence ‖
    // counter ‖ challengeParameter. raw[0..5] is exactly the presence byte and counter as sent.
    const signed = concat(
      crypto.digest('SHA-256', utf8(appId)),
      raw.subarray(0, 5),
      crypto.digest('SHA-256', clientData.bytes),
    );
    if (!(await verifyEs256(crypto, key, signed, message.signature))) {
      return failure('ERR_SIGNATURE_INVALID', 'signature does not verify', 'signatureData.signature');
    }
    const counter = message.counter;
    const increased = counter > stored || (counter === 0 && stored === 0);
    if (!increased && options.allowCounterRegression !== true) {
      return failure(
        'ERR_COUNTER_NOT_INCREASED',
        'counter did not increase (possible cloned token)',
        'signatureData.counter',
      );
    }
    return {
      verified: true,
      keyHandle: encodeWebsafeBase64(keyHandle),
      userPresent,
      counter,
      counterRegressed: !increased,
      clientData,
    };
  } catch (error) {
    return failureFromError(error);
  }
}
