import { type CodecErrorKind, isCodecError } from '@factorkit/core';

/**
 * Every way a U2F response, message or configuration can be rejected. One closed union:
 * callers switch on `code`, never on message text.
 */
export type U2fErrorCode =
  /** Websafe base64: character outside the alphabet, misplaced `=`, bad length or non-zero trailing bits. */
  | 'ERR_BASE64_INVALID'
  /** A field of the response object is missing or not a string. */
  | 'ERR_RESPONSE_MALFORMED'
  /** `version` is present and is not `U2F_V2`. */
  | 'ERR_VERSION_UNSUPPORTED'
  /** clientData is not UTF-8 JSON within the limits, has duplicate keys, or a field has the wrong type. */
  | 'ERR_CLIENT_DATA_MALFORMED'
  /** clientData `typ` is not the value for this operation (U2F raw formats §2.2 of the digest). */
  | 'ERR_CLIENT_DATA_TYP'
  /** clientData `challenge` differs from the issued challenge. */
  | 'ERR_CHALLENGE_MISMATCH'
  /** clientData `origin` (the facetId) is not one of the accepted facets. */
  | 'ERR_ORIGIN_MISMATCH'
  /** A raw message ends before a field it declares (registrationData or signatureData). */
  | 'ERR_MESSAGE_TRUNCATED'
  /** Bytes remain after the last field of a raw message. */
  | 'ERR_TRAILING_BYTES'
  /** A raw message or encoded field is larger than its documented limit. */
  | 'ERR_MESSAGE_TOO_LARGE'
  /** Registration response reserved byte is not 0x05. */
  | 'ERR_RESERVED_BYTE'
  /** User public key is not a 65-byte uncompressed P-256 point on the curve. */
  | 'ERR_PUBLIC_KEY_INVALID'
  /** Key handle has length 0, or differs from the one expected. */
  | 'ERR_KEY_HANDLE_INVALID'
  /** Attestation certificate is not well-formed DER X.509. */
  | 'ERR_CERTIFICATE_MALFORMED'
  /** Attestation certificate key is not an EC P-256 key. */
  | 'ERR_CERTIFICATE_KEY_UNSUPPORTED'
  /** Signature is not a strict DER ECDSA-Sig-Value. */
  | 'ERR_SIGNATURE_MALFORMED'
  /** Signature does not verify over the signed bytes. */
  | 'ERR_SIGNATURE_INVALID'
  /** User-presence bit is 0 and the caller requires presence. */
  | 'ERR_USER_PRESENCE_REQUIRED'
  /** Counter is not greater than the stored counter (possible cloned token). */
  | 'ERR_COUNTER_NOT_INCREASED'
  /** Attestation does not chain to a configured anchor and the caller requires trust. */
  | 'ERR_ATTESTATION_NOT_TRUSTED'
  /** No pending challenge matches (never issued, already used, or purged). */
  | 'ERR_CHALLENGE_UNKNOWN'
  /** The pending challenge expired (the U2F JS API's TIMEOUT). */
  | 'ERR_CHALLENGE_EXPIRED'
  /** The pending challenge was issued for another user, ceremony or key handle. */
  | 'ERR_CHALLENGE_CONTEXT_MISMATCH'
  /** AppID is not a valid AppID string (FIDO AppID & Facet spec §3). */
  | 'ERR_APPID_INVALID'
  /** FacetID is malformed or not authorized for the AppID. */
  | 'ERR_FACET_NOT_AUTHORIZED'
  /** Trusted facets document is malformed, too large or has no entry for the version. */
  | 'ERR_TRUSTED_FACETS_INVALID'
  /** Trusted facets document could not be fetched under the spec's rules. */
  | 'ERR_TRUSTED_FACETS_FETCH';

/** Every code, for exhaustiveness checks and documentation. */
export const U2F_ERROR_CODES: readonly U2fErrorCode[] = [
  'ERR_BASE64_INVALID',
  'ERR_RESPONSE_MALFORMED',
  'ERR_VERSION_UNSUPPORTED',
  'ERR_CLIENT_DATA_MALFORMED',
  'ERR_CLIENT_DATA_TYP',
  'ERR_CHALLENGE_MISMATCH',
  'ERR_ORIGIN_MISMATCH',
  'ERR_MESSAGE_TRUNCATED',
  'ERR_TRAILING_BYTES',
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_RESERVED_BYTE',
  'ERR_PUBLIC_KEY_INVALID',
  'ERR_KEY_HANDLE_INVALID',
  'ERR_CERTIFICATE_MALFORMED',
  'ERR_CERTIFICATE_KEY_UNSUPPORTED',
  'ERR_SIGNATURE_MALFORMED',
  'ERR_SIGNATURE_INVALID',
  'ERR_USER_PRESENCE_REQUIRED',
  'ERR_COUNTER_NOT_INCREASED',
  'ERR_ATTESTATION_NOT_TRUSTED',
  'ERR_CHALLENGE_UNKNOWN',
  'ERR_CHALLENGE_EXPIRED',
  'ERR_CHALLENGE_CONTEXT_MISMATCH',
  'ERR_APPID_INVALID',
  'ERR_FACET_NOT_AUTHORIZED',
  'ERR_TRUSTED_FACETS_INVALID',
  'ERR_TRUSTED_FACETS_FETCH',
];

/**
 * Thrown only by the standalone parsers (`decodeWebsafeBase64`, `parseRegistrationData`, …).
 * Verification functions never throw for bad input; they return `{ verified: false, code }`.
 * Messages never contain the rejected input.
 */
export class U2fError extends Error {
  readonly code: U2fErrorCode;
  /** The verification step that failed, named after the spec (e.g. `registrationData.reservedByte`). */
  readonly step: string | undefined;

  constructor(code: U2fErrorCode, message: string, step?: string) {
    super(message);
    this.name = 'U2fError';
    this.code = code;
    this.step = step;
  }
}

/** A rejected verification. */
export interface U2fFailure {
  readonly verified: false;
  readonly code: U2fErrorCode;
  readonly step?: string;
  readonly message: string;
}

export function failure(code: U2fErrorCode, message: string, step?: string): U2fFailure {
  return step === undefined ? { verified: false, code, message } : { verified: false, code, step, message };
}

/** Converts a parser's `U2fError` into a failure result; anything else is a bug and is rethrown. */
export function failureFromError(error: unknown): U2fFailure {
  if (error instanceof U2fError) return failure(error.code, error.message, error.step);
  throw error;
}

/**
 * This package's edge for `@factorkit/core` codec errors: a `U2fError` passes through (its step
 * set when missing), a `CodecError` becomes a `U2fError` — framing kinds keep their own codes
 * (`truncated` → `ERR_MESSAGE_TRUNCATED`, `too-large` → `ERR_MESSAGE_TOO_LARGE`), every other
 * kind gets `code`, the one the caller's field reports. Anything else is returned unchanged.
 */
export function u2fErrorFrom(error: unknown, code: U2fErrorCode, step?: string): unknown {
  if (error instanceof U2fError) {
    return step === undefined || error.step !== undefined
      ? error
      : new U2fError(error.code, error.message, step);
  }
  if (!isCodecError(error)) return error;
  const framing: Partial<Record<CodecErrorKind, U2fErrorCode>> = {
    truncated: 'ERR_MESSAGE_TRUNCATED',
    'too-large': 'ERR_MESSAGE_TOO_LARGE',
  };
  return new U2fError(framing[error.kind] ?? code, error.message, step);
}
