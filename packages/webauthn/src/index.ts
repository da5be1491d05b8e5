/**
 * @factorkit/webauthn — strict WebAuthn Level 3 registration and authentication verification.
 */

export { APPLE_WEBAUTHN_ROOT, GOOGLE_HARDWARE_ATTESTATION_ROOTS } from './anchors.ts';
export {
  KM_ORIGIN_GENERATED,
  KM_PURPOSE_SIGN,
  OID_ANDROID_KEY_DESCRIPTION,
  readAndroidKeyDescription,
} from './attestation/androidKeyDescription.ts';
export { parseSafetyNetResponse, type SafetyNetJws } from './attestation/androidSafetyNet.ts';
export { OID_APPLE_NONCE } from './attestation/apple.ts';
export { MAX_COMPOUND_STATEMENTS } from './attestation/compound.ts';
export type {
  AndroidKeyRevocationStatus,
  AttestationFormatVerifier,
  AttestationInput,
  AttestationOutcome,
  AttestationPolicy,
  AttestationType,
  SubStatementOutcome,
} from './attestation/index.ts';
export {
  ATTESTATION_FORMATS,
  OID_FIDO_GEN_CE_AAGUID,
  PENDING_ATTESTATION_FORMATS,
} from './attestation/index.ts';
export {
  parseCertInfo,
  parsePubArea,
  TPM_HASH_ALGORITHMS,
  type TpmsAttest,
  type TpmtPublic,
} from './attestation/tpmStructures.ts';
export { TPM_MANUFACTURERS, tpmManufacturer } from './attestation/tpmVendors.ts';
export {
  type AttestedCredentialData,
  type AuthenticatorData,
  type AuthenticatorFlags,
  MAX_CREDENTIAL_ID_LENGTH,
  parseAuthenticatorData,
} from './authenticatorData.ts';
export { decodeBase64url, encodeBase64url, isBase64url } from './base64url.ts';
export { type CborMap, type CborValue, decodeCbor, decodeCborFirst } from './cbor.ts';
export type { CeremonyOptions, ExpectedChallenge } from './ceremony.ts';
export {
  type ParsedCertificate,
  parseCertificate,
  parseCertificateInput,
  validAt,
} from './certificate.ts';
export {
  type CollectedClientData,
  MAX_CLIENT_DATA_BASE64URL_CHARS,
  MAX_CLIENT_DATA_LENGTH,
  parseClientDataJSON,
  parseClientDataJSONBase64url,
} from './clientData.ts';
export {
  COSE_ALGORITHMS,
  type CoseAlgorithm,
  type CosePublicKey,
  coseAlgorithm,
  coseKeyFromSpki,
  DEFAULT_SUPPORTED_ALGORITHMS,
  EC2_CURVES,
  type Ec2PublicKey,
  ec2KeyFromUncompressedPoint,
  ec2UncompressedPoint,
  type HashAlgorithm,
  OKP_CURVES,
  type OkpPublicKey,
  parseCoseKey,
  type RsaPublicKey,
} from './cose.ts';
export {
  type CrlProblem,
  certificateSerialHex,
  crlDistributionPoints,
  crlProblem,
  crlRevokes,
  MAX_CRL_LENGTH,
  type ParsedCrl,
  parseCrl,
} from './crl.ts';
export { defaultBackend } from './crypto/default.ts';
export { nodeBackend } from './crypto/node.ts';
export { portableBackend } from './crypto/portable.ts';
export type { CryptoBackend, ImportedKey } from './crypto/types.ts';
export { derSignatureToRaw } from './der.ts';
export { decoyAllowCredentials, MIN_DECOY_SECRET_LENGTH } from './enumeration.ts';
export {
  failure,
  isWebAuthnError,
  type VerificationFailure,
  WebAuthnError,
  type WebAuthnErrorCode,
} from './errors.ts';
export {
  type AuthenticationExtensionInputs,
  CRED_PROTECT_LEVELS,
  type CredentialProtectionPolicy,
  checkExtensionOutputs,
  type ExtensionCheck,
  type ExtensionPolicy,
  type ExtensionResults,
  type PrfValuesJSON,
  type RegistrationExtensionInputs,
  SecretBytes,
} from './extensions.ts';
export {
  type AuthenticationOptionsJSON,
  type GenerateAuthenticationOptionsInput,
  type GenerateRegistrationOptionsInput,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialDescriptorJSON,
  type RegistrationOptionsJSON,
} from './options.ts';
export {
  type CredentialKey,
  isCredentialKey,
  type PrepareCredentialKeyOptions,
  prepareCredentialKey,
} from './prepareCredentialKey.ts';
export {
  acceptedRelatedOrigins,
  type BuiltRelatedOriginsDocument,
  buildRelatedOriginsDocument,
  type FetchLike,
  fetchRelatedOrigins,
  isRelatedOrigin,
  MAX_RELATED_ORIGIN_LABELS,
  RELATED_ORIGINS_PATH,
  type RelatedOriginsDocument,
  type RelatedOriginsValidation,
  registrableOriginLabel,
  validateRelatedOriginsDocument,
} from './relatedOrigins.ts';
export {
  type AllAcceptedCredentialsOptionsJSON,
  allAcceptedCredentialsSignal,
  type CurrentUserDetailsOptionsJSON,
  currentUserDetailsSignal,
  type UnknownCredentialOptionsJSON,
  unknownCredentialSignal,
} from './signals.ts';
export { type ChainOptions, type ChainResult, MAX_CHAIN_LENGTH, verifyCertificateChain } from './trust.ts';
export {
  type AuthenticationResult,
  type AuthenticationVerified,
  type StoredCredential,
  type VerifyAuthenticationOptions,
  verifyAuthentication,
  verifyAuthenticationAsync,
} from './verifyAuthentication.ts';
export {
  type AttestationResult,
  type RegistrationResult,
  type RegistrationVerified,
  type VerifyRegistrationOptions,
  verifyRegistration,
} from './verifyRegistration.ts';
