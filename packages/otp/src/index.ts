/**
 * @factorkit/otp — HOTP (RFC 4226) and TOTP (RFC 6238) verification with constant-time window
 * search, replay protection, Symantec VIP and multi-code resynchronisation, Okta profile mapping,
 * strict secrets and otpauth:// URIs.
 */
export { isOtpAlgorithm, OTP_ALGORITHMS, type OtpAlgorithm } from './algorithms.ts';
export {
  type AttemptLimit,
  type AttemptPolicy,
  type AttemptStatus,
  attemptStatus,
  checkAttemptPolicy,
  DEFAULT_ATTEMPT_POLICY,
  limitAttempts,
  NIST_800_63B_ATTEMPT_POLICY,
  OKTA_ACTIVATION_ATTEMPT_POLICY,
} from './attempts.ts';
export { base32Decode, base32Encode, base64Decode, hexDecode, hexEncode } from './encoding.ts';
export {
  isOtpError,
  OtpError,
  type OtpErrorCode,
  type OtpErrorOptions,
  type OtpRejection,
  type OtpRejectionCode,
  type OtpWarning,
  type OtpWarningCode,
} from './errors.ts';
export {
  type GenerateHotpOptions,
  generateHotp,
  type HotpParams,
  type HotpResult,
  type HotpSuccess,
  type VerifyHotpOptions,
  verifyHotp,
} from './hotp.ts';
export {
  clearOtpKeyCache,
  createOtpKey,
  KEY_CACHE_SIZE,
  type KeyOptions,
  OtpKey,
  otpKeyCacheSize,
} from './keyed.ts';
export {
  decodeOktaSharedSecret,
  type OktaOtpConfig,
  type OktaOtpProfile,
  oktaProfileToOtpConfig,
} from './okta.ts';
export {
  type Clock,
  DEFAULT_ALGORITHM,
  DEFAULT_DIGITS,
  DEFAULT_HOTP_LOOK_AHEAD,
  DEFAULT_PERIOD,
  DEFAULT_RESYNC_LOOK_AHEAD,
  DEFAULT_TOTP_WINDOW,
  MAX_HOTP_LOOK_AHEAD,
  MAX_PERIOD,
  MAX_RESYNC_LOOK_AHEAD,
  MAX_TOTP_WINDOW,
  systemClock,
  type TimeInput,
  type TotpTimeParams,
} from './params.ts';
export {
  createHotpVerifier,
  createTotpVerifier,
  type HotpVerifier,
  type HotpVerifierOptions,
  type TotpVerifier,
  type TotpVerifierOptions,
} from './prepared.ts';
export { type QrFormat, type QrOptions, renderQrCode } from './qr.ts';
export {
  DEFAULT_TOTP_RESYNC_WINDOW,
  type DuoResyncOptions,
  type HotpResyncResult,
  type HotpResyncSuccess,
  MAX_TOTP_RESYNC_WINDOW,
  type ResyncHotpOptions,
  type ResyncTotpOptions,
  resyncDuoToken,
  resyncHotp,
  resyncTotp,
  type TotpResyncResult,
  type TotpResyncSuccess,
} from './resync.ts';
export {
  checkSecret,
  DEFAULT_MIN_SECRET_BITS,
  type DecodedSecret,
  decodeSecret,
  encodeSecretBase32,
  generateSecret,
  MAX_SECRET_BYTES,
  RECOMMENDED_MIN_SECRET_BITS,
  type SecretEncoding,
  type SecretPolicy,
} from './secret.ts';
export {
  type StoreBinding,
  type VerifyHotpWithStoreOptions,
  type VerifyTotpWithStoreOptions,
  type VerifyVipEnrollmentWithStoreOptions,
  verifyHotpWithStore,
  verifyTotpWithStore,
  verifyVipEnrollmentWithStore,
} from './stateful.ts';
export {
  type AttemptState,
  type AttemptStore,
  MemoryAttemptStore,
  MemoryOtpCounterStore,
  type OtpCounterStore,
} from './store.ts';
export {
  type GenerateTotpOptions,
  generateTotp,
  type TotpParams,
  type TotpResult,
  type TotpSuccess,
  type TotpWindow,
  totpStep,
  type VerifyTotpOptions,
  verifyTotp,
} from './totp.ts';
export {
  formatOtpauthUri,
  MAX_LABEL_PART_LENGTH,
  MAX_OTPAUTH_URI_LENGTH,
  type OtpauthKey,
  type OtpauthKeyInput,
  type ParsedOtpauthUri,
  parseOtpauthUri,
} from './uri.ts';
export {
  DEFAULT_VIP_HOTP_LOOK_AHEAD,
  DEFAULT_VIP_TOTP_WINDOW,
  KNOWN_VIP_PREFIXES,
  MAX_VIP_HOTP_LOOK_AHEAD,
  parseVipCredentialId,
  type VerifyVipEnrollmentOptions,
  type VipCredentialId,
  type VipEnrollmentResult,
  type VipEnrollmentSuccess,
  verifyVipEnrollment,
} from './vip.ts';
