import type { AuthenticatorPolicy } from './assess.ts';
import type { Metadata } from './metadata.ts';
import type { AuthenticatorStatus, MetadataEntry } from './payload.ts';
import { type CertificationLevel, compareCertificationLevels, evaluateStatus } from './status.ts';

/** What was known about a credential's authenticator when it was registered (or last assessed). */
export interface StoredAuthenticatorFacts {
  readonly id: string;
  /** The attested AAGUID (null when it was not proven). */
  readonly aaguid: string | null;
  /** U2F: the attestation certificate key identifiers (lowercase hex). */
  readonly attestationCertificateKeyIdentifiers?: readonly string[];
  /** The attestation chained to the metadata entry at registration. */
  readonly trustedByMetadata: boolean;
  readonly metadataStatus: AuthenticatorStatus | null;
  readonly certificationLevel: CertificationLevel | null;
  /** The status policy allowed it then. */
  readonly allowed: boolean;
}

export type ReassessmentChange =
  /** The entry the credential was trusted through is gone from the BLOB. */
  | 'entry-removed'
  /** The status policy denies the authenticator now (it allowed it before). */
  | 'status-denied'
  /** Allowed again (a later certification cleared a denial). */
  | 'allowed-again'
  /** The latest status in force differs. */
  | 'status-changed'
  /** The certification level is lower than before (or gone). */
  | 'certification-dropped'
  | 'certification-raised';

export interface Reassessment {
  readonly id: string;
  /** False when there is nothing attested to look up (unattested registration). */
  readonly assessable: boolean;
  readonly found: boolean;
  readonly description: string | null;
  readonly latestStatus: AuthenticatorStatus | null;
  readonly certificationLevel: CertificationLevel | null;
  readonly allowed: boolean;
  readonly code:
    | 'ERR_AUTHENTICATOR_STATUS_DENIED'
    | 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW'
    | 'ERR_METADATA_ENTRY_NOT_FOUND'
    | null;
  /** What changed since the stored facts; empty when nothing did. */
  readonly changes: readonly ReassessmentChange[];
}

function entryFor(metadata: Metadata, facts: StoredAuthenticatorFacts): MetadataEntry | undefined {
  if (facts.aaguid !== null) return metadata.byAaguid(facts.aaguid);
  for (const id of facts.attestationCertificateKeyIdentifiers ?? []) {
    const e = metadata.byAttestationCertificateKeyIdentifier(id);
    if (e !== undefined) return e;
  }
  return undefined;
}

/**
 * Re-assesses stored credentials against a (new) BLOB at `now`: per credential, its status
 * and certification now, whether the status policy still allows it, and what changed since
 * the stored facts — so a server can act when a new BLOB arrives (e.g. force re-registration
 * of keys whose model reported ATTESTATION_KEY_COMPROMISE). Only attested identity is used:
 * an unattested credential is reported as not assessable, never matched by a claimed AAGUID.
 */
export function reassess(
  metadata: Metadata,
  credentials: readonly StoredAuthenticatorFacts[],
  now: Date,
  policy: Pick<AuthenticatorPolicy, 'status' | 'requireMetadata'> = {},
): Reassessment[] {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  return credentials.map((facts) => {
    const assessable =
      facts.trustedByMetadata &&
      (facts.aaguid !== null || (facts.attestationCertificateKeyIdentifiers ?? []).length > 0);
    if (!assessable) {
      return {
        id: facts.id,
        assessable: false,
        found: false,
        description: null,
        latestStatus: null,
        certificationLevel: null,
        allowed: facts.allowed,
        code: null,
        changes: [],
      };
    }
    const entry = entryFor(metadata, facts);
    if (entry === undefined) {
      const allowed = policy.requireMetadata !== true;
      return {
        id: facts.id,
        assessable: true,
        found: false,
        description: null,
        latestStatus: null,
        certificationLevel: null,
        allowed,
        code: allowed ? null : 'ERR_METADATA_ENTRY_NOT_FOUND',
        changes: ['entry-removed'],
      };
    }
    const status = evaluateStatus(entry, now, policy.status);
    const changes: ReassessmentChange[] = [];
    if (facts.allowed && !status.allowed) changes.push('status-denied');
    if (!facts.allowed && status.allowed) changes.push('allowed-again');
    if (status.latestStatus !== facts.metadataStatus) changes.push('status-changed');
    const level = compareCertificationLevels(status.certificationLevel, facts.certificationLevel);
    if (level < 0) changes.push('certification-dropped');
    if (level > 0) changes.push('certification-raised');
    return {
      id: facts.id,
      assessable: true,
      found: true,
      description: entry.metadataStatement?.description ?? null,
      latestStatus: status.latestStatus,
      certificationLevel: status.certificationLevel,
      allowed: status.allowed,
      code: status.code,
      changes,
    };
  });
}
