import type { CborValue, CertificateExtension } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { parseSafetyNetResponse } from '../src/attestation/androidSafetyNet.ts';
import { encodeBase64url } from '../src/base64url.ts';
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

// §8.5 Android SafetyNet attestation (deprecated, still verified): one case per step.

const NOW = new Date('2025-06-01T00:00:00Z');
const te = new TextEncoder();
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const tlv = (tag: number, c: Uint8Array): Uint8Array => concat(Uint8Array.of(tag, c.length), c);

interface Knobs {
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  hostname?: string;
  /** Sign this instead of the JWS signing input. */
  signOver?: string;
  ver?: CborValue;
  raw?: string;
}

const leafKey = testKey('RS256', 'safetynet-leaf');

function statement(base: BaseRegistration, k: Knobs = {}): Map<string, CborValue> {
  const san: CertificateExtension = {
    oid: '2.5.29.17',
    value: tlv(0x30, tlv(0x82, te.encode(k.hostname ?? 'attest.android.com'))),
  };
  const leaf = issueLeaf({
    key: leafKey,
    subject: [['CN', k.hostname ?? 'attest.android.com']],
    extensions: [san],
  });
  const header = { alg: 'RS256', x5c: [b64(leaf), ...testCaChain().map(b64)], ...k.header };
  const payload = {
    nonce: b64(sha('sha256', concat(base.authData, base.clientDataHash))),
    timestampMs: NOW.getTime() - 2000,
    apkPackageName: 'com.google.android.gms',
    ctsProfileMatch: true,
    basicIntegrity: true,
    ...k.payload,
  };
  const input = `${encodeBase64url(te.encode(JSON.stringify(header)))}.${encodeBase64url(te.encode(JSON.stringify(payload)))}`;
  const sig = leafKey.sign(te.encode(k.signOver ?? input));
  const jws = k.raw ?? `${input}.${encodeBase64url(sig)}`;
  return new Map<string, CborValue>([
    ['ver', k.ver ?? '14799021'],
    ['response', te.encode(jws)],
  ]);
}

describe.each(BACKENDS)('android-safetynet attestation, §8.5 (%s backend)', (_name, crypto) => {
  const base = baseRegistration('ES256');
  const verify = (k: Knobs = {}, extra: Record<string, unknown> = {}) =>
    verifyRegistration(withStatement(base, 'android-safetynet', statement(base, k)), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      now: NOW,
      crypto,
      ...extra,
    });
  const at = (n: number): string => `7.1 step 22 (§8.5 step ${n})`;

  it('step 5: a valid response is Basic, trusted only through a configured anchor', async () => {
    expect(await verify()).toMatchObject({
      verified: true,
      attestation: { fmt: 'android-safetynet', type: 'basic', trusted: false },
    });
    expect(
      await verify({}, { trustAnchors: [testRootPem()], requireTrustedAttestation: true }),
    ).toMatchObject({
      verified: true,
      attestation: { trusted: true },
    });
  });
  it('step 1: ver must be a non-empty string', async () => {
    expectRejected(await verify({ ver: '' }), 'ERR_ATTESTATION_INVALID', at(1));
    expectRejected(await verify({ ver: 14799021 }), 'ERR_ATTESTATION_INVALID', at(1));
  });
  it('step 2: response must be a compact RS256 JWS with x5c', async () => {
    expectRejected(await verify({ raw: 'a.b' }), 'ERR_ATTESTATION_INVALID', at(2));
    expectRejected(await verify({ header: { alg: 'none' } }), 'ERR_ATTESTATION_INVALID', at(2));
    expectRejected(await verify({ header: { alg: 'ES256' } }), 'ERR_ATTESTATION_INVALID', at(2));
    expectRejected(await verify({ header: { x5c: [] } }), 'ERR_ATTESTATION_INVALID', at(2));
    expectRejected(await verify({ header: { crit: ['exp'] } }), 'ERR_ATTESTATION_INVALID', at(2));
  });
  it('step 3: nonce must be base64(SHA-256(authenticatorData ‖ clientDataHash))', async () => {
    const right = sha('sha256', concat(base.authData, base.clientDataHash));
    expectRejected(
      await verify({ payload: { nonce: b64(right.map((b, i) => (i === 0 ? b ^ 1 : b))) } }),
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      at(3),
    );
    expectRejected(
      await verify({ payload: { nonce: encodeBase64url(right) } }),
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      at(3),
    );
  });
  it('step 4: the JWS signature must verify with the leaf', async () => {
    // The leaf's key over other bytes (the RSA test keys come from a small fixed pool, so a
    // second test key could be the same key).
    expectRejected(await verify({ signOver: 'another signing input' }), 'ERR_INVALID_SIGNATURE', at(4));
  });
  it('step 4: the leaf must be issued to attest.android.com', async () => {
    expectRejected(
      await verify({ hostname: 'attest.android.com.evil.test' }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      at(4),
    );
  });
  it('step 4: ctsProfileMatch is required unless the RP relaxes it', async () => {
    expectRejected(
      await verify({ payload: { ctsProfileMatch: false } }),
      'ERR_ATTESTATION_DEVICE_INTEGRITY',
      at(4),
    );
    expect(
      await verify({ payload: { ctsProfileMatch: false } }, { safetyNetRequireCtsProfileMatch: false }),
    ).toMatchObject({ verified: true });
  });
  it('step 4: timestampMs must be recent at the injected clock', async () => {
    expectRejected(
      await verify({ payload: { timestampMs: NOW.getTime() - 61_000 } }),
      'ERR_ATTESTATION_EXPIRED',
      at(4),
    );
    expectRejected(
      await verify({ payload: { timestampMs: NOW.getTime() + 11_000 } }),
      'ERR_ATTESTATION_EXPIRED',
      at(4),
    );
    expect(await verify({ payload: { timestampMs: NOW.getTime() + 5_000 } })).toMatchObject({
      verified: true,
    });
    expect(
      await verify({ payload: { timestampMs: NOW.getTime() - 3_600_000 } }, { safetyNetMaxAgeMs: 7_200_000 }),
    ).toMatchObject({ verified: true });
    expectRejected(await verify({ payload: { timestampMs: '1' } }), 'ERR_ATTESTATION_INVALID', at(4));
  });
  it('parseSafetyNetResponse bounds its input', () => {
    expect(() => parseSafetyNetResponse(new Uint8Array(0))).toThrow();
    expect(() => parseSafetyNetResponse(new Uint8Array(40_000).fill(0x61))).toThrow();
  });
});
