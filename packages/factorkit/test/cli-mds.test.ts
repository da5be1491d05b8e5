import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import {
  CONFORMANCE_CRLS,
  CONFORMANCE_ROOT_PEM,
  NOW,
  payload,
  signBlob,
  testBlob,
  testMds,
  yubicoEntry,
} from '@factorkit/testkit/pki';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { captureIo } from './helpers/cli-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'factorkit-mds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (): ReturnType<typeof captureIo> => captureIo(dir);

const file = (name: string, content: string | Uint8Array): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

const shared = sharedFixturesDir();
const conformance =
  shared === undefined
    ? undefined
    : join(shared, 'real/webauthn/simplewebauthn/mds/fido-conformance-mds3-blob.jwt');
const haveConformance = conformance !== undefined && existsSync(conformance);
if (!haveConformance) console.warn(sharedFixturesSkipMessage('the FIDO conformance MDS3 BLOB'));

describe('factorkit mds verify', () => {
  it.skipIf(!haveConformance)('the conformance BLOB verifies (exit 0) with its root and CRLs', async () => {
    const root = file('conf-root.pem', CONFORMANCE_ROOT_PEM);
    const crl1 = file('ca.crl', CONFORMANCE_CRLS[0] as string);
    const crl2 = file('root.crl', CONFORMANCE_CRLS[1] as string);
    const t = io();
    const args = ['mds', 'verify', conformance as string, '--root', root, '--crl', crl1, '--crl', crl2];
    expect(await main([...args, '--now', '2019-06-01T00:00:00Z', '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toEqual({
      valid: true,
      code: null,
      no: 42,
      nextUpdate: '2023-11-08',
      entries: 200,
    });
    const text = io();
    expect(await main([...args, '--now', '2019-06-01'], text)).toBe(0);
    expect(text.out()).toContain('valid: no 42');
    // Default root (the FIDO production root): not trusted.
    const prod = io();
    expect(await main(['mds', 'verify', conformance as string, '--now', '2019-06-01', '--json'], prod)).toBe(
      1,
    );
    expect(JSON.parse(prod.out())).toEqual({
      valid: false,
      code: 'ERR_MDS_CHAIN_UNTRUSTED',
      no: null,
      nextUpdate: null,
      entries: null,
    });
  });

  it('generated BLOBs: valid, --previous serial regression, tampered', async () => {
    const mds = await testMds();
    const root = file('root.pem', mds.root.pem);
    const crlA = file('a.crl', mds.crls[0] as Uint8Array);
    const crlB = file('b.crl', mds.crls[1] as Uint8Array);
    const b7 = file('b7.jwt', await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]));
    const b8 = file('b8.jwt', await signBlob(payload(8), mds.signer, [mds.signer, mds.intermediate]));
    const base = ['--root', root, '--crl', crlA, '--crl', crlB, '--now', NOW.toISOString(), '--json'];
    const ok = io();
    expect(await main(['mds', 'verify', b8, '--previous', b7, ...base], ok)).toBe(0);
    expect(JSON.parse(ok.out())).toMatchObject({ valid: true, no: 8 });
    const back = io();
    expect(await main(['mds', 'verify', b7, '--previous', b8, ...base], back)).toBe(1);
    expect(JSON.parse(back.out())).toEqual({
      valid: false,
      code: 'ERR_MDS_SERIAL_REGRESSION',
      no: 7,
      nextUpdate: '2025-07-01',
      entries: 0,
    });
    const noCrl = io();
    expect(
      await main(['mds', 'verify', b8, '--root', root, '--now', NOW.toISOString(), '--json'], noCrl),
    ).toBe(1);
    expect(JSON.parse(noCrl.out()).code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['mds'],
      ['mds', 'verify'],
      ['mds', 'verify', 'missing.jwt'],
      ['mds', 'verify', file('x.jwt', 'a.b.c'), '--now', 'yesterday'],
      ['mds', 'verify', file('y.jwt', 'a.b.c'), '--bogus'],
      ['mds', 'verify', file('z.jwt', 'a.b.c'), '--root', 'nope.pem'],
    ]) {
      const t = io();
      expect(await main(args, t)).toBe(2);
    }
    const t = io();
    expect(await main(['mds', 'verify', file('w.jwt', 'a.b.c'), '--json'], t)).toBe(1);
    expect(JSON.parse(t.out())).toMatchObject({ valid: false, code: 'ERR_MDS_BLOB_MALFORMED' });
  });
});

const jws =
  shared === undefined
    ? undefined
    : join(shared, 'real/webauthn/java-webauthn-server/registration-packed-1.json');
const haveYubiKey = jws !== undefined && existsSync(jws);
const YUBIKEY_5_NFC = 'fa2b99dc-9e39-4257-8f92-4a30d23c4118';

describe('factorkit mds lookup', () => {
  it.skipIf(!haveConformance)('conformance BLOB: status in force at --status-at decides', async () => {
    const root = file('conf-root2.pem', CONFORMANCE_ROOT_PEM);
    const crls = CONFORMANCE_CRLS.flatMap((c, i) => ['--crl', file(`c${i}.crl`, c)]);
    const base = [
      'mds',
      'lookup',
      conformance as string,
      '--root',
      root,
      ...crls,
      '--now',
      '2019-06-01',
      '--json',
    ];
    const bypass = io();
    expect(await main([...base, '--aaguid', '8cfa178e-b1f5-40ce-8f5f-8273e8109940'], bypass)).toBe(1);
    expect(JSON.parse(bypass.out())).toMatchObject({
      blobValid: true,
      found: true,
      latestStatus: 'USER_VERIFICATION_BYPASS',
      allowed: false,
    });
    const before = io();
    expect(
      await main(
        [...base, '--aaguid', '8CFA178E-B1F5-40CE-8F5F-8273E8109940', '--status-at', '2019-01-01'],
        before,
      ),
    ).toBe(0);
    expect(JSON.parse(before.out())).toMatchObject({
      blobValid: true,
      found: true,
      latestStatus: null,
      allowed: true,
    });
    const certified = io();
    expect(await main([...base, '--aaguid', '89ecee70-bf51-4566-9834-311b0711a61b'], certified)).toBe(0);
    expect(JSON.parse(certified.out())).toMatchObject({
      latestStatus: 'FIDO_CERTIFIED_L3plus',
      allowed: true,
    });
    const missing = io();
    expect(await main([...base, '--aaguid', '00000000-0000-0000-0000-00000000abcd'], missing)).toBe(1);
    expect(JSON.parse(missing.out())).toEqual({
      blobValid: true,
      found: false,
      latestStatus: null,
      allowed: false,
      description: null,
    });
  });

  it('by --aki, and an invalid BLOB', async () => {
    const keyId = 'a'.repeat(40);
    const b = await testBlob([
      {
        attestationCertificateKeyIdentifiers: [keyId],
        statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2019-01-01' }],
        metadataStatement: {
          ...(yubicoEntry(YUBIKEY_5_NFC, 'U2F key', [])['metadataStatement'] as object),
          aaguid: undefined,
        },
      },
    ]);
    const jwt = file('aki.jwt', b.jwt);
    const root = file('aki-root.pem', b.rootPem);
    const crls = b.crls.flatMap((c, i) => ['--crl', file(`aki${i}.crl`, c)]);
    const t = io();
    expect(
      await main(
        [
          'mds',
          'lookup',
          jwt,
          '--aki',
          keyId.toUpperCase(),
          '--root',
          root,
          ...crls,
          '--now',
          NOW.toISOString(),
          '--json',
        ],
        t,
      ),
    ).toBe(0);
    expect(JSON.parse(t.out())).toEqual({
      blobValid: true,
      found: true,
      latestStatus: 'FIDO_CERTIFIED',
      allowed: true,
      description: 'U2F key',
    });
    const bad = io();
    expect(
      await main(['mds', 'lookup', jwt, '--aki', keyId, '--now', NOW.toISOString(), '--json'], bad),
    ).toBe(1);
    expect(JSON.parse(bad.out())).toEqual({
      blobValid: false,
      found: false,
      latestStatus: null,
      allowed: false,
      description: null,
    });
    for (const args of [
      ['mds', 'lookup', jwt],
      ['mds', 'lookup', jwt, '--aaguid', 'x'],
      ['mds', 'lookup', jwt, '--aki', 'abc'],
      ['mds', 'lookup', jwt, '--aaguid', YUBIKEY_5_NFC, '--aki', keyId],
    ]) {
      expect(await main(args, io())).toBe(2);
    }
  });
});

describe('factorkit mds assess', () => {
  it.skipIf(!haveYubiKey)(
    'a real YubiKey registration: trusted through the BLOB alone; forged under none: not',
    async () => {
      const b = await testBlob([
        yubicoEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', [
          { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' },
        ]),
      ]);
      const jwt = file('yk.jwt', b.jwt);
      const root = file('yk-root.pem', b.rootPem);
      const crls = b.crls.flatMap((c, i) => ['--crl', file(`yk${i}.crl`, c)]);
      const base = ['mds', 'assess', jwt, '--root', root, ...crls, '--now', NOW.toISOString()];
      const t = io();
      expect(await main([...base, '--registration', jws as string, '--json'], t)).toBe(0);
      expect(JSON.parse(t.out())).toEqual({
        verified: true,
        trusted: true,
        aaguid: YUBIKEY_5_NFC,
        latestStatus: 'FIDO_CERTIFIED_L1',
        allowed: true,
        code: null,
      });
      const text = io();
      expect(await main([...base, '--registration', jws as string], text)).toBe(0);
      expect(text.out()).toContain('YubiKey 5 Series with NFC');
      // Same authenticatorData (claiming the YubiKey 5 AAGUID) under "none" attestation.
      const { decodeCborMap, encodeCbor } = await import('@factorkit/virtual-authenticator');
      const c = JSON.parse(readFileSync(jws as string, 'utf8')) as {
        response: { response: { attestationObject: string } };
      };
      const ao = decodeCborMap(Buffer.from(c.response.response.attestationObject, 'base64url'));
      c.response.response.attestationObject = Buffer.from(
        encodeCbor(
          new Map<string, never>([
            ['fmt', 'none' as never],
            ['attStmt', new Map() as never],
            ['authData', ao.get('authData') as never],
          ]),
        ),
      ).toString('base64url');
      const forged = file('forged.json', JSON.stringify(c));
      const f = io();
      expect(await main([...base, '--registration', forged, '--json'], f)).toBe(0);
      expect(JSON.parse(f.out())).toEqual({
        verified: true,
        trusted: false,
        aaguid: null,
        latestStatus: null,
        allowed: true,
        code: null,
      });
    },
  );

  it('usage: --registration missing or not a registration case', async () => {
    const b = await testBlob([]);
    const jwt = file('u.jwt', b.jwt);
    expect(await main(['mds', 'assess', jwt], io())).toBe(2);
    expect(await main(['mds', 'assess', jwt, '--registration', file('nc.json', '{}')], io())).toBe(2);
  });
});
