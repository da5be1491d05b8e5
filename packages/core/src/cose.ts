/**
 * The COSE public-key and hash types (RFC 9052/9053, RFC 8230, RFC 9964 for ML-DSA) that the crypto backends consume.
 * The registries that fill them (algorithm ids, curves) and the COSE_Key parser live in
 * `@factorkit/webauthn`; a backend needs only the shapes.
 */

export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type SignatureFamily = 'ECDSA' | 'EdDSA' | 'RSASSA-PKCS1-v1_5' | 'RSASSA-PSS' | 'ML-DSA';
/** COSE key types (RFC 9053 §7, RFC 9964 §4): 1 OKP, 2 EC2, 3 RSA, 7 AKP. */
export type CoseKeyType = 1 | 2 | 3 | 7;

export interface CoseAlgorithm {
  readonly id: number;
  readonly name: string;
  readonly family: SignatureFamily;
  /** Key type this algorithm needs: 1 OKP, 2 EC2, 3 RSA, 7 AKP (ML-DSA). */
  readonly kty: CoseKeyType;
  /** Message digest (ECDSA, RSA). EdDSA and ML-DSA hash internally. */
  readonly hash: HashAlgorithm | undefined;
  /** The curves (COSE crv values) the key must be on; empty for RSA. */
  readonly curves: readonly number[];
  /** Accepted only when the caller lists it explicitly (legacy or uncommon). */
  readonly optIn: boolean;
}

export interface Ec2Curve {
  readonly crv: number;
  readonly name: 'P-256' | 'P-384' | 'P-521' | 'secp256k1';
  /** Coordinate length in bytes. */
  readonly size: number;
  readonly oid: string;
}

export interface OkpCurve {
  readonly crv: number;
  readonly name: 'Ed25519' | 'Ed448';
  readonly size: number;
  readonly oid: string;
}

export interface MlDsaParameterSet {
  /** The COSE algorithm (RFC 9964 §5): the parameter set is fixed by `alg`, AKP keys have no crv. */
  readonly alg: number;
  readonly name: 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';
  /** FIPS 204 Table 2: encoded public key (pk) and signature (σ) sizes in bytes. */
  readonly publicKeyLength: number;
  readonly signatureLength: number;
  /** id-ml-dsa-* (RFC 9881): the SPKI algorithm of an ML-DSA certificate key. */
  readonly oid: string;
}

export interface CoseKeyBase {
  readonly alg: number;
  readonly algorithm: CoseAlgorithm;
  /** The exact bytes the key was decoded from (authenticatorData), when it came from CBOR. */
  readonly bytes: Uint8Array | undefined;
}
export interface Ec2PublicKey extends CoseKeyBase {
  readonly kty: 'EC2';
  readonly curve: Ec2Curve;
  readonly x: Uint8Array;
  readonly y: Uint8Array;
}
export interface OkpPublicKey extends CoseKeyBase {
  readonly kty: 'OKP';
  readonly curve: OkpCurve;
  readonly x: Uint8Array;
}
export interface RsaPublicKey extends CoseKeyBase {
  readonly kty: 'RSA';
  readonly n: Uint8Array;
  readonly e: Uint8Array;
}
/** RFC 9964 §4 "Algorithm Key Pair": the algorithm fixes the parameter set; `pub` is FIPS 204 pkEncode. */
export interface AkpPublicKey extends CoseKeyBase {
  readonly kty: 'AKP';
  readonly parameterSet: MlDsaParameterSet;
  readonly pub: Uint8Array;
}
/** A parsed, structurally validated COSE_Key for signature verification. */
export type CosePublicKey = Ec2PublicKey | OkpPublicKey | RsaPublicKey | AkpPublicKey;

/** Digest output length in bytes. */
export const HASH_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** COSE EC2 curve P-256 (RFC 9053 §7.1). */
export const P256_CURVE: Ec2Curve = Object.freeze({
  crv: 1,
  name: 'P-256',
  size: 32,
  oid: '1.2.840.10045.3.1.7',
});

/** COSE ES256 (RFC 9053 §2.1): ECDSA P-256 with SHA-256 — WebAuthn's default and U2F's only algorithm. */
export const ES256_ALGORITHM: CoseAlgorithm = Object.freeze({
  id: -7,
  name: 'ES256',
  family: 'ECDSA',
  kty: 2,
  hash: 'SHA-256',
  curves: Object.freeze([1]),
  optIn: false,
});

/**
 * An ES256 key from a 65-byte SEC 1 uncompressed point (`0x04 ‖ X ‖ Y`), as U2F stores them. Only
 * the shape is checked here; a backend's `importKey` checks the point is on the curve.
 */
export function es256PublicKey(point: Uint8Array): Ec2PublicKey {
  if (point.length !== 65 || point[0] !== 0x04) throw new TypeError('point must be 65 bytes, 0x04 ‖ X ‖ Y');
  return {
    kty: 'EC2',
    alg: -7,
    algorithm: ES256_ALGORITHM,
    curve: P256_CURVE,
    x: point.slice(1, 33),
    y: point.slice(33, 65),
    bytes: undefined,
  };
}
