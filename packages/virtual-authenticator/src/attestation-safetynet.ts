import { createHash } from 'node:crypto';
// android-safetynet (§8.5, deprecated by Google but still verified by relying parties): a
// SafetyNet attestation JWS signed by an "attest.android.com" leaf of the test CA.
import type { AttestationInput, AttestationStatement } from './attestation.ts';
import { toBase64url, utf8 } from './bytes.ts';
import type { CborValue } from './cbor.ts';
import { seq, tlv } from './der.ts';
import { createSigningKey, KEY_SEED_LENGTH } from './keys.ts';
import { derive, seedBytes } from './seed.ts';

/** The SafetyNet clock when none is given: the fixtures' verification time, minus one second. */
export const SAFETYNET_DEFAULT_TIME: Date = new Date('2025-05-31T23:59:59.000Z');
/** The `ver` a Play Services build reports (the value is informative only). */
export const SAFETYNET_VERSION = '252037029';

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

export function buildSafetyNetAttestation(
  input: AttestationInput,
  signedData: Uint8Array,
): AttestationStatement {
  const key = createSigningKey(
    'RS256',
    derive(seedBytes('factorkit virtual SafetyNet'), 'leaf/RS256', KEY_SEED_LENGTH),
  );
  // SAN dNSName attest.android.com: what §8.5 (via Google's guidance) checks on the leaf.
  const san = { oid: '2.5.29.17', value: seq(tlv(0x82, utf8('attest.android.com'))) };
  const leaf = input.ca.issueLeaf({
    keyLabel: 'android-safetynet',
    key,
    subject: [
      ['C', 'US'],
      ['O', 'factorkit'],
      ['CN', 'attest.android.com'],
    ],
    extensions: [san],
  });
  const header = { alg: 'RS256', x5c: [b64(leaf.certificate), b64(input.ca.intermediate.certificate)] };
  const payload = {
    nonce: b64(new Uint8Array(createHash('sha256').update(signedData).digest())),
    timestampMs: (input.now ?? SAFETYNET_DEFAULT_TIME).getTime(),
    apkPackageName: 'com.google.android.gms',
    apkCertificateDigestSha256: [b64(new Uint8Array(32))],
    ctsProfileMatch: input.safetyNet?.ctsProfileMatch ?? true,
    basicIntegrity: true,
    evaluationType: 'BASIC,HARDWARE_BACKED',
  };
  const signingInput = `${toBase64url(utf8(JSON.stringify(header)))}.${toBase64url(utf8(JSON.stringify(payload)))}`;
  const jws = `${signingInput}.${toBase64url(key.sign(utf8(signingInput)))}`;
  return new Map<string, CborValue>([
    ['ver', SAFETYNET_VERSION],
    ['response', utf8(jws)],
  ]);
}
