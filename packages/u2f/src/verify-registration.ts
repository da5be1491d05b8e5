import { concat, es256PublicKey, utf8Encode as utf8 } from '@factorkit/core';
import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import {
  chainsToAnchor,
  parseAttestationCertificate,
  parseTrustAnchors,
  type TrustAnchorInput,
  type U2fTransport,
} from './attestation.ts';
import { decodeWebsafeBase64, encodeWebsafeBase64 } from './base64.ts';
import { checkClientData, facetList, requireString, responseField } from './checks.ts';
import { type ClientData, TYP_FINISH_ENROLLMENT } from './client-data.ts';
import { failure, failureFromError, type U2fFailure } from './errors.ts';
import { verifyEs256 } from './p256.ts';
import { MAX_REGISTRATION_DATA_BYTES, parseRegistrationData } from './raw-messages.ts';

/** The U2F JS API `RegisterResponse` (1.0 had no `version`). */
export interface U2fRegisterResponse {
  readonly registrationData: string;
  readonly clientData: string;
  readonly version?: string;
}

export interface VerifyRegistrationOptions {
  readonly response: U2fRegisterResponse;
  /** The appId the registration was requested for; the signature covers SHA-256 of it. */
  readonly appId: string;
  /** The challenge issued for this registration, exactly as sent to the client. */
  readonly expectedChallenge: string;
  /** Accepted facetIds (`clientData.origin`), compared exactly. Decide them with the AppID functions. */
  readonly expectedFacetIds: string | readonly string[];
  /** Roots (PEM or DER) for attestation trust, e.g. the Yubico U2F root. Default: none. */
  readonly trustAnchors?: readonly TrustAnchorInput[];
  /** Fail with `ERR_ATTESTATION_NOT_TRUSTED` when the attestation does not chain to an anchor. Default `false`. */
  readonly requireTrustedAttestation?: boolean;
  /** Check certificate validity dates at this instant when evaluating trust. Default: dates not checked. */
  readonly now?: Date;
  /** Accept `+`/`/` in the base64 fields (see `decodeWebsafeBase64`). Default `false`. */
  readonly allowStandardBase64?: boolean;
  /**
   * Crypto backend (`@factorkit/core/crypto`): node:crypto on Node by default, WebCrypto elsewhere.
   * The façade passes the same one to every factor package.
   */
  readonly crypto?: CryptoBackend;
}

/** What to store for the new U2F registration (digest §2.4 step 6). */
export interface U2fRegistration {
  readonly appId: string;
  /** Websafe base64 of the key handle: the conventional identifier (Okta's `credentialId`). */
  readonly keyHandle: string;
  /** 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  /** Starts at 0; the first authentication must present a larger value or both zero (see verifyAuthentication). */
  readonly counter: 0;
  readonly transports?: readonly U2fTransport[];
  readonly attestationCertificate: Uint8Array;
}

export interface U2fAttestationResult {
  /** The attestation signature verified with the certificate's key. Always `true` on success. */
  readonly verified: true;
  /** The certificate chains to one of `trustAnchors` (reported separately from `verified`). */
  readonly trusted: boolean;
  readonly certificateSha256: string;
  readonly transports?: readonly U2fTransport[];
}

export interface VerifiedRegistration {
  readonly verified: true;
  readonly registration: U2fRegistration;
  readonly attestation: U2fAttestationResult;
  readonly clientData: ClientData;
}

export type VerifyRegistrationResult = VerifiedRegistration | U2fFailure;

/**
 * Verifies a U2F registration (digest §2.4; FIDO U2F Raw Message Formats §4.3). Steps, in order:
 * `version` is `U2F_V2` if present; clientData `typ` = `navigator.id.finishEnrollment`,
 * `challenge`, `origin`; registrationData framing; attestation certificate is EC P-256; the
 * attestation signature over `0x00 ‖ SHA-256(appId) ‖ SHA-256(clientData) ‖ keyHandle ‖
 * userPublicKey`; optional trust. Bad input never throws: it is a `{ verified: false, code }`.
 * Misuse (missing options) throws `TypeError`.
 */
export async function verifyRegistration(
  options: VerifyRegistrationOptions,
): Promise<VerifyRegistrationResult> {
  const appId = requireString(options.appId, 'appId');
  const expectedChallenge = requireString(options.expectedChallenge, 'expectedChallenge');
  const facets = facetList(options.expectedFacetIds, 'expectedFacetIds');
  const anchors = parseTrustAnchors(options.trustAnchors ?? []);
  const allowStandardAlphabet = options.allowStandardBase64 === true;
  const crypto = options.crypto ?? defaultBackend;
  try {
    const version = (options.response as { version?: unknown } | null)?.version;
    if (version !== undefined && version !== 'U2F_V2') {
      return failure('ERR_VERSION_UNSUPPORTED', 'response.version is not U2F_V2', 'response.version');
    }
    const encodedClientData = responseField(options.response, 'clientData');
    const encodedRegistrationData = responseField(options.response, 'registrationData');
    const clientData = checkClientData(
      encodedClientData,
      TYP_FINISH_ENROLLMENT,
      expectedChallenge,
      facets,
      allowStandardAlphabet,
    );
    const raw = decodeWebsafeBase64(encodedRegistrationData, {
      allowStandardAlphabet,
      maxLength: Math.ceil((MAX_REGISTRATION_DATA_BYTES * 4) / 3) + 3,
    });
    const message = parseRegistrationData(raw);
    const cert = parseAttestationCertificate(message.attestationCertificate, crypto);
    // Signed bytes (FIDO U2F Raw Message Formats §4.3): RFU 0x00 ‖ applicationParameter ‖
    // challengeParameter ‖ keyHandle ‖ userPublicKey.
    const signed = concat(
      new Uint8Array([0x00]),
      crypto.digest('SHA-256', utf8(appId)),
      crypto.digest('SHA-256', clientData.bytes),
      message.keyHandle,
      message.userPublicKey,
    );
    if (
      !(await verifyEs256(crypto, crypto.importKey(es256PublicKey(cert.point)), signed, message.signature))
    ) {
      return failure(
        'ERR_SIGNATURE_INVALID',
        'attestation signature does not verify',
        'registrationData.signature',
      );
    }
    const trusted = chainsToAnchor(cert, anchors, options.now);
    if (options.requireTrustedAttestation === true && !trusted) {
      return failure(
        'ERR_ATTESTATION_NOT_TRUSTED',
        'attestation does not chain to a trust anchor',
        'attestation.trust',
      );
    }
    const transports = cert.transports;
    const registration: U2fRegistration = {
      appId,
      keyHandle: encodeWebsafeBase64(message.keyHandle),
      publicKey: message.userPublicKey,
      counter: 0,
      ...(transports === undefined ? {} : { transports }),
      attestationCertificate: message.attestationCertificate,
    };
    const attestation: U2fAttestationResult = {
      verified: true,
      trusted,
      certificateSha256: cert.sha256,
      ...(transports === undefined ? {} : { transports }),
    };
    return { verified: true, registration, attestation, clientData };
  } catch (error) {
    return failureFromError(error);
  }
}
