import { bytesEqual, concat } from '@factorkit/core';
import type { CborMap, CborValue } from '../cbor.ts';
import { extensionByOid, type ParsedCertificate, parseCertificate } from '../certificate.ts';
import { type CosePublicKey, coseKeyFromSpki } from '../cose.ts';
import type { CryptoBackend } from '../crypto/types.ts';
import { DER_OCTET_STRING, readDerExact } from '../der.ts';
import { WebAuthnError, type WebAuthnErrorCode } from '../errors.ts';
import { MAX_CHAIN_LENGTH } from '../trust.ts';
import { type AttestationOutcome, attestationFailure } from './types.ts';

/** id-fido-gen-ce-aaguid (WebAuthn §8.2.1). */
export const OID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

/** Throws `ERR_ATTESTATION_INVALID` unless every key of attStmt is one of `allowed`. */
export function checkAttStmtKeys(attStmt: CborMap, allowed: readonly string[]): void {
  for (const key of attStmt.keys()) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      throw new WebAuthnError(
        'ERR_ATTESTATION_INVALID',
        `unexpected attStmt member ${typeof key === 'string' ? key : typeof key}`,
      );
    }
  }
}

export function attStmtBytes(attStmt: CborMap, key: string): Uint8Array {
  const v = attStmt.get(key);
  if (!(v instanceof Uint8Array))
    throw new WebAuthnError('ERR_ATTESTATION_INVALID', `attStmt.${key} must be a byte string`);
  return v;
}

export function attStmtInt(attStmt: CborMap, key: string): number {
  const v = attStmt.get(key);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new WebAuthnError('ERR_ATTESTATION_INVALID', `attStmt.${key} must be an integer`);
  }
  return v;
}

/** attStmt.x5c: a non-empty array of DER certificates, parsed (ATT-5: empty or non-array rejected). */
export function attStmtX5c(value: CborValue | undefined): ParsedCertificate[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new WebAuthnError('ERR_ATTESTATION_INVALID', 'attStmt.x5c must be a non-empty array');
  }
  if (value.length > MAX_CHAIN_LENGTH)
    throw new WebAuthnError('ERR_ATTESTATION_INVALID', 'attStmt.x5c is too long');
  return value.map((der: CborValue) => {
    if (!(der instanceof Uint8Array))
      throw new WebAuthnError('ERR_ATTESTATION_INVALID', 'x5c entries must be byte strings');
    return parseCertificate(der);
  });
}

/** authenticatorData ‖ clientDataHash: what packed and most formats sign. */
export function signedAttestationData(authData: Uint8Array, clientDataHash: Uint8Array): Uint8Array {
  return concat(authData, clientDataHash);
}

/**
 * id-fido-gen-ce-aaguid (§8.2.1, §8.3 step 9): when the certificate carries the extension, it
 * is not critical and its OCTET STRING holds exactly the AAGUID of authenticatorData.
 */
export function aaguidExtensionProblem(
  leaf: ParsedCertificate,
  aaguid: Uint8Array,
  step?: string,
): AttestationOutcome | undefined {
  const ext = extensionByOid(leaf, OID_FIDO_GEN_CE_AAGUID);
  if (ext === undefined) return undefined;
  const bad = (message: string): AttestationOutcome =>
    attestationFailure('ERR_ATTESTATION_CERTIFICATE_INVALID', message, step);
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
      step,
    );
  }
  return undefined;
}

/**
 * Verifies `sig` over `data` with the certificate's key under COSE `alg`. The key must fit
 * `alg` (SIG-4: an RS256 alg needs an RSA key and means PKCS#1 v1.5; ES256 needs P-256).
 */
export async function verifyWithCertificate(
  crypto: CryptoBackend,
  cert: ParsedCertificate,
  alg: number,
  sig: Uint8Array,
  data: Uint8Array,
): Promise<true | { readonly code: WebAuthnErrorCode; readonly message: string }> {
  let key: CosePublicKey;
  try {
    key = coseKeyFromSpki(cert.outline.spki, alg);
  } catch (e) {
    const code: WebAuthnErrorCode =
      e instanceof WebAuthnError && e.code === 'ERR_UNSUPPORTED_ALGORITHM'
        ? e.code
        : 'ERR_ATTESTATION_INVALID';
    return { code, message: `certificate key does not fit alg ${alg}` };
  }
  if (!(await crypto.verify(crypto.importKey(key), sig, data)))
    return { code: 'ERR_INVALID_SIGNATURE', message: 'attestation signature is not valid' };
  return true;
}

/** Why the certificate's public key is not `key` (same type, curve and coordinates / modulus and exponent). */
export function certificateKeyProblem(cert: ParsedCertificate, key: CosePublicKey): string | undefined {
  let certKey: CosePublicKey;
  try {
    certKey = coseKeyFromSpki(cert.outline.spki, key.alg);
  } catch {
    return 'public key is not of the credential key type';
  }
  if (certKey.kty === 'EC2' && key.kty === 'EC2')
    return bytesEqual(certKey.x, key.x) && bytesEqual(certKey.y, key.y)
      ? undefined
      : 'public key differs from the credential key';
  if (certKey.kty === 'RSA' && key.kty === 'RSA')
    return bytesEqual(certKey.n, key.n) && bytesEqual(certKey.e, key.e)
      ? undefined
      : 'public key differs from the credential key';
  if (certKey.kty === 'OKP' && key.kty === 'OKP')
    return bytesEqual(certKey.x, key.x) ? undefined : 'public key differs from the credential key';
  return 'public key is not of the credential key type';
}
