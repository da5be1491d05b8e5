import { toHex } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import {
  OID_FIDO_GEN_CE_AAGUID,
  type ParsedCertificate,
  parseCertificate,
  type RegistrationVerified,
  verifyCertificateChain,
} from '@factorkit/webauthn';
import type { MetadataErrorCode } from './errors.ts';
import type { Metadata } from './metadata.ts';
import type { AuthenticatorStatus, MetadataEntry, MetadataStatement } from './payload.ts';
import { checkPathRevocation, type RevocationOptions } from './revocation.ts';
import { type CertificationLevel, evaluateStatus, type StatusDecision, type StatusPolicy } from './status.ts';

/** Where an AAGUID comes from; only the first two are evidence (WebAuthn §6.5.1, §8). */
export type AaguidSource = 'attestation-certificate' | 'signed-authenticator-data' | 'unattested';

/** The attestation facts a verified registration provides (from @factorkit/webauthn or u2f). */
export interface AttestationEvidence {
  /** Attestation statement format: `packed`, `fido-u2f`, `none`, `tpm`, … (`u2f` for raw U2F). */
  readonly fmt: string;
  /** WebAuthn §6.5.4 attestation type the format verified: none, self, basic, attca, anonca. */
  readonly attestationType: string;
  /** x5c, DER, leaf first (empty for none/self). The format already verified its signature. */
  readonly trustPath: readonly Uint8Array[];
  /** The AAGUID from authenticatorData (lowercase UUID); a claim until proven by the attestation. */
  readonly aaguid: string;
  /** COSE algorithm of the new credential. */
  readonly alg: number;
  readonly backupEligible: boolean;
  readonly userVerified: boolean;
}

/**
 * Authenticator policy, as data (createFactorkit options or direct calls).
 * Lists name AAGUIDs; they are matched only against an AAGUID proven by a trusted attestation.
 */
export interface AuthenticatorPolicy {
  /** Only these models (attested AAGUID required). Default: any. */
  readonly allowAaguids?: readonly string[];
  /** Never these models (matched against the attested AAGUID). */
  readonly denyAaguids?: readonly string[];
  /** Refuse backup-eligible (BE=1) credentials and untrusted attestation; metadata must not say software. */
  readonly hardwareBoundOnly?: boolean;
  /** Refuse registrations and logins without UV. */
  readonly requireUserVerification?: boolean;
  /** Require a metadata entry the attestation chains to (otherwise missing metadata only lowers assurance). */
  readonly requireMetadata?: boolean;
  readonly status?: StatusPolicy;
}

export interface MetadataAssessment {
  /** Whether every policy check passed (`code` null). */
  readonly allowed: boolean;
  readonly code: MetadataErrorCode | null;
  readonly message: string | null;
  /** The metadata entry the attestation was checked against, if found. */
  readonly entry: MetadataEntry | undefined;
  /** The statement's description (the model name), when the attestation chains to the entry. */
  readonly description: string | null;
  /** The attestation chains to the entry's attestationRootCertificates (and passed revocation). */
  readonly trusted: boolean;
  /** The AAGUID when proven by a trusted attestation, else null. */
  readonly aaguid: string | null;
  readonly aaguidSource: AaguidSource;
  /** SHA-1 key identifiers of the attestation certificate (U2F lookup). */
  readonly attestationCertificateKeyIdentifiers: readonly string[];
  readonly status: StatusDecision | null;
  readonly latestStatus: AuthenticatorStatus | null;
  readonly certificationLevel: CertificationLevel | null;
  /** Key protection from the statement (hardware, secure_element, tee, software, remote_handle). */
  readonly keyProtection: readonly string[];
  /** User verification methods from the statement (fingerprint_internal, passcode_external, …). */
  readonly userVerificationMethods: readonly string[];
}

export interface AssessOptions {
  readonly now: Date;
  /** When statuses are evaluated. Default `now`. */
  readonly statusAt?: Date;
  readonly policy?: AuthenticatorPolicy;
  /** Attestation chain revocation. Default soft-fail with no CRLs and no fetch. */
  readonly revocation?: RevocationOptions;
}

const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';
const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

/** MDS authenticationAlgorithms names (FIDO Registry §3.6.1) for each COSE algorithm. */
const COSE_TO_MDS: Readonly<Record<number, readonly string[]>> = {
  [-7]: ['secp256r1_ecdsa_sha256_raw', 'secp256r1_ecdsa_sha256_der'],
  [-35]: ['secp384r1_ecdsa_sha384_raw', 'secp384r1_ecdsa_sha384_der'],
  [-36]: ['secp521r1_ecdsa_sha512_raw', 'secp521r1_ecdsa_sha512_der'],
  [-47]: ['secp256k1_ecdsa_sha256_raw', 'secp256k1_ecdsa_sha256_der'],
  [-8]: ['ed25519_eddsa_sha512_raw'],
  [-257]: ['rsassa_pkcsv15_sha256_raw', 'rsa_emsa_pkcs1_sha256_raw', 'rsa_emsa_pkcs1_sha256_der'],
  [-258]: ['rsassa_pkcsv15_sha384_raw'],
  [-259]: ['rsassa_pkcsv15_sha512_raw'],
  [-65535]: ['rsassa_pkcsv15_sha1_raw'],
  [-37]: ['rsassa_pss_sha256_raw', 'rsassa_pss_sha256_der'],
  [-38]: ['rsassa_pss_sha384_raw'],
  [-39]: ['rsassa_pss_sha512_raw'],
};

/** WebAuthn attestation type → MDS attestationTypes values that permit it (FIDO Registry §3.7). */
const TYPE_TO_MDS: Readonly<Record<string, readonly string[]>> = {
  // packed cannot tell Basic from AttCA (§8.2), so either is accepted for it.
  basic: ['basic_full', 'attca'],
  attca: ['attca'],
  anonca: ['anonca'],
  self: ['basic_surrogate'],
  none: ['none'],
};

const HARDWARE_PROTECTION = new Set(['hardware', 'secure_element', 'tee']);

/** Key protection says the key is held in hardware (and not also in software). */
export function keyProtectionIsHardware(keyProtection: readonly string[]): boolean {
  return keyProtection.some((k) => HARDWARE_PROTECTION.has(k)) && !keyProtection.includes('software');
}

/**
 * RFC 5280 §4.2.1.2 method (1) key identifier (SHA-1 of the subjectPublicKey bits) and the
 * certificate's own subjectKeyIdentifier, lowercase hex: what §3.1.1
 * attestationCertificateKeyIdentifiers lists for U2F authenticators.
 */
export function attestationKeyIdentifiers(leaf: ParsedCertificate): string[] {
  const ids = new Set<string>();
  const spki = leaf.cert.publicKey.rawData;
  try {
    // The subjectPublicKey BIT STRING contents, after its unused-bits octet.
    const bits = subjectPublicKeyBits(new Uint8Array(spki));
    ids.add(toHex(defaultBackend.digest('SHA-1', bits)));
  } catch {
    // an SPKI we cannot split has no method-1 identifier
  }
  const skid = leaf.cert.extensions.find((e) => e.type === SUBJECT_KEY_IDENTIFIER);
  if (skid !== undefined) {
    const v = new Uint8Array(skid.value);
    // OCTET STRING (short form) holding the identifier.
    if (v[0] === 0x04 && v[1] === v.length - 2) ids.add(Buffer.from(v.subarray(2)).toString('hex'));
  }
  return [...ids];
}

function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  // SEQUENCE { AlgorithmIdentifier, BIT STRING }: read the two TLVs of the outer sequence.
  const read = (buf: Uint8Array, at: number): { start: number; end: number } => {
    let len = buf[at + 1] as number;
    let pos = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
      pos += n;
    }
    return { start: pos, end: pos + len };
  };
  const outer = read(spki, 0);
  const alg = read(spki, outer.start);
  if (spki[alg.end] !== 0x03) throw new Error('no BIT STRING');
  const bits = read(spki, alg.end);
  return spki.subarray(bits.start + 1, bits.end);
}

function isU2fFormat(fmt: string): boolean {
  return fmt === 'fido-u2f' || fmt === 'u2f';
}

/**
 * Whether the AAGUID in authenticatorData is signed by an attestation key: a format that
 * signs authenticatorData (not `fido-u2f`, whose signature omits it, WebAuthn §8.6) with a
 * certificate key (not `none` or self attestation). Trust in that key is a separate question.
 */
export function formatSignsAaguid(
  evidence: Pick<AttestationEvidence, 'fmt' | 'attestationType' | 'trustPath' | 'aaguid'>,
): boolean {
  return (
    !isU2fFormat(evidence.fmt) &&
    evidence.fmt !== 'none' &&
    evidence.attestationType !== 'none' &&
    evidence.attestationType !== 'self' &&
    evidence.trustPath.length > 0 &&
    evidence.aaguid !== ZERO_AAGUID
  );
}

/** The attestation certificate carries id-fido-gen-ce-aaguid (WebAuthn §8.2.1) equal to `aaguid`. */
export function certificateCarriesAaguid(trustPath: readonly Uint8Array[], aaguid: string): boolean {
  const der = trustPath[0];
  if (der === undefined) return false;
  try {
    return certificateAaguid(parseCertificate(der)) === aaguid;
  } catch {
    return false;
  }
}

/** The evidence a verified @factorkit/webauthn registration carries. */
export function evidenceFromRegistration(r: RegistrationVerified): AttestationEvidence {
  return {
    fmt: r.attestation.fmt,
    attestationType: r.attestation.type,
    trustPath: r.attestation.trustPath,
    aaguid: r.aaguid,
    alg: r.alg,
    backupEligible: r.backupEligible,
    userVerified: r.userVerified,
  };
}

function certificateAaguid(leaf: ParsedCertificate): string | undefined {
  const ext = leaf.cert.extensions.find((e) => e.type === OID_FIDO_GEN_CE_AAGUID);
  if (ext === undefined) return undefined;
  const v = new Uint8Array(ext.value);
  if (v.length !== 18 || v[0] !== 0x04 || v[1] !== 16) return undefined;
  const h = Buffer.from(v.subarray(2)).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const parsedStatementRoots = new WeakMap<MetadataStatement, ParsedCertificate[]>();

function statementRoots(statement: MetadataStatement): ParsedCertificate[] {
  let roots = parsedStatementRoots.get(statement);
  if (roots === undefined) {
    roots = [];
    for (const b64 of statement.attestationRootCertificates) {
      try {
        roots.push(parseCertificate(new Uint8Array(Buffer.from(b64, 'base64'))));
      } catch {
        // an unparseable root anchors nothing
      }
    }
    parsedStatementRoots.set(statement, roots);
  }
  return roots;
}

export interface StatementCheck {
  readonly trusted: boolean;
  readonly code: MetadataErrorCode | null;
  readonly message: string | null;
}

/**
 * Checks a verified attestation against one metadata statement: the trust path chains to the
 * statement's attestationRootCertificates at `now` (an anchor may be the leaf itself or an
 * intermediate, as listed), revocation per `revocation`, and the statement's
 * attestationTypes and authenticationAlgorithms admit this attestation and credential.
 */
export async function checkAttestationAgainstStatement(
  statement: MetadataStatement,
  evidence: Pick<AttestationEvidence, 'attestationType' | 'trustPath' | 'alg'>,
  now: Date,
  revocation: RevocationOptions = {},
): Promise<StatementCheck> {
  const fail = (code: MetadataErrorCode, message: string): StatementCheck => ({
    trusted: false,
    code,
    message,
  });
  if (evidence.trustPath.length === 0)
    return fail('ERR_METADATA_ATTESTATION_UNTRUSTED', 'the attestation has no certificate path');
  let path: ParsedCertificate[];
  try {
    path = evidence.trustPath.map((der) => parseCertificate(der));
  } catch {
    return fail('ERR_METADATA_ATTESTATION_UNTRUSTED', 'an attestation certificate could not be parsed');
  }
  const anchors = statementRoots(statement);
  const chain = await verifyCertificateChain(path, { anchors, now });
  if (!chain.trusted)
    return fail(
      'ERR_METADATA_ATTESTATION_UNTRUSTED',
      `attestation does not chain to the metadata roots: ${chain.reason}`,
    );
  const built = chain.path.map(
    (der) => [...path, ...anchors].find((c) => c.der === der) as ParsedCertificate,
  );
  const revoked = await checkPathRevocation(built, now, revocation);
  if (!revoked.ok) return fail(revoked.code, revoked.message);
  const allowedTypes = TYPE_TO_MDS[evidence.attestationType] ?? [];
  if (!statement.attestationTypes.some((t) => allowedTypes.includes(t)))
    return fail(
      'ERR_METADATA_ATTESTATION_TYPE_MISMATCH',
      `attestation type ${evidence.attestationType} is not among the statement's ${statement.attestationTypes.join(', ')}`,
    );
  const names = COSE_TO_MDS[evidence.alg] ?? [];
  if (!statement.authenticationAlgorithms.some((a) => names.includes(a)))
    return fail(
      'ERR_METADATA_ALGORITHM_MISMATCH',
      `credential algorithm ${evidence.alg} is not in the statement`,
    );
  const kp = statement.keyProtection;
  if (kp.length === 0 || (kp.includes('software') && kp.some((k) => HARDWARE_PROTECTION.has(k))))
    return fail('ERR_METADATA_KEY_PROTECTION_MISMATCH', 'statement keyProtection is empty or contradictory');
  return { trusted: true, code: null, message: null };
}

/**
 * Trust and policy from metadata for a verified registration. The entry is found by the
 * AAGUID only when the format signs it with an attestation key (never from `none`, `self` or
 * `fido-u2f` authenticatorData, whose AAGUID is unsigned or self-asserted); U2F attestation is
 * found by its certificate key identifier. The attestation must then chain to that entry's
 * roots before anything from the entry (model name, status, key protection) is used.
 */
export async function assessAttestation(
  evidence: AttestationEvidence,
  metadata: Metadata | undefined,
  options: AssessOptions,
): Promise<MetadataAssessment> {
  const { now } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  const policy = options.policy ?? {};
  const u2f = isU2fFormat(evidence.fmt);
  const signsAaguid = formatSignsAaguid(evidence);
  let leaf: ParsedCertificate | undefined;
  try {
    leaf = evidence.trustPath[0] === undefined ? undefined : parseCertificate(evidence.trustPath[0]);
  } catch {
    leaf = undefined;
  }
  const keyIds = leaf === undefined ? [] : attestationKeyIdentifiers(leaf);
  let entry: MetadataEntry | undefined;
  if (metadata !== undefined) {
    if (signsAaguid) entry = metadata.byAaguid(evidence.aaguid);
    else if (u2f) for (const id of keyIds) entry ??= metadata.byAttestationCertificateKeyIdentifier(id);
  }
  const base = {
    entry,
    attestationCertificateKeyIdentifiers: keyIds,
  };
  const unattested = (
    code: MetadataErrorCode | null,
    message: string | null,
    e: MetadataEntry | undefined,
  ): MetadataAssessment => ({
    ...base,
    entry: e,
    allowed: code === null,
    code,
    message,
    description: null,
    trusted: false,
    aaguid: null,
    aaguidSource: 'unattested',
    status: null,
    latestStatus: null,
    certificationLevel: null,
    keyProtection: [],
    userVerificationMethods: [],
  });
  const uvRequired = policy.requireUserVerification === true && !evidence.userVerified;
  // Policy that needs proof fails when there is none.
  const needsProof =
    policy.requireMetadata === true || policy.hardwareBoundOnly === true || policy.allowAaguids !== undefined;
  const statement = entry?.metadataStatement;
  if (entry === undefined || statement === undefined) {
    if (uvRequired)
      return unattested('ERR_AUTHENTICATOR_UV_REQUIRED', 'user verification is required', undefined);
    if (needsProof) {
      const code: MetadataErrorCode =
        signsAaguid || u2f ? 'ERR_METADATA_ENTRY_NOT_FOUND' : 'ERR_METADATA_AAGUID_UNATTESTED';
      return unattested(
        code,
        code === 'ERR_METADATA_ENTRY_NOT_FOUND'
          ? 'no metadata entry for this authenticator'
          : 'the AAGUID is not attested',
        undefined,
      );
    }
    return unattested(null, null, undefined);
  }
  const check = await checkAttestationAgainstStatement(statement, evidence, now, options.revocation);
  if (!check.trusted) {
    // Revocation and statement mismatches always reject; an unchained attestation only when proof is needed.
    const always = check.code !== 'ERR_METADATA_ATTESTATION_UNTRUSTED';
    if (always || needsProof) return unattested(check.code, check.message, undefined);
    if (uvRequired)
      return unattested('ERR_AUTHENTICATOR_UV_REQUIRED', 'user verification is required', undefined);
    return unattested(null, null, undefined);
  }
  const certAaguid = leaf === undefined ? undefined : certificateAaguid(leaf);
  const aaguid = u2f ? null : evidence.aaguid;
  const aaguidSource: AaguidSource = u2f
    ? 'unattested'
    : certAaguid === evidence.aaguid
      ? 'attestation-certificate'
      : 'signed-authenticator-data';
  const status = evaluateStatus(entry, options.statusAt ?? now, policy.status);
  const result = (code: MetadataErrorCode | null, message: string | null): MetadataAssessment => ({
    ...base,
    allowed: code === null,
    code,
    message,
    description: statement.description,
    trusted: true,
    aaguid,
    aaguidSource,
    status,
    latestStatus: status.latestStatus,
    certificationLevel: status.certificationLevel,
    keyProtection: statement.keyProtection,
    userVerificationMethods: statement.userVerificationMethods,
  });
  if (!status.allowed && status.code !== null)
    return result(
      status.code,
      `authenticator status ${status.deniedBy ?? status.latestStatus ?? 'uncertified'} is not allowed`,
    );
  const norm = (list: readonly string[] | undefined) => list?.map((a) => a.toLowerCase());
  if (aaguid !== null && norm(policy.denyAaguids)?.includes(aaguid))
    return result('ERR_AUTHENTICATOR_DENIED', 'this authenticator model is denied by policy');
  if (policy.allowAaguids !== undefined && (aaguid === null || !norm(policy.allowAaguids)?.includes(aaguid)))
    return result('ERR_AUTHENTICATOR_NOT_ALLOWED', 'this authenticator model is not on the allow list');
  if (
    policy.hardwareBoundOnly === true &&
    (evidence.backupEligible || !keyProtectionIsHardware(statement.keyProtection))
  )
    return result('ERR_AUTHENTICATOR_NOT_HARDWARE_BOUND', 'the credential is not bound to hardware');
  if (uvRequired) return result('ERR_AUTHENTICATOR_UV_REQUIRED', 'user verification is required');
  return result(null, null);
}
