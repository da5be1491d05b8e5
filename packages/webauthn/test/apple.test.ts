import type { CborValue, CertificateExtension, SigningKey } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE_B64, expectRejected, ORIGIN, RP_ID } from './helpers/ceremony.ts';
import {
  type BaseRegistration,
  baseRegistration,
  concat,
  issueLeaf,
  p256Spki,
  sha,
  testCaChain,
  testKey,
  testRootPem,
  withStatement,
} from './helpers/statements.ts';

// §8.8 Apple Anonymous attestation: one case per verification step.

const der = (tag: number, content: Uint8Array): Uint8Array =>
  concat(Uint8Array.of(tag, content.length), content);

interface Knobs {
  nonce?: Uint8Array;
  extension?: Uint8Array | null;
  key?: SigningKey;
  alg?: number;
}

function statement(base: BaseRegistration, k: Knobs = {}): Map<string, CborValue> {
  const nonce = k.nonce ?? sha('sha256', concat(base.authData, base.clientDataHash));
  const value = k.extension === undefined ? der(0x30, der(0xa1, der(0x04, nonce))) : k.extension;
  const extensions: CertificateExtension[] = value === null ? [] : [{ oid: '1.2.840.113635.100.8.2', value }];
  const leaf = issueLeaf({
    key: k.key ?? ({ spki: p256Spki(base) } as SigningKey),
    subject: [['CN', 'cred']],
    extensions,
  });
  const stmt = new Map<string, CborValue>([['x5c', [leaf, ...testCaChain()]]]);
  if (k.alg !== undefined) stmt.set('alg', k.alg);
  return stmt;
}

describe.each(BACKENDS)('apple attestation, §8.8 (%s backend)', (_name, crypto) => {
  const base = baseRegistration('ES256');
  const verify = (k: Knobs = {}, extra: Record<string, unknown> = {}) =>
    verifyRegistration(withStatement(base, 'apple', statement(base, k)), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      now: new Date('2025-06-01T00:00:00Z'),
      crypto,
      ...extra,
    });
  const at = (n: number): string => `7.1 step 22 (§8.8 step ${n})`;

  it('step 6: a valid statement is Anonymization CA, trusted only through a configured anchor', async () => {
    expect(await verify()).toMatchObject({
      verified: true,
      attestation: { fmt: 'apple', type: 'anonca', trusted: false },
    });
    expect(
      await verify({}, { trustAnchors: [testRootPem()], requireTrustedAttestation: true }),
    ).toMatchObject({
      verified: true,
      attestation: { trusted: true },
    });
  });
  it('step 1: only x5c (and the legacy alg naming the credential algorithm) may appear', async () => {
    expect(await verify({ alg: -7 })).toMatchObject({ verified: true });
    expectRejected(await verify({ alg: -257 }), 'ERR_ATTESTATION_INVALID', at(1));
  });
  it('step 4: the nonce extension must be present and well formed', async () => {
    expectRejected(await verify({ extension: null }), 'ERR_ATTESTATION_CERTIFICATE_INVALID', at(4));
    const nonce = sha('sha256', concat(base.authData, base.clientDataHash));
    expectRejected(
      await verify({ extension: der(0x30, der(0x04, nonce)) }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      at(4),
    );
  });
  it('step 4: the nonce must be SHA-256(authenticatorData ‖ clientDataHash)', async () => {
    const nonce = sha('sha256', concat(base.authData, base.clientDataHash));
    expectRejected(
      await verify({ nonce: nonce.map((b, i) => (i === 31 ? b ^ 1 : b)) }),
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      at(4),
    );
    expectRejected(
      await verify({ nonce: sha('sha256', base.authData) }),
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      at(4),
    );
  });
  it('step 5: the certificate key must be the credential key', async () => {
    expectRejected(
      await verify({ key: testKey('ES256', 'apple-other') }),
      'ERR_ATTESTATION_KEY_MISMATCH',
      at(5),
    );
  });
});
