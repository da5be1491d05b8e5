import type { RegistrationVerified } from '@factorkit/webauthn';
import {
  type AaguidSource,
  type AssessOptions,
  assessAttestation,
  certificateCarriesAaguid,
  evidenceFromRegistration,
  formatSignsAaguid,
  keyProtectionIsHardware,
  type MetadataAssessment,
} from './assess.ts';
import type { Metadata } from './metadata.ts';
import type { AuthenticatorStatus } from './payload.ts';
import type { CertificationLevel } from './status.ts';

/** NIST SP 800-63B authenticator assurance levels. */
export type AuthenticatorAssuranceLevel = 'AAL1' | 'AAL2' | 'AAL3';

/** RFC 8176 Authentication Method Reference values factorkit can evidence. */
export type AmrValue = 'hwk' | 'swk' | 'user' | 'mfa' | 'pin' | 'fpt' | 'face' | 'iris' | 'vbm';

/**
 * Evidence-graded assurance of one successful ceremony: every field says only what the
 * evidence supports. An AAGUID the authenticator did not sign with a trusted attestation key
 * is never reported, and nothing unsigned can raise any field.
 */
export interface Assurance {
  /** Origin-bound public-key proof (WebAuthn, U2F): a phishing page cannot relay it to this RP. */
  readonly phishingResistant: boolean;
  /** The key is non-exportable hardware: trusted attestation, not backup eligible, metadata not saying software. */
  readonly hardwareBound: boolean;
  /** The attested AAGUID, or null. */
  readonly aaguid: string | null;
  readonly aaguidSource: AaguidSource;
  /** The attestation chained to a trust anchor (configured, or from metadata). */
  readonly attestationTrusted: boolean;
  /** The model name from metadata, when the attestation chained to that entry. */
  readonly description: string | null;
  readonly metadataStatus: AuthenticatorStatus | null;
  readonly certificationLevel: CertificationLevel | null;
  readonly userVerified: boolean;
  readonly aal: AuthenticatorAssuranceLevel;
  readonly amr: readonly AmrValue[];
}

export interface AssuranceInput {
  /** The ceremony verified an origin-bound signature (always true for WebAuthn and U2F results). */
  readonly phishingResistant: boolean;
  /** The attestation chained to a configured trust anchor (webauthn `attestation.trusted`). */
  readonly anchorTrusted: boolean;
  /** The format signs the AAGUID with the attestation key (packed/tpm/android-key/apple full attestation). */
  readonly aaguidSigned: boolean;
  /** The AAGUID claimed in authenticatorData. */
  readonly aaguid: string | null;
  /** The attestation certificate carries id-fido-gen-ce-aaguid equal to `aaguid`. */
  readonly aaguidInCertificate: boolean;
  readonly backupEligible: boolean;
  readonly userPresent: boolean;
  readonly userVerified: boolean;
  /** The metadata assessment, when metadata is configured. */
  readonly metadata?: MetadataAssessment;
}

const UV_AMR: Readonly<Record<string, AmrValue>> = {
  passcode_internal: 'pin',
  passcode_external: 'pin',
  pattern_internal: 'pin',
  pattern_external: 'pin',
  fingerprint_internal: 'fpt',
  fingerprint_external: 'fpt',
  faceprint_internal: 'face',
  faceprint_external: 'face',
  eyeprint_internal: 'iris',
  eyeprint_external: 'iris',
  voiceprint_internal: 'vbm',
  voiceprint_external: 'vbm',
};

/**
 * RFC 8176 values for the user verification methods a trusted statement lists: named only when
 * they are all of one kind (otherwise the method used is unknown and nothing is claimed).
 */
export function userVerificationAmr(methods: readonly string[]): AmrValue[] {
  const kinds = new Set(methods.map((u) => UV_AMR[u]).filter((v): v is AmrValue => v !== undefined));
  return kinds.size === 1 ? [...kinds] : [];
}

/** NIST SP 800-63B level of one phishing-resistant ceremony (see the README for the reasoning). */
export function assuranceLevel(
  phishingResistant: boolean,
  userVerified: boolean,
  hardwareBound: boolean,
): AuthenticatorAssuranceLevel {
  return phishingResistant && userVerified ? (hardwareBound ? 'AAL3' : 'AAL2') : 'AAL1';
}

/**
 * Grades the evidence (see the package README for the NIST SP 800-63B reasoning):
 * - AAL3: phishing-resistant, hardware-bound (non-exportable) key, user verified — a
 *   multi-factor cryptographic hardware authenticator.
 * - AAL2: phishing-resistant proof with user verification (multi-factor cryptographic,
 *   software or synced keys included).
 * - AAL1: possession only (no UV).
 * amr (RFC 8176): `hwk` or `swk`, `user` for user presence, `mfa` with UV; `pin`/`fpt`/`face`/
 * `iris`/`vbm` only when the trusted metadata entry lists that user verification method.
 */
export function gradeAssurance(input: AssuranceInput): Assurance {
  const m = input.metadata;
  const metadataTrusted = m?.trusted === true;
  const attestationTrusted = input.anchorTrusted || metadataTrusted;
  // The AAGUID is evidence only when a trusted attestation key signed it.
  const attested = attestationTrusted && input.aaguidSigned && input.aaguid !== null;
  const aaguid = attested ? input.aaguid : null;
  const aaguidSource: AaguidSource = !attested
    ? 'unattested'
    : input.aaguidInCertificate
      ? 'attestation-certificate'
      : 'signed-authenticator-data';
  const softwareByMetadata = metadataTrusted && !keyProtectionIsHardware(m.keyProtection);
  const hardwareBound = attestationTrusted && !input.backupEligible && !softwareByMetadata;
  const amr: AmrValue[] = [hardwareBound ? 'hwk' : 'swk'];
  if (input.userPresent) amr.push('user');
  if (input.userVerified) {
    amr.push('mfa');
    if (metadataTrusted) amr.push(...userVerificationAmr(m.userVerificationMethods));
  }
  const aal = assuranceLevel(input.phishingResistant, input.userVerified, hardwareBound);
  return {
    phishingResistant: input.phishingResistant,
    hardwareBound,
    aaguid,
    aaguidSource,
    attestationTrusted,
    description: metadataTrusted ? m.description : null,
    metadataStatus: metadataTrusted ? m.latestStatus : null,
    certificationLevel: metadataTrusted ? m.certificationLevel : null,
    userVerified: input.userVerified,
    aal,
    amr,
  };
}

export interface RegistrationAssessment {
  readonly assessment: MetadataAssessment | undefined;
  readonly assurance: Assurance;
}

/**
 * Metadata assessment (when `metadata` is given) and graded assurance for a registration
 * verified by @factorkit/webauthn. `allowed`/`code` of the assessment carry the policy verdict.
 */
export async function assessRegistration(
  registration: RegistrationVerified,
  metadata: Metadata | undefined,
  options: AssessOptions,
): Promise<RegistrationAssessment> {
  const evidence = evidenceFromRegistration(registration);
  const assessment =
    metadata === undefined ? undefined : await assessAttestation(evidence, metadata, options);
  const assurance = gradeAssurance({
    phishingResistant: true,
    anchorTrusted: registration.attestation.trusted,
    aaguidSigned: formatSignsAaguid(evidence),
    aaguid: registration.aaguid,
    aaguidInCertificate: certificateCarriesAaguid(evidence.trustPath, registration.aaguid),
    backupEligible: registration.backupEligible,
    userPresent: registration.userPresent,
    userVerified: registration.userVerified,
    ...(assessment === undefined ? {} : { metadata: assessment }),
  });
  return { assessment, assurance };
}
