import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { AkpPublicKey } from '../cose.ts';

/**
 * ML-DSA signature verification shared by both backends (FIPS 204 Algorithm 3, ML-DSA.Verify),
 * as COSE uses it (RFC 9964 §3): pure ML-DSA over the message with the empty context string —
 * WebAuthn signs `authenticatorData ‖ SHA-256(clientDataJSON)` directly, like EdDSA, with no
 * prehash (HashML-DSA is not a WebAuthn algorithm) and no context.
 *
 * Lengths are checked exactly before any arithmetic: a public key or signature of the wrong size
 * for the key's parameter set is refused, never truncated or padded (the COSE key parser already
 * enforces the key length; this is the backstop for keys built by hand).
 */

interface MlDsaVerifier {
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean;
}

const NOBLE: Readonly<Record<AkpPublicKey['parameterSet']['name'], MlDsaVerifier>> = {
  'ML-DSA-44': ml_dsa44,
  'ML-DSA-65': ml_dsa65,
  'ML-DSA-87': ml_dsa87,
};

/** `true` when `key` and `signature` have the sizes FIPS 204 Table 2 fixes for the parameter set. */
export function mlDsaLengthsValid(key: AkpPublicKey, signature: Uint8Array): boolean {
  return (
    key.pub.length === key.parameterSet.publicKeyLength &&
    signature.length === key.parameterSet.signatureLength
  );
}

/** ML-DSA.Verify with @noble/post-quantum; `false` for any malformed or invalid signature. */
export function verifyMlDsaNoble(key: AkpPublicKey, signature: Uint8Array, data: Uint8Array): boolean {
  if (!mlDsaLengthsValid(key, signature)) return false;
  try {
    return NOBLE[key.parameterSet.name].verify(signature, data, key.pub);
  } catch {
    return false;
  }
}
