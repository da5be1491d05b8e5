import type { AuthenticatorStatus, MetadataEntry, StatusReport } from './payload.ts';

/** Statuses denied by default (FIDO Metadata Service §3.1.4: the authenticator must not be trusted). */
export const DEFAULT_DENIED_STATUSES: readonly AuthenticatorStatus[] = [
  'REVOKED',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_VERIFICATION_BYPASS',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
];

/** FIDO certification levels, lowest first (FIDO_CERTIFIED is the level-less L1 of older BLOBs). */
export type CertificationLevel =
  | 'FIDO_CERTIFIED'
  | 'FIDO_CERTIFIED_L1'
  | 'FIDO_CERTIFIED_L1plus'
  | 'FIDO_CERTIFIED_L2'
  | 'FIDO_CERTIFIED_L2plus'
  | 'FIDO_CERTIFIED_L3'
  | 'FIDO_CERTIFIED_L3plus';

const LEVEL_RANK: Readonly<Record<CertificationLevel, number>> = {
  FIDO_CERTIFIED: 1,
  FIDO_CERTIFIED_L1: 1,
  FIDO_CERTIFIED_L1plus: 2,
  FIDO_CERTIFIED_L2: 3,
  FIDO_CERTIFIED_L2plus: 4,
  FIDO_CERTIFIED_L3: 5,
  FIDO_CERTIFIED_L3plus: 6,
};

export function isCertificationLevel(status: string): status is CertificationLevel {
  return Object.hasOwn(LEVEL_RANK, status);
}

/** Compares two levels: negative when `a` is lower. `null` (uncertified) is below every level. */
export function compareCertificationLevels(
  a: CertificationLevel | null,
  b: CertificationLevel | null,
): number {
  return (a === null ? 0 : LEVEL_RANK[a]) - (b === null ? 0 : LEVEL_RANK[b]);
}

// Reports that state the certification of the model (a later one replaces an earlier one).
const CERTIFICATION_STATEMENTS: ReadonlySet<string> = new Set([
  ...Object.keys(LEVEL_RANK),
  'NOT_FIDO_CERTIFIED',
  'SELF_ASSERTION_SUBMITTED',
  'REVOKED',
]);

export interface StatusPolicy {
  /** Statuses that deny. Default {@link DEFAULT_DENIED_STATUSES}. */
  readonly deny?: readonly AuthenticatorStatus[];
  /** Lowest certification accepted. Default none (uncertified authenticators pass). */
  readonly minimumCertificationLevel?: CertificationLevel;
}

export interface StatusDecision {
  readonly allowed: boolean;
  readonly code: 'ERR_AUTHENTICATOR_STATUS_DENIED' | 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW' | null;
  /** The status of the latest report in effect at the evaluation time, or null when none is. */
  readonly latestStatus: AuthenticatorStatus | null;
  /** The denied status still in force (the latest one, or an earlier one no certification cleared). */
  readonly deniedBy: AuthenticatorStatus | null;
  /** The certification in force: the latest certification statement, when it is a FIDO level. */
  readonly certificationLevel: CertificationLevel | null;
}

function effectiveAt(report: StatusReport): number {
  // A report without effectiveDate has always been in force.
  return report.effectiveDate === undefined
    ? Number.NEGATIVE_INFINITY
    : Date.parse(`${report.effectiveDate}T00:00:00Z`);
}

/**
 * The status policy (FIDO Metadata Service §3.1.3/§3.1.4), evaluated at `at`:
 * - only reports whose effectiveDate ≤ at are in force (future-dated ones wait);
 * - they are ordered by effectiveDate (same date: BLOB order); the latest one is `latestStatus`;
 * - a denied status (policy `deny`) denies while it is in force: when it is the latest report,
 *   or when no FIDO_CERTIFIED* report came after it — a later certification clears an earlier
 *   compromise, a later UPDATE_AVAILABLE does not;
 * - the certification level is that of the latest certification statement (FIDO_CERTIFIED*,
 *   NOT_FIDO_CERTIFIED, SELF_ASSERTION_SUBMITTED, REVOKED); it must reach
 *   `minimumCertificationLevel` when one is set.
 */
export function evaluateStatus(entry: MetadataEntry, at: Date, policy: StatusPolicy = {}): StatusDecision {
  const deny: ReadonlySet<string> = new Set(policy.deny ?? DEFAULT_DENIED_STATUSES);
  const t = at.getTime();
  const inForce = entry.statusReports
    .map((report, index) => ({ report, index, when: effectiveAt(report) }))
    .filter((r) => r.when <= t)
    .sort((a, b) => a.when - b.when || a.index - b.index)
    .map((r) => r.report);
  let latestStatus: AuthenticatorStatus | null = null;
  let deniedBy: AuthenticatorStatus | null = null;
  let certification: AuthenticatorStatus | null = null;
  for (const r of inForce) {
    latestStatus = r.status;
    if (deny.has(r.status)) deniedBy = r.status;
    else if (isCertificationLevel(r.status)) deniedBy = null;
    if (CERTIFICATION_STATEMENTS.has(r.status)) certification = r.status;
  }
  const certificationLevel =
    certification !== null && isCertificationLevel(certification) ? certification : null;
  if (deniedBy !== null)
    return {
      allowed: false,
      code: 'ERR_AUTHENTICATOR_STATUS_DENIED',
      latestStatus,
      deniedBy,
      certificationLevel,
    };
  const minimum = policy.minimumCertificationLevel;
  if (minimum !== undefined && compareCertificationLevels(certificationLevel, minimum) < 0)
    return {
      allowed: false,
      code: 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW',
      latestStatus,
      deniedBy,
      certificationLevel,
    };
  return { allowed: true, code: null, latestStatus, deniedBy, certificationLevel };
}
