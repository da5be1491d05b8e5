import { CodecError } from './errors.ts';

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
 * @throws {CodecError} kind `base64`
 */
export function decodeBase64url(input: string): Uint8Array {
  return decodeBase64urlWithSpare(input, 0);
}

/**
 * {@link decodeBase64url} into a buffer with `spare` zero bytes after the decoded ones, so a
 * caller that appends to the decoded bytes (authenticatorData ‖ clientDataHash) needs no
 * second allocation and copy. The decoded bytes are `result.subarray(0, result.length - spare)`.
 *
 * @throws {CodecError} kind `base64`
 */
export function decodeBase64urlWithSpare(input: string, spare: number): Uint8Array {
  if (typeof input !== 'string') {
    throw new CodecError('base64', 'base64url input must be a string');
  }
  const len = input.length;
  const rem = len & 3;
  if (rem === 1) throw new CodecError('base64', 'base64url input has an impossible length');
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
      throw new CodecError('base64', 'base64url input has non-zero trailing bits');
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

function invalidCharacter(input: string, from: number): CodecError {
  let i = from;
  while (i < input.length && sextet(input, i) >= 0) i++;
  return new CodecError('base64', `invalid base64url character at offset ${i}`);
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

/** Options for {@link decodeBase64}. */
export interface Base64DecodeOptions {
  /**
   * `base64url` (RFC 4648 §5, the default), `base64` (§4: `+` and `/`), or `either`: one
   * alphabet or the other, never both in one string (some U2F servers emitted §4).
   */
  readonly alphabet?: 'base64url' | 'base64' | 'either';
  /**
   * `forbidden` (the default): no `=` at all. `optional`: `=` may follow the last group, and
   * when present must be exactly the padding that completes it (never mid-string, never extra).
   */
  readonly padding?: 'forbidden' | 'optional';
  /** Longest accepted input, in characters (checked before any decoding). Default: unbounded. */
  readonly maxLength?: number;
}

const PAD = 0x3d;
const PLUS = 0x2b;
const SLASH = 0x2f;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/**
 * Strict decoding of either RFC 4648 alphabet, with or without padding: the same canonical
 * rules as {@link decodeBase64url} (every byte string has exactly one accepted unpadded
 * encoding) after the alphabet and padding rules chosen in `options`.
 *
 * @throws {CodecError} kind `base64`, or `too-large` past `maxLength`
 */
export function decodeBase64(input: string, options: Base64DecodeOptions = {}): Uint8Array {
  if (typeof input !== 'string') throw new CodecError('base64', 'base64 input must be a string');
  if (options.maxLength !== undefined && input.length > options.maxLength) {
    throw new CodecError('too-large', 'base64 input is too long');
  }
  const alphabet = options.alphabet ?? 'base64url';
  let end = input.length;
  while (end > 0 && input.charCodeAt(end - 1) === PAD) end--;
  const padding = input.length - end;
  if (padding > 0) {
    if (options.padding !== 'optional') throw new CodecError('base64', 'base64 padding is not accepted here');
    // Exactly what completes the last 4-character group: refuses excess padding, padding after
    // a full group, and (with the scan below) padding mid-string.
    if ((end & 3) === 0 || padding !== 4 - (end & 3)) {
      throw new CodecError('base64', 'base64 padding does not complete the last group');
    }
  }
  let standard = false;
  let urlSafe = false;
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === PLUS || c === SLASH) standard = true;
    else if (c === DASH || c === UNDERSCORE) urlSafe = true;
  }
  if (standard && alphabet === 'base64url')
    throw new CodecError('base64', 'standard base64 alphabet is not accepted here');
  if (urlSafe && alphabet === 'base64')
    throw new CodecError('base64', 'base64url alphabet is not accepted here');
  if (standard && urlSafe) throw new CodecError('base64', 'base64 mixes two alphabets');
  let body = padding === 0 ? input : input.slice(0, end);
  if (standard) body = body.replaceAll('+', '-').replaceAll('/', '_');
  return decodeBase64urlWithSpare(body, 0);
}

/** Padded standard base64 (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  const url = encodeBase64url(bytes);
  const padded = url.length % 4 === 0 ? url : url + '='.repeat(4 - (url.length % 4));
  return padded.replaceAll('-', '+').replaceAll('_', '/');
}
