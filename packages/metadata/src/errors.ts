/**
 * Every way metadata, revocation or policy can reject, as one closed union of stable codes.
 * Callers branch on `code`, never on `message`.
 */
export type MetadataErrorCode =
  // The BLOB as a JWS (RFC 7515 compact serialization, MDS3 §3.2).
  | 'ERR_MDS_BLOB_MALFORMED'
  | 'ERR_MDS_BLOB_TOO_LARGE'
  | 'ERR_MDS_UNSUPPORTED_ALGORITHM'
  | 'ERR_MDS_X5U_UNSUPPORTED'
  | 'ERR_MDS_SIGNATURE_INVALID'
  // The BLOB signing chain.
  | 'ERR_MDS_CERTIFICATE_INVALID'
  | 'ERR_MDS_CERTIFICATE_EXPIRED'
  | 'ERR_MDS_CERTIFICATE_NOT_YET_VALID'
  | 'ERR_MDS_CHAIN_UNTRUSTED'
  // Revocation (RFC 5280 CRLs), MDS chain and attestation chains.
  | 'ERR_CERTIFICATE_REVOKED'
  | 'ERR_REVOCATION_UNAVAILABLE'
  | 'ERR_CRL_INVALID'
  // The payload (MDS3 §3.1.6 MetadataBLOBPayload).
  | 'ERR_MDS_PAYLOAD_INVALID'
  | 'ERR_MDS_PAYLOAD_TOO_DEEP'
  | 'ERR_MDS_SERIAL_REGRESSION'
  | 'ERR_MDS_FETCH_FAILED'
  // Trust from metadata and policy (registration assessment).
  | 'ERR_METADATA_ENTRY_NOT_FOUND'
  | 'ERR_METADATA_AAGUID_UNATTESTED'
  | 'ERR_METADATA_ATTESTATION_UNTRUSTED'
  | 'ERR_METADATA_ATTESTATION_TYPE_MISMATCH'
  | 'ERR_METADATA_ALGORITHM_MISMATCH'
  | 'ERR_METADATA_KEY_PROTECTION_MISMATCH'
  | 'ERR_AUTHENTICATOR_STATUS_DENIED'
  | 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW'
  | 'ERR_AUTHENTICATOR_NOT_ALLOWED'
  | 'ERR_AUTHENTICATOR_DENIED'
  | 'ERR_AUTHENTICATOR_NOT_HARDWARE_BOUND'
  | 'ERR_AUTHENTICATOR_UV_REQUIRED';

/** Thrown only by standalone parsers used directly; verification functions return results. */
export class MetadataError extends Error {
  readonly code: MetadataErrorCode;
  override readonly name = 'MetadataError';

  constructor(code: MetadataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isMetadataError(value: unknown): value is MetadataError {
  return value instanceof MetadataError;
}
