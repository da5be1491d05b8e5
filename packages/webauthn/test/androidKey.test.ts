import { IntegerSet } from '@peculiar/asn1-android';
import { describe, expect, it } from 'vitest';
import { parseKeyDescription } from '../src/attestation/androidKeyDescription.ts';
import type { AttestationPolicy } from '../src/attestation/types.ts';
import { assertStrictDer } from '../src/der.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import {
  androidKeyStatement,
  GOOD_TEE,
  type AndroidKeyKnobs as Knobs,
  keyDescription,
} from './helpers/androidKeyStatement.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE_B64, expectRejected, ORIGIN, RP_ID } from './helpers/ceremony.ts';
import { baseRegistration, concat, testKey, testRootPem, withStatement } from './helpers/statements.ts';

// §8.4 Android Key attestation: one case per verification step that breaks only that step.

describe.each(BACKENDS)('android-key attestation, §8.4 (%s backend)', (_name, crypto) => {
  const base = baseRegistration('ES256');
  const verify = (k: Knobs = {}, extra: AttestationPolicy & Record<string, unknown> = {}) =>
    verifyRegistration(withStatement(base, 'android-key', androidKeyStatement(base, k)), {
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      now: new Date('2025-06-01T00:00:00Z'),
      crypto,
      ...extra,
    });
  const at = (n: number): string => `7.1 step 22 (§8.4 step ${n})`;

  it('step 6: a valid statement is Basic, trusted only through a configured anchor', async () => {
    expect(await verify()).toMatchObject({
      verified: true,
      attestation: { fmt: 'android-key', type: 'basic', trusted: false },
    });
    expect(
      await verify({}, { trustAnchors: [testRootPem()], requireTrustedAttestation: true }),
    ).toMatchObject({
      verified: true,
      attestation: { trusted: true },
    });
  });
  it('step 2: sig must verify with credCert and alg', async () => {
    expectRejected(await verify({ corruptSig: true }), 'ERR_INVALID_SIGNATURE', at(2));
    expectRejected(await verify({ alg: -257 }), 'ERR_ATTESTATION_INVALID', at(2));
  });
  it('step 3: credCert key must be the credential key', async () => {
    // Another key certified and signing: step 2 passes, only the key comparison can reject.
    const other = testKey('ES256', 'android-other');
    expectRejected(await verify({ certKey: other, signer: other }), 'ERR_ATTESTATION_KEY_MISMATCH', at(3));
  });
  it('step 4: the key description must be present and well formed', async () => {
    expectRejected(await verify({ description: null }), 'ERR_ATTESTATION_CERTIFICATE_INVALID', at(4));
    expectRejected(
      await verify({ description: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x03) }),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      at(4),
    );
    // BER (a non-minimal length) is refused even though the schema decoder would accept it.
    const der = keyDescription(base.clientDataHash);
    const ber = concat(Uint8Array.of(0x30, 0x82, 0x00, der[1] as number), der.subarray(2));
    expect(der[1]).toBeLessThan(0x80);
    expectRejected(await verify({ description: ber }), 'ERR_ATTESTATION_CERTIFICATE_INVALID', at(4));
  });
  it('step 4: attestationChallenge must be clientDataHash', async () => {
    expectRejected(
      await verify({ challenge: new Uint8Array(32).fill(1) }),
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      at(4),
    );
  });
  it('step 5: allApplications must be absent from both lists', async () => {
    expectRejected(
      await verify({ tee: { ...GOOD_TEE, allApplications: null } }),
      'ERR_ATTESTATION_INVALID',
      at(5),
    );
    expectRejected(await verify({ software: { allApplications: null } }), 'ERR_ATTESTATION_INVALID', at(5));
  });
  it('step 5: origin must be KM_ORIGIN_GENERATED', async () => {
    expectRejected(
      await verify({ tee: { purpose: new IntegerSet([2]), origin: 2 } }),
      'ERR_ATTESTATION_INVALID',
      at(5),
    );
    expectRejected(await verify({ tee: { purpose: new IntegerSet([2]) } }), 'ERR_ATTESTATION_INVALID', at(5));
    // An IMPORTED origin in softwareEnforced is not outvoted by a GENERATED one in teeEnforced.
    expectRejected(await verify({ software: { origin: 2 } }), 'ERR_ATTESTATION_INVALID', at(5));
  });
  it('step 5: purpose must contain KM_PURPOSE_SIGN', async () => {
    expectRejected(
      await verify({ tee: { purpose: new IntegerSet([3]), origin: 0 } }),
      'ERR_ATTESTATION_INVALID',
      at(5),
    );
    expect(await verify({ tee: { purpose: new IntegerSet([2, 7]), origin: 0 } })).toMatchObject({
      verified: true,
    });
  });
  it('step 5: the union by default, teeEnforced only when the RP asks', async () => {
    const softwareOnly = { tee: {}, software: GOOD_TEE };
    expect(await verify(softwareOnly)).toMatchObject({ verified: true });
    expectRejected(
      await verify(softwareOnly, { androidKeyRequireTeeEnforced: true }),
      'ERR_ATTESTATION_INVALID',
      at(5),
    );
    expect(await verify({}, { androidKeyRequireTeeEnforced: true })).toMatchObject({ verified: true });
  });
  it('a certificate listed in the injected revocation status list is rejected', async () => {
    const status = { entries: { '4d': { status: 'REVOKED', reason: 'KEY_COMPROMISE' } } };
    expectRejected(
      await verify({ serial: 0x4d }, { androidKeyRevocationStatus: status }),
      'ERR_ATTESTATION_CERTIFICATE_REVOKED',
      at(6),
    );
    expect(await verify({ serial: 0x4e }, { androidKeyRevocationStatus: status })).toMatchObject({
      verified: true,
    });
  });
});

describe('strict DER walker', () => {
  it('accepts DER, refuses BER lengths, bad high tags and trailing data', () => {
    expect(() => assertStrictDer(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05))).not.toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0x30, 0x81, 0x03, 0x02, 0x01, 0x05))).toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x05, 0, 0))).toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0xbf, 0x85, 0x3e, 0x03, 0x02, 0x01, 0x00))).not.toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0xbf, 0x80, 0x85, 0x3e, 0x03, 0x02, 0x01, 0x00))).toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0xbf, 0x1e, 0x03, 0x02, 0x01, 0x00))).toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0x30, 0x00, 0x00))).toThrow();
    expect(() => assertStrictDer(Uint8Array.of(0x30, 0x00, 0x30, 0x00))).toThrow();
    expect(() => parseKeyDescription(new Uint8Array(9000))).toThrow();
  });
});
