import { bytesEqual } from '@factorkit/core';
import { basicConstraints, extensionByOid, type ParsedCertificate } from '../certificate.ts';
import { coseKeyFromSpki } from '../cose.ts';
import { DER_OCTET_STRING, readDerExact } from '../der.ts';
import { WebAuthnError } from '../errors.ts';
import { attStmtBytes, attStmtInt, attStmtX5c, checkAttStmtKeys, signedAttestationData } from './common.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/** id-fido-gen-ce-aaguid (WebAuthn §8.2.1). */
export const OID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

/**
 * §8.2 Packed attestation. With x5c: the signature is made by the attestation certificate's
 * key with `alg` (the key must fit `alg`: SIG-4), and the certificate meets §8.2.1. Without
 * x5c: self attestation, where `alg` must equal the credential's own algorithm and the
 * credential key signs.
 */
export const verifyPackedAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const { attStmt, authData, credential, clientDataHash, crypto } = input;
  checkAttStmtKeys(attStmt, ['alg', 'sig', 'x5c']);
  const alg = attStmtInt(attStmt, 'alg');
  const sig = attStmtBytes(attStmt, 'sig');
  const data = signedAttestationData(authData, clientDataHash);
  if (attStmt.has('x5c')) {
    const x5c = attStmtX5c(attStmt.get('x5c'));
    const leaf = x5c[0] as ParsedCertificate;
    let key: ReturnType<typeof coseKeyFromSpki>;
    try {
      key = coseKeyFromSpki(leaf.outline.spki, alg);
    } catch (e) {
      const code =
        e instanceof WebAuthnError && e.code === 'ERR_UNSUPPORTED_ALGORITHM'
          ? e.code
          : 'ERR_ATTESTATION_INVALID';
      return attestationFailure(code, `attestation certificate key does not fit alg ${alg}`);
    }
    const imported = crypto.importKey(key);
    if (!(await crypto.verify(imported, sig, data))) {
      return attestationFailure('ERR_INVALID_SIGNATURE', 'packed attestation signature is not valid');
    }
    const problem = packedCertificateProblem(leaf, credential.aaguid);
    if (problem !== undefined) return problem;
    // Basic and AttCA cannot be told apart from the statement alone (§8.2 step 2, last bullet).
    return { ok: true, type: 'basic', trustPath: x5c, signsAuthenticatorData: true };
  }
  // Self attestation (§8.2 step 3).
  if (alg !== credential.publicKey.alg) {
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'self attestation alg differs from the credential algorithm',
    );
  }
  const imported = crypto.importKey(credential.publicKey);
  if (!(await crypto.verify(imported, sig, data))) {
    return attestationFailure('ERR_INVALID_SIGNATURE', 'packed self attestation signature is not valid');
  }
  return { ok: true, type: 'self', trustPath: [], signsAuthenticatorData: true };
};

/** §8.2.1 Packed attestation statement certificate requirements. */
function packedCertificateProblem(
  leaf: ParsedCertificate,
  aaguid: Uint8Array,
): AttestationOutcome | undefined {
  const bad = (message: string): AttestationOutcome =>
    attestationFailure('ERR_ATTESTATION_CERTIFICATE_INVALID', message);
  if (leaf.outline.version !== 3) return bad('attestation certificate must be X.509 version 3');
  const subject = leaf.cert.subjectName;
  for (const field of ['C', 'O', 'CN']) {
    if (subject.getField(field).filter((v) => v.length > 0).length === 0) {
      return bad(`attestation certificate subject lacks ${field}`);
    }
  }
  if (!subject.getField('OU').includes('Authenticator Attestation')) {
    return bad('attestation certificate subject OU must be "Authenticator Attestation"');
  }
  const bc = basicConstraints(leaf);
  if (bc?.ca === true) return bad('attestation certificate must not be a CA');
  const ext = extensionByOid(leaf, OID_FIDO_GEN_CE_AAGUID);
  if (ext !== undefined) {
    if (ext.critical) return bad('id-fido-gen-ce-aaguid must not be critical');
    let value: Uint8Array;
    try {
      value = readDerExact(new Uint8Array(ext.value), DER_OCTET_STRING).value;
    } catch {
      return bad('id-fido-gen-ce-aaguid is not an OCTET STRING');
    }
    if (value.length !== 16 || !bytesEqual(value, aaguid)) {
      return attestationFailure(
        'ERR_ATTESTATION_AAGUID_MISMATCH',
        'certificate AAGUID differs from authenticatorData',
      );
    }
  }
  return undefined;
}
