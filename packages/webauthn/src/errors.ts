import { type CodecErrorKind, isCodecError } from '@factorkit/core';
import { type CryptoErrorKind, isCryptoError } from '@factorkit/core/crypto';

/**
 * Every way a response can be rejected, as one closed union of stable codes. Tests and callers
 * branch on `code`, never on `message` (messages are for humans and may change).
 */
export type WebAuthnErrorCode =
  // Encodings and structure of what the client sent.
  | 'ERR_MALFORMED_RESPONSE'
  | 'ERR_INVALID_BASE64URL'
  | 'ERR_INVALID_CBOR'
  | 'ERR_INVALID_DER'
  | 'ERR_CLIENT_DATA_INVALID'
  | 'ERR_AUTHENTICATOR_DATA_INVALID'
  | 'ERR_ATTESTATION_OBJECT_INVALID'
  | 'ERR_CREDENTIAL_ID_TOO_LONG'
  | 'ERR_CREDENTIAL_ID_MISMATCH'
  // clientDataJSON checks.
  | 'ERR_TYPE_MISMATCH'
  | 'ERR_CHALLENGE_MISMATCH'
  | 'ERR_ORIGIN_MISMATCH'
  | 'ERR_CROSS_ORIGIN_NOT_ALLOWED'
  | 'ERR_TOP_ORIGIN_MISMATCH'
  // authenticatorData checks.
  | 'ERR_RP_ID_HASH_MISMATCH'
  | 'ERR_USER_PRESENCE_REQUIRED'
  | 'ERR_USER_VERIFICATION_REQUIRED'
  | 'ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY'
  | 'ERR_BACKUP_ELIGIBILITY_CHANGED'
  // Keys, algorithms and signatures.
  | 'ERR_INVALID_PUBLIC_KEY'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  | 'ERR_INVALID_SIGNATURE'
  // Attestation.
  | 'ERR_UNSUPPORTED_ATTESTATION_FORMAT'
  | 'ERR_ATTESTATION_INVALID'
  | 'ERR_ATTESTATION_CERTIFICATE_INVALID'
  | 'ERR_CERTIFICATE_EXTENSION_MALFORMED'
  | 'ERR_ATTESTATION_AAGUID_MISMATCH'
  /** The attested key (pubArea, leaf certificate) is not the credential public key. */
  | 'ERR_ATTESTATION_KEY_MISMATCH'
  /** The statement is not bound to this ceremony (extraData, attestationChallenge, nonce). */
  | 'ERR_ATTESTATION_CHALLENGE_MISMATCH'
  /** A certificate of the chain is listed in an injected revocation status list. */
  | 'ERR_ATTESTATION_CERTIFICATE_REVOKED'
  /** android-safetynet: timestampMs outside the accepted window of `now`. */
  | 'ERR_ATTESTATION_EXPIRED'
  /** android-safetynet: the device failed the integrity verdict the RP requires (ctsProfileMatch). */
  | 'ERR_ATTESTATION_DEVICE_INTEGRITY'
  | 'ERR_FIDO_U2F_AAGUID_NOT_ZERO'
  | 'ERR_FIDO_U2F_FLAGS_INVALID'
  | 'ERR_ATTESTATION_NOT_TRUSTED'
  | 'ERR_ATTESTATION_FORMAT_NOT_REQUESTED'
  // X.509 revocation (RFC 5280 CRLs).
  | 'ERR_CRL_INVALID'
  // Authentication-only.
  | 'ERR_CREDENTIAL_NOT_ALLOWED'
  | 'ERR_CREDENTIAL_MISMATCH'
  | 'ERR_USER_HANDLE_MISMATCH'
  | 'ERR_USER_HANDLE_REQUIRED'
  | 'ERR_COUNTER_ROLLBACK'
  | 'ERR_EXTENSION_OUTPUT_INVALID'
  // Extension outputs against the requested inputs (§7.1 step 28, §7.2 step 23).
  | 'ERR_EXTENSION_NOT_REQUESTED'
  | 'ERR_EXTENSION_POLICY_NOT_MET';

/**
 * Thrown by the standalone parsers (CBOR, DER, authenticatorData, COSE) when their input is bad.
 * The ceremony functions catch it and turn it into a `{ verified: false }` result; it never
 * carries secret material in its message.
 */
export class WebAuthnError extends Error {
  readonly code: WebAuthnErrorCode;
  override readonly name = 'WebAuthnError';

  constructor(code: WebAuthnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isWebAuthnError(value: unknown): value is WebAuthnError {
  return value instanceof WebAuthnError;
}

// How a @factorkit/core codec refusal reads in this package's vocabulary.
const CODEC_CODES: Readonly<Record<CodecErrorKind, WebAuthnErrorCode>> = {
  base64: 'ERR_INVALID_BASE64URL',
  der: 'ERR_INVALID_DER',
  truncated: 'ERR_INVALID_DER',
  json: 'ERR_MALFORMED_RESPONSE',
  utf8: 'ERR_MALFORMED_RESPONSE',
  hex: 'ERR_MALFORMED_RESPONSE',
  'too-large': 'ERR_MALFORMED_RESPONSE',
};

const CRYPTO_CODES: Readonly<Record<CryptoErrorKind, WebAuthnErrorCode>> = {
  'invalid-key': 'ERR_INVALID_PUBLIC_KEY',
  unsupported: 'ERR_UNSUPPORTED_ALGORITHM',
};

/**
 * This package's edge for base-layer errors: a `WebAuthnError` as it is, a core `CodecError` or
 * `CryptoError` mapped to its code (the cause kept), anything else `undefined` (not ours to classify).
 */
export function asWebAuthnError(value: unknown): WebAuthnError | undefined {
  if (value instanceof WebAuthnError) return value;
  if (isCodecError(value)) return new WebAuthnError(CODEC_CODES[value.kind], value.message, { cause: value });
  if (isCryptoError(value))
    return new WebAuthnError(CRYPTO_CODES[value.kind], value.message, { cause: value });
  return undefined;
}

/** Runs a base-layer parser, rethrowing its `CodecError` as this package's `WebAuthnError`. */
export function atEdge<A extends readonly unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (e) {
      throw asWebAuthnError(e) ?? e;
    }
  };
}

/** A rejected ceremony: what failed, at which spec step, and why. */
export interface VerificationFailure {
  readonly verified: false;
  readonly code: WebAuthnErrorCode;
  /** The WebAuthn Level 3 step that rejected the response, e.g. `"7.2 step 15"`. */
  readonly step: string;
  readonly message: string;
}

export function failure(code: WebAuthnErrorCode, step: string, message: string): VerificationFailure {
  return { verified: false, code, step, message };
}
