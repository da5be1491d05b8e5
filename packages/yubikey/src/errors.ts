/**
 * Every code this package can return or throw. A closed union: tests assert codes, never
 * message text, and messages never contain secrets (AES keys, private ids) or echo raw input.
 */
export type YubikeyErrorCode =
  // OTP string (Yubico OTP format, protocols §4.1)
  | 'ERR_OTP_MALFORMED'
  | 'ERR_OTP_LENGTH'
  | 'ERR_OTP_MODHEX'
  // Token block checks (§4.2)
  | 'ERR_OTP_CRC'
  | 'ERR_OTP_PRIVATE_ID'
  // Replay and phishing-delay (yubikey-val rules, §4.4)
  | 'ERR_OTP_REPLAYED'
  | 'ERR_OTP_DELAYED'
  // Registry lookups and lifecycle (Okta yubikey_token semantics, §5.4/§5.5)
  | 'ERR_UNKNOWN_TOKEN'
  | 'ERR_TOKEN_NOT_FOUND'
  | 'ERR_TOKEN_NOT_ACTIVE'
  | 'ERR_TOKEN_USER_MISMATCH'
  | 'ERR_TOKEN_ALREADY_ASSIGNED'
  | 'ERR_TOKEN_STATE_CONFLICT'
  | 'ERR_SECRET_UNSEAL'
  | 'ERR_INVALID_CURSOR'
  | 'ERR_INVALID_FILTER'
  // Seed import (§5.6)
  | 'ERR_SEED_FORMAT_UNKNOWN'
  | 'ERR_SEED_EMPTY'
  | 'ERR_SEED_ENCODING'
  | 'ERR_SEED_INPUT'
  | 'ERR_SEED_FILE_TOO_LARGE'
  | 'ERR_SEED_TOO_MANY_ROWS'
  | 'ERR_SEED_LINE_TOO_LONG'
  | 'ERR_SEED_CSV_QUOTE'
  | 'ERR_SEED_COLUMN_COUNT'
  | 'ERR_SEED_JSON'
  | 'ERR_SEED_FIELD_UNKNOWN'
  | 'ERR_SEED_FIELD_MISSING'
  | 'ERR_SEED_SERIAL'
  | 'ERR_SEED_PUBLIC_ID'
  | 'ERR_SEED_PRIVATE_ID'
  | 'ERR_SEED_AES_KEY'
  | 'ERR_SEED_WEAK_AES_KEY'
  | 'ERR_SEED_ACCESS_CODE'
  | 'ERR_SEED_DUPLICATE_PUBLIC_ID'
  | 'ERR_SEED_DUPLICATE_SERIAL'
  | 'ERR_SEED_DUPLICATE_AES_KEY'
  | 'ERR_SEED_PUBLIC_ID_EXISTS';

/**
 * Thrown only by the standalone parsers (`modhexDecode`, `parseOtp` with `throwOnError`) and for
 * failures that are not a verification verdict. Verification itself returns a result.
 */
export class YubikeyError extends Error {
  readonly code: YubikeyErrorCode;
  override readonly name: string = 'YubikeyError';

  constructor(code: YubikeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The failure shape of every result in this package. */
export interface YubikeyFailure {
  readonly verified: false;
  readonly code: YubikeyErrorCode;
  readonly message: string;
}

export function failure(code: YubikeyErrorCode, message: string): YubikeyFailure {
  return { verified: false, code, message };
}
