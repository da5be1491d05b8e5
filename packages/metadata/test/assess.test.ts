import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { crl, NOW, signBlob, testMds, yubicoEntry } from '@factorkit/testkit/pki';
import { type CborValue, decodeCborMap, encodeCbor } from '@factorkit/virtual-authenticator';
import { decodeBase64url, encodeBase64url, parseCoseKey, verifyRegistration } from '@factorkit/webauthn';

const decode = (b: Uint8Array): Map<number | string, CborValue> => decodeCborMap(b);

import { describe, expect, it } from 'vitest';
import {
  assessAttestation,
  assessRegistration,
  checkAttestationAgainstStatement,
  loadMetadata,
  type Metadata,
  parseMetadataPayload,
} from '../src/index.ts';

const shared = sharedFixturesDir();
const partialDir = shared === undefined ? undefined : join(shared, 'real/webauthn/simplewebauthn/partial');
const jwsDir = shared === undefined ? undefined : join(shared, 'real/webauthn/java-webauthn-server');
const haveShared = partialDir !== undefined && existsSync(partialDir) && existsSync(jwsDir as string);
if (!haveShared)
  console.warn(sharedFixturesSkipMessage('the partial MDS cases and the YubiKey registrations'));

const YUBIKEY_5_NFC = 'fa2b99dc-9e39-4257-8f92-4a30d23c4118';
const yubikeyEntry = yubicoEntry;

async function testMetadata(entries: unknown[], no = 1): Promise<Metadata> {
  const mds = await testMds();
  const jwt = await signBlob({ legalHeader: 't', no, nextUpdate: '2025-07-01', entries }, mds.signer, [
    mds.signer,
    mds.intermediate,
  ]);
  const loaded = await loadMetadata(jwt, { now: NOW, roots: [mds.root.pem], revocation: { crls: mds.crls } });
  if (!loaded.ok) throw new Error(loaded.code);
  return loaded.metadata;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

async function register(c: Record<string, unknown>, response?: unknown) {
  const ctx = c['context'] as { challenge: string; origin: string; rpId: string };
  const r = await verifyRegistration(response ?? c['response'], {
    expectedChallenge: ctx.challenge,
    expectedOrigin: ctx.origin,
    expectedRpId: ctx.rpId,
    now: NOW,
  });
  if (!r.verified) throw new Error(`${r.code} ${r.step}`);
  return r;
}

describe.skipIf(!haveShared)('partial/mds-attestation-check-* (attestation against a statement)', () => {
  const files = haveShared
    ? readdirSync(partialDir as string).filter((f) => f.startsWith('mds-attestation-check-'))
    : [];
  it('there are 5 cases', () => expect(files).toHaveLength(5));
  for (const f of files) {
    it(f, async () => {
      const c = readJson(join(partialDir as string, f));
      const input = c['input'] as { statement: unknown; credentialPublicKey: string; x5c: string[] };
      const expected = c['expected'] as { verified: boolean; mockedNow: string | null };
      const payload = parseMetadataPayload(
        JSON.stringify({
          legalHeader: 'x',
          no: 1,
          nextUpdate: '2030-01-01',
          entries: [{ statusReports: [], metadataStatement: input.statement }],
        }),
      );
      const statement = payload.entries[0]?.metadataStatement;
      if (statement === undefined) throw new Error('no statement');
      const now = new Date(expected.mockedNow ?? '2024-01-01T00:00:00Z');
      const alg = parseCoseKey(decodeBase64url(input.credentialPublicKey)).alg;
      const trustPath = input.x5c.map((b) => new Uint8Array(Buffer.from(b, 'base64')));
      const type = (statement.attestationTypes[0] === 'attca' ? 'attca' : 'basic') as string;
      // Soft-fail (no CRLs offline): the chain and statement checks alone.
      const soft = await checkAttestationAgainstStatement(
        statement,
        { attestationType: type, trustPath, alg },
        now,
      );
      // Hard-fail: a certificate naming a CRL distribution point needs a usable CRL.
      const hard = await checkAttestationAgainstStatement(
        statement,
        { attestationType: type, trustPath, alg },
        now,
        {
          mode: 'hard-fail',
        },
      );
      if (expected.verified) {
        expect(soft).toEqual({ trusted: true, code: null, message: null });
      } else {
        // Upstream rejects case 1 as revoked with live CRLs; offline, hard-fail rejects it for the
        // missing CRL and soft-fail (SimpleWebAuthn's offline behaviour) lets it through.
        expect(soft.trusted).toBe(true);
        expect(hard).toMatchObject({ trusted: false, code: 'ERR_REVOCATION_UNAVAILABLE' });
      }
    });
  }
  it('a wrong credential algorithm is ERR_METADATA_ALGORITHM_MISMATCH; a wrong type ERR_METADATA_ATTESTATION_TYPE_MISMATCH', async () => {
    const c = readJson(join(partialDir as string, 'mds-attestation-check-4.json'));
    const input = c['input'] as { statement: unknown; x5c: string[] };
    const statement = parseMetadataPayload(
      JSON.stringify({
        legalHeader: 'x',
        no: 1,
        nextUpdate: '2030-01-01',
        entries: [{ statusReports: [], metadataStatement: input.statement }],
      }),
    ).entries[0]?.metadataStatement;
    if (statement === undefined) throw new Error('no statement');
    const trustPath = input.x5c.map((b) => new Uint8Array(Buffer.from(b, 'base64')));
    const now = new Date('2024-01-01T00:00:00Z');
    expect(
      (
        await checkAttestationAgainstStatement(
          statement,
          { attestationType: 'basic', trustPath, alg: -257 },
          now,
        )
      ).code,
    ).toBe('ERR_METADATA_ALGORITHM_MISMATCH');
    expect(
      (
        await checkAttestationAgainstStatement(
          statement,
          { attestationType: 'anonca', trustPath, alg: -7 },
          now,
        )
      ).code,
    ).toBe('ERR_METADATA_ATTESTATION_TYPE_MISMATCH');
  });
});

describe.skipIf(!haveShared)('a real YubiKey registration, trusted through metadata alone', () => {
  const packed = haveShared ? readJson(join(jwsDir as string, 'registration-packed-1.json')) : {};
  const u2f = haveShared ? readJson(join(jwsDir as string, 'registration-fido-u2f-3.json')) : {};

  it('packed YubiKey 5 NFC: trusted, named, assurance graded (no configured anchor)', async () => {
    const metadata = await testMetadata([
      yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-05-12' },
      ]),
    ]);
    const reg = await register(packed);
    expect(reg.attestation.trusted).toBe(false); // no anchors were configured
    const { assessment, assurance } = await assessRegistration(reg, metadata, { now: NOW });
    expect(assessment).toMatchObject({
      allowed: true,
      code: null,
      trusted: true,
      description: 'YubiKey 5 Series with NFC',
      aaguid: YUBIKEY_5_NFC,
      latestStatus: 'FIDO_CERTIFIED_L1',
      certificationLevel: 'FIDO_CERTIFIED_L1',
    });
    expect(assurance).toEqual({
      phishingResistant: true,
      hardwareBound: true,
      aaguid: YUBIKEY_5_NFC,
      aaguidSource: assessment?.aaguidSource,
      attestationTrusted: true,
      description: 'YubiKey 5 Series with NFC',
      metadataStatus: 'FIDO_CERTIFIED_L1',
      certificationLevel: 'FIDO_CERTIFIED_L1',
      userVerified: false,
      aal: 'AAL1',
      amr: ['hwk', 'user'],
    });
    expect(['attestation-certificate', 'signed-authenticator-data']).toContain(assurance.aaguidSource);
  });

  it('the same registration under a compromised status, or not on the allow list, is refused', async () => {
    const metadata = await testMetadata([
      yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-05-12' },
        { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-01-01' },
      ]),
    ]);
    const reg = await register(packed);
    const denied = await assessRegistration(reg, metadata, { now: NOW });
    expect(denied.assessment).toMatchObject({ allowed: false, code: 'ERR_AUTHENTICATOR_STATUS_DENIED' });
    const before = await assessRegistration(reg, metadata, {
      now: NOW,
      statusAt: new Date('2024-06-01T00:00:00Z'),
    });
    expect(before.assessment?.allowed).toBe(true);
    const ok = await testMetadata([yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [])]);
    const notAllowed = await assessRegistration(reg, ok, {
      now: NOW,
      policy: { allowAaguids: ['00000000-0000-0000-0000-000000000001'] },
    });
    expect(notAllowed.assessment?.code).toBe('ERR_AUTHENTICATOR_NOT_ALLOWED');
    const denyList = await assessRegistration(reg, ok, {
      now: NOW,
      policy: { denyAaguids: [YUBIKEY_5_NFC.toUpperCase()] },
    });
    expect(denyList.assessment?.code).toBe('ERR_AUTHENTICATOR_DENIED');
    const uv = await assessRegistration(reg, ok, { now: NOW, policy: { requireUserVerification: true } });
    expect(uv.assessment?.code).toBe('ERR_AUTHENTICATOR_UV_REQUIRED');
    const allowed = await assessRegistration(reg, ok, {
      now: NOW,
      policy: { allowAaguids: [YUBIKEY_5_NFC], hardwareBoundOnly: true },
    });
    expect(allowed.assessment?.allowed).toBe(true);
  });

  it('an entry whose roots do not anchor the attestation gives no trust, name or status', async () => {
    const mds = await testMds();
    const entry = yubikeyEntry(YUBIKEY_5_NFC, 'Fake', []);
    (entry['metadataStatement'] as Record<string, unknown>)['attestationRootCertificates'] = [
      Buffer.from(mds.root.der).toString('base64'),
    ];
    const metadata = await testMetadata([entry]);
    const reg = await register(packed);
    const { assessment, assurance } = await assessRegistration(reg, metadata, { now: NOW });
    expect(assessment).toMatchObject({
      allowed: true,
      trusted: false,
      description: null,
      aaguid: null,
      entry: undefined,
    });
    expect(assurance).toMatchObject({
      attestationTrusted: false,
      aaguid: null,
      aaguidSource: 'unattested',
      hardwareBound: false,
      description: null,
    });
    const strict = await assessRegistration(reg, metadata, { now: NOW, policy: { requireMetadata: true } });
    expect(strict.assessment?.code).toBe('ERR_METADATA_ATTESTATION_UNTRUSTED');
  });

  it('forged AAGUID under none attestation: verified, but never trusted, named or attested', async () => {
    const metadata = await testMetadata([yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [])]);
    const response = structuredClone(packed['response']) as { response: { attestationObject: string } };
    const ao = decode(decodeBase64url(response.response.attestationObject));
    const none = new Map<string, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', ao.get('authData') as Uint8Array],
    ]);
    response.response.attestationObject = encodeBase64url(encodeCbor(none));
    const reg = await register(packed, response);
    expect(reg.aaguid).toBe(YUBIKEY_5_NFC); // the claim is there…
    const { assessment, assurance } = await assessRegistration(reg, metadata, { now: NOW });
    // …but nothing is derived from it.
    expect(assessment).toMatchObject({
      trusted: false,
      aaguid: null,
      aaguidSource: 'unattested',
      description: null,
      entry: undefined,
    });
    expect(assurance).toMatchObject({
      aaguid: null,
      aaguidSource: 'unattested',
      attestationTrusted: false,
      hardwareBound: false,
      aal: 'AAL1',
    });
    expect(assurance.amr).toEqual(['swk', 'user']);
    const allowList = await assessRegistration(reg, metadata, {
      now: NOW,
      policy: { allowAaguids: [YUBIKEY_5_NFC] },
    });
    expect(allowList.assessment?.code).toBe('ERR_METADATA_AAGUID_UNATTESTED');
  });

  it('forged AAGUID under fido-u2f (unsigned there): found only by key identifier, AAGUID never reported', async () => {
    const plain = await register(u2f);
    const keyIds = (
      await assessAttestation(
        {
          fmt: 'fido-u2f',
          attestationType: 'basic',
          trustPath: plain.attestation.trustPath,
          aaguid: plain.aaguid,
          alg: plain.alg,
          backupEligible: false,
          userVerified: false,
        },
        undefined,
        { now: NOW },
      )
    ).attestationCertificateKeyIdentifiers;
    expect(keyIds.length).toBeGreaterThan(0);
    const u2fEntry = {
      attestationCertificateKeyIdentifiers: [keyIds[0]],
      statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2019-01-01' }],
      metadataStatement: {
        ...(yubikeyEntry(YUBIKEY_5_NFC, 'Yubico U2F (by key identifier)', [])['metadataStatement'] as Record<
          string,
          unknown
        >),
        aaguid: undefined,
        protocolFamily: 'u2f',
      },
    };
    const metadata = await testMetadata([
      yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', []),
      u2fEntry,
    ]);
    // Write the YubiKey 5 AAGUID into the (unsigned) authenticatorData AAGUID field.
    const response = structuredClone(u2f['response']) as { response: { attestationObject: string } };
    const ao = decode(decodeBase64url(response.response.attestationObject));
    const authData = new Uint8Array(ao.get('authData') as Uint8Array);
    authData.set(Buffer.from(YUBIKEY_5_NFC.replace(/-/g, ''), 'hex'), 37);
    ao.set('authData', authData);
    response.response.attestationObject = encodeBase64url(encodeCbor(ao));
    // @factorkit/webauthn refuses it outright (fido-u2f AAGUID must be zero: ATT-10)...
    const refused = await verifyRegistration(response, {
      expectedChallenge: (u2f['context'] as { challenge: string }).challenge,
      expectedOrigin: (u2f['context'] as { origin: string }).origin,
      expectedRpId: (u2f['context'] as { rpId: string }).rpId,
      now: NOW,
    });
    expect(refused).toMatchObject({ verified: false, code: 'ERR_FIDO_U2F_AAGUID_NOT_ZERO' });
    // ...and metadata never reads an AAGUID from fido-u2f even if a verifier reported one.
    const forged = { ...plain, aaguid: YUBIKEY_5_NFC };
    expect(forged.aaguidAttested).toBe(false);
    const { assessment, assurance } = await assessRegistration(forged, metadata, { now: NOW });
    expect(assessment).toMatchObject({
      trusted: true,
      description: 'Yubico U2F (by key identifier)',
      aaguid: null,
      aaguidSource: 'unattested',
    });
    expect(assurance.aaguid).toBeNull();
    expect(assurance.aaguidSource).toBe('unattested');
    expect(assurance.description).toBe('Yubico U2F (by key identifier)');
    const allowList = await assessRegistration(forged, metadata, {
      now: NOW,
      policy: { allowAaguids: [YUBIKEY_5_NFC] },
    });
    expect(allowList.assessment?.code).toBe('ERR_AUTHENTICATOR_NOT_ALLOWED');
  });

  it('a revoked attestation certificate is refused (soft-fail applies a usable CRL)', async () => {
    const metadata = await testMetadata([yubikeyEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [])]);
    const reg = await register(packed);
    // A CRL we cannot sign for Yubico's root is not usable: soft-fail passes, hard-fail passes
    // too (the Yubico certificates name no distribution point).
    const mds = await testMds();
    const foreign = await crl(mds.root, ['01']);
    for (const mode of ['soft-fail', 'hard-fail'] as const) {
      const r = await assessRegistration(reg, metadata, { now: NOW, revocation: { mode, crls: [foreign] } });
      expect(r.assessment?.allowed).toBe(true);
    }
  });
});
