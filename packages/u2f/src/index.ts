/**
 * @factorkit/u2f — FIDO U2F verification: origin-bound challenges, registration and
 * authentication responses, AppID/facet rules, and the bridge to WebAuthn.
 */

export {
  type AppIdOptions,
  authorizedFacetIds,
  type FacetDecision,
  type FacetOptions,
  type FacetRule,
  type FacetsFetch,
  type FetchTrustedFacetsOptions,
  fetchTrustedFacets,
  isFacetIdAuthorized,
  isValidAppId,
  MAX_TRUSTED_FACETS_LENGTH,
  normalizeFacetId,
  parseTrustedFacets,
  U2F_FACETS_VERSION,
  type VerifyAppIdForOriginOptions,
  verifyAppIdForOrigin,
} from './appid.ts';
export {
  type AttestationCertificate,
  parseAttestationCertificate,
  readTransports,
  type TrustAnchorInput,
  type U2fTransport,
  YUBICO_UNUSED_BITS_CERT_SHA256,
} from './attestation.ts';
export { type Base64Options, decodeWebsafeBase64, encodeWebsafeBase64 } from './base64.ts';
export {
  coseKeyFromU2fPublicKey,
  type U2fRegistrationRecord,
  u2fToWebAuthnCredential,
  type WebAuthnCredentialFromU2f,
  type WebAuthnTransport,
} from './bridge.ts';
export {
  MemoryU2fChallengeStore,
  type MemoryU2fChallengeStoreOptions,
  type U2fCeremony,
  type U2fChallengeRecord,
  type U2fChallengeStore,
} from './challenge-store.ts';
export {
  type CreateRegisterRequestOptions,
  type CreateRequestOptions,
  type CreateSignRequestOptions,
  createRegisterRequest,
  createSignRequest,
  DEFAULT_CHALLENGE_TIMEOUT_SECONDS,
  type FinishRegistrationOptions,
  type FinishSignOptions,
  finishRegistration,
  finishSign,
  type U2fKeyDescriptor,
  type U2fRegisteredKey,
  type U2fRegisterRequest,
  type U2fSignRequest,
} from './challenges.ts';
export {
  type ClientData,
  MAX_CLIENT_DATA_BYTES,
  parseClientData,
  TYP_FINISH_ENROLLMENT,
  TYP_GET_ASSERTION,
} from './client-data.ts';
export { U2F_ERROR_CODES, U2fError, type U2fErrorCode, type U2fFailure } from './errors.ts';
export { builtinPublicSuffix, isPublicSuffix, type PublicSuffixResolver, registrableDomain } from './etld.ts';
export {
  MAX_REGISTRATION_DATA_BYTES,
  MAX_SIGNATURE_DATA_BYTES,
  parseRegistrationData,
  parseSignatureData,
  REGISTRATION_RESERVED_BYTE,
  type RegistrationData,
  type SignatureData,
} from './raw-messages.ts';
export {
  type U2fCredential,
  type U2fSignResponse,
  type VerifiedAuthentication,
  type VerifyAuthenticationOptions,
  type VerifyAuthenticationResult,
  verifyAuthentication,
} from './verify-authentication.ts';
export {
  type U2fAttestationResult,
  type U2fRegisterResponse,
  type U2fRegistration,
  type VerifiedRegistration,
  type VerifyRegistrationOptions,
  type VerifyRegistrationResult,
  verifyRegistration,
} from './verify-registration.ts';
