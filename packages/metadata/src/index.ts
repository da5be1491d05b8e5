/**
 * @factorkit/metadata — FIDO Metadata Service (MDS3): BLOB verification to a configured root,
 * RFC 5280 CRL revocation, O(1) lookup, status and authenticator policy, trust from metadata,
 * evidence-graded assurance and re-assessment of stored credentials.
 */

export {
  type AaguidSource,
  type AssessOptions,
  type AttestationEvidence,
  type AuthenticatorPolicy,
  assessAttestation,
  attestationKeyIdentifiers,
  certificateCarriesAaguid,
  checkAttestationAgainstStatement,
  evidenceFromRegistration,
  formatSignsAaguid,
  keyProtectionIsHardware,
  type MetadataAssessment,
  type StatementCheck,
} from './assess.ts';
export {
  type AmrValue,
  type Assurance,
  type AssuranceInput,
  type AuthenticatorAssuranceLevel,
  assessRegistration,
  assuranceLevel,
  gradeAssurance,
  type RegistrationAssessment,
  userVerificationAmr,
} from './assurance.ts';
export {
  BLOB_ALGORITHMS,
  type BlobVerification,
  DEFAULT_MAX_BLOB_BYTES,
  type RejectedBlob,
  type VerifiedBlob,
  type VerifyBlobOptions,
  verifyMetadataBlob,
} from './blob.ts';
export {
  type CachedResource,
  type FetchLike,
  type FetchResponseLike,
  MemoryMetadataCache,
  type MetadataCache,
} from './cache.ts';
export { isMetadataError, MetadataError, type MetadataErrorCode } from './errors.ts';
export {
  indexMetadata,
  type LoadResult,
  loadMetadata,
  loadMetadataFile,
  type Metadata,
  MetadataSource,
  type MetadataSourceOptions,
  type RefreshOutcome,
} from './metadata.ts';
export {
  AUTHENTICATOR_STATUSES,
  type AuthenticatorStatus,
  checkJsonDepth,
  type MetadataBlobPayload,
  type MetadataEntry,
  type MetadataStatement,
  type PayloadLimits,
  parseMetadataPayload,
  type StatusReport,
} from './payload.ts';
export {
  type Reassessment,
  type ReassessmentChange,
  reassess,
  type StoredAuthenticatorFacts,
} from './reassess.ts';
export {
  checkPathRevocation,
  type RevocationMode,
  type RevocationOptions,
  type RevocationOutcome,
} from './revocation.ts';
export { FIDO_MDS_ROOT_PEM, FIDO_MDS_ROOT_SHA256 } from './roots.ts';
export {
  type CertificationLevel,
  compareCertificationLevels,
  DEFAULT_DENIED_STATUSES,
  evaluateStatus,
  isCertificationLevel,
  type StatusDecision,
  type StatusPolicy,
} from './status.ts';
