/**
 * factorkit — one import for an auth server: WebAuthn, FIDO U2F, YubiKey OTP and
 * HOTP/TOTP verification behind one façade and one store seam.
 */

export type {
  AmrValue,
  Assurance,
  AuthenticatorAssuranceLevel,
  AuthenticatorPolicy,
  Reassessment,
  ReassessmentChange,
} from '@factorkit/metadata';
export { type QrFormat, type QrOptions, renderQrCode } from '@factorkit/otp';
export { aesGcmKeyEncryption, type SeedKeyEncryption } from '@factorkit/yubikey';
export type { MetadataInput } from './facade/assurance.ts';
export type { FactorkitPolicies } from './facade/context.ts';
export {
  type CreateFactorkitOptions,
  createFactorkit,
  DEFAULT_CHALLENGE_TIMEOUT_SECONDS,
  type Factorkit,
  NIST_800_63B_POLICIES,
} from './facade/create.ts';
export type {
  EnrollHotpInput,
  EnrollTotpInput,
  EnrollVipInput,
  OtpEnrollment,
  OtpNamespace,
  OtpVerified,
  SecretInput,
} from './facade/otp.ts';
export type { FacadeCode, FactorResult, FactorVerification } from './facade/result.ts';
export { type U2fNamespace, type U2fRegistered, type U2fSigned, u2fChallengeStore } from './facade/u2f.ts';
export type {
  AuthenticatorSelectionInput,
  StoredCredentialInfo,
  WebAuthnAuthenticated,
  WebAuthnNamespace,
  WebAuthnPolicies,
  WebAuthnRegistered,
} from './facade/webauthn.ts';
export type {
  YubikeyNamespace,
  YubikeyOtpVerified,
  YubikeyVerified,
  YubikeyVerifyOtpInput,
} from './facade/yubikey.ts';
export * from './store/index.ts';

import { SQLITE_SCHEMA_VERSION as SCHEMA, SqliteStore as SqliteStoreImpl } from './store/sqlite/index.ts';

export type { SqliteStoreOptions } from './store/sqlite/index.ts';
/**
 * @deprecated Import `SqliteStore` from `factorkit/sqlite`. This re-export stays for
 * compatibility (it loads neither better-sqlite3 nor its addon until a store is opened)
 * and will be removed in the next major version.
 */
export const SqliteStore: typeof SqliteStoreImpl = SqliteStoreImpl;
/** @deprecated Import `SqliteStore` from `factorkit/sqlite`. */
export type SqliteStore = SqliteStoreImpl;
/** @deprecated Import `SQLITE_SCHEMA_VERSION` from `factorkit/sqlite`. */
export const SQLITE_SCHEMA_VERSION: number = SCHEMA;
