import { bytesEqual } from '@factorkit/core';
import type { ParsedCertificate } from '../certificate.ts';
import { WebAuthnError } from '../errors.ts';
import {
  KM_ORIGIN_GENERATED,
  KM_PURPOSE_SIGN,
  keyDescriptionOf,
  summarize,
} from './androidKeyDescription.ts';
import {
  attStmtBytes,
  attStmtInt,
  attStmtX5c,
  certificateKeyProblem,
  checkAttStmtKeys,
  signedAttestationData,
  verifyWithCertificate,
} from './common.ts';
import type { AndroidKeyRevocationStatus } from './types.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

const step = (n: number): string => `§8.4 step ${n}`;

/**
 * §8.4 Android Key attestation. `attStmt = {alg, sig, x5c: [credCert, *caCert]}`:
 * 1. attStmt is well formed;
 * 2. sig verifies over authenticatorData ‖ clientDataHash with credCert's key under `alg`;
 * 3. credCert's public key is the credential public key;
 * 4. the key description's attestationChallenge is clientDataHash;
 * 5. `allApplications` is in neither list; origin is KM_ORIGIN_GENERATED and purpose contains
 *    KM_PURPOSE_SIGN — from `teeEnforced` alone when the RP sets `androidKeyRequireTeeEnforced`,
 *    else from the union of `teeEnforced` and `softwareEnforced`;
 * 6. the attestation type is Basic, the trust path x5c (chain to Google's hardware attestation
 *    roots by configuring them as anchors). A certificate listed in an injected revocation
 *    status list is rejected.
 */
export const verifyAndroidKeyAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const { attStmt, authData, credential, clientDataHash, crypto, policy } = input;
  // Step 1.
  checkAttStmtKeys(attStmt, ['alg', 'sig', 'x5c']);
  const alg = attStmtInt(attStmt, 'alg');
  const sig = attStmtBytes(attStmt, 'sig');
  const x5c = attStmtX5c(attStmt.get('x5c'));
  const credCert = x5c[0] as ParsedCertificate;

  // Step 2.
  const signed = await verifyWithCertificate(
    crypto,
    credCert,
    alg,
    sig,
    signedAttestationData(authData, clientDataHash),
  );
  if (signed !== true) return attestationFailure(signed.code, `android-key ${signed.message}`, step(2));

  // Step 3.
  const keyProblem = certificateKeyProblem(credCert, credential.publicKey);
  if (keyProblem !== undefined)
    return attestationFailure('ERR_ATTESTATION_KEY_MISMATCH', `credCert ${keyProblem}`, step(3));

  // Step 4.
  let description: ReturnType<typeof keyDescriptionOf>;
  try {
    description = keyDescriptionOf(credCert);
  } catch (e) {
    if (e instanceof WebAuthnError) return attestationFailure(e.code, e.message, step(4));
    throw e;
  }
  if (description === undefined)
    return attestationFailure(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      'credCert lacks the key description extension',
      step(4),
    );
  if (!bytesEqual(new Uint8Array(description.attestationChallenge.buffer), clientDataHash))
    return attestationFailure(
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      'attestationChallenge is not clientDataHash',
      step(4),
    );

  // Step 5.
  const tee = summarize(description.teeEnforced);
  const software = summarize(description.softwareEnforced);
  if (tee.allApplications || software.allApplications)
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'the key is usable by all applications (allApplications)',
      step(5),
    );
  const teeOnly = policy?.androidKeyRequireTeeEnforced === true;
  const origins = [tee.origin, ...(teeOnly ? [] : [software.origin])].filter((o) => o !== undefined);
  const purposes = [...(tee.purpose ?? []), ...(teeOnly ? [] : (software.purpose ?? []))];
  const where = teeOnly ? 'teeEnforced' : 'teeEnforced ∪ softwareEnforced';
  // Every origin present must say GENERATED (a list that says IMPORTED is never outvoted), and one must be present.
  if (origins.length === 0 || origins.some((o) => o !== KM_ORIGIN_GENERATED))
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      `origin in ${where} is not KM_ORIGIN_GENERATED`,
      step(5),
    );
  if (!purposes.includes(KM_PURPOSE_SIGN))
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      `purpose in ${where} lacks KM_PURPOSE_SIGN`,
      step(5),
    );

  const revoked = revokedCertificate(x5c, policy?.androidKeyRevocationStatus);
  if (revoked !== undefined)
    return attestationFailure('ERR_ATTESTATION_CERTIFICATE_REVOKED', revoked, step(6));

  // Step 6.
  return { ok: true, type: 'basic', trustPath: x5c };
};

const canonicalSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

/** Google's status list: any listed serial of the chain (any status) is refused. */
function revokedCertificate(
  x5c: readonly ParsedCertificate[],
  list: AndroidKeyRevocationStatus | undefined,
): string | undefined {
  if (list === undefined) return undefined;
  const entries = list.entries;
  if (typeof entries !== 'object' || entries === null)
    throw new TypeError('androidKeyRevocationStatus.entries must be an object');
  const listed = new Map(Object.entries(entries).map(([serial, e]) => [canonicalSerial(serial), e]));
  for (const cert of x5c) {
    const entry = listed.get(canonicalSerial(cert.cert.serialNumber));
    if (entry !== undefined) {
      const status = typeof entry.status === 'string' ? entry.status : 'listed';
      return `certificate ${canonicalSerial(cert.cert.serialNumber)} is ${status} in the attestation status list`;
    }
  }
  return undefined;
}
