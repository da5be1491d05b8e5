// @factorkit/virtual-authenticator — deterministic software authenticators for tests.

export { packedAttestationCertificate, u2fAttestationCertificate } from './attestation.ts';
export {
  type AttestedCredentialData,
  type AuthenticatorDataParts,
  type AuthenticatorFlags,
  decodeAuthenticatorData,
  encodeAuthenticatorData,
  FLAGS,
  type FlagName,
} from './authenticator-data.ts';
export { type BufferSourceLike, fromBase64url, toBase64url } from './bytes.ts';
export { type CborValue, decodeCbor, decodeCborMap, encodeCbor } from './cbor.ts';
export { VirtualAuthenticatorError, type VirtualAuthenticatorErrorCode } from './errors.ts';
export type { AuthenticatorExtensionSupport } from './extensions.ts';
// Keys, CBOR and test CAs
export {
  algorithmName,
  COSE_ALGORITHMS,
  type CoseAlgorithmName,
  createSigningKey,
  KEY_SEED_LENGTH,
  type SigningKey,
} from './keys.ts';
export type { MutateOptions, SignatureCorruption, WebAuthnField, WebAuthnResigner } from './mutators.ts';
// Mutators
export * as mutate from './mutators-all.ts';
export type { YubicoTokenPatch } from './mutators-otp.ts';
export type { U2FMutateOptions, U2FRegistrationParts } from './mutators-u2f.ts';
// OATH
export {
  HotpToken,
  type HotpTokenOptions,
  hotp,
  type OtpAlgorithm,
  TotpToken,
  type TotpTokenOptions,
  VipCredential,
  type VipCredentialOptions,
  type VipPrefix,
} from './otp.ts';
export { derive, type Seed } from './seed.ts';
// FIDO U2F
export {
  U2F_STATUS,
  type U2FClientOptions,
  type U2FControl,
  type U2FRegisterResponse,
  type U2FSignOptions,
  type U2FSignResponse,
  U2FStatusError,
  U2FToken,
  type U2FTokenOptions,
  u2fClientData,
} from './u2f.ts';
// WebAuthn
export {
  clientData,
  type ImportedCredential,
  VirtualAuthenticator,
  type VirtualAuthenticatorOptions,
} from './webauthn.ts';
export type {
  AttestationConveyancePreference,
  AttestationFormat,
  AuthenticationResponseJSON,
  AuthenticatorAttachment,
  AuthenticatorTransport,
  Base64URLString,
  ClientOptions,
  CreateCredentialOptions,
  CredentialRecord,
  GetAssertionOptions,
  PublicKeyCredentialCreationOptionsLike,
  PublicKeyCredentialDescriptorLike,
  PublicKeyCredentialRequestOptionsLike,
  RegistrationResponseJSON,
  ResidentKeyRequirement,
  UserVerificationRequirement,
} from './webauthn-types.ts';
export {
  type CertificateExtension,
  type CertificateTemplate,
  createTestCa,
  DEFAULT_NOT_AFTER,
  DEFAULT_NOT_BEFORE,
  type DistinguishedName,
  defaultTestCa,
  type IssuedCertificate,
  issueCertificate,
  type LeafOptions,
  type TestCaOptions,
  type TestCertificateAuthority,
  toPem,
} from './x509.ts';
// Yubico OTP
export {
  aes128EcbEncrypt,
  crc16,
  decryptYubicoOtp,
  encodeYubicoToken,
  fromModhex,
  toModhex,
  VirtualYubiKey,
  type VirtualYubiKeyOptions,
  YUBICO_CRC_OK_RESIDUE,
  type YubicoOtpToken,
  type YubiKeySecrets,
} from './yubikey.ts';
