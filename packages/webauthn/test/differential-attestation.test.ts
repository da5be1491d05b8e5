import { type RegistrationResponseJSON, VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import { IntegerSet } from '@peculiar/asn1-android';
import { SettingsService, verifyRegistrationResponse } from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { androidKeyStatement } from './helpers/androidKeyStatement.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE, CHALLENGE_B64, ORIGIN, RP_ID, USER_ID } from './helpers/ceremony.ts';
import { baseRegistration, concat, sha, testRootPem, withStatement } from './helpers/statements.ts';
import { tpmStatement } from './helpers/tpmStatement.ts';

// Differential testing of the platform attestation formats against @simplewebauthn/server:
// positives from the virtual authenticator, and statements that break one rule of §8.3/§8.4.
// Both libraries are given the test CA root for every format; every divergence is listed with
// the rule that decides it, and any other disagreement fails the test.

/** Cases where we reject and SimpleWebAuthn accepts: the rule we apply. */
const DIVERGENCES: Readonly<Record<string, string>> = {
  'tpm: attested name hashed with its own prefix algorithm, not pubArea.nameAlg':
    'TPM 2.0 Part 1 §16 / WebAuthn §8.3 step 4: the Name is pubArea.nameAlg ‖ H_nameAlg(pubArea); SimpleWebAuthn hashes with the algorithm named in the attested name itself.',
  'tpm: AIK certificate without basicConstraints':
    '§8.3.1: "The Basic Constraints extension MUST have the CA component set to false" — the extension must be present; SimpleWebAuthn only rejects CA=true.',
  'tpm: unregistered TPM manufacturer id:00000000':
    '§8.3.1 → TCG EK profile §3.2.9: tcg-at-tpmManufacturer is a TCG-registered vendor id. (SimpleWebAuthn also checks the registry, listed here only if it diverges.)',
  'android-key: origin IMPORTED':
    '§8.4 step 5: AuthorizationList.origin must be KM_ORIGIN_GENERATED; SimpleWebAuthn does not check origin.',
  'android-key: purpose lacks SIGN':
    '§8.4 step 5: AuthorizationList.purpose must contain KM_PURPOSE_SIGN; SimpleWebAuthn does not check purpose.',
  'android-key: empty authorization lists':
    '§8.4 step 5: origin and purpose must be attested (the W3C vector trap); SimpleWebAuthn does not check them.',
};
/** Cases where we accept and SimpleWebAuthn rejects: why ours is right. */
const PEER_MISSING: Readonly<Record<string, string>> = {
  'compound (packed x5c + packed self)': 'SimpleWebAuthn does not implement compound attestation (§8.9).',
  'android-key -257':
    'SimpleWebAuthn compares the COSE bytes of an RSA modulus re-encoded with a leading zero byte, so an RS256 android-key credential fails its key comparison (§8.4 step 3 compares keys, not encodings).',
  'tpm: EKU lists tcg-kp-AIKCertificate second':
    '§8.3.1: the EKU must *contain* 2.23.133.8.3; SimpleWebAuthn only looks at the first entry.',
};

type Case = { name: string; response: RegistrationResponseJSON; expectOurs: boolean };

function vaCase(
  format: 'tpm' | 'android-key' | 'apple' | 'android-safetynet' | 'compound',
  alg: number,
): Case {
  const va = new VirtualAuthenticator({
    seed: `differential/${format}/${alg}`,
    attestationFormat: format,
    // SimpleWebAuthn checks SafetyNet timestamps against the real clock.
    clock: () => new Date(),
  });
  const response = va.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
      challenge: CHALLENGE,
      pubKeyCredParams: [{ type: 'public-key', alg }],
      attestation: 'direct',
    },
  });
  return { name: `${format} ${alg}`, response, expectOurs: true };
}

function cases(): Case[] {
  const out: Case[] = [
    vaCase('tpm', -257),
    vaCase('tpm', -7),
    vaCase('android-key', -7),
    vaCase('android-key', -257),
    vaCase('apple', -7),
    vaCase('android-safetynet', -7),
    { ...vaCase('compound', -7), name: 'compound (packed x5c + packed self)' },
  ];
  const es = baseRegistration('ES256');
  const tpm = (name: string, k: Parameters<typeof tpmStatement>[1], expectOurs: boolean): Case => ({
    name,
    response: withStatement(es, 'tpm', tpmStatement(es, k)),
    expectOurs,
  });
  const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
  out.push(
    tpm('tpm: valid statement built by the test', {}, true),
    tpm('tpm: magic altered', { magic: 0xff544348 }, false),
    tpm('tpm: extraData altered', { extraData: (e) => e.map((b, i) => (i === 0 ? b ^ 1 : b)) }, false),
    tpm(
      'tpm: attested name hashed with its own prefix algorithm, not pubArea.nameAlg',
      { pubAreaNameAlg: 0x0004, name: (p) => concat(u16(0x000b), sha('sha256', p)) },
      false,
    ),
    tpm('tpm: EKU lists tcg-kp-AIKCertificate second', { ekus: ['1.3.6.1.5.5.7.3.2', '2.23.133.8.3'] }, true),
    tpm('tpm: AIK certificate without basicConstraints', { basicConstraints: null }, false),
    tpm('tpm: unregistered TPM manufacturer id:00000000', { manufacturer: 'id:00000000' }, false),
    tpm('tpm: RS256 alg over a PSS signature', { aik: 'PS256', alg: -257 }, false),
  );
  const ak = (name: string, k: Parameters<typeof androidKeyStatement>[1], expectOurs: boolean): Case => ({
    name,
    response: withStatement(es, 'android-key', androidKeyStatement(es, k)),
    expectOurs,
  });
  out.push(
    ak('android-key: valid statement built by the test', {}, true),
    ak('android-key: attestationChallenge altered', { challenge: new Uint8Array(32).fill(1) }, false),
    ak('android-key: origin IMPORTED', { tee: { purpose: new IntegerSet([2]), origin: 2 } }, false),
    ak('android-key: purpose lacks SIGN', { tee: { purpose: new IntegerSet([3]), origin: 0 } }, false),
    ak('android-key: empty authorization lists', { tee: {} }, false),
    ak(
      'android-key: allApplications present',
      { tee: { purpose: new IntegerSet([2]), origin: 0, allApplications: null } },
      false,
    ),
  );
  return out;
}

async function swa(response: RegistrationResponseJSON): Promise<boolean> {
  for (const identifier of ['tpm', 'android-key', 'apple', 'android-safetynet', 'packed'] as const)
    SettingsService.setRootCertificates({ identifier, certificates: [testRootPem()] });
  try {
    return (
      await verifyRegistrationResponse({
        response: response as never,
        expectedChallenge: CHALLENGE_B64,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        requireUserVerification: false,
        supportedAlgorithmIDs: [-7, -257],
      })
    ).verified;
  } catch {
    return false;
  }
}

describe.each(BACKENDS)(
  'attestation formats: differential vs @simplewebauthn/server (%s backend)',
  (name, crypto) => {
    it('same verdict except the listed divergences, each with its rule', async () => {
      const lines: string[] = [];
      let agree = 0;
      const all = cases();
      for (const c of all) {
        const ours = await verifyRegistration(c.response, {
          expectedChallenge: CHALLENGE,
          expectedOrigin: ORIGIN,
          expectedRpId: RP_ID,
          trustAnchors: [testRootPem()],
          crypto,
        });
        const theirs = await swa(c.response);
        expect({
          case: c.name,
          ours: ours.verified,
          ...(ours.verified ? {} : { code: ours.code }),
        }).toMatchObject({
          case: c.name,
          ours: c.expectOurs,
        });
        if (ours.verified === theirs) agree++;
        else {
          const rule = DIVERGENCES[c.name] ?? PEER_MISSING[c.name];
          expect(
            rule,
            `undocumented divergence: ${c.name} ours=${ours.verified} simplewebauthn=${theirs}`,
          ).toBeDefined();
          expect(theirs).toBe(DIVERGENCES[c.name] !== undefined);
          lines.push(`${c.name}: ours=${ours.verified} simplewebauthn=${theirs} — ${rule}`);
        }
      }
      console.log(
        `[${name}] attestation differential: ${agree}/${all.length} agree; divergences:\n  ${lines.join('\n  ')}`,
      );
    });
  },
);
