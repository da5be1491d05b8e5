import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import {
  CONFORMANCE_CRLS,
  CONFORMANCE_ROOT_PEM,
  crl,
  issue,
  NOW,
  payload,
  RSA,
  signBlob,
  T0,
  testMds,
} from '@factorkit/testkit/pki';
import { parseCertificateInput } from '@factorkit/webauthn';
import { describe, expect, it } from 'vitest';
import { FIDO_MDS_ROOT_PEM, FIDO_MDS_ROOT_SHA256, verifyMetadataBlob } from '../src/index.ts';

const shared = sharedFixturesDir();
const mdsDir = shared === undefined ? undefined : join(shared, 'real/webauthn/simplewebauthn/mds');
const haveConformance = mdsDir !== undefined && existsSync(join(mdsDir, 'fido-conformance-mds3-blob.jwt'));
if (!haveConformance) console.warn(sharedFixturesSkipMessage('the FIDO conformance MDS3 BLOB'));

describe('shipped FIDO MDS root', () => {
  it('is GlobalSign Root CA - R3 with the published SHA-256 fingerprint', () => {
    const root = parseCertificateInput(FIDO_MDS_ROOT_PEM);
    expect(createHash('sha256').update(root.der).digest('hex')).toBe(FIDO_MDS_ROOT_SHA256);
    expect(FIDO_MDS_ROOT_SHA256).toBe('cbb522d7b7f127ad6a0113865bdf1cd4102e7d0759af635a7cf4720dc963c53b');
    expect(root.cert.subject).toContain('GlobalSign Root CA - R3');
  });

  it('the conformance root in test data has its published fingerprint', () => {
    const root = parseCertificateInput(CONFORMANCE_ROOT_PEM);
    expect(createHash('sha256').update(root.der).digest('hex')).toBe(
      '66d9770b5771109b8d83557ba27d589b56bdb3bfdbdea2d242c4ca0d5770a47c',
    );
  });
});

describe.skipIf(!haveConformance)('FIDO conformance MDS3 BLOB', () => {
  const blob = haveConformance
    ? readFileSync(join(mdsDir as string, 'fido-conformance-mds3-blob.jwt'), 'utf8')
    : '';
  // Both conformance CRLs are current between 2018-02-01 and 2020-02-01.
  const when = new Date('2019-06-01T00:00:00Z');

  it('verifies to the conformance root with its CRLs', async () => {
    const v = await verifyMetadataBlob(blob, {
      now: when,
      roots: [CONFORMANCE_ROOT_PEM],
      revocation: { crls: CONFORMANCE_CRLS },
    });
    expect(v.valid).toBe(true);
    if (!v.valid) return;
    expect(v.no).toBe(42);
    expect(v.nextUpdate).toBe('2023-11-08');
    expect(v.payload.entries).toHaveLength(200);
    expect(v.chain).toHaveLength(3);
    expect(v.stale).toBe(false);
  });

  it('hard-fails without the CRLs of the signing chain', async () => {
    const v = await verifyMetadataBlob(blob, { now: when, roots: [CONFORMANCE_ROOT_PEM] });
    expect(v.code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('hard-fails once the root CRL has passed its nextUpdate', async () => {
    const v = await verifyMetadataBlob(blob, {
      now: new Date('2021-01-01T00:00:00Z'),
      roots: [CONFORMANCE_ROOT_PEM],
      revocation: { crls: CONFORMANCE_CRLS },
    });
    expect(v.code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('is not trusted under the shipped production root', async () => {
    const v = await verifyMetadataBlob(blob, { now: when, revocation: { crls: CONFORMANCE_CRLS } });
    expect(v.code).toBe('ERR_MDS_CHAIN_UNTRUSTED');
  });

  it('verifies with its signer certificate pinned as the anchor (upstream expectation)', async () => {
    const signer = readFileSync(join(mdsDir as string, 'fido-conformance-mds3-blob-signer.pem'), 'utf8');
    const v = await verifyMetadataBlob(blob, { now: when, roots: [signer] });
    expect(v.valid).toBe(true);
  });

  it('fails with its last character removed (upstream expectation)', async () => {
    const v = await verifyMetadataBlob(blob.trim().slice(0, -1), {
      now: when,
      roots: [CONFORMANCE_ROOT_PEM],
      revocation: { crls: CONFORMANCE_CRLS },
    });
    expect(v.valid).toBe(false);
    expect(['ERR_MDS_SIGNATURE_INVALID', 'ERR_MDS_BLOB_MALFORMED']).toContain(v.code);
  });

  it('a payload byte changed is ERR_MDS_SIGNATURE_INVALID', async () => {
    const [h, p, s] = blob.trim().split('.') as [string, string, string];
    const text = Buffer.from(p, 'base64url').toString('utf8').replace('"no":42', '"no":43');
    const tampered = `${h}.${Buffer.from(text).toString('base64url')}.${s}`;
    const v = await verifyMetadataBlob(tampered, {
      now: when,
      roots: [CONFORMANCE_ROOT_PEM],
      revocation: { crls: CONFORMANCE_CRLS },
    });
    expect(v.code).toBe('ERR_MDS_SIGNATURE_INVALID');
    expect(v.valid === false && v.no).toBeNull();
  });

  it('the signer certificate has expired in 2031', async () => {
    const v = await verifyMetadataBlob(blob, {
      now: new Date('2031-01-01T00:00:00Z'),
      roots: [CONFORMANCE_ROOT_PEM],
    });
    expect(v.code).toBe('ERR_MDS_CERTIFICATE_EXPIRED');
  });
});

describe('generated BLOBs', () => {
  it('a valid ES256 BLOB with current CRLs verifies', async () => {
    const mds = await testMds();
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v).toMatchObject({ valid: true, code: null, no: 7, nextUpdate: '2025-07-01', stale: false });
    const later = await verifyMetadataBlob(jwt, {
      now: new Date('2025-08-01T00:00:00Z'),
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(later).toMatchObject({ valid: true, stale: true });
  });

  it('a valid RS256 BLOB verifies', async () => {
    const mds = await testMds(RSA);
    const jwt = await signBlob(payload(1), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.der],
      revocation: { crls: mds.crls },
    });
    expect(v.valid).toBe(true);
  });

  it('tampered payload: ERR_MDS_SIGNATURE_INVALID', async () => {
    const mds = await testMds();
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const [h, , s] = jwt.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(payload(8))).toString('base64url')}.${s}`;
    const v = await verifyMetadataBlob(forged, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v.code).toBe('ERR_MDS_SIGNATURE_INVALID');
  });

  it('wrong signer (signed by another key than x5c[0]): ERR_MDS_SIGNATURE_INVALID', async () => {
    const mds = await testMds();
    const other = await issue({ name: 'CN=Other', serial: '09', ca: false, issuer: mds.intermediate });
    const jwt = await signBlob(payload(7), other, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v.code).toBe('ERR_MDS_SIGNATURE_INVALID');
  });

  it('signer chaining to another root: ERR_MDS_CHAIN_UNTRUSTED', async () => {
    const mds = await testMds();
    const rogue = await testMds();
    const jwt = await signBlob(payload(7), rogue.signer, [rogue.signer, rogue.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: rogue.crls },
    });
    expect(v.code).toBe('ERR_MDS_CHAIN_UNTRUSTED');
  });

  it('a self-signed signer presented as x5c root is not an anchor: ERR_MDS_CHAIN_UNTRUSTED', async () => {
    const mds = await testMds();
    const self = await issue({ name: 'CN=Test MDS Root', serial: '01', ca: true });
    const jwt = await signBlob(payload(7), self, [self]);
    const v = await verifyMetadataBlob(jwt, { now: NOW, roots: [mds.root.pem] });
    expect(v.code).toBe('ERR_MDS_CHAIN_UNTRUSTED');
  });

  it('expired intermediate: ERR_MDS_CERTIFICATE_EXPIRED', async () => {
    const mds = await testMds();
    const old = await issue({
      name: 'CN=Test MDS CA',
      serial: '12',
      ca: true,
      issuer: mds.root,
      notAfter: new Date('2025-01-01T00:00:00Z'),
      keys: mds.intermediate.keys,
    });
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, old]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v.code).toBe('ERR_MDS_CERTIFICATE_EXPIRED');
  });

  it('not-yet-valid signer: ERR_MDS_CERTIFICATE_NOT_YET_VALID', async () => {
    const mds = await testMds();
    const future = await issue({
      name: 'CN=Test MDS Signer',
      serial: '13',
      ca: false,
      issuer: mds.intermediate,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    });
    const jwt = await signBlob(payload(7), future, [future, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v.code).toBe('ERR_MDS_CERTIFICATE_NOT_YET_VALID');
  });

  it('revoked intermediate (listed in the root CRL): ERR_CERTIFICATE_REVOKED', async () => {
    const mds = await testMds();
    const rootCrl = await crl(mds.root, ['02']);
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: [rootCrl, mds.crls[1] as Uint8Array] },
    });
    expect(v.code).toBe('ERR_CERTIFICATE_REVOKED');
  });

  it('revoked signer (listed in the intermediate CRL): ERR_CERTIFICATE_REVOKED', async () => {
    const mds = await testMds();
    const caCrl = await crl(mds.intermediate, ['03']);
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: [mds.crls[0] as Uint8Array, caCrl] },
    });
    expect(v.code).toBe('ERR_CERTIFICATE_REVOKED');
  });

  it('a CRL signed by the wrong key cannot clear the chain: ERR_REVOCATION_UNAVAILABLE', async () => {
    const mds = await testMds();
    const imposter = await issue({ name: 'CN=Imposter', serial: '44', ca: true });
    const forgedCrl = await crl(mds.intermediate, [], T0, undefined, imposter.keys.privateKey);
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: [mds.crls[0] as Uint8Array, forgedCrl] },
    });
    expect(v.code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('an expired CRL cannot clear the chain: ERR_REVOCATION_UNAVAILABLE', async () => {
    const mds = await testMds();
    const stale = await crl(mds.intermediate, [], T0, new Date('2025-01-01T00:00:00Z'));
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: [mds.crls[0] as Uint8Array, stale] },
    });
    expect(v.code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('CRLs fetched only through the injected fetch, and cached', async () => {
    const mds = await testMds();
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const served = new Map([
      ['https://mds.test/crl/root.crl', mds.crls[0] as Uint8Array],
      ['https://mds.test/crl/ca.crl', mds.crls[1] as Uint8Array],
    ]);
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(url);
      const body = served.get(url);
      return {
        status: body === undefined ? 404 : 200,
        headers: { get: () => null },
        arrayBuffer: async () => (body ?? new Uint8Array()).slice().buffer,
      };
    };
    const { MemoryMetadataCache } = await import('../src/index.ts');
    const cache = new MemoryMetadataCache();
    const v1 = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { fetch, cache },
    });
    expect(v1.valid).toBe(true);
    expect(calls.sort()).toEqual(['https://mds.test/crl/ca.crl', 'https://mds.test/crl/root.crl']);
    const v2 = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { fetch, cache },
    });
    expect(v2.valid).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('serial regression: ERR_MDS_SERIAL_REGRESSION; same serial is unchanged', async () => {
    const mds = await testMds();
    const jwt = await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]);
    const opts = { now: NOW, roots: [mds.root.pem], revocation: { crls: mds.crls } };
    const back = await verifyMetadataBlob(jwt, { ...opts, previousNo: 8 });
    expect(back).toMatchObject({ valid: false, code: 'ERR_MDS_SERIAL_REGRESSION', no: 7 });
    expect(await verifyMetadataBlob(jwt, { ...opts, previousNo: 7 })).toMatchObject({
      valid: true,
      unchanged: true,
    });
    expect(await verifyMetadataBlob(jwt, { ...opts, previousNo: 6 })).toMatchObject({
      valid: true,
      unchanged: false,
    });
  });

  it('header checks: alg none/HS256, crit, x5u, malformed', async () => {
    const mds = await testMds();
    const opts = { now: NOW, roots: [mds.root.pem], revocation: { crls: mds.crls } };
    const chain = [mds.signer, mds.intermediate];
    expect(
      (await verifyMetadataBlob(await signBlob(payload(1), mds.signer, chain, { alg: 'none' }), opts)).code,
    ).toBe('ERR_MDS_UNSUPPORTED_ALGORITHM');
    expect(
      (await verifyMetadataBlob(await signBlob(payload(1), mds.signer, chain, { alg: 'HS256' }), opts)).code,
    ).toBe('ERR_MDS_UNSUPPORTED_ALGORITHM');
    expect(
      (await verifyMetadataBlob(await signBlob(payload(1), mds.signer, chain, { crit: ['x'] }), opts)).code,
    ).toBe('ERR_MDS_BLOB_MALFORMED');
    expect(
      (await verifyMetadataBlob(await signBlob(payload(1), mds.signer, chain, { x5u: 'https://x' }), opts))
        .code,
    ).toBe('ERR_MDS_X5U_UNSUPPORTED');
    expect((await verifyMetadataBlob('a.b', opts)).code).toBe('ERR_MDS_BLOB_MALFORMED');
    expect((await verifyMetadataBlob('a.b.c!', opts)).code).toBe('ERR_MDS_BLOB_MALFORMED');
    expect((await verifyMetadataBlob(new Uint8Array([0xff, 0xfe]), opts)).code).toBe(
      'ERR_MDS_BLOB_MALFORMED',
    );
    // A duplicated member is rejected, not last-wins (no parser differential on the header).
    const good = await signBlob(payload(1), mds.signer, chain);
    const [h, p, sig] = good.split('.') as [string, string, string];
    const dupHeader = Buffer.from(
      Buffer.from(h, 'base64url').toString('utf8').replace('{', '{"alg":"none",'),
    ).toString('base64url');
    expect((await verifyMetadataBlob(`${dupHeader}.${p}.${sig}`, opts)).code).toBe('ERR_MDS_BLOB_MALFORMED');
    const dupPayload = Buffer.from(JSON.stringify(payload(1)).replace('{', '{"no":9,')).toString('base64url');
    const signedDup = await signBlob(
      Buffer.from(dupPayload, 'base64url').toString('utf8'),
      mds.signer,
      chain,
    );
    expect((await verifyMetadataBlob(signedDup, opts)).code).toBe('ERR_MDS_PAYLOAD_INVALID');
    const badX5c = await signBlob(payload(1), mds.signer, chain, { x5c: ['AAAA'] });
    expect((await verifyMetadataBlob(badX5c, opts)).code).toBe('ERR_MDS_CERTIFICATE_INVALID');
  });

  it('ES256 with a P-384 or RSA signer key is refused', async () => {
    const mds = await testMds(RSA);
    const jwt = await signBlob(payload(1), mds.signer, [mds.signer, mds.intermediate], { alg: 'ES256' });
    const v = await verifyMetadataBlob(jwt, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(v.code).toBe('ERR_MDS_SIGNATURE_INVALID');
  });

  it('size and depth limits apply before decoding', async () => {
    const mds = await testMds();
    const opts = { now: NOW, roots: [mds.root.pem], revocation: { crls: mds.crls } };
    const jwt = await signBlob(payload(1), mds.signer, [mds.signer, mds.intermediate]);
    expect((await verifyMetadataBlob(jwt, { ...opts, maxBytes: 100 })).code).toBe('ERR_MDS_BLOB_TOO_LARGE');
    const deep = `{"legalHeader":"x","no":1,"nextUpdate":"2025-07-01","entries":[],"x":${'['.repeat(100)}${']'.repeat(100)}}`;
    const bomb = await signBlob(deep, mds.signer, [mds.signer, mds.intermediate]);
    expect((await verifyMetadataBlob(bomb, opts)).code).toBe('ERR_MDS_PAYLOAD_TOO_DEEP');
    const bad = await signBlob(
      { legalHeader: 'x', no: -1, nextUpdate: '2025-07-01', entries: [] },
      mds.signer,
      [mds.signer, mds.intermediate],
    );
    expect((await verifyMetadataBlob(bad, opts)).code).toBe('ERR_MDS_PAYLOAD_INVALID');
  });

  it('misuse throws TypeError', async () => {
    await expect(verifyMetadataBlob('x', {} as never)).rejects.toThrow(TypeError);
    await expect(verifyMetadataBlob('x', { now: NOW, roots: [] })).rejects.toThrow(TypeError);
  });

  it('default root is the shipped FIDO MDS root', async () => {
    const mds = await testMds();
    const jwt = await signBlob(payload(1), mds.signer, [mds.signer, mds.intermediate]);
    expect((await verifyMetadataBlob(jwt, { now: NOW, revocation: { crls: mds.crls } })).code).toBe(
      'ERR_MDS_CHAIN_UNTRUSTED',
    );
    expect(FIDO_MDS_ROOT_PEM).toContain('BEGIN CERTIFICATE');
  });
});
