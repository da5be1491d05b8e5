// Credential and CA key pairs for every COSE algorithm the authenticators support.
// EC, Ed25519 and ML-DSA keys are derived from seed material and sign deterministically
// (RFC 6979 / RFC 8032 / FIPS 204 deterministic variant); RSA keys come from the committed test-key pool; RSASSA-PKCS1-v1_5 is
// deterministic and PSS uses a salt derived from the key and message, so every signature
// is reproducible.
import {
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateEncrypt,
  sign as rsaSign,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { concat, fromBase64url, uint32be } from './bytes.ts';
import { type CborValue, encodeCbor } from './cbor.ts';
import { bitString, nullValue, oid, seq } from './der.ts';
import { RSA_OTHER_TEST_KEY, RSA_TEST_KEYS } from './rsa-test-keys.ts';

/** COSE algorithm names this package can produce. */
export type CoseAlgorithmName =
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'RS256'
  | 'PS256'
  | 'ML-DSA-44'
  | 'ML-DSA-65'
  | 'ML-DSA-87';

/** COSE algorithm identifiers (IANA COSE Algorithms registry). */
export const COSE_ALGORITHMS: Readonly<Record<CoseAlgorithmName, number>> = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
  EdDSA: -8,
  RS256: -257,
  PS256: -37,
  // RFC 9964: ML-DSA in COSE (kty AKP).
  'ML-DSA-44': -48,
  'ML-DSA-65': -49,
  'ML-DSA-87': -50,
};

/** Looks up an algorithm name by COSE identifier. */
export function algorithmName(coseAlg: number): CoseAlgorithmName | undefined {
  for (const [name, id] of Object.entries(COSE_ALGORITHMS))
    if (id === coseAlg) return name as CoseAlgorithmName;
  return undefined;
}

/** A key pair that signs in the format WebAuthn expects for its algorithm. */
export interface SigningKey {
  readonly alg: CoseAlgorithmName;
  /** COSE algorithm identifier, e.g. -7. */
  readonly coseAlg: number;
  /** The public key as a CTAP2-canonical COSE_Key. */
  readonly coseKey: Uint8Array;
  /** The public key as DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** Signs `data`: ECDSA as DER `Ecdsa-Sig-Value`, EdDSA raw 64 bytes, RSA raw modulus-size bytes. */
  sign(data: Uint8Array): Uint8Array;
  /** The X.509 `AlgorithmIdentifier` for certificates signed with this key. */
  readonly signatureAlgorithm: Uint8Array;
  /** For EC keys, the uncompressed point `04 || x || y`. */
  readonly publicPoint?: Uint8Array;
  /**
   * The private key as PKCS #8 DER (EC and Ed25519 keys), e.g. for Chromium's CDP
   * `WebAuthn.addCredential`, so a browser's virtual authenticator holds the same key. Test
   * keys only: these keys are derived from public seeds.
   */
  pkcs8?(): Uint8Array;
}

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const CURVES = {
  ES256: { curve: p256, oid: '1.2.840.10045.3.1.7', crv: 1, size: 32, sigOid: '1.2.840.10045.4.3.2' },
  ES384: { curve: p384, oid: '1.3.132.0.34', crv: 2, size: 48, sigOid: '1.2.840.10045.4.3.3' },
  ES512: { curve: p521, oid: '1.3.132.0.35', crv: 3, size: 66, sigOid: '1.2.840.10045.4.3.4' },
} as const;

/** Bytes of seed material each algorithm consumes. */
export const KEY_SEED_LENGTH = 99;

/**
 * Creates a key pair for `alg` from `material` (at least {@link KEY_SEED_LENGTH} bytes of
 * uniformly random or seed-derived bytes).
 */
export function createSigningKey(
  alg: CoseAlgorithmName,
  material: Uint8Array,
  options: { readonly reservedRsaKey?: boolean } = {},
): SigningKey {
  if (material.length < KEY_SEED_LENGTH)
    throw new RangeError(`key material must be at least ${KEY_SEED_LENGTH} bytes`);
  switch (alg) {
    case 'ES256':
    case 'ES384':
    case 'ES512':
      return ecKey(alg, material);
    case 'EdDSA':
      return edKey(material);
    case 'ML-DSA-44':
    case 'ML-DSA-65':
    case 'ML-DSA-87':
      return mlDsaKey(alg, material);
    case 'RS256':
    case 'PS256': {
      // `reservedRsaKey`: the pool key no seeded credential uses, so "another key" is really another.
      const index = (material[0] ?? 0) % RSA_TEST_KEYS.length;
      const pem = options.reservedRsaKey === true ? RSA_OTHER_TEST_KEY : (RSA_TEST_KEYS[index] ?? '');
      return rsaKey(alg, createPrivateKey(pem), material.slice(1, 33));
    }
    default:
      throw new TypeError(`unsupported algorithm: ${String(alg)}`);
  }
}

const JWK_CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

function ecKey(alg: 'ES256' | 'ES384' | 'ES512', material: Uint8Array): SigningKey {
  const c = CURVES[alg];
  const secret = c.curve.utils.randomSecretKey(material.slice(0, c.curve.lengths.seed));
  const point = c.curve.getPublicKey(secret, false);
  const x = point.slice(1, 1 + c.size);
  const y = point.slice(1 + c.size);
  const coseAlg = COSE_ALGORITHMS[alg];
  return {
    alg,
    coseAlg,
    coseKey: encodeCbor(
      new Map<number, CborValue>([
        [1, 2],
        [3, coseAlg],
        [-1, c.crv],
        [-2, x],
        [-3, y],
      ]),
    ),
    spki: seq(seq(oid(OID_EC_PUBLIC_KEY), oid(c.oid)), bitString(point)),
    publicPoint: point,
    signatureAlgorithm: seq(oid(c.sigOid)),
    // prehash with the curve's hash (SHA-256/384/512), RFC 6979 deterministic nonce.
    sign: (data) => c.curve.sign(data, secret, { format: 'der', prehash: true }),
    pkcs8: () =>
      new Uint8Array(
        createPrivateKey({
          key: { kty: 'EC', crv: JWK_CURVES[alg], d: b64u(secret), x: b64u(x), y: b64u(y) },
          format: 'jwk',
        }).export({ type: 'pkcs8', format: 'der' }),
      ),
  };
}

function edKey(material: Uint8Array): SigningKey {
  const secret = material.slice(0, 32);
  const pub = ed25519.getPublicKey(secret);
  return {
    alg: 'EdDSA',
    coseAlg: COSE_ALGORITHMS.EdDSA,
    coseKey: encodeCbor(
      new Map<number, CborValue>([
        [1, 1],
        [3, COSE_ALGORITHMS.EdDSA],
        [-1, 6],
        [-2, pub],
      ]),
    ),
    spki: seq(seq(oid('1.3.101.112')), bitString(pub)),
    signatureAlgorithm: seq(oid('1.3.101.112')),
    sign: (data) => ed25519.sign(data, secret),
    pkcs8: () =>
      new Uint8Array(
        createPrivateKey({
          key: { kty: 'OKP', crv: 'Ed25519', d: b64u(secret), x: b64u(pub) },
          format: 'jwk',
        }).export({ type: 'pkcs8', format: 'der' }),
      ),
  };
}

const ML_DSA = {
  'ML-DSA-44': { impl: ml_dsa44, oid: '2.16.840.1.101.3.4.3.17' },
  'ML-DSA-65': { impl: ml_dsa65, oid: '2.16.840.1.101.3.4.3.18' },
  'ML-DSA-87': { impl: ml_dsa87, oid: '2.16.840.1.101.3.4.3.19' },
} as const;

/** ML-DSA (FIPS 204): keys from a 32-byte seed; COSE_Key `{1: 7 (AKP), 3: alg, -1: pub}` (RFC 9964 §4). */
function mlDsaKey(alg: 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87', material: Uint8Array): SigningKey {
  const { impl, oid: algOid } = ML_DSA[alg];
  const { publicKey, secretKey } = impl.keygen(material.slice(0, 32));
  const coseAlg = COSE_ALGORITHMS[alg];
  return {
    alg,
    coseAlg,
    coseKey: encodeCbor(
      new Map<number, CborValue>([
        [1, 7],
        [3, coseAlg],
        [-1, publicKey],
      ]),
    ),
    // RFC 9881: AlgorithmIdentifier without parameters; the BIT STRING is the raw public key.
    spki: seq(seq(oid(algOid)), bitString(publicKey)),
    signatureAlgorithm: seq(oid(algOid)),
    // Pure ML-DSA, empty context (RFC 9964 §3), deterministic (no extra entropy) for reproducibility.
    sign: (data) => impl.sign(data, secretKey, { extraEntropy: false }),
  };
}

function rsaKey(alg: 'RS256' | 'PS256', privateKey: KeyObject, saltKey: Uint8Array): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const n = fromBase64url(String(jwk.n));
  const e = fromBase64url(String(jwk.e));
  const coseAlg = COSE_ALGORITHMS[alg];
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const modBits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
  return {
    alg,
    coseAlg,
    coseKey: encodeCbor(
      new Map<number, CborValue>([
        [1, 3],
        [3, coseAlg],
        [-1, n],
        [-2, e],
      ]),
    ),
    spki,
    signatureAlgorithm:
      alg === 'RS256'
        ? seq(oid('1.2.840.113549.1.1.11'), nullValue())
        : seq(oid('1.2.840.113549.1.1.10'), PSS_SHA256_PARAMS),
    sign: (data) => {
      if (alg === 'RS256') return new Uint8Array(rsaSign('sha256', data, privateKey));
      // RSASSA-PSS (RFC 8017 §8.1) with SHA-256, MGF1-SHA-256, 32-byte salt. Node's PSS draws a
      // random salt; a salt derived from the key and message keeps the output reproducible.
      const salt = new Uint8Array(createHmac('sha256', saltKey).update(data).digest());
      const em = emsaPssEncode(data, modBits - 1, salt);
      return new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em));
    },
  };
}

// RSASSA-PSS-params { SHA-256, MGF1(SHA-256), saltLength 32 } (RFC 4055).
const PSS_SHA256_PARAMS = (() => {
  const sha256Alg = seq(oid('2.16.840.1.101.3.4.2.1'), nullValue());
  const ctx = (n: number, inner: Uint8Array): Uint8Array =>
    concat(Uint8Array.of(0xa0 | n, inner.length), inner);
  return seq(
    ctx(0, sha256Alg),
    ctx(1, seq(oid('1.2.840.113549.1.1.8'), sha256Alg)),
    ctx(2, Uint8Array.of(0x02, 0x01, 0x20)),
  );
})();

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, o = 0; o < length; counter++) {
    const block = sha256(concat(seed, uint32be(counter)));
    out.set(block.slice(0, Math.min(block.length, length - o)), o);
    o += block.length;
  }
  return out;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-256. */
function emsaPssEncode(message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const emLen = Math.ceil(emBits / 8);
  const mHash = sha256(message);
  const h = sha256(concat(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - h.length - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return concat(db, h, Uint8Array.of(0xbc));
}
