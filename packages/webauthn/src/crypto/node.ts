import * as nodeCrypto from 'node:crypto';
import { constants, createHash, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { encodeBase64url } from '../base64url.ts';
import type { CosePublicKey, HashAlgorithm } from '../cose.ts';
import { isStrictDerEcdsaSignature } from '../der.ts';
import { WebAuthnError } from '../errors.ts';
import { verifyMlDsaNoble } from './mlDsa.ts';
import type { CryptoBackend, ImportedKey } from './types.ts';

const NODE_HASH: Readonly<Record<HashAlgorithm, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};
// One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object createHash builds per call;
// older Node 20 releases fall back to createHash.
const oneShotHash = (
  nodeCrypto as { readonly hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer }
).hash;
const EDDSA_SIGNATURE_LENGTH: Readonly<Record<string, number>> = { Ed25519: 64, Ed448: 114 };

function toJwk(key: Exclude<CosePublicKey, { kty: 'AKP' }>): Record<string, string> {
  switch (key.kty) {
    case 'EC2':
      return { kty: 'EC', crv: key.curve.name, x: encodeBase64url(key.x), y: encodeBase64url(key.y) };
    case 'OKP':
      return { kty: 'OKP', crv: key.curve.name, x: encodeBase64url(key.x) };
    default:
      return { kty: 'RSA', n: encodeBase64url(key.n), e: encodeBase64url(key.e) };
  }
}

function importKey(key: CosePublicKey): ImportedKey {
  // ML-DSA: Node 20 has no ML-DSA in node:crypto, so both backends verify with
  // @noble/post-quantum. Every byte string of the parameter set's length is a valid pkEncode
  // (FIPS 204 §7.2: rho is free, t1 packs 10-bit values with no invalid pattern), so the exact
  // length the COSE parser checked is the complete key validation.
  if (key.kty === 'AKP') return { cose: key, backend: 'node', native: undefined };
  let native: KeyObject;
  try {
    // JWK import makes OpenSSL check that an EC point lies on its curve (COSE-2).
    native = createPublicKey({ key: toJwk(key), format: 'jwk' });
  } catch (cause) {
    throw new WebAuthnError('ERR_INVALID_PUBLIC_KEY', 'public key is not valid for its curve or type', {
      cause,
    });
  }
  return { cose: key, backend: 'node', native };
}

function verifySync(key: ImportedKey, signature: Uint8Array, data: Uint8Array): boolean {
  if (key.backend !== 'node') throw new TypeError('key was imported by another crypto backend');
  const native = key.native as KeyObject;
  const { cose } = key;
  const { family, hash } = cose.algorithm;
  if (cose.kty === 'AKP') return verifyMlDsaNoble(cose, signature, data);
  try {
    if (family === 'ECDSA' && cose.kty === 'EC2') {
      // Our strict DER rules decide what a valid encoding is, identically on every backend
      // (the portable one converts with derSignatureToRaw). A signature that passes them is
      // canonical DER, which node:crypto verifies as it is (`dsaEncoding: 'der'`, the default):
      // no r‖s copy per call.
      if (!isStrictDerEcdsaSignature(signature, cose.curve.size)) return false;
      return nodeVerify(NODE_HASH[hash as HashAlgorithm], data, native, signature);
    }
    if (family === 'EdDSA' && cose.kty === 'OKP') {
      if (signature.length !== EDDSA_SIGNATURE_LENGTH[cose.curve.name]) return false;
      return nodeVerify(null, data, native, signature);
    }
    if (cose.kty === 'RSA') {
      if (signature.length !== cose.n.length) return false;
      const h = hash as HashAlgorithm;
      if (family === 'RSASSA-PSS') {
        // RFC 8230 §2: PS256/384/512 use MGF1 with the same hash and a salt as long as the hash.
        return nodeVerify(
          NODE_HASH[h],
          data,
          { key: native, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LENGTH[h] },
          signature,
        );
      }
      return nodeVerify(NODE_HASH[h], data, { key: native, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    return false;
  } catch {
    // Malformed signatures (bad DER, wrong length) are simply invalid.
    return false;
  }
}

/** The node:crypto backend: synchronous, the default on Node. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    const name = NODE_HASH[algorithm];
    const out =
      oneShotHash === undefined ? createHash(name).update(data).digest() : oneShotHash(name, data, 'buffer');
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  },
  importKey,
  verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    return Promise.resolve(verifySync(key, signature, data));
  },
  verifySync,
};
