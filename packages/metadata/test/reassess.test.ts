import { describe, expect, it } from 'vitest';
import {
  indexMetadata,
  parseMetadataPayload,
  reassess,
  type StoredAuthenticatorFacts,
} from '../src/index.ts';

const NOW = new Date('2025-06-01T00:00:00Z');
const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';
const KEY = 'ab'.repeat(20);

function metadata(entries: unknown[]) {
  return indexMetadata(
    parseMetadataPayload(JSON.stringify({ legalHeader: 'x', no: 2, nextUpdate: '2025-07-01', entries })),
  );
}

const stmt = (description: string) => ({
  description,
  protocolFamily: 'fido2',
  authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
  attestationTypes: ['basic_full'],
  keyProtection: ['hardware'],
  attestationRootCertificates: [],
});

const facts = (over: Partial<StoredAuthenticatorFacts>): StoredAuthenticatorFacts => ({
  id: 'c1',
  aaguid: A,
  trustedByMetadata: true,
  metadataStatus: 'FIDO_CERTIFIED_L2',
  certificationLevel: 'FIDO_CERTIFIED_L2',
  allowed: true,
  ...over,
});

describe('reassess(metadata, credentials, now)', () => {
  const m = metadata([
    {
      aaguid: A,
      metadataStatement: stmt('A'),
      statusReports: [
        { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2020-01-01' },
        { status: 'USER_KEY_REMOTE_COMPROMISE', effectiveDate: '2025-05-01' },
      ],
    },
    {
      aaguid: B,
      metadataStatement: stmt('B'),
      statusReports: [
        { status: 'FIDO_CERTIFIED_L2', effectiveDate: '2020-01-01' },
        { status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2025-01-01' },
      ],
    },
    {
      attestationCertificateKeyIdentifiers: [KEY],
      metadataStatement: stmt('U2F'),
      statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2019-01-01' }],
    },
  ]);

  it('status now denied', () => {
    expect(reassess(m, [facts({})], NOW)).toEqual([
      {
        id: 'c1',
        assessable: true,
        found: true,
        description: 'A',
        latestStatus: 'USER_KEY_REMOTE_COMPROMISE',
        certificationLevel: 'FIDO_CERTIFIED_L2',
        allowed: false,
        code: 'ERR_AUTHENTICATOR_STATUS_DENIED',
        changes: ['status-denied', 'status-changed'],
      },
    ]);
    // Before the report became effective nothing changed.
    expect(reassess(m, [facts({})], new Date('2025-04-01T00:00:00Z'))[0]?.changes).toEqual([]);
  });

  it('certification dropped (and the floor then denies)', () => {
    const r = reassess(m, [facts({ aaguid: B })], NOW, {
      status: { minimumCertificationLevel: 'FIDO_CERTIFIED_L1' },
    });
    expect(r[0]).toMatchObject({
      allowed: false,
      code: 'ERR_AUTHENTICATOR_CERTIFICATION_TOO_LOW',
      certificationLevel: null,
    });
    expect(r[0]?.changes).toEqual(['status-denied', 'status-changed', 'certification-dropped']);
  });

  it('entry removed; U2F by key identifier; unattested credentials are not matched', () => {
    const removed = reassess(m, [facts({ aaguid: '00000000-0000-0000-0000-0000000000ff' })], NOW);
    expect(removed[0]).toMatchObject({ found: false, allowed: true, changes: ['entry-removed'] });
    expect(
      reassess(m, [facts({ aaguid: '00000000-0000-0000-0000-0000000000ff' })], NOW, {
        requireMetadata: true,
      })[0],
    ).toMatchObject({
      allowed: false,
      code: 'ERR_METADATA_ENTRY_NOT_FOUND',
    });
    const u2f = reassess(
      m,
      [
        facts({
          aaguid: null,
          attestationCertificateKeyIdentifiers: [KEY],
          metadataStatus: 'FIDO_CERTIFIED',
          certificationLevel: 'FIDO_CERTIFIED',
        }),
      ],
      NOW,
    );
    expect(u2f[0]).toMatchObject({ found: true, description: 'U2F', changes: [] });
    // A claimed (unattested) AAGUID is never looked up.
    const claimed = reassess(m, [facts({ aaguid: A, trustedByMetadata: false })], NOW);
    expect(claimed[0]).toMatchObject({ assessable: false, found: false, changes: [] });
  });

  it('allowed again after a later certification', () => {
    const cleared = metadata([
      {
        aaguid: A,
        metadataStatement: stmt('A'),
        statusReports: [
          { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2023-01-01' },
          { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' },
        ],
      },
    ]);
    const r = reassess(
      cleared,
      [facts({ allowed: false, metadataStatus: 'USER_VERIFICATION_BYPASS', certificationLevel: null })],
      NOW,
    );
    expect(r[0]?.changes).toEqual(['allowed-again', 'status-changed', 'certification-raised']);
  });

  it('misuse: now must be a Date', () => {
    expect(() => reassess(m, [], new Date('x'))).toThrow(TypeError);
  });
});
