/**
 * Every outcome code of @factorkit/otp, as one closed union.
 *
 * Verification outcomes (`ERR_OTP_*` rejections, `ERR_VIP_CREDENTIAL_ID_INVALID`) come back as
 * results (`{ verified: false, code, message }`); the rest are thrown as {@link OtpError} by parsers
 * and configuration helpers (secrets, otpauth URIs, Okta profiles, QR rendering, stores).
 */
export type OtpErrorCode =
  // Verification results.
  /** The submitted code is not `digits` ASCII decimal digits. */
  | 'ERR_OTP_CODE_MALFORMED'
  /** No counter/step in the window produced the code. */
  | 'ERR_OTP_INVALID'
  /** The code matches a counter/step at or below the last accepted one (RFC 6238 §5.2, NIST 800-63B). */
  | 'ERR_OTP_REPLAYED'
  /** Two or three codes were not consecutive outputs anywhere in the search window (RFC 4226 §7.4). */
  | 'ERR_OTP_SEQUENCE_INVALID'
  /** Too many failed attempts under the attempt policy; see `retryAfterSeconds`. */
  | 'ERR_OTP_LOCKED_OUT'
  /** A Symantec VIP credentialId does not have the 4-letter prefix + 8-digit shape. */
  | 'ERR_VIP_CREDENTIAL_ID_INVALID'
  // Thrown by parsers and configuration helpers.
  /** A secret is not valid base32 / hex / base64. */
  | 'ERR_SECRET_ENCODING'
  /** A secret is shorter than the accepted minimum (default 80 bits). */
  | 'ERR_SECRET_TOO_SHORT'
  /** A secret is longer than the accepted maximum (1024 bytes). */
  | 'ERR_SECRET_TOO_LONG'
  /** A secret is one byte value repeated (all zeros, …): not a random secret. */
  | 'ERR_SECRET_WEAK'
  /** An otpauth:// URI is malformed (scheme, type, label, a parameter, length). */
  | 'ERR_URI_INVALID'
  /** The otpauth:// label's issuer prefix differs from the `issuer` parameter. */
  | 'ERR_URI_ISSUER_MISMATCH'
  /** An Okta custom OTP factor profile has an invalid or unsupported setting. */
  | 'ERR_OKTA_PROFILE_INVALID'
  /** The QR encoder failed (e.g. the text is too long for a QR code). */
  | 'ERR_QR_RENDER'
  /** A store operation failed (rejected promise or broken contract). */
  | 'ERR_OTP_STORE_FAILURE';

/** Codes that a verification function may return in a `{ verified: false }` result. */
export type OtpRejectionCode =
  | 'ERR_OTP_CODE_MALFORMED'
  | 'ERR_OTP_INVALID'
  | 'ERR_OTP_REPLAYED'
  | 'ERR_OTP_SEQUENCE_INVALID'
  | 'ERR_OTP_LOCKED_OUT'
  | 'ERR_VIP_CREDENTIAL_ID_INVALID';

/** A failed verification. `message` never contains the secret or the submitted code. */
export interface OtpRejection {
  readonly verified: false;
  readonly code: OtpRejectionCode;
  readonly message: string;
  /** Seconds until another attempt is allowed (`ERR_OTP_LOCKED_OUT` only; `null` = until reset). */
  readonly retryAfterSeconds?: number | null;
}

const MESSAGES: Record<OtpRejectionCode, string> = {
  ERR_OTP_CODE_MALFORMED: 'the code does not have the expected number of decimal digits',
  ERR_OTP_INVALID: 'the code does not match any counter or time step in the window',
  ERR_OTP_REPLAYED: 'the code was already used (its counter or time step is not after the last accepted one)',
  ERR_OTP_SEQUENCE_INVALID: 'the codes are not consecutive outputs of the token within the search window',
  ERR_OTP_LOCKED_OUT: 'too many failed attempts; try again later',
  ERR_VIP_CREDENTIAL_ID_INVALID:
    'the credentialId is not a Symantec VIP credential id (4 letters + 8 digits)',
};

/** Builds a rejection result with the stable message for `code`. */
export function reject(code: OtpRejectionCode): OtpRejection {
  return { verified: false, code, message: MESSAGES[code] };
}

/** Options for {@link OtpError}. */
export interface OtpErrorOptions {
  readonly cause?: unknown;
  /** For `ERR_OKTA_PROFILE_INVALID`: the offending profile fields. */
  readonly fields?: readonly string[];
}

/**
 * The error thrown by parsers and configuration helpers. `code` is stable; `message` is for
 * humans and never contains secrets or echoes untrusted input.
 */
export class OtpError extends Error {
  readonly code: OtpErrorCode;
  /** For `ERR_OKTA_PROFILE_INVALID`: the offending profile fields (names only, never values). */
  readonly fields: readonly string[];

  constructor(code: OtpErrorCode, message: string, options: OtpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OtpError';
    this.code = code;
    this.fields = options.fields ?? [];
  }
}

/** True when `value` is an {@link OtpError} (optionally with the given code). */
export function isOtpError(value: unknown, code?: OtpErrorCode): value is OtpError {
  return value instanceof OtpError && (code === undefined || value.code === code);
}

/** Typed, non-fatal findings (e.g. a secret below RFC 4226's 128-bit minimum). */
export type OtpWarningCode = 'WARN_SECRET_BELOW_128_BITS';

export interface OtpWarning {
  readonly code: OtpWarningCode;
  readonly message: string;
}
