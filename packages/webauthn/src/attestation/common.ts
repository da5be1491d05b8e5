import { concat } from '@factorkit/core';
import type { CborMap, CborValue } from '../cbor.ts';
import { type ParsedCertificate, parseCertificate } from '../certificate.ts';
import { WebAuthnError } from '../errors.ts';
import { MAX_CHAIN_LENGTH } from '../trust.ts';

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
