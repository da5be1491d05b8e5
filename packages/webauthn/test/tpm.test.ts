import { join } from 'node:path';
import { readCase, sharedFixturesDir } from '@factorkit/testkit';
import type {
  CborValue,
  CertificateExtension,
  CoseAlgorithmName,
  SigningKey,
} from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { parseCertInfo, parsePubArea } from '../src/attestation/tpmStructures.ts';
import { tpmManufacturer } from '../src/attestation/tpmVendors.ts';
import type { CosePublicKey } from '../src/cose.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE_B64, expectRejected, ORIGIN, RP_ID } from './helpers/ceremony.ts';
import {
  type BaseRegistration,
  baseRegistration,
  concat,
  issueLeaf,
  sha,
  testCaChain,
  testKey,
  testRootPem,
  withStatement,
} from './helpers/statements.ts';

// §8.3 TPM attestation: every step has a case that breaks only that step (everything else
// valid), so removing the step from the verifier makes its test fail.

const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
const u32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
const tpm2b = (b: Uint8Array): Uint8Array => concat(u16(b.length), b);
const oidBytes = (dotted: string): Uint8Array => {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * (arcs[0] as number) + (arcs[1] as number)];
  for (const a of arcs.slice(2)) {
    const b = [a & 0x7f];
    for (let v = a >> 7; v > 0; v >>= 7) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return tlv(0x06, Uint8Array.from(out));
};
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.of(tag, ...len), content);
}
const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(...items));
const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(...items));
const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));

const NAME_SHA256 = 0x000b;

interface Knobs {
  credential?: CoseAlgorithmName;
  aik?: CoseAlgorithmName;
  alg?: number;
  ver?: CborValue;
  magic?: number;
  type?: number;
  extraData?: (right: Uint8Array) => Uint8Array;
  /** Attested name: default nameAlg ‖ H(pubArea). */
  name?: (pubArea: Uint8Array) => Uint8Array;
  pubAreaNameAlg?: number;
  pubAreaKey?: (key: CosePublicKey) => { n?: Uint8Array; x?: Uint8Array; y?: Uint8Array; exponent?: number };
  subject?: [string, string][];
  san?: CertificateExtension | null;
  manufacturer?: string;
  ekus?: string[] | null;
  basicConstraints?: CertificateExtension | null;
  aaguidExtension?: Uint8Array | null;
  omit?: string;
  extraMember?: boolean;
  sign?: (key: SigningKey, certInfo: Uint8Array) => Uint8Array;
}

function pubAreaFor(
  key: CosePublicKey,
  nameAlg: number,
  override: ReturnType<NonNullable<Knobs['pubAreaKey']>>,
): Uint8Array {
  const attrs = u32(0x00060472);
  if (key.kty === 'RSA') {
    const n = override.n ?? key.n;
    // scheme RSASSA with its hashAlg (SHA-256)
    return concat(
      u16(0x0001),
      u16(nameAlg),
      attrs,
      tpm2b(new Uint8Array(0)),
      u16(0x0010),
      u16(0x0014),
      u16(0x000b),
      u16(n.length * 8),
      u32(override.exponent ?? 0),
      tpm2b(n),
    );
  }
  if (key.kty !== 'EC2') throw new Error('no OKP in TPM');
  const curveId = { 1: 0x0003, 2: 0x0004, 3: 0x0005 }[key.curve.crv as 1 | 2 | 3];
  // scheme NULL, as Windows Hello keys carry it
  return concat(
    u16(0x0023),
    u16(nameAlg),
    attrs,
    tpm2b(new Uint8Array(0)),
    u16(0x0010),
    u16(0x0010),
    u16(curveId),
    u16(0x0010),
    tpm2b(override.x ?? key.x),
    tpm2b(override.y ?? key.y),
  );
}

const HASH: Record<number, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  [-257]: 'sha256',
  [-37]: 'sha256',
  [-7]: 'sha256',
  [-35]: 'sha384',
  [-65535]: 'sha1',
};

function tpmStatement(base: BaseRegistration, k: Knobs = {}): Map<string, CborValue> {
  const aikAlg = k.aik ?? 'RS256';
  const aik = testKey(aikAlg, `tpm-aik/${aikAlg}`);
  const alg = k.alg ?? aik.coseAlg;
  const nameAlg = k.pubAreaNameAlg ?? NAME_SHA256;
  const pubArea = pubAreaFor(base.credentialKey, nameAlg, k.pubAreaKey?.(base.credentialKey) ?? {});
  const defaultName = concat(u16(nameAlg), sha(nameAlg === 0x0004 ? 'sha1' : 'sha256', pubArea));
  const name = k.name?.(pubArea) ?? defaultName;
  const rightExtra = sha(HASH[alg] ?? 'sha256', concat(base.authData, base.clientDataHash));
  const certInfo = concat(
    u32(k.magic ?? 0xff544347),
    u16(k.type ?? 0x8017),
    tpm2b(concat(u16(NAME_SHA256), sha('sha256', aik.spki))),
    tpm2b(k.extraData?.(rightExtra) ?? rightExtra),
    new Uint8Array(8),
    u32(1),
    u32(0),
    Uint8Array.of(1),
    new Uint8Array(8),
    tpm2b(name),
    tpm2b(concat(u16(NAME_SHA256), sha('sha256', name))),
  );
  const attr = (o: string, v: string): Uint8Array => set(seq(oidBytes(o), utf8(v)));
  const san: CertificateExtension = {
    oid: '2.5.29.17',
    critical: true,
    value: seq(
      tlv(
        0xa4,
        seq(
          attr('2.23.133.2.1', k.manufacturer ?? 'id:49465800'),
          attr('2.23.133.2.2', 'SLB9670'),
          attr('2.23.133.2.3', 'id:0007'),
        ),
      ),
    ),
  };
  const extensions: CertificateExtension[] = [];
  const bc =
    k.basicConstraints === undefined
      ? { oid: '2.5.29.19', critical: true, value: seq() }
      : k.basicConstraints;
  if (bc !== null) extensions.push(bc);
  const sanExt = k.san === undefined ? san : k.san;
  if (sanExt !== null) extensions.push(sanExt);
  const ekus = k.ekus === undefined ? ['2.23.133.8.3'] : k.ekus;
  if (ekus !== null) extensions.push({ oid: '2.5.29.37', value: seq(...ekus.map(oidBytes)) });
  const aaguid = k.aaguidExtension === undefined ? base.aaguid : k.aaguidExtension;
  if (aaguid !== null) extensions.push({ oid: '1.3.6.1.4.1.45724.1.1.4', value: tlv(0x04, aaguid) });
  const aikCert = issueLeaf({ key: aik, subject: (k.subject ?? []) as never, extensions });
  const stmt = new Map<string, CborValue>([
    ['ver', k.ver ?? '2.0'],
    ['alg', alg],
    ['x5c', [aikCert, ...testCaChain()]],
    ['sig', (k.sign ?? ((key, d) => key.sign(d)))(aik, certInfo)],
    ['certInfo', certInfo],
    ['pubArea', pubArea],
  ]);
  if (k.omit !== undefined) stmt.delete(k.omit);
  if (k.extraMember === true) stmt.set('ecdaaKeyId', new Uint8Array(4));
  return stmt;
}

const NOW = new Date('2025-06-01T00:00:00Z');

describe.each(BACKENDS)('tpm attestation, §8.3 (%s backend)', (_name, crypto) => {
  const verify = (base: BaseRegistration, k: Knobs = {}, extra: Record<string, unknown> = {}) =>
    verifyRegistration(withStatement(base, 'tpm', tpmStatement(base, k)), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      supportedAlgorithms: [-7, -35, -257, -37],
      now: NOW,
      crypto,
      ...extra,
    });
  const at = (n: string): string => `7.1 step 22 (§8.3 ${n})`;

  for (const [credential, aik] of [
    ['ES256', 'RS256'],
    ['RS256', 'RS256'],
    ['ES256', 'ES256'],
    ['RS256', 'PS256'],
    ['ES384', 'ES256'],
  ] as const) {
    it(`step 10: a valid ${credential} credential with an ${aik} AIK is AttCA, trusted only via an anchor`, async () => {
      const base = baseRegistration(credential);
      const r = await verify(base, { aik });
      if (!r.verified) console.log(r);
      expect(r).toMatchObject({ verified: true, attestation: { fmt: 'tpm', type: 'attca', trusted: false } });
      const t = await verify(
        base,
        { aik },
        { trustAnchors: [testRootPem()], requireTrustedAttestation: true },
      );
      expect(t).toMatchObject({ verified: true, attestation: { trusted: true } });
    });
  }

  it('step 1: ver must be "2.0"', async () => {
    expectRejected(await verify(baseRegistration(), { ver: '1.2' }), 'ERR_ATTESTATION_INVALID', at('step 1'));
  });
  it('step 1: unexpected members (ecdaaKeyId, removed in Level 3) are rejected', async () => {
    expectRejected(
      await verify(baseRegistration(), { extraMember: true }),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22',
    );
  });
  it('step 1: certInfo/pubArea with trailing bytes are malformed', async () => {
    const base = baseRegistration();
    const stmt = tpmStatement(base);
    stmt.set('pubArea', concat(stmt.get('pubArea') as Uint8Array, Uint8Array.of(0)));
    const r = await verifyRegistration(withStatement(base, 'tpm', stmt), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      now: NOW,
      crypto,
    });
    expectRejected(r, 'ERR_ATTESTATION_INVALID', at('step 2'));
  });
  it('step 2: pubArea must name the credential key (EC point)', async () => {
    const r = await verify(baseRegistration(), {
      pubAreaKey: (k) => ({ x: (k as { x: Uint8Array }).x.map((b, i) => (i === 0 ? b ^ 1 : b)) }),
    });
    expectRejected(r, 'ERR_ATTESTATION_KEY_MISMATCH', at('step 2'));
  });
  it('step 2: pubArea must name the credential key (RSA modulus)', async () => {
    const r = await verify(baseRegistration('RS256'), {
      pubAreaKey: (k) => ({ n: (k as { n: Uint8Array }).n.map((b, i) => (i === 5 ? b ^ 1 : b)) }),
    });
    expectRejected(r, 'ERR_ATTESTATION_KEY_MISMATCH', at('step 2'));
  });
  it('step 2: the RSA exponent is compared big-endian, 0 meaning 65537', async () => {
    expect(
      await verify(baseRegistration('RS256'), { pubAreaKey: () => ({ exponent: 65537 }) }),
    ).toMatchObject({ verified: true });
    const r = await verify(baseRegistration('RS256'), { pubAreaKey: () => ({ exponent: 0x01000100 }) });
    expectRejected(r, 'ERR_ATTESTATION_KEY_MISMATCH', at('step 2'));
  });
  it('step 4: magic must be TPM_GENERATED_VALUE', async () => {
    expectRejected(
      await verify(baseRegistration(), { magic: 0xff544348 }),
      'ERR_ATTESTATION_INVALID',
      at('step 4'),
    );
  });
  it('step 4: type must be TPM_ST_ATTEST_CERTIFY', async () => {
    expectRejected(
      await verify(baseRegistration(), { type: 0x8018 }),
      'ERR_ATTESTATION_INVALID',
      at('step 4'),
    );
  });
  it('step 4: extraData must be the hash of authenticatorData ‖ clientDataHash', async () => {
    const r = await verify(baseRegistration(), { extraData: (e) => e.map((b, i) => (i === 0 ? b ^ 1 : b)) });
    expectRejected(r, 'ERR_ATTESTATION_CHALLENGE_MISMATCH', at('step 4'));
  });
  it('step 4: extraData uses the hash of alg (a SHA-256 hash under an ES384-hash alg is rejected)', async () => {
    // ES256 AIK but extraData hashed with SHA-1: alg's hash is SHA-256.
    const base = baseRegistration();
    const r = await verify(base, {
      aik: 'ES256',
      extraData: () => sha('sha1', concat(base.authData, base.clientDataHash)),
    });
    expectRejected(r, 'ERR_ATTESTATION_CHALLENGE_MISMATCH', at('step 4'));
  });
  it('step 4: attested.name must be the Name of pubArea', async () => {
    const r = await verify(baseRegistration(), {
      name: (p) => concat(u16(NAME_SHA256), sha('sha256', concat(p, Uint8Array.of(0)))),
    });
    expectRejected(r, 'ERR_ATTESTATION_INVALID', at('step 4'));
  });
  it("step 4: the Name is computed with pubArea's nameAlg, not the name's own prefix", async () => {
    // pubArea says SHA-1; the attested name claims SHA-256 of pubArea (SimpleWebAuthn accepts this).
    const r = await verify(baseRegistration(), {
      pubAreaNameAlg: 0x0004,
      name: (p) => concat(u16(NAME_SHA256), sha('sha256', p)),
    });
    expectRejected(r, 'ERR_ATTESTATION_INVALID', at('step 4'));
    expect(await verify(baseRegistration(), { pubAreaNameAlg: 0x0004 })).toMatchObject({ verified: true });
  });
  it('step 5: x5c must be present', async () => {
    expectRejected(
      await verify(baseRegistration(), { omit: 'x5c' }),
      'ERR_ATTESTATION_INVALID',
      at('step 5'),
    );
  });
  it('step 7: sig must verify over certInfo', async () => {
    const r = await verify(baseRegistration(), { sign: (key, d) => key.sign(concat(d, Uint8Array.of(0))) });
    expectRejected(r, 'ERR_INVALID_SIGNATURE', at('step 7'));
  });
  it('step 7: alg fixes the padding: RS256 over a PSS signature is rejected', async () => {
    const r = await verify(baseRegistration(), { aik: 'PS256', alg: -257 });
    expectRejected(r, 'ERR_INVALID_SIGNATURE', at('step 7'));
  });
  it('step 7: alg fixes the key type: RS256 with an EC AIK is rejected', async () => {
    const r = await verify(baseRegistration(), { aik: 'ES256', alg: -257 });
    expectRejected(r, 'ERR_ATTESTATION_INVALID', at('step 7'));
  });
  const cert = at('step 8 (§8.3.1)');
  it('§8.3.1: subject must be empty', async () => {
    expectRejected(
      await verify(baseRegistration(), { subject: [['CN', 'aik']] }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
  });
  it('§8.3.1: the SAN must be present', async () => {
    expectRejected(
      await verify(baseRegistration(), { san: null }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
  });
  it('§8.3.1: the SAN must be critical', async () => {
    const base = baseRegistration();
    const san = tpmStatement(base); // default SAN, re-made non-critical below
    void san;
    const attr = (o: string, v: string): Uint8Array => set(seq(oidBytes(o), utf8(v)));
    const value = seq(
      tlv(
        0xa4,
        seq(attr('2.23.133.2.1', 'id:49465800'), attr('2.23.133.2.2', 'm'), attr('2.23.133.2.3', 'v')),
      ),
    );
    expectRejected(
      await verify(base, { san: { oid: '2.5.29.17', value } }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
    expect(await verify(base, { san: { oid: '2.5.29.17', critical: true, value } })).toMatchObject({
      verified: true,
    });
  });
  it('§8.3.1: the SAN must name manufacturer, model and version', async () => {
    const attr = (o: string, v: string): Uint8Array => set(seq(oidBytes(o), utf8(v)));
    const value = seq(tlv(0xa4, seq(attr('2.23.133.2.1', 'id:49465800'), attr('2.23.133.2.2', 'm'))));
    expectRejected(
      await verify(baseRegistration(), { san: { oid: '2.5.29.17', critical: true, value } }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
  });
  it('§8.3.1: an unregistered TPM manufacturer is rejected', async () => {
    expectRejected(
      await verify(baseRegistration(), { manufacturer: 'id:00000000' }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
    expect(tpmManufacturer('id:49424d00')).toBe('IBM');
    expect(tpmManufacturer('49424D00')).toBeUndefined();
  });
  it('§8.3.1: EKU must contain tcg-kp-AIKCertificate, in any position', async () => {
    expectRejected(
      await verify(baseRegistration(), { ekus: ['1.3.6.1.5.5.7.3.2'] }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
    expectRejected(
      await verify(baseRegistration(), { ekus: null }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
    expect(await verify(baseRegistration(), { ekus: ['1.3.6.1.5.5.7.3.2', '2.23.133.8.3'] })).toMatchObject({
      verified: true,
    });
  });
  it('§8.3.1: basicConstraints must be present with CA false', async () => {
    const ca = { oid: '2.5.29.19', critical: true, value: seq(Uint8Array.of(0x01, 0x01, 0xff)) };
    expectRejected(
      await verify(baseRegistration(), { basicConstraints: ca }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
    expectRejected(
      await verify(baseRegistration(), { basicConstraints: null }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      cert,
    );
  });
  it('step 9: an AAGUID extension must equal authenticatorData.aaguid', async () => {
    const r = await verify(baseRegistration(), { aaguidExtension: new Uint8Array(16).fill(9) });
    expectRejected(r, 'ERR_ATTESTATION_AAGUID_MISMATCH', at('step 9'));
    expect(await verify(baseRegistration(), { aaguidExtension: null })).toMatchObject({ verified: true });
  });
  it.skipIf(sharedFixturesDir() === undefined)(
    'RS1 credential keys verify once the RP offers RS1 (the documented RS1 disputes)',
    async () => {
      const c = readCase(
        join(sharedFixturesDir() as string, 'real/webauthn/simplewebauthn/registration-tpm-2.json'),
      );
      const options = {
        expectedChallenge: c.context.challenge as string,
        expectedOrigin: c.context.origin as string,
        expectedRpId: (c.context.rpId as string | undefined) ?? new URL(c.context.origin as string).hostname,
        now: new Date(c.context.now as string),
        crypto,
      };
      expectRejected(
        await verifyRegistration(c.response, options),
        'ERR_ALGORITHM_NOT_ALLOWED',
        '7.1 step 20',
      );
      const r = await verifyRegistration(c.response, { ...options, supportedAlgorithms: [-65535] });
      expect(r).toMatchObject({ verified: true, attestation: { fmt: 'tpm', type: 'attca' } });
    },
  );
});

describe('TPM structure parsers', () => {
  it('bounds and trailing bytes', () => {
    expect(() => parseCertInfo(new Uint8Array(0))).toThrow();
    expect(() => parseCertInfo(new Uint8Array(4096))).toThrow();
    expect(() => parsePubArea(Uint8Array.of(0, 1, 0))).toThrow();
    const base = baseRegistration();
    const s = tpmStatement(base);
    const p = parsePubArea(s.get('pubArea') as Uint8Array);
    expect(p).toMatchObject({ type: 0x0023, nameAlg: 0x000b, curveId: 3 });
    const c = parseCertInfo(s.get('certInfo') as Uint8Array);
    expect(c.magic).toBe(0xff544347);
    expect(() => parseCertInfo(concat(s.get('certInfo') as Uint8Array, Uint8Array.of(0)))).toThrow(
      /trailing/,
    );
  });
});
