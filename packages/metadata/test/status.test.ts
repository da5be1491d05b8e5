import { describe, expect, it } from 'vitest';
import {
  AUTHENTICATOR_STATUSES,
  type AuthenticatorStatus,
  type CertificationLevel,
  DEFAULT_DENIED_STATUSES,
  evaluateStatus,
  type MetadataEntry,
  type StatusPolicy,
} from '../src/index.ts';

const NOW = new Date('2025-06-01T12:00:00Z');

// The oracle, written out as data (not derived from the implementation).
const DENIED_BY_DEFAULT: ReadonlySet<string> = new Set([
  'REVOKED',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_VERIFICATION_BYPASS',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
]);
const LEVEL: Readonly<Record<string, number>> = {
  FIDO_CERTIFIED: 1,
  FIDO_CERTIFIED_L1: 1,
  FIDO_CERTIFIED_L1plus: 2,
  FIDO_CERTIFIED_L2: 3,
  FIDO_CERTIFIED_L2plus: 4,
  FIDO_CERTIFIED_L3: 5,
  FIDO_CERTIFIED_L3plus: 6,
};
// Statements about certification: a later one replaces the level.
const CERTIFICATION_STATEMENT: ReadonlySet<string> = new Set([
  ...Object.keys(LEVEL),
  'NOT_FIDO_CERTIFIED',
  'SELF_ASSERTION_SUBMITTED',
  'REVOKED',
]);

const DATES = {
  past: '2024-03-01',
  today: '2025-06-01', // effective from 00:00 UTC, before NOW
  future: '2025-06-02',
  absent: undefined,
} as const;
type DateKind = keyof typeof DATES;
const inForce = (d: DateKind): boolean => d !== 'future';

const POLICIES: Readonly<Record<string, StatusPolicy & { rank: number; denySet: ReadonlySet<string> }>> = {
  default: { rank: 0, denySet: DENIED_BY_DEFAULT },
  'deny nothing': { deny: [], rank: 0, denySet: new Set() },
  'minimum L1': { minimumCertificationLevel: 'FIDO_CERTIFIED_L1', rank: 1, denySet: DENIED_BY_DEFAULT },
  'minimum L2plus': {
    minimumCertificationLevel: 'FIDO_CERTIFIED_L2plus',
    rank: 4,
    denySet: DENIED_BY_DEFAULT,
  },
  'minimum L3plus': {
    minimumCertificationLevel: 'FIDO_CERTIFIED_L3plus',
    rank: 6,
    denySet: DENIED_BY_DEFAULT,
  },
};

function entry(
  reports: { status: AuthenticatorStatus; effectiveDate?: string | undefined }[],
): MetadataEntry {
  return {
    aaid: undefined,
    aaguid: '00000000-0000-0000-0000-000000000001',
    attestationCertificateKeyIdentifiers: [],
    metadataStatement: undefined,
    statusReports: reports.map((r) => ({
      status: r.status,
      effectiveDate: r.effectiveDate,
      authenticatorVersion: undefined,
      raw: {},
    })),
    timeOfLastStatusChange: undefined,
  };
}

function expectedDecision(
  latest: string | null,
  denied: boolean,
  rank: number,
  policy: { rank: number },
): { allowed: boolean; code: string | null; latestStatus: string | null } {
  if (denied) return { allowed: false, code: 'ERR_AUTHENTICATOR_STATUS_DENIED', latestStatus: latest };
  if (rank < policy.rank)
    return { allowed: false, code: 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW', latestStatus: latest };
  return { allowed: true, code: null, latestStatus: latest };
}

function policyOf(p: StatusPolicy & { rank: number; denySet: ReadonlySet<string> }): StatusPolicy {
  const { rank: _r, denySet: _d, ...policy } = p;
  return policy;
}

describe('status policy: status × effective date × policy (exhaustive)', () => {
  let cases = 0;
  it('the default deny list is the one the issue names', () => {
    expect([...DEFAULT_DENIED_STATUSES].sort()).toEqual([...DENIED_BY_DEFAULT].sort());
  });

  for (const [policyName, policy] of Object.entries(POLICIES)) {
    for (const status of AUTHENTICATOR_STATUSES) {
      for (const dateKind of Object.keys(DATES) as DateKind[]) {
        it(`${policyName} | ${status} alone, effective ${dateKind}`, () => {
          cases++;
          const effective = inForce(dateKind);
          const got = evaluateStatus(
            entry([{ status, effectiveDate: DATES[dateKind] }]),
            NOW,
            policyOf(policy),
          );
          const rank = effective ? (LEVEL[status] ?? 0) : 0;
          const want = expectedDecision(
            effective ? status : null,
            effective && policy.denySet.has(status),
            rank,
            policy,
          );
          expect({ allowed: got.allowed, code: got.code, latestStatus: got.latestStatus }).toEqual(want);
          expect(got.certificationLevel).toBe(effective && LEVEL[status] !== undefined ? status : null);
        });

        it(`${policyName} | FIDO_CERTIFIED_L2 in 2020, then ${status} effective ${dateKind}`, () => {
          cases++;
          // Undated reports have always been in force: they sort before the dated L2.
          const effective = dateKind === 'past' || dateKind === 'today';
          const reports = [
            { status: 'FIDO_CERTIFIED_L2' as const, effectiveDate: '2020-01-01' },
            { status, effectiveDate: DATES[dateKind] },
          ];
          const got = evaluateStatus(entry(reports), NOW, policyOf(policy));
          const latest = effective ? status : 'FIDO_CERTIFIED_L2';
          const level =
            effective && CERTIFICATION_STATEMENT.has(status) ? (LEVEL[status] ?? 0) : LEVEL.FIDO_CERTIFIED_L2;
          const want = expectedDecision(
            latest,
            effective && policy.denySet.has(status),
            level as number,
            policy,
          );
          expect({ allowed: got.allowed, code: got.code, latestStatus: got.latestStatus }).toEqual(want);
        });
      }
    }
  }

  it('covers 15 statuses × 4 dates × 5 policies × 2 histories', () => {
    expect(cases).toBe(15 * 4 * 5 * 2);
  });
});

describe('status policy: clearing and ordering', () => {
  const compromises = [...DENIED_BY_DEFAULT] as AuthenticatorStatus[];
  for (const bad of compromises) {
    for (const dateKind of ['past', 'today', 'future'] as const) {
      it(`${bad} in 2023 then FIDO_CERTIFIED_L1 effective ${dateKind}: cleared only once in force`, () => {
        const got = evaluateStatus(
          entry([
            { status: bad, effectiveDate: '2023-01-01' },
            { status: 'FIDO_CERTIFIED_L1', effectiveDate: DATES[dateKind] },
          ]),
          NOW,
        );
        expect(got.allowed).toBe(inForce(dateKind));
        expect(got.deniedBy).toBe(inForce(dateKind) ? null : bad);
      });
      it(`${bad} in 2023 then UPDATE_AVAILABLE effective ${dateKind}: still denied`, () => {
        const got = evaluateStatus(
          entry([
            { status: bad, effectiveDate: '2023-01-01' },
            { status: 'UPDATE_AVAILABLE', effectiveDate: DATES[dateKind] },
          ]),
          NOW,
        );
        expect(got).toMatchObject({ allowed: false, code: 'ERR_AUTHENTICATOR_STATUS_DENIED', deniedBy: bad });
        expect(got.latestStatus).toBe(inForce(dateKind) ? 'UPDATE_AVAILABLE' : bad);
      });
    }
  }

  it('order is by effectiveDate, not BLOB order; same date keeps BLOB order', () => {
    const shuffled = entry([
      { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-05-01' },
      { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2023-01-01' },
    ]);
    expect(evaluateStatus(shuffled, NOW)).toMatchObject({ allowed: true, latestStatus: 'FIDO_CERTIFIED_L1' });
    const sameDay = entry([
      { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-05-01' },
      { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2024-05-01' },
    ]);
    expect(evaluateStatus(sameDay, NOW)).toMatchObject({
      allowed: false,
      latestStatus: 'USER_VERIFICATION_BYPASS',
    });
  });

  it('a later NOT_FIDO_CERTIFIED drops the certification level', () => {
    const e = entry([
      { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2020-01-01' },
      { status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2024-01-01' },
    ]);
    expect(evaluateStatus(e, NOW).certificationLevel).toBeNull();
    expect(evaluateStatus(e, new Date('2023-01-01T00:00:00Z')).certificationLevel).toBe('FIDO_CERTIFIED_L2');
    const min: CertificationLevel = 'FIDO_CERTIFIED_L1';
    expect(evaluateStatus(e, NOW, { minimumCertificationLevel: min }).code).toBe(
      'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW',
    );
  });

  it('an entry without reports: no status, allowed unless a level is required', () => {
    expect(evaluateStatus(entry([]), NOW)).toMatchObject({
      allowed: true,
      latestStatus: null,
      certificationLevel: null,
    });
    expect(evaluateStatus(entry([]), NOW, { minimumCertificationLevel: 'FIDO_CERTIFIED_L1' }).allowed).toBe(
      false,
    );
  });
});
