import { timingSafeEqual } from '@factorkit/ct/portable';
import { ecb } from '@noble/ciphers/aes.js';
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { encodeBase64url } from '../base64.ts';
import { type CosePublicKey, HASH_LENGTH, type HashAlgorithm } from '../cose.ts';
import { derSignatureToRaw } from '../der.ts';
import { verifyMlDsaNoble } from './mlDsa.ts';
import {
  type CryptoBackend,
  CryptoError,
  checkAesArgs,
  checkRandomLength,
  EDDSA_SIGNATURE_LENGTH,
  type ImportedKey,
} from './types.ts';

// No Node APIs: WebCrypto (`globalThis.crypto.subtle`) verifies every algorithm it offers —
// ECDSA P-256/384/521, Ed25519 where the runtime has it, RSASSA-PKCS1-v1_5, RSA-PSS — and does
// AES-GCM and randomness. @noble/* fills only what WebCrypto lacks: secp256k1 and Ed448
// signatures, synchronous digests and HMAC (WebCrypto's are asynchronous), raw AES blocks (it has
// no ECB), and the on-curve checks at import, which must not depend on the runtime.

const HASH: Readonly<Record<HashAlgorithm, CHash>> = {
  'SHA-1': sha1,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
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
/** Curves WebCrypto defines (WebCrypto §23); secp256k1 is not one of them. */
const WEBCRYPTO_CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521']);

function subtle(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

interface PortableHandle {
  /** SEC1 uncompressed point (EC2) or the raw public key (OKP), validated. */
  readonly point: Uint8Array | undefined;
  /** The WebCrypto key, once imported; `null` when this runtime's WebCrypto refused it. */
  webKey: CryptoKey | null | undefined;
  /** The import in flight (started at importKey, so a prepared key is ready on first use). */
  pending: Promise<CryptoKey | null> | undefined;
}

function uncompressedPoint(key: CosePublicKey & { kty: 'EC2' }): Uint8Array {
  const n = key.curve.size;
  if (key.x.length !== n || key.y.length !== n) {
    throw new CryptoError('invalid-key', 'EC2 coordinates do not match the curve size');
  }
  const point = new Uint8Array(1 + 2 * n);
  point[0] = 0x04;
  point.set(key.x, 1);
  point.set(key.y, 1 + n);
  return point;
}

function webImport(
  key: Exclude<CosePublicKey, { kty: 'AKP' }>,
  point: Uint8Array | undefined,
): Promise<CryptoKey | null> | undefined {
  const api = subtle();
  if (api === undefined) return undefined;
  let imported: Promise<CryptoKey>;
  if (key.kty === 'EC2') {
    if (!WEBCRYPTO_CURVES.has(key.curve.name)) return undefined;
    imported = api.importKey(
      'raw',
      point as Uint8Array<ArrayBuffer>,
      { name: 'ECDSA', namedCurve: key.curve.name },
      false,
      ['verify'],
    );
  } else if (key.kty === 'OKP') {
    if (key.curve.name !== 'Ed25519') return undefined;
    imported = api.importKey('raw', point as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  } else {
    const name = key.algorithm.family === 'RSASSA-PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    imported = api.importKey(
      'jwk',
      { kty: 'RSA', n: encodeBase64url(key.n), e: encodeBase64url(key.e), ext: true },
      { name, hash: key.algorithm.hash as HashAlgorithm },
      false,
      ['verify'],
    );
  }
  // A runtime without the algorithm (Ed25519 in older browsers) falls back to noble; `null`
  // records that, so the import is never retried per call.
  return imported.then(
    (k) => k,
    () => null,
  );
}

function importKey(key: CosePublicKey): ImportedKey {
  // ML-DSA (no WebCrypto algorithm yet): @noble/post-quantum; the exact pkEncode length checked
  // by the COSE parser is the full validation (see mlDsa.ts).
  if (key.kty === 'AKP') return { cose: key, backend: 'portable', native: undefined };
  let point: Uint8Array | undefined;
  try {
    if (key.kty === 'EC2') {
      point = uncompressedPoint(key);
      // fromBytes rejects points that are not on the curve and the point at infinity (COSE-2),
      // the same verdict OpenSSL gives the node backend.
      (WEIERSTRASS[key.curve.name] as WeierstrassImpl).Point.fromBytes(point);
    } else if (key.kty === 'OKP') {
      // Strict RFC 8032 decoding (zip215: false), as OpenSSL does (SIG-5).
      if (key.curve.name === 'Ed25519') ed25519.Point.fromBytes(key.x, false);
      else ed448.Point.fromBytes(key.x, false);
      point = key.x;
    }
  } catch (cause) {
    if (cause instanceof CryptoError) throw cause;
    throw new CryptoError('invalid-key', 'public key is not valid for its curve', { cause });
  }
  if (key.kty === 'RSA' && subtle() === undefined) {
    throw new CryptoError('unsupported', 'RSA verification needs WebCrypto, which this runtime lacks');
  }
  const handle: PortableHandle = { point, webKey: undefined, pending: undefined };
  const pending = webImport(key, point);
  if (pending === undefined) {
    handle.webKey = null;
  } else {
    handle.pending = pending.then((k) => {
      handle.webKey = k;
      return k;
    });
  }
  return { cose: key, backend: 'portable', native: handle };
}

function verifyNoble(key: ImportedKey, signature: Uint8Array, data: Uint8Array): boolean {
  const { cose } = key;
  const point = (key.native as PortableHandle).point as Uint8Array;
  try {
    if (cose.kty === 'EC2') {
      const raw = derSignatureToRaw(signature, cose.curve.size);
      const digest = HASH[cose.algorithm.hash as HashAlgorithm](data);
      // lowS: false — WebAuthn and U2F signatures may have high S, as WebCrypto accepts.
      return (WEIERSTRASS[cose.curve.name] as WeierstrassImpl).verify(raw, digest, point, {
        lowS: false,
        prehash: false,
      });
    }
    if (cose.kty === 'OKP') {
      if (signature.length !== EDDSA_SIGNATURE_LENGTH[cose.curve.name]) return false;
      // zip215: false = RFC 8032 strict decoding, as OpenSSL does (SIG-5).
      if (cose.curve.name === 'Ed25519') return ed25519.verify(signature, data, point, { zip215: false });
      return ed448.verify(signature, data, point);
    }
  } catch {
    return false;
  }
  return false;
}

async function verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (key.backend !== 'portable') throw new TypeError('key was imported by another crypto backend');
  if (key.cose.kty === 'AKP') return verifyMlDsaNoble(key.cose, signature, data);
  const handle = key.native as PortableHandle;
  const webKey = handle.webKey === undefined ? await handle.pending : handle.webKey;
  if (webKey === null || webKey === undefined) {
    if (key.cose.kty === 'RSA') return false;
    return verifyNoble(key, signature, data);
  }
  const { cose } = key;
  const api = subtle() as SubtleCrypto;
  let sig: Uint8Array = signature;
  let params: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
  if (cose.kty === 'EC2') {
    // WebCrypto takes IEEE P1363 r‖s; the strict DER rules are ours, identical on both backends.
    try {
      sig = derSignatureToRaw(signature, cose.curve.size);
    } catch {
      return false;
    }
    params = { name: 'ECDSA', hash: cose.algorithm.hash as HashAlgorithm };
  } else if (cose.kty === 'OKP') {
    if (signature.length !== EDDSA_SIGNATURE_LENGTH[cose.curve.name]) return false;
    params = { name: 'Ed25519' };
  } else {
    if (signature.length !== cose.n.length) return false;
    const hash = cose.algorithm.hash as HashAlgorithm;
    // RFC 8230 §2: PS256/384/512 use MGF1 with the same hash and a salt as long as the hash.
    params =
      cose.algorithm.family === 'RSASSA-PSS'
        ? { name: 'RSA-PSS', saltLength: HASH_LENGTH[hash] }
        : { name: 'RSASSA-PKCS1-v1_5' };
  }
  try {
    return await api.verify(params, webKey, sig as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

async function gcmKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const api = subtle();
  if (api === undefined)
    throw new CryptoError('unsupported', 'AES-GCM needs WebCrypto, which this runtime lacks');
  return api.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, [usage]);
}

/** The portable backend: WebCrypto, with @noble/* only where WebCrypto lacks an algorithm. */
export const portableBackend: CryptoBackend = {
  name: 'portable',
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array {
    return HASH[algorithm](data);
  },
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return hmac(HASH[algorithm], key, data);
  },
  importKey,
  verify,
  verifySync: undefined,
  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesArgs(key, block, 16);
    return ecb(key, { disablePadding: true }).encrypt(block);
  },
  aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesArgs(key, block, 16);
    return ecb(key, { disablePadding: true }).decrypt(block);
  },
  async aesGcmSeal(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Promise<Uint8Array> {
    checkAesArgs(key, plaintext);
    const out = await (subtle() as SubtleCrypto).encrypt(
      {
        name: 'AES-GCM',
        iv: iv as Uint8Array<ArrayBuffer>,
        additionalData: aad as Uint8Array<ArrayBuffer>,
        tagLength: 128,
      },
      await gcmKey(key, 'encrypt'),
      plaintext as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(out);
  },
  async aesGcmOpen(
    key: Uint8Array,
    iv: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Promise<Uint8Array> {
    checkAesArgs(key, sealed);
    const out = await (subtle() as SubtleCrypto).decrypt(
      {
        name: 'AES-GCM',
        iv: iv as Uint8Array<ArrayBuffer>,
        additionalData: aad as Uint8Array<ArrayBuffer>,
        tagLength: 128,
      },
      await gcmKey(key, 'decrypt'),
      sealed as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(out);
  },
  randomBytes(length: number): Uint8Array {
    checkRandomLength(length);
    const out = new Uint8Array(length);
    const api = (globalThis as { crypto?: Crypto }).crypto;
    if (api === undefined) throw new CryptoError('unsupported', 'this runtime has no crypto.getRandomValues');
    // getRandomValues fills at most 65 536 bytes per call (WebCrypto §10.1.1).
    for (let i = 0; i < length; i += 65_536)
      api.getRandomValues(out.subarray(i, Math.min(length, i + 65_536)));
    return out;
  },
  timingSafeEqual,
};
