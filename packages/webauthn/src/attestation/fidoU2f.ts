import { concat } from '@factorkit/core';
import { coseKeyFromSpki } from '../cose.ts';
import { attStmtBytes, attStmtX5c, checkAttStmtKeys } from './common.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/**
 * §8.6 FIDO U2F attestation: exactly one certificate with an EC P-256 key, a credential key on
 * P-256, and an ECDSA-SHA256 signature over the U2F registration layout
 * 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y.
 */
export const verifyFidoU2fAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const { attStmt, authenticatorData, credential, clientDataHash, crypto } = input;
  checkAttStmtKeys(attStmt, ['sig', 'x5c']);
  const sig = attStmtBytes(attStmt, 'sig');
  const x5c = attStmtX5c(attStmt.get('x5c'));
  if (x5c.length !== 1)
    return attestationFailure('ERR_ATTESTATION_INVALID', 'fido-u2f x5c must hold exactly one certificate');
  const leaf = x5c[0];
  if (leaf === undefined) return attestationFailure('ERR_ATTESTATION_INVALID', 'fido-u2f x5c is empty');
  let certKey: ReturnType<typeof coseKeyFromSpki>;
  try {
    certKey = coseKeyFromSpki(leaf.outline.spki, -7);
  } catch {
    return attestationFailure(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      'fido-u2f certificate key must be EC P-256',
    );
  }
  const key = credential.publicKey;
  if (key.kty !== 'EC2' || key.curve.name !== 'P-256') {
    return attestationFailure('ERR_ATTESTATION_INVALID', 'fido-u2f credential key must be EC2 on P-256');
  }
  // No AAGUID check: §8.6 has none, and the W3C fido-u2f test vector carries a non-zero AAGUID.
  // (CTAP1 keys behind a browser report zeros; the FIDO conformance tool's Resp-8 F-1 goes further.)
  const verificationData = concat(
    new Uint8Array([0x00]),
    authenticatorData.rpIdHash,
    clientDataHash,
    credential.credentialId,
    new Uint8Array([0x04]),
    key.x,
    key.y,
  );
  const imported = crypto.importKey(certKey);
  if (!(await crypto.verify(imported, sig, verificationData))) {
    return attestationFailure('ERR_INVALID_SIGNATURE', 'fido-u2f attestation signature is not valid');
  }
  return { ok: true, type: 'basic', trustPath: x5c };
};
