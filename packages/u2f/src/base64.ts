import { U2fError } from './errors.ts';

/** Options for {@link decodeWebsafeBase64}. */
export interface Base64Options {
  /**
   * Also accept the standard alphabet (`+`, `/`, RFC 4648 §4). Some U2F server libraries
   * (php-u2flib-server, libu2f-server) emitted it. A string mixing both alphabets is
   * still rejected. Default `false`: websafe only (RFC 4648 §5).
   */
  readonly allowStandardAlphabet?: boolean;
  /** Longest accepted encoded string, in characters. Default 65 536. */
  readonly maxLength?: number;
}

const DEFAULT_MAX_LENGTH = 65_536;
// Value of each character code, -1 for none. '-'/'_' are websafe, '+'/'/' standard.
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  VALUES['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
}
const PLUS = 43;
const SLASH = 47;
const DASH = 45;
const UNDERSCORE = 95;
const PAD = 61;

/**
 * Decodes websafe base64 (RFC 4648 §5) strictly. `=` padding is optional (U2F clients and
 * libraries emitted both forms) but, when present, must make the length a multiple of 4 and
 * appear only at the end. Rejected with `ERR_BASE64_INVALID`: characters outside the
 * alphabet (whitespace, `%`, NUL, `+`/`/` unless allowed), misplaced or excess padding, a
 * length ≡ 1 (mod 4), and non-zero trailing bits — so each byte string has exactly one
 * accepted unpadded encoding (no malleability, unlike Node's `Buffer.from(s, 'base64url')`).
 */
export function decodeWebsafeBase64(input: string, options: Base64Options = {}): Uint8Array {
  if (typeof input !== 'string') throw new U2fError('ERR_BASE64_INVALID', 'expected a base64 string');
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (input.length > maxLength) throw new U2fError('ERR_MESSAGE_TOO_LARGE', 'base64 string is too long');
  let end = input.length;
  while (end > 0 && input.charCodeAt(end - 1) === PAD) end--;
  const padding = input.length - end;
  const rem = end % 4;
  if (rem === 1) throw new U2fError('ERR_BASE64_INVALID', 'base64 length is impossible');
  // Padding, when present, must be exactly what completes the last 4-character group: this one
  // rule refuses too much padding, padding after a full group and padding mid-string.
  if (padding > 0 && padding !== (4 - rem) % 4) {
    throw new U2fError('ERR_BASE64_INVALID', 'base64 padding does not complete the last group');
  }
  let sawWebsafe = false;
  let sawStandard = false;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    let c = input.charCodeAt(i);
    if (c === PLUS || c === SLASH) {
      if (options.allowStandardAlphabet !== true) {
        throw new U2fError('ERR_BASE64_INVALID', 'standard base64 alphabet is not accepted here');
      }
      sawStandard = true;
      c = c === PLUS ? DASH : UNDERSCORE;
    } else if (c === DASH || c === UNDERSCORE) {
      sawWebsafe = true;
    }
    const v = c < 128 ? (VALUES[c] ?? -1) : -1;
    if (v < 0) throw new U2fError('ERR_BASE64_INVALID', 'character outside the base64 alphabet');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (sawStandard && sawWebsafe) throw new U2fError('ERR_BASE64_INVALID', 'base64 mixes two alphabets');
  // The unused low bits of the last character must be zero (RFC 4648 §3.5 canonical form).
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new U2fError('ERR_BASE64_INVALID', 'base64 has non-zero trailing bits');
  }
  return out;
}

/** Encodes bytes as unpadded websafe base64 (what the U2F JS API emits). */
export function encodeWebsafeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
