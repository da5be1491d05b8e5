// Byte helpers shared by every package. Inputs are never mutated (catalog RT-1).
import { CodecError } from './errors.ts';

const utf8Encoder = new TextEncoder();
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The parts one after the other, in a fresh array. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Strict UTF-8 decoding: an invalid sequence throws kind `utf8` (CBOR-13, CD-3). A leading BOM
 * is kept; callers that follow the Encoding Standard's "UTF-8 decode" strip it themselves.
 */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  try {
    return utf8Fatal.decode(bytes);
  } catch (cause) {
    throw new CodecError('utf8', 'invalid UTF-8', { cause });
  }
}

/** Plain (non-constant-time) equality for public values such as hashes of public data or ids. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const HEX_OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_OCTETS[bytes[i] as number] as string;
  return out;
}

/**
 * Strict hex: either case, even length, nothing else.
 *
 * @throws {CodecError} kind `hex`
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0)
    throw new CodecError('hex', 'hex input has an odd length');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) throw new CodecError('hex', `invalid hex character near offset ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** A fresh, exactly-sized Uint8Array copy (never a view over a pooled buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}
