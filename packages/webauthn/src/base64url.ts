import { WebAuthnError } from './errors.ts';

// RFC 4648 §5 alphabet. Hand-written scanner (no regex) so that untrusted input of any
// length is decoded in one linear pass (catalog DOS-4) and every deviation is an error.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Strict base64url decoding (RFC 4648 §5, no padding). Node's `Buffer.from(s, 'base64url')`
 * silently skips invalid characters and accepts both alphabets (nodejs/node#56905), so it is
 * never used here. Rejects: `=` padding, `+` and `/`, whitespace and any other character,
 * a length ≡ 1 (mod 4), and non-zero trailing bits (so every byte string has exactly one
 * accepted encoding: decode∘encode and encode∘decode are both the identity).
 *
 * @throws {WebAuthnError} `ERR_INVALID_BASE64URL`
 */
export function decodeBase64url(input: string): Uint8Array {
  if (typeof input !== 'string') {
    throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input must be a string');
  }
  const len = input.length;
  if (len % 4 === 1)
    throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input has an impossible length');
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? (DECODE[c] as number) : -1;
    if (v < 0) throw new WebAuthnError('ERR_INVALID_BASE64URL', `invalid base64url character at offset ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero: "AB" and "AC" would otherwise both decode to 0x00 (B64-1).
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input has non-zero trailing bits');
  }
  return o === out.length ? out : out.subarray(0, o);
}

/** Unpadded base64url encoding (RFC 4648 §5). */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

/** `true` when `input` is a strictly valid base64url string (see {@link decodeBase64url}). */
export function isBase64url(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  try {
    decodeBase64url(input);
    return true;
  } catch {
    return false;
  }
}
