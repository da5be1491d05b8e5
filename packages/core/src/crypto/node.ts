/// <reference types="node" />
// The one place (with @factorkit/ct/native) where factorkit touches node:crypto; everything else
// reaches it through this backend (enforced by test/backend-imports.test.ts).
import * as nodeCrypto from 'node:crypto';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  type KeyObject,
  verify as nodeVerify,
  randomBytes,
} from 'node:crypto';
import { timingSafeEqual } from '@factorkit/ct/native';
import { encodeBase64url } from '../base64.ts';
import { type CosePublicKey, HASH_LENGTH, type HashAlgorithm } from '../cose.ts';
import { isStrictDerEcdsaSignature } from '../der.ts';
import { verifyMlDsaNoble } from './mlDsa.ts';
import {
  type CryptoBackend,
  CryptoError,
  checkAesArgs,
  checkRandomLength,
  EDDSA_SIGNATURE_LENGTH,
  type ImportedKey,
} from './types.ts';

const NODE_HASH: Readonly<Record<HashAlgorithm, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
// One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object createHash builds per call;
// older Node 20 releases fall back to createHash.
const oneShotHash = (
  nodeCrypto as { readonly hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer }
).hash;

function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

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
  // (FIPS 204 §7.2), so the exact length the COSE parser checked is the complete key validation.
  if (key.kty === 'AKP') return { cose: key, backend: 'node', native: undefined };
  let native: KeyObject;
  try {
    // JWK import makes OpenSSL check that an EC point lies on its curve (COSE-2).
    native = createPublicKey({ key: toJwk(key), format: 'jwk' });
  } catch (cause) {
    throw new CryptoError('invalid-key', 'public key is not valid for its curve or type', { cause });
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

function ecbName(key: Uint8Array): string {
  return `aes-${key.length * 8}-ecb`;
}

function gcmName(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return `aes-${key.length * 8}-gcm` as 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
}

const TAG_BYTES = 16;

/** The node:crypto backend (OpenSSL): synchronous verification, the default on Node. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    const name = NODE_HASH[algorithm];
    return view(
      oneShotHash === undefined ? createHash(name).update(data).digest() : oneShotHash(name, data, 'buffer'),
    );
  },
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return view(createHmac(NODE_HASH[algorithm], key).update(data).digest());
  },
  importKey,
  verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    try {
      return Promise.resolve(verifySync(key, signature, data));
    } catch (error) {
      return Promise.reject(error);
    }
  },
  verifySync,
  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesArgs(key, block, 16);
    const c = createCipheriv(ecbName(key), key, null).setAutoPadding(false);
    const out = new Uint8Array(16);
    out.set(c.update(block));
    c.final();
    return out;
  },
  aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesArgs(key, block, 16);
    const d = createDecipheriv(ecbName(key), key, null).setAutoPadding(false);
    const out = new Uint8Array(16);
    out.set(d.update(block));
    d.final();
    return out;
  },
  aesGcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    checkAesArgs(key, plaintext);
    const cipher = createCipheriv(gcmName(key), key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const out = new Uint8Array(plaintext.length + TAG_BYTES);
    // GCM is a stream mode: update() returns exactly plaintext.length bytes, final() none.
    out.set(cipher.update(plaintext));
    cipher.final();
    out.set(cipher.getAuthTag(), plaintext.length);
    return Promise.resolve(out);
  },
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    try {
      checkAesArgs(key, sealed);
      if (sealed.length < TAG_BYTES) throw new Error('sealed data is shorter than its tag');
      const body = sealed.subarray(0, sealed.length - TAG_BYTES);
      const decipher = createDecipheriv(gcmName(key), key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const out = new Uint8Array(body.length);
      out.set(decipher.update(body));
      decipher.final();
      return Promise.resolve(out);
    } catch (error) {
      return Promise.reject(error);
    }
  },
  randomBytes(length: number): Uint8Array {
    checkRandomLength(length);
    return new Uint8Array(randomBytes(length));
  },
  timingSafeEqual,
};
