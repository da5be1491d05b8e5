import { WebAuthnError } from './errors.ts';

// RFC 4648 §5 alphabet. Hand-written scanner (no regex) so that untrusted input of any
// length is decoded in one linear pass (catalog DOS-4) and every deviation is an error.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
// Two characters → 12 bits in one lookup (index: the two 7-bit char codes), -1 when either is
// outside the alphabet. Halves the table reads of the hot loop; 32 KiB, built once.
const DECODE_PAIR = new Int16Array(128 * 128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  for (let j = 0; j < ALPHABET.length; j++) {
    DECODE_PAIR[(ALPHABET.charCodeAt(i) << 7) | ALPHABET.charCodeAt(j)] = (i << 6) | j;
  }
}

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
  return decodeBase64urlWithSpare(input, 0);
}

/**
 * {@link decodeBase64url} into a buffer with `spare` zero bytes after the decoded ones, so a
 * caller that appends to the decoded bytes (authenticatorData ‖ clientDataHash) needs no
 * second allocation and copy. The decoded bytes are `result.subarray(0, result.length - spare)`.
 *
 * @throws {WebAuthnError} `ERR_INVALID_BASE64URL`
 */
export function decodeBase64urlWithSpare(input: string, spare: number): Uint8Array {
  if (typeof input !== 'string') {
    throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input must be a string');
  }
  const len = input.length;
  const rem = len & 3;
  if (rem === 1) throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input has an impossible length');
  const full = len - rem;
  const out = new Uint8Array((full >> 2) * 3 + (rem === 0 ? 0 : rem - 1) + spare);
  let o = 0;
  let i = 0;
  // Four characters → three bytes per iteration; `|` of the two pair lookups is negative
  // exactly when one of them is invalid (-1), so one branch covers all four characters.
  for (; i < full; i += 4) {
    const hi = pairOf(input, i);
    const lo = pairOf(input, i + 2);
    if ((hi | lo) < 0) throw invalidCharacter(input, i);
    const n = (hi << 12) | lo;
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 0xff;
    out[o + 2] = n & 0xff;
    o += 3;
  }
  if (rem !== 0) {
    const a = sextet(input, i);
    const b = sextet(input, i + 1);
    const c = rem === 3 ? sextet(input, i + 2) : 0;
    if ((a | b | c) < 0) throw invalidCharacter(input, i);
    // Leftover bits must be zero: "AB" and "AC" would otherwise both decode to 0x00 (B64-1).
    if (rem === 2 ? (b & 0x0f) !== 0 : (c & 0x03) !== 0) {
      throw new WebAuthnError('ERR_INVALID_BASE64URL', 'base64url input has non-zero trailing bits');
    }
    out[o++] = (a << 2) | (b >> 4);
    if (rem === 3) out[o] = ((b & 0x0f) << 4) | (c >> 2);
  }
  return out;
}

function pairOf(input: string, i: number): number {
  const a = input.charCodeAt(i);
  const b = input.charCodeAt(i + 1);
  return (a | b) < 128 ? (DECODE_PAIR[(a << 7) | b] as number) : -1;
}

function sextet(input: string, i: number): number {
  const c = input.charCodeAt(i);
  return c < 128 ? (DECODE[c] as number) : -1;
}

function invalidCharacter(input: string, from: number): WebAuthnError {
  let i = from;
  while (i < input.length && sextet(input, i) >= 0) i++;
  return new WebAuthnError('ERR_INVALID_BASE64URL', `invalid base64url character at offset ${i}`);
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

/**
 * `true` when `input` is a strictly valid base64url string (see {@link decodeBase64url}): the
 * same rules, checked without decoding (no allocation).
 */
export function isBase64url(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  const len = input.length;
  const rem = len & 3;
  if (rem === 1) return false;
  for (let i = 0; i < len; i++) if (sextet(input, i) < 0) return false;
  if (rem === 2) return ((sextet(input, len - 1) as number) & 0x0f) === 0;
  if (rem === 3) return ((sextet(input, len - 1) as number) & 0x03) === 0;
  return true;
}
