import type { HashAlgorithm } from '../cose.ts';
import { WebAuthnError } from '../errors.ts';

/**
 * Bounded parsers for the two TPM 2.0 structures of a `tpm` attestation statement (WebAuthn
 * §8.3, TPM 2.0 Library Part 2): TPMS_ATTEST (`certInfo`, §10.12.12) and TPMT_PUBLIC
 * (`pubArea`, §12.2.4). TPM structures are big-endian; every size field is checked against
 * the remaining input, nothing may follow the structure, and both are refused above
 * {@link MAX_TPM_STRUCTURE_LENGTH} before the first read (DOS-3).
 */

/** Neither structure comes near this for the key sizes WebAuthn allows (RSA-4096 ≈ 560 bytes). */
export const MAX_TPM_STRUCTURE_LENGTH = 2048;

/** TPM_GENERATED_VALUE (Part 2 §6.2): "\xffTCG". */
export const TPM_GENERATED_VALUE = 0xff544347;
/** TPM_ST_ATTEST_CERTIFY (Part 2 §6.9). */
export const TPM_ST_ATTEST_CERTIFY = 0x8017;

/** TPM_ALG_ID values used here (Part 2 §6.3; TCG Algorithm Registry). */
export const TPM_ALG = {
  RSA: 0x0001,
  SHA1: 0x0004,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  NULL: 0x0010,
  RSASSA: 0x0014,
  RSAPSS: 0x0016,
  ECDSA: 0x0018,
  ECDAA: 0x001a,
  ECC: 0x0023,
} as const;

/** TPM name algorithms we can compute (SM3 and SHA-3 names are refused). */
export const TPM_HASH_ALGORITHMS: ReadonlyMap<number, HashAlgorithm> = new Map([
  [TPM_ALG.SHA1, 'SHA-1'],
  [TPM_ALG.SHA256, 'SHA-256'],
  [TPM_ALG.SHA384, 'SHA-384'],
  [TPM_ALG.SHA512, 'SHA-512'],
]);

/** TPM_ECC_CURVE (Part 2 §6.4) → COSE crv. */
export const TPM_ECC_CURVES: ReadonlyMap<number, number> = new Map([
  [0x0003, 1], // TPM_ECC_NIST_P256
  [0x0004, 2], // TPM_ECC_NIST_P384
  [0x0005, 3], // TPM_ECC_NIST_P521
]);

function tpmError(message: string): WebAuthnError {
  return new WebAuthnError('ERR_ATTESTATION_INVALID', message);
}

class Reader {
  private pos = 0;
  private readonly bytes: Uint8Array;
  private readonly what: string;
  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }
  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw tpmError(`${this.what} is truncated`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }
  u16(): number {
    this.need(2);
    const v = ((this.bytes[this.pos] as number) << 8) | (this.bytes[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    // Arithmetic, not bitwise: a bitwise OR would wrap values ≥ 2^31 (such as the magic) to negative.
    return (
      (b[p] as number) * 0x1000000 +
      (b[p + 1] as number) * 0x10000 +
      (b[p + 2] as number) * 0x100 +
      (b[p + 3] as number)
    );
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** A TPM2B_*: a 16-bit size, then that many bytes. */
  sized(): Uint8Array {
    return this.raw(this.u16());
  }
  end(): void {
    if (this.pos !== this.bytes.length) throw tpmError(`${this.what} has trailing bytes`);
  }
}

function bounded(bytes: Uint8Array, what: string): Reader {
  if (bytes.length === 0 || bytes.length > MAX_TPM_STRUCTURE_LENGTH)
    throw tpmError(`${what} is empty or too large`);
  return new Reader(bytes, what);
}

/** TPMS_ATTEST carrying TPMS_CERTIFY_INFO (Part 2 §10.12.12, §10.12.3). */
export interface TpmsAttest {
  readonly magic: number;
  readonly type: number;
  readonly qualifiedSigner: Uint8Array;
  readonly extraData: Uint8Array;
  readonly clockInfo: {
    readonly clock: bigint;
    readonly resetCount: number;
    readonly restartCount: number;
    readonly safe: boolean;
  };
  readonly firmwareVersion: Uint8Array;
  /** TPMS_CERTIFY_INFO.name and .qualifiedName (only read when type is TPM_ST_ATTEST_CERTIFY). */
  readonly attested: { readonly name: Uint8Array; readonly qualifiedName: Uint8Array } | undefined;
}

/**
 * Parses `certInfo`. The magic and type are returned as read, for the verifier to check; the
 * TPMU_ATTEST union is only read for TPM_ST_ATTEST_CERTIFY (any other type is rejected by the
 * verifier before it looks at `attested`).
 */
export function parseCertInfo(bytes: Uint8Array): TpmsAttest {
  const r = bounded(bytes, 'certInfo');
  const magic = r.u32();
  const type = r.u16();
  const qualifiedSigner = r.sized();
  const extraData = r.sized();
  const clockHi = r.u32();
  const clockLo = r.u32();
  const resetCount = r.u32();
  const restartCount = r.u32();
  // clockInfo and firmwareVersion are read for their length only: §8.3 step 4 says they are ignored.
  const safe = r.u8();
  const firmwareVersion = r.raw(8);
  let attested: TpmsAttest['attested'];
  if (type === TPM_ST_ATTEST_CERTIFY) {
    const name = r.sized();
    const qualifiedName = r.sized();
    r.end();
    attested = { name, qualifiedName };
  }
  return {
    magic,
    type,
    qualifiedSigner,
    extraData,
    clockInfo: {
      clock: (BigInt(clockHi) << 32n) | BigInt(clockLo),
      resetCount,
      restartCount,
      safe: safe !== 0,
    },
    firmwareVersion,
    attested,
  };
}

interface TpmtPublicBase {
  readonly nameAlg: number;
  readonly objectAttributes: number;
  readonly authPolicy: Uint8Array;
  /** TPMT_SYM_DEF_OBJECT.algorithm (TPM_ALG_NULL for signing keys). */
  readonly symmetric: number;
  /** The signing scheme (TPMT_RSA_SCHEME / TPMT_ECC_SCHEME) and its hash, TPM_ALG_NULL when none. */
  readonly scheme: number;
  readonly schemeHash: number | undefined;
}
export interface TpmtPublicRsa extends TpmtPublicBase {
  readonly type: typeof TPM_ALG.RSA;
  readonly keyBits: number;
  /** The public exponent as stored: 0 means the default 2^16 + 1 (Part 2 §12.2.3.5). */
  readonly exponent: number;
  readonly unique: Uint8Array;
}
export interface TpmtPublicEcc extends TpmtPublicBase {
  readonly type: typeof TPM_ALG.ECC;
  readonly curveId: number;
  readonly kdf: number;
  readonly x: Uint8Array;
  readonly y: Uint8Array;
}
export type TpmtPublic = TpmtPublicRsa | TpmtPublicEcc;

/** Parses `pubArea` (TPMT_PUBLIC) for an RSA or ECC key; other key types are rejected. */
export function parsePubArea(bytes: Uint8Array): TpmtPublic {
  const r = bounded(bytes, 'pubArea');
  const type = r.u16();
  if (type !== TPM_ALG.RSA && type !== TPM_ALG.ECC)
    throw tpmError(`pubArea type 0x${type.toString(16)} is not RSA or ECC`);
  const nameAlg = r.u16();
  const objectAttributes = r.u32();
  const authPolicy = r.sized();
  // TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless it is TPM_ALG_NULL.
  const symmetric = r.u16();
  if (symmetric !== TPM_ALG.NULL) {
    r.u16();
    r.u16();
  }
  // TPMT_*_SCHEME: scheme, then its details (a hash; ECDAA adds a count) unless TPM_ALG_NULL.
  const scheme = r.u16();
  let schemeHash: number | undefined;
  if (scheme !== TPM_ALG.NULL) {
    schemeHash = r.u16();
    if (scheme === TPM_ALG.ECDAA) r.u16();
  }
  const base = { nameAlg, objectAttributes, authPolicy, symmetric, scheme, schemeHash };
  if (type === TPM_ALG.RSA) {
    const keyBits = r.u16();
    const exponent = r.u32();
    const unique = r.sized();
    r.end();
    return { ...base, type, keyBits, exponent, unique };
  }
  const curveId = r.u16();
  // TPMT_KDF_SCHEME: scheme, then a hash unless TPM_ALG_NULL.
  const kdf = r.u16();
  if (kdf !== TPM_ALG.NULL) r.u16();
  const x = r.sized();
  const y = r.sized();
  r.end();
  return { ...base, type, curveId, kdf, x, y };
}
