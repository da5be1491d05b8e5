import type {
  AkpPublicKey,
  CoseAlgorithm,
  CoseKeyType,
  CosePublicKey,
  Ec2Curve,
  Ec2PublicKey,
  HashAlgorithm,
  MlDsaParameterSet,
  OkpCurve,
  OkpPublicKey,
  RsaPublicKey,
  SignatureFamily,
} from '@factorkit/core';
import { type CborMap, type CborValue, decodeCbor, isCborMap } from './cbor.ts';
import { derOidToString, parseRsaPublicKey, parseSpki, readDerExact } from './der.ts';
import { WebAuthnError } from './errors.ts';

/**
 * COSE keys and algorithms (RFC 9052/9053, RFC 8230, RFC 8812, fully-specified algorithms
 * draft-ietf-jose-fully-specified-algorithms, ML-DSA RFC 9964). One registry table per family —
 * algorithms, EC2 curves, OKP curves, ML-DSA parameter sets — so adding an entry is a one-line
 * change, never a new branch.
 */

// The key and hash shapes live in @factorkit/core (the crypto backends consume them); they are
// re-exported here so existing imports keep working.
export type {
  AkpPublicKey,
  CoseAlgorithm,
  CoseKeyType,
  CosePublicKey,
  Ec2Curve,
  Ec2PublicKey,
  HashAlgorithm,
  MlDsaParameterSet,
  OkpCurve,
  OkpPublicKey,
  RsaPublicKey,
  SignatureFamily,
};

const alg = (
  id: number,
  name: string,
  family: SignatureFamily,
  kty: CoseKeyType,
  hash: HashAlgorithm | undefined,
  curves: readonly number[],
  optIn = false,
): CoseAlgorithm => ({ id, name, family, kty, hash, curves, optIn });

/** The COSE algorithm registry this package verifies (WebAuthn §5.8.5, §6.5.1.1). */
export const COSE_ALGORITHMS: ReadonlyMap<number, CoseAlgorithm> = new Map(
  [
    alg(-7, 'ES256', 'ECDSA', 2, 'SHA-256', [1]),
    alg(-35, 'ES384', 'ECDSA', 2, 'SHA-384', [2]),
    alg(-36, 'ES512', 'ECDSA', 2, 'SHA-512', [3]),
    alg(-9, 'ESP256', 'ECDSA', 2, 'SHA-256', [1]),
    alg(-51, 'ESP384', 'ECDSA', 2, 'SHA-384', [2]),
    alg(-52, 'ESP512', 'ECDSA', 2, 'SHA-512', [3]),
    alg(-47, 'ES256K', 'ECDSA', 2, 'SHA-256', [8], true),
    alg(-8, 'EdDSA', 'EdDSA', 1, undefined, [6, 7]),
    alg(-19, 'Ed25519', 'EdDSA', 1, undefined, [6]),
    alg(-53, 'Ed448', 'EdDSA', 1, undefined, [7]),
    alg(-257, 'RS256', 'RSASSA-PKCS1-v1_5', 3, 'SHA-256', []),
    alg(-258, 'RS384', 'RSASSA-PKCS1-v1_5', 3, 'SHA-384', []),
    alg(-259, 'RS512', 'RSASSA-PKCS1-v1_5', 3, 'SHA-512', []),
    alg(-37, 'PS256', 'RSASSA-PSS', 3, 'SHA-256', []),
    alg(-38, 'PS384', 'RSASSA-PSS', 3, 'SHA-384', []),
    alg(-39, 'PS512', 'RSASSA-PSS', 3, 'SHA-512', []),
    alg(-65535, 'RS1', 'RSASSA-PKCS1-v1_5', 3, 'SHA-1', [], true),
    // RFC 9964 (Standards Track, IANA-registered): pure ML-DSA (FIPS 204), empty context.
    // Accepted by default like every other standard signature algorithm; see ML_DSA_PARAMETER_SETS.
    alg(-48, 'ML-DSA-44', 'ML-DSA', 7, undefined, []),
    alg(-49, 'ML-DSA-65', 'ML-DSA', 7, undefined, []),
    alg(-50, 'ML-DSA-87', 'ML-DSA', 7, undefined, []),
  ].map((a) => [a.id, a]),
);

/** Algorithms accepted when the caller does not say: every registry entry that is not opt-in. */
export const DEFAULT_SUPPORTED_ALGORITHMS: readonly number[] = [...COSE_ALGORITHMS.values()]
  .filter((a) => !a.optIn)
  .map((a) => a.id);

/** COSE EC2 curves (RFC 9053 §7.1, RFC 8812 §3.1). */
export const EC2_CURVES: ReadonlyMap<number, Ec2Curve> = new Map(
  (
    [
      { crv: 1, name: 'P-256', size: 32, oid: '1.2.840.10045.3.1.7' },
      { crv: 2, name: 'P-384', size: 48, oid: '1.3.132.0.34' },
      { crv: 3, name: 'P-521', size: 66, oid: '1.3.132.0.35' },
      { crv: 8, name: 'secp256k1', size: 32, oid: '1.3.132.0.10' },
    ] as const
  ).map((c) => [c.crv, c]),
);

/** COSE OKP curves usable for signatures (RFC 9053 §7.2). X25519/X448 are not signature curves. */
export const OKP_CURVES: ReadonlyMap<number, OkpCurve> = new Map(
  (
    [
      { crv: 6, name: 'Ed25519', size: 32, oid: '1.3.101.112' },
      { crv: 7, name: 'Ed448', size: 57, oid: '1.3.101.113' },
    ] as const
  ).map((c) => [c.crv, c]),
);

/** ML-DSA parameter sets (FIPS 204 §4, RFC 9964, RFC 9881), by COSE algorithm. */
export const ML_DSA_PARAMETER_SETS: ReadonlyMap<number, MlDsaParameterSet> = new Map(
  (
    [
      {
        alg: -48,
        name: 'ML-DSA-44',
        publicKeyLength: 1312,
        signatureLength: 2420,
        oid: '2.16.840.1.101.3.4.3.17',
      },
      {
        alg: -49,
        name: 'ML-DSA-65',
        publicKeyLength: 1952,
        signatureLength: 3309,
        oid: '2.16.840.1.101.3.4.3.18',
      },
      {
        alg: -50,
        name: 'ML-DSA-87',
        publicKeyLength: 2592,
        signatureLength: 4627,
        oid: '2.16.840.1.101.3.4.3.19',
      },
    ] as const
  ).map((p) => [p.alg, p]),
);

/** The longest signature any registry algorithm makes (ML-DSA-87): input bound for assertions. */
export const MAX_SIGNATURE_LENGTH = 4627;

/** RSA modulus bounds in bits: below is forgeable in practice, above is a verification DoS (DOS-3). */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;

function keyError(message: string): WebAuthnError {
  return new WebAuthnError('ERR_INVALID_PUBLIC_KEY', message);
}

/** Looks an algorithm up; `ERR_UNSUPPORTED_ALGORITHM` when it is not in the registry. */
export function coseAlgorithm(id: unknown): CoseAlgorithm {
  const found = typeof id === 'number' ? COSE_ALGORITHMS.get(id) : undefined;
  if (found === undefined) {
    throw new WebAuthnError('ERR_UNSUPPORTED_ALGORITHM', `unsupported COSE algorithm ${String(id)}`);
  }
  return found;
}

// Labels each key type may carry: kty (1), alg (3) and its own parameters. Anything else
// (kid, key_ops, base IV, private parameters...) is refused: WebAuthn §6.5.1.1 says the key
// MUST NOT contain other optional parameters, and a private key parameter must never be accepted.
// AKP (7) carries only pub (-1): priv (-2) and seed (-3) are private key parameters (RFC 9964 §4).
const ALLOWED_LABELS: Readonly<Record<number, readonly number[]>> = {
  1: [1, 3, -1, -2],
  2: [1, 3, -1, -2, -3],
  3: [1, 3, -1, -2],
  7: [1, 3, -1],
};

/** Decodes and validates a COSE_Key from its CBOR bytes (the credentialPublicKey). */
export function parseCoseKey(bytes: Uint8Array): CosePublicKey {
  const value = decodeCbor(bytes);
  return coseKeyFromMap(value, bytes);
}

/** Validates an already-decoded COSE_Key map. */
export function coseKeyFromMap(value: CborValue, bytes?: Uint8Array): CosePublicKey {
  if (!isCborMap(value)) throw keyError('COSE_Key must be a CBOR map');
  const kty = value.get(1);
  if (kty !== 1 && kty !== 2 && kty !== 3 && kty !== 7) {
    throw keyError(`unsupported COSE key type ${String(kty)}`);
  }
  for (const label of value.keys()) {
    if (typeof label !== 'number' || !(ALLOWED_LABELS[kty] as readonly number[]).includes(label)) {
      throw keyError(
        `COSE_Key has an unexpected parameter ${typeof label === 'number' ? label : typeof label}`,
      );
    }
  }
  if (!value.has(3)) throw keyError('COSE_Key has no alg'); // WebAuthn §6.5.1.1: alg is required.
  const algorithm = coseAlgorithm(value.get(3));
  if (algorithm.kty !== kty) throw keyError(`COSE alg ${algorithm.name} does not match key type ${kty}`);
  const base = { alg: algorithm.id, algorithm, bytes: bytes === undefined ? undefined : bytes };
  if (kty === 2) {
    const curve = EC2_CURVES.get(value.get(-1) as number);
    if (curve === undefined || !algorithm.curves.includes(curve.crv)) {
      throw keyError(`curve ${String(value.get(-1))} is not allowed for ${algorithm.name}`);
    }
    const x = bstr(value, -2, 'x');
    const y = value.get(-3);
    // A boolean y is point compression, which WebAuthn forbids for EC2 keys.
    if (!(y instanceof Uint8Array)) throw keyError('EC2 y coordinate must be a byte string');
    if (x.length !== curve.size || y.length !== curve.size)
      throw keyError(`EC2 coordinates must be ${curve.size} bytes`);
    return { ...base, kty: 'EC2', curve, x, y };
  }
  if (kty === 7) {
    const parameterSet = ML_DSA_PARAMETER_SETS.get(algorithm.id) as MlDsaParameterSet;
    const pub = bstr(value, -1, 'pub');
    // FIPS 204 pkEncode has one fixed length per parameter set; anything else is not a key.
    if (pub.length !== parameterSet.publicKeyLength)
      throw keyError(`${parameterSet.name} public key must be ${parameterSet.publicKeyLength} bytes`);
    return { ...base, kty: 'AKP', parameterSet, pub };
  }
  if (kty === 1) {
    const curve = OKP_CURVES.get(value.get(-1) as number);
    if (curve === undefined || !algorithm.curves.includes(curve.crv)) {
      throw keyError(`curve ${String(value.get(-1))} is not allowed for ${algorithm.name}`);
    }
    const x = bstr(value, -2, 'x');
    if (x.length !== curve.size) throw keyError(`${curve.name} public key must be ${curve.size} bytes`);
    return { ...base, kty: 'OKP', curve, x };
  }
  const n = bstr(value, -1, 'n');
  const e = bstr(value, -2, 'e');
  checkRsa(n, e);
  return { ...base, kty: 'RSA', n, e };
}

function bstr(map: CborMap, label: number, name: string): Uint8Array {
  const v = map.get(label);
  if (!(v instanceof Uint8Array)) throw keyError(`COSE_Key parameter ${name} must be a byte string`);
  return v;
}

function checkRsa(n: Uint8Array, e: Uint8Array): void {
  if (n.length === 0 || n[0] === 0) throw keyError('RSA modulus must be minimal and non-empty');
  const bits = (n.length - 1) * 8 + (32 - Math.clz32(n[0] as number));
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
    throw keyError(`RSA modulus of ${bits} bits is outside the accepted range`);
  if (e.length === 0 || e.length > 4 || e[0] === 0)
    throw keyError('RSA exponent must be minimal and at most 32 bits');
  let ev = 0;
  for (const b of e) ev = ev * 256 + b;
  // e must be odd and not tiny: e = 1 verifies anything, e = 3 invites Bleichenbacher-style forgeries (COSE-3).
  if (ev % 2 === 0 || ev < 65537) throw keyError('RSA exponent must be odd and at least 65537');
}

/** The uncompressed SEC1 point 0x04‖x‖y of an EC2 key. */
export function ec2UncompressedPoint(key: Ec2PublicKey): Uint8Array {
  const out = new Uint8Array(1 + key.x.length * 2);
  out[0] = 0x04;
  out.set(key.x, 1);
  out.set(key.y, 1 + key.x.length);
  return out;
}

/**
 * Builds an EC2 COSE key from an uncompressed SEC1 point (0x04‖x‖y), e.g. a FIDO U2F user
 * public key, with its canonical CTAP2 CBOR encoding in `bytes`.
 */
export function ec2KeyFromUncompressedPoint(point: Uint8Array, algId = -7): Ec2PublicKey {
  const algorithm = coseAlgorithm(algId);
  const curve = algorithm.kty === 2 ? EC2_CURVES.get(algorithm.curves[0] as number) : undefined;
  if (curve === undefined) throw keyError(`${algorithm.name} is not an EC2 algorithm`);
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
    throw keyError(`expected a ${1 + 2 * curve.size}-byte uncompressed ${curve.name} point`);
  }
  const x = point.slice(1, 1 + curve.size);
  const y = point.slice(1 + curve.size);
  return { kty: 'EC2', alg: algId, algorithm, curve, x, y, bytes: encodeEc2Key(algId, curve, x, y) };
}

// CTAP2 canonical encoding: {1: 2, 3: alg, -1: crv, -2: x, -3: y}, keys in canonical order.
function encodeEc2Key(algId: number, curve: Ec2Curve, x: Uint8Array, y: Uint8Array): Uint8Array {
  const algBytes = cborInt(algId);
  const head = [0xa5, 0x01, 0x02, 0x03, ...algBytes, 0x20, curve.crv, 0x21, ...bstrHeader(x.length)];
  const out = new Uint8Array(head.length + x.length + 1 + bstrHeader(y.length).length + y.length);
  out.set(head, 0);
  out.set(x, head.length);
  let p = head.length + x.length;
  out[p++] = 0x22;
  const yh = bstrHeader(y.length);
  out.set(yh, p);
  out.set(y, p + yh.length);
  return out;
}

function cborInt(v: number): number[] {
  const major = v < 0 ? 0x20 : 0;
  const n = v < 0 ? -1 - v : v;
  if (n < 24) return [major | n];
  if (n < 0x100) return [major | 24, n];
  if (n < 0x10000) return [major | 25, n >> 8, n & 0xff];
  return [major | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function bstrHeader(len: number): number[] {
  return len < 24 ? [0x40 | len] : [0x58, len];
}

/**
 * Reads a certificate's SubjectPublicKeyInfo as a COSE key for verifying with COSE algorithm
 * `algId` (attestation statements name the algorithm; the key must fit it: SIG-4).
 */
export function coseKeyFromSpki(spki: Uint8Array, algId: number): CosePublicKey {
  const algorithm = coseAlgorithm(algId);
  const info = parseSpki(spki);
  if (info.algorithm === '1.2.840.10045.2.1') {
    const curve = [...EC2_CURVES.values()].find((c) => c.oid === info.parameters);
    if (algorithm.kty !== 2 || curve === undefined || !algorithm.curves.includes(curve.crv)) {
      throw keyError(`certificate EC key does not fit ${algorithm.name}`);
    }
    const p = info.publicKey;
    if (p.length !== 1 + 2 * curve.size || p[0] !== 0x04)
      throw keyError('certificate EC key must be an uncompressed point');
    return {
      kty: 'EC2',
      alg: algId,
      algorithm,
      curve,
      x: p.slice(1, 1 + curve.size),
      y: p.slice(1 + curve.size),
      bytes: undefined,
    };
  }
  const okp = [...OKP_CURVES.values()].find((c) => c.oid === info.algorithm);
  if (okp !== undefined) {
    if (algorithm.kty !== 1 || !algorithm.curves.includes(okp.crv))
      throw keyError(`certificate key does not fit ${algorithm.name}`);
    if (info.publicKey.length !== okp.size) throw keyError(`${okp.name} key has the wrong length`);
    return { kty: 'OKP', alg: algId, algorithm, curve: okp, x: info.publicKey.slice(), bytes: undefined };
  }
  const mlDsa = [...ML_DSA_PARAMETER_SETS.values()].find((p) => p.oid === info.algorithm);
  if (mlDsa !== undefined) {
    // RFC 9881 §4: the parameters field is absent, the BIT STRING is pkEncode.
    if (algorithm.id !== mlDsa.alg || info.parameters !== undefined)
      throw keyError(`certificate key does not fit ${algorithm.name}`);
    if (info.publicKey.length !== mlDsa.publicKeyLength)
      throw keyError(`${mlDsa.name} key has the wrong length`);
    return {
      kty: 'AKP',
      alg: algId,
      algorithm,
      parameterSet: mlDsa,
      pub: info.publicKey.slice(),
      bytes: undefined,
    };
  }
  if (info.algorithm === '1.2.840.113549.1.1.1') {
    if (algorithm.kty !== 3) throw keyError(`certificate RSA key does not fit ${algorithm.name}`);
    const { n, e } = parseRsaPublicKey(info.publicKey);
    checkRsa(n, e);
    return { kty: 'RSA', alg: algId, algorithm, n: n.slice(), e: e.slice(), bytes: undefined };
  }
  throw keyError(`unsupported certificate key algorithm ${info.algorithm}`);
}

/** The named-curve OID of an SPKI (EC keys), else undefined. Convenience for format checks. */
export function spkiCurveOid(spki: Uint8Array): string | undefined {
  const info = parseSpki(spki);
  return info.algorithm === '1.2.840.10045.2.1' ? info.parameters : undefined;
}

/** Re-exported for callers that read OIDs from certificate extensions. */
export const oidToString = (der: Uint8Array): string => derOidToString(readDerExact(der));
