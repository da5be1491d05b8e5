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
  // The U2F device signs only rpIdHash, clientDataHash, credentialId and the public key: the
  // AAGUID and the flags in authenticatorData are written by the client (CTAP 2.x "U2F
  // interoperability": AAGUID all zeros, flags 0x41 = UP|AT). Claims nobody signed must not
  // reach a policy, so they are refused here rather than reported (catalog ATT-10, FIDO
  // conformance Registration Resp-8 F-1). The W3C §16 fido-u2f vector carries a non-zero
  // AAGUID; it is a documented dispute, not a reason to accept one.
  if (credential.aaguid.some((b) => b !== 0)) {
    return attestationFailure(
      'ERR_FIDO_U2F_AAGUID_NOT_ZERO',
      'fido-u2f attestation does not sign the AAGUID: it must be all zeros',
    );
  }
  // A U2F device cannot verify a user and its keys are never backed up: UV, BE or BS set
  // under fido-u2f is an unsigned claim, refused rather than credited.
  const { uv, be, bs } = authenticatorData.flags;
  if (uv || be || bs) {
    return attestationFailure(
      'ERR_FIDO_U2F_FLAGS_INVALID',
      'fido-u2f attestation does not sign the flags: UV, BE and BS must be clear',
    );
  }
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
  return { ok: true, type: 'basic', trustPath: x5c, signsAuthenticatorData: false };
};
