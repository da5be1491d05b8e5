import type { webcrypto } from 'node:crypto';
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { encodeBase64url } from '../base64url.ts';
import { type CosePublicKey, ec2UncompressedPoint, type HashAlgorithm } from '../cose.ts';
import { derSignatureToRaw } from '../der.ts';
import { WebAuthnError } from '../errors.ts';
import { verifyMlDsaNoble } from './mlDsa.ts';
import type { CryptoBackend, ImportedKey } from './types.ts';

// No Node APIs at run time: @noble/* for hashes, ECDSA, EdDSA and ML-DSA; WebCrypto for RSA (noble
// has no RSA, and a pure-JS RSA verifier is exactly what the catalog warns about: ASN-1).

const HASH: Readonly<Record<HashAlgorithm, (data: Uint8Array) => Uint8Array>> = {
  'SHA-1': (d) => sha1(d),
  'SHA-256': (d) => sha256(d),
  'SHA-384': (d) => sha384(d),
  'SHA-512': (d) => sha512(d),
};
const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

interface WeierstrassImpl {
  verify(
    sig: Uint8Array,
    msg: Uint8Array,
    pub: Uint8Array,
    opts: { lowS: boolean; prehash: boolean },
  ): boolean;
  Point: { fromBytes(bytes: Uint8Array): unknown };
}
const WEIERSTRASS: Readonly<Record<string, WeierstrassImpl>> = {
  'P-256': p256 as unknown as WeierstrassImpl,
  'P-384': p384 as unknown as WeierstrassImpl,
  'P-521': p521 as unknown as WeierstrassImpl,
  secp256k1: secp256k1 as unknown as WeierstrassImpl,
};

function subtle(): webcrypto.SubtleCrypto | undefined {
  return (globalThis as { crypto?: webcrypto.Crypto }).crypto?.subtle;
}

interface PortableHandle {
  /** SEC1 point (EC2) or raw public key (OKP). */
  readonly point?: Uint8Array;
  /** Lazily imported WebCrypto RSA key. */
  rsa?: Promise<webcrypto.CryptoKey>;
}

function importKey(key: CosePublicKey): ImportedKey {
  const handle: PortableHandle = {};
  // ML-DSA: the exact pkEncode length (checked by the COSE parser) is the full validation; see mlDsa.ts.
  if (key.kty === 'AKP') return { cose: key, backend: 'portable', native: handle };
  try {
    if (key.kty === 'EC2') {
      const point = ec2UncompressedPoint(key);
      // fromBytes rejects points that are not on the curve and the point at infinity (COSE-2).
      (WEIERSTRASS[key.curve.name] as WeierstrassImpl).Point.fromBytes(point);
      return { cose: key, backend: 'portable', native: { point } };
    }
    if (key.kty === 'OKP') {
      if (key.curve.name === 'Ed25519') ed25519.Point.fromBytes(key.x, false);
      else ed448.Point.fromBytes(key.x, false);
      return { cose: key, backend: 'portable', native: { point: key.x } };
    }
  } catch (cause) {
    throw new WebAuthnError('ERR_INVALID_PUBLIC_KEY', 'public key is not valid for its curve', { cause });
  }
  return { cose: key, backend: 'portable', native: handle };
}

function verifyCurve(key: ImportedKey, signature: Uint8Array, data: Uint8Array): boolean {
  const { cose } = key;
  const point = (key.native as PortableHandle).point as Uint8Array;
  try {
    if (cose.kty === 'EC2') {
      const raw = derSignatureToRaw(signature, cose.curve.size);
      const digest = HASH[cose.algorithm.hash as HashAlgorithm](data);
      // lowS: false — WebAuthn signatures may have high S; noble's default would reject half of them.
      return (WEIERSTRASS[cose.curve.name] as WeierstrassImpl).verify(raw, digest, point, {
        lowS: false,
        prehash: false,
      });
    }
    if (cose.kty === 'OKP') {
      // zip215: false = RFC 8032 strict decoding, as OpenSSL does (SIG-5).
      if (cose.curve.name === 'Ed25519') return ed25519.verify(signature, data, point, { zip215: false });
      return ed448.verify(signature, data, point);
    }
  } catch {
    return false;
  }
  return false;
}

async function verifyRsa(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const { cose } = key;
  if (cose.kty !== 'RSA') return false;
  const api = subtle();
  if (api === undefined) {
    throw new WebAuthnError(
      'ERR_UNSUPPORTED_ALGORITHM',
      'RSA verification needs WebCrypto, which this runtime lacks',
    );
  }
  if (signature.length !== cose.n.length) return false;
  const hash = cose.algorithm.hash as HashAlgorithm;
  const pss = cose.algorithm.family === 'RSASSA-PSS';
  const name = pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
  const handle = key.native as PortableHandle;
  handle.rsa ??= api.importKey(
    'jwk',
    { kty: 'RSA', n: encodeBase64url(cose.n), e: encodeBase64url(cose.e), ext: true },
    { name, hash },
    false,
    ['verify'],
  );
  try {
    const cryptoKey = await handle.rsa;
    const params = pss ? { name, saltLength: HASH_LENGTH[hash] } : { name };
    return await api.verify(params, cryptoKey, signature, data);
  } catch {
    return false;
  }
}

/** The portable backend: @noble/curves + @noble/hashes + @noble/post-quantum, WebCrypto for RSA. Asynchronous API. */
export const portableBackend: CryptoBackend = {
  name: 'portable',
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return HASH[algorithm](data);
  },
  importKey,
  async verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    if (key.backend !== 'portable') throw new TypeError('key was imported by another crypto backend');
    if (key.cose.kty === 'RSA') return verifyRsa(key, signature, data);
    if (key.cose.kty === 'AKP') return verifyMlDsaNoble(key.cose, signature, data);
    return verifyCurve(key, signature, data);
  },
  verifySync: undefined,
};
