import {
  type AmrValue,
  type Assurance,
  type AuthenticatorPolicy,
  assuranceLevel,
  evaluateStatus,
  type Metadata,
  type MetadataAssessment,
  type MetadataSource,
  type RevocationOptions,
  type StoredAuthenticatorFacts,
} from '@factorkit/metadata';
import type { CredentialData, CredentialRecord, JsonValue } from '../store/types.ts';

/** Metadata for the façade: a loaded `Metadata`, or a `MetadataSource` (its current BLOB is used). */
export type MetadataInput = Metadata | MetadataSource;

export interface TrustPolicies {
  /** Authenticator policy (allow/deny lists, hardware-bound only, UV, metadata, status), as data. */
  readonly authenticator?: AuthenticatorPolicy;
  /** Revocation of attestation chains (RFC 5280 CRLs). Default soft-fail, no fetch. */
  readonly revocation?: RevocationOptions;
}

export function currentMetadata(input: MetadataInput | undefined): Metadata | undefined {
  if (input === undefined) return undefined;
  return 'byAaguid' in input ? input : input.current;
}

export type PolicyFailure = { readonly code: string; readonly message: string };

/**
 * The authenticator policy over the graded evidence. With metadata, the assessment already
 * applied it (status, lists, hardware-bound, UV); without, the same rules run on what a
 * configured trust anchor proved. Nothing unattested satisfies an allow list.
 */
export function policyFailure(
  policy: AuthenticatorPolicy | undefined,
  assessment: MetadataAssessment | undefined,
  assurance: Assurance,
): PolicyFailure | undefined {
  if (assessment !== undefined && !assessment.allowed && assessment.code !== null)
    return { code: assessment.code, message: assessment.message ?? 'refused by the authenticator policy' };
  if (policy === undefined) return undefined;
  const lower = (l: readonly string[] | undefined) => l?.map((a) => a.toLowerCase());
  if (policy.requireUserVerification === true && !assurance.userVerified)
    return { code: 'ERR_AUTHENTICATOR_UV_REQUIRED', message: 'user verification is required' };
  if (policy.hardwareBoundOnly === true && !assurance.hardwareBound)
    return {
      code: 'ERR_AUTHENTICATOR_NOT_HARDWARE_BOUND',
      message: 'the credential is not bound to hardware',
    };
  if (assurance.aaguid !== null && lower(policy.denyAaguids)?.includes(assurance.aaguid))
    return { code: 'ERR_AUTHENTICATOR_DENIED', message: 'this authenticator model is denied by policy' };
  if (
    policy.allowAaguids !== undefined &&
    (assurance.aaguid === null || !lower(policy.allowAaguids)?.includes(assurance.aaguid))
  )
    return {
      code: 'ERR_AUTHENTICATOR_NOT_ALLOWED',
      message: 'this authenticator model is not on the allow list',
    };
  if (policy.requireMetadata === true && assessment?.trusted !== true)
    return {
      code: 'ERR_METADATA_ATTESTATION_UNTRUSTED',
      message: 'the authenticator is not trusted through metadata',
    };
  return undefined;
}

/** What is stored with a credential so later logins and re-assessment use the registration's evidence. */
export function storedAssurance(
  assurance: Assurance,
  assessment: MetadataAssessment | undefined,
  uvAmr: readonly AmrValue[],
): Record<string, JsonValue> {
  return {
    hardwareBound: assurance.hardwareBound,
    aaguid: assurance.aaguid,
    aaguidSource: assurance.aaguidSource,
    attestationTrusted: assurance.attestationTrusted,
    trustedByMetadata: assessment?.trusted === true,
    description: assurance.description,
    metadataStatus: assurance.metadataStatus,
    certificationLevel: assurance.certificationLevel,
    allowed: assessment === undefined ? true : assessment.allowed,
    attestationCertificateKeyIdentifiers: [...(assessment?.attestationCertificateKeyIdentifiers ?? [])],
    uvAmr: [...uvAmr],
  };
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

function record(data: CredentialData): Record<string, JsonValue> {
  const a = data['assurance'];
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, JsonValue>) : {};
}

/**
 * The assurance of one login: the registration's evidence (stored) with this assertion's
 * flags. A credential stored without assurance (registered before this existed) grades as
 * unattested.
 */
export function loginAssurance(
  cred: CredentialRecord,
  flags: { readonly userPresent: boolean; readonly userVerified: boolean },
  metadata: Metadata | undefined,
  now: Date,
): Assurance {
  const a = record(cred.data);
  const hardwareBound = a['hardwareBound'] === true;
  const aaguid = str(a['aaguid']);
  const source = str(a['aaguidSource']);
  const amr: AmrValue[] = [hardwareBound ? 'hwk' : 'swk'];
  if (flags.userPresent) amr.push('user');
  if (flags.userVerified) {
    amr.push('mfa');
    const uv = a['uvAmr'];
    if (Array.isArray(uv)) amr.push(...(uv.filter((v) => typeof v === 'string') as AmrValue[]));
  }
  // The model's status as of now, when the credential was trusted through metadata.
  let metadataStatus = str(a['metadataStatus']) as Assurance['metadataStatus'];
  let certificationLevel = str(a['certificationLevel']) as Assurance['certificationLevel'];
  if (metadata !== undefined && a['trustedByMetadata'] === true) {
    const entry = aaguid !== null ? metadata.byAaguid(aaguid) : undefined;
    if (entry !== undefined) {
      const s = evaluateStatus(entry, now);
      metadataStatus = s.latestStatus;
      certificationLevel = s.certificationLevel;
    }
  }
  return {
    phishingResistant: true,
    hardwareBound,
    aaguid,
    aaguidSource:
      source === 'attestation-certificate' || source === 'signed-authenticator-data' ? source : 'unattested',
    attestationTrusted: a['attestationTrusted'] === true,
    description: str(a['description']),
    metadataStatus,
    certificationLevel,
    userVerified: flags.userVerified,
    aal: assuranceLevel(true, flags.userVerified, hardwareBound),
    amr,
  };
}

/** The stored registration facts @factorkit/metadata's `reassess` needs. */
export function factsOf(cred: CredentialRecord): StoredAuthenticatorFacts {
  const a = record(cred.data);
  const ids = a['attestationCertificateKeyIdentifiers'];
  return {
    id: cred.id,
    aaguid: str(a['aaguid']),
    attestationCertificateKeyIdentifiers: Array.isArray(ids)
      ? ids.filter((v): v is string => typeof v === 'string')
      : [],
    trustedByMetadata: a['trustedByMetadata'] === true,
    metadataStatus: str(a['metadataStatus']) as StoredAuthenticatorFacts['metadataStatus'],
    certificationLevel: str(a['certificationLevel']) as StoredAuthenticatorFacts['certificationLevel'],
    allowed: a['allowed'] !== false,
  };
}
