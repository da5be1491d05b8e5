import { bytesEqual } from '@factorkit/core';
import { extensionByOid, type ParsedCertificate } from '../certificate.ts';
import { DER_OCTET_STRING, DER_SEQUENCE, readDerChildren, readDerExact } from '../der.ts';
import { attStmtX5c, certificateKeyProblem, checkAttStmtKeys, signedAttestationData } from './common.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/** Apple's anonymous attestation nonce extension (WebAuthn §8.8). */
export const OID_APPLE_NONCE = '1.2.840.113635.100.8.2';

const step = (n: number): string => `§8.8 step ${n}`;

/**
 * §8.8 Apple Anonymous attestation. `attStmt = {x5c: [credCert, *caCert]}`:
 * 1. attStmt is well formed;
 * 2–3. nonce = SHA-256(authenticatorData ‖ clientDataHash);
 * 4. nonce equals the value of extension 1.2.840.113635.100.8.2 in credCert;
 * 5. the credential public key equals credCert's subject public key;
 * 6. the attestation type is Anonymization CA, the trust path x5c (chain to the Apple WebAuthn
 *    Root CA by configuring it as an anchor).
 *
 * Early iOS 14 releases also sent `alg` (the credential algorithm); it is tolerated only when
 * it names the credential's own algorithm, since nothing signs with it.
 */
export const verifyAppleAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const { attStmt, authData, credential, clientDataHash, crypto } = input;
  // Step 1.
  checkAttStmtKeys(attStmt, ['x5c', 'alg']);
  if (attStmt.has('alg') && attStmt.get('alg') !== credential.publicKey.alg)
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'apple alg is not the credential algorithm',
      step(1),
    );
  const x5c = attStmtX5c(attStmt.get('x5c'));
  const credCert = x5c[0] as ParsedCertificate;

  // Steps 2–4.
  const nonce = crypto.digest('SHA-256', signedAttestationData(authData, clientDataHash));
  const certNonce = appleNonce(credCert);
  if (certNonce === undefined)
    return attestationFailure(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      'credCert lacks a well-formed Apple nonce extension',
      step(4),
    );
  if (!bytesEqual(certNonce, nonce))
    return attestationFailure(
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      'credCert nonce is not SHA-256(authenticatorData ‖ clientDataHash)',
      step(4),
    );

  // Step 5.
  const keyProblem = certificateKeyProblem(credCert, credential.publicKey);
  if (keyProblem !== undefined)
    return attestationFailure('ERR_ATTESTATION_KEY_MISMATCH', `credCert ${keyProblem}`, step(5));

  // Step 6.
  return { ok: true, type: 'anonca', trustPath: x5c };
};

/** The nonce of extension 1.2.840.113635.100.8.2: SEQUENCE { [1] EXPLICIT OCTET STRING }. */
export function appleNonce(cert: ParsedCertificate): Uint8Array | undefined {
  const ext = extensionByOid(cert, OID_APPLE_NONCE);
  if (ext === undefined) return undefined;
  try {
    const children = readDerChildren(readDerExact(new Uint8Array(ext.value), DER_SEQUENCE).value);
    const only = children[0];
    if (children.length !== 1 || only === undefined || only.tag !== 0xa1) return undefined;
    const nonce = readDerExact(only.value, DER_OCTET_STRING).value;
    return nonce.length === 32 ? nonce : undefined;
  } catch {
    return undefined;
  }
}
