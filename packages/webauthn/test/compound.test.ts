import type { CborValue, SigningKey } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE_B64, expectRejected, ORIGIN, RP_ID } from './helpers/ceremony.ts';
import {
  baseRegistration,
  concat,
  issueLeaf,
  p256Spki,
  sha,
  testCaChain,
  testRootPem,
  withStatement,
} from './helpers/statements.ts';

// §8.9 Compound attestation: each statement verified by its own format; limits on count and nesting.

const der = (tag: number, c: Uint8Array): Uint8Array => concat(Uint8Array.of(tag, c.length), c);
const base = baseRegistration('ES256');
const packedSelf = (): Map<string, CborValue> =>
  new Map<string, CborValue>([
    ['alg', -7],
    ['sig', base.credentialSign(base.authData)],
  ]);
const apple = (nonce = sha('sha256', concat(base.authData, base.clientDataHash))): Map<string, CborValue> => {
  const leaf = issueLeaf({
    key: { spki: p256Spki(base) } as SigningKey,
    subject: [['CN', 'cred']],
    extensions: [{ oid: '1.2.840.113635.100.8.2', value: der(0x30, der(0xa1, der(0x04, nonce))) }],
  });
  return new Map<string, CborValue>([['x5c', [leaf, ...testCaChain()]]]);
};
const sub = (fmt: string, attStmt: CborValue): Map<string, CborValue> =>
  new Map<string, CborValue>([
    ['fmt', fmt],
    ['attStmt', attStmt],
  ]);

describe.each(BACKENDS)('compound attestation, §8.9 (%s backend)', (_name, crypto) => {
  const verify = (stmts: CborValue, extra: Record<string, unknown> = {}) =>
    verifyRegistration(withStatement(base, 'compound', stmts as never), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      now: new Date('2025-06-01T00:00:00Z'),
      crypto,
      ...extra,
    });

  it('every statement verifies; the result lists each one with its own trust', async () => {
    const r = await verify([sub('packed', packedSelf()), sub('apple', apple())], {
      trustAnchors: [testRootPem()],
    });
    expect(r).toMatchObject({
      verified: true,
      attestation: {
        fmt: 'compound',
        type: 'self',
        trusted: true,
        statements: [
          { fmt: 'packed', type: 'self', trusted: false, trustPath: [] },
          { fmt: 'apple', type: 'anonca', trusted: true },
        ],
      },
    });
    const untrusted = await verify([sub('packed', packedSelf()), sub('none', new Map())]);
    expect(untrusted).toMatchObject({ verified: true, attestation: { trusted: false } });
  });
  it('a failing statement fails the registration with its own code and step', async () => {
    const r = await verify([sub('packed', packedSelf()), sub('apple', apple(new Uint8Array(32)))]);
    expectRejected(r, 'ERR_ATTESTATION_CHALLENGE_MISMATCH', '7.1 step 22 (§8.9 statement 1, §8.8 step 4)');
  });
  it('attStmt must be an array of 2 to 4 {fmt, attStmt} entries', async () => {
    expectRejected(await verify(new Map()), 'ERR_ATTESTATION_INVALID', '7.1 step 22 (§8.9 step 1)');
    expectRejected(
      await verify([sub('packed', packedSelf())]),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22 (§8.9 step 1)',
    );
    expectRejected(
      await verify(Array.from({ length: 5 }, () => sub('none', new Map()))),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22 (§8.9 step 1)',
    );
    expectRejected(
      await verify([sub('packed', packedSelf()), new Map([['fmt', 'none']])]),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22 (§8.9 step 1, statement 1)',
    );
    expectRejected(
      await verify([sub('packed', packedSelf()), sub('packed2', new Map())]),
      'ERR_UNSUPPORTED_ATTESTATION_FORMAT',
      '7.1 step 22 (§8.9 step 1, statement 1)',
    );
  });
  it('no compound inside compound', async () => {
    const r = await verify([sub('packed', packedSelf()), sub('compound', new Map())]);
    expectRejected(r, 'ERR_ATTESTATION_INVALID', '7.1 step 22 (§8.9 step 1, statement 1)');
  });
  it('an array attStmt is accepted for compound only', async () => {
    const r = await verifyRegistration(withStatement(base, 'packed', [sub('none', new Map())] as never), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
    });
    expectRejected(r, 'ERR_ATTESTATION_OBJECT_INVALID', '7.1 step 13');
  });
});
