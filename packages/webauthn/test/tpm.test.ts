import { join } from 'node:path';
import { readCase, sharedFixturesDir } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { parseCertInfo, parsePubArea } from '../src/attestation/tpmStructures.ts';
import { tpmManufacturer } from '../src/attestation/tpmVendors.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE_B64, expectRejected, ORIGIN, RP_ID } from './helpers/ceremony.ts';
import {
  type BaseRegistration,
  baseRegistration,
  concat,
  sha,
  testRootPem,
  withStatement,
} from './helpers/statements.ts';
import {
  type TpmKnobs as Knobs,
  NAME_SHA256,
  oidBytes,
  seq,
  set,
  tlv,
  tpmStatement,
  u16,
  utf8,
} from './helpers/tpmStatement.ts';

// §8.3 TPM attestation: every step has a case that breaks only that step (everything else
// valid), so removing the step from the verifier makes its test fail.

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
