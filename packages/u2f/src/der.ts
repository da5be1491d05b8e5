import { U2fError, type U2fErrorCode } from './errors.ts';

/** One DER TLV: tag byte, where its value starts, its length, and where it ends. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly length: number;
  readonly end: number;
}

/** Largest DER value accepted (the largest U2F attestation certificates are ~1 KiB). */
const MAX_DER_LENGTH = 16 * 1024;

/**
 * Reads the DER header at `offset`. Strict X.690 DER: single-byte tags, definite lengths
 * in minimal form, length within `limit` and within the bytes present.
 */
export function readDer(
  bytes: Uint8Array,
  offset: number,
  code: U2fErrorCode,
  limit: number = bytes.length,
): DerElement {
  const fail = (why: string): never => {
    throw new U2fError(code, why);
  };
  if (offset + 2 > limit) throw new U2fError('ERR_MESSAGE_TRUNCATED', 'DER header is truncated');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) fail('DER high tag numbers are not used here');
  const first = bytes[offset + 1] as number;
  let length: number;
  let valueStart: number;
  if (first < 0x80) {
    length = first;
    valueStart = offset + 2;
  } else {
    const n = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 2 length bytes exceeds MAX_DER_LENGTH anyway.
    if (n === 0 || n > 2) fail('DER length form is not accepted');
    if (offset + 2 + n > limit) throw new U2fError('ERR_MESSAGE_TRUNCATED', 'DER length is truncated');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (bytes[offset + 2 + i] as number);
    if (bytes[offset + 2] === 0 || length < 0x80) fail('DER length is not minimal');
    valueStart = offset + 2 + n;
  }
  if (length > MAX_DER_LENGTH) fail('DER value is too long');
  const end = valueStart + length;
  if (end > limit) throw new U2fError('ERR_MESSAGE_TRUNCATED', 'DER value runs past the end of the data');
  return { tag, start: offset, valueStart, length, end };
}

/** Children of a constructed element, each parsed strictly, filling it exactly. */
export function derChildren(bytes: Uint8Array, parent: DerElement, code: U2fErrorCode): DerElement[] {
  const out: DerElement[] = [];
  let offset = parent.valueStart;
  while (offset < parent.end) {
    if (out.length >= 64) throw new U2fError(code, 'too many DER elements');
    const child = readDer(bytes, offset, code, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

// P-256 group order n (FIPS 186-4 D.1.2.3).
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * Checks that `signature` is exactly one strict DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER,
 * s INTEGER }` (X9.62) with 0 < r, s < n, and nothing after it. High-S is accepted: U2F
 * tokens never normalised S, and ECDSA verification does not require it.
 */
export function assertStrictEcdsaDer(signature: Uint8Array, step: string): void {
  const code = 'ERR_SIGNATURE_MALFORMED';
  try {
    const seq = readDer(signature, 0, code);
    if (seq.tag !== 0x30) throw new U2fError(code, 'signature is not a DER SEQUENCE');
    if (seq.end !== signature.length) throw new U2fError(code, 'bytes follow the DER signature');
    const parts = derChildren(signature, seq, code);
    if (parts.length !== 2) throw new U2fError(code, 'signature SEQUENCE must hold exactly r and s');
    for (const part of parts) {
      if (part.tag !== 0x02 || part.length === 0 || part.length > 33) {
        throw new U2fError(code, 'signature r/s is not a P-256 sized INTEGER');
      }
      const lead = signature[part.valueStart] as number;
      if (lead & 0x80) throw new U2fError(code, 'signature r/s is negative');
      if (lead === 0 && part.length > 1 && ((signature[part.valueStart + 1] as number) & 0x80) === 0) {
        throw new U2fError(code, 'signature r/s has a superfluous leading zero');
      }
      let value = 0n;
      for (let i = part.valueStart; i < part.end; i++) value = (value << 8n) | BigInt(signature[i] as number);
      if (value === 0n || value >= P256_N) throw new U2fError(code, 'signature r/s is out of range');
    }
  } catch (error) {
    if (error instanceof U2fError) throw new U2fError(code, error.message, step);
    throw error;
  }
}
