import { decodeBase64, fromHex, toHex } from '@factorkit/core';
import { OtpError } from './errors.ts';

/** Longest encoded secret accepted by the decoders (a limit, so bad input cannot cost much). */
export const MAX_ENCODED_SECRET_LENGTH = 2048;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// char code -> 5-bit value; -1 = not in the alphabet. Lowercase maps like uppercase (RFC 4648 §6 is
// case-insensitive for decoding in practice; authenticator apps display either case).
const BASE32_LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) {
  BASE32_LOOKUP[BASE32_ALPHABET.charCodeAt(i)] = i;
  BASE32_LOOKUP[BASE32_ALPHABET.toLowerCase().charCodeAt(i)] = i;
}

// Unpadded length mod 8 -> number of '=' a padded encoding carries (RFC 4648 §6). Other remainders
// (1, 3, 6) can never come out of an encoder.
const BASE32_PAD_FOR_REMAINDER: ReadonlyMap<number, number> = new Map([
  [0, 0],
  [2, 6],
  [4, 4],
  [5, 3],
  [7, 1],
]);

function encodingError(what: string): OtpError {
  // Never echo the input: it is a secret.
  return new OtpError('ERR_SECRET_ENCODING', `invalid ${what} secret`);
}

function checkLength(input: string): void {
  if (typeof input !== 'string') throw new TypeError('secret must be a string');
  if (input.length > MAX_ENCODED_SECRET_LENGTH) {
    throw new OtpError(
      'ERR_SECRET_TOO_LONG',
      `encoded secret longer than ${MAX_ENCODED_SECRET_LENGTH} characters`,
    );
  }
}

/**
 * Strict RFC 4648 §6 base32 decoding: letters in either case and digits 2–7 only, optional `=`
 * padding that must be complete and only at the end, and zero unused trailing bits (canonical
 * form, so one byte string has one encoding). Whitespace, hyphens, `0 1 8 9` and anything else
 * are rejected — lenient decoders have turned typos into weak keys (OneTimePassword#220,
 * dart-otp#38).
 */
export function base32Decode(input: string): Uint8Array {
  checkLength(input);
  let end = input.length;
  while (end > 0 && input.charCodeAt(end - 1) === 0x3d) end--;
  const padding = input.length - end;
  const expectedPad = BASE32_PAD_FOR_REMAINDER.get(end % 8);
  if (expectedPad === undefined) throw encodingError('base32');
  if (padding !== 0 && padding !== expectedPad) throw encodingError('base32');
  const out = new Uint8Array(Math.floor((end * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? (BASE32_LOOKUP[c] ?? -1) : -1;
    if (v < 0) throw encodingError('base32');
    buffer = ((buffer << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw encodingError('base32');
  return out;
}

/** RFC 4648 §6 base32 encoding, uppercase; padding omitted unless `pad` (the Key URI format omits it). */
export function base32Encode(bytes: Uint8Array, pad = false): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] ?? 0)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  if (pad) out += '='.repeat(BASE32_PAD_FOR_REMAINDER.get(out.length % 8) ?? 0);
  return out;
}

/** Strict hex decoding: even length, `0-9a-fA-F` only, no `0x` prefix, no separators. */
export function hexDecode(input: string): Uint8Array {
  checkLength(input);
  try {
    return fromHex(input);
  } catch {
    throw encodingError('hex');
  }
}

/** Lowercase hex encoding. */
export function hexEncode(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  return toHex(bytes);
}

/**
 * Strict RFC 4648 §4 base64 (standard alphabet, as Okta's `encoding: "base64"` profiles use):
 * optional but complete `=` padding, canonical trailing bits, nothing else.
 */
export function base64Decode(input: string): Uint8Array {
  checkLength(input);
  try {
    return decodeBase64(input, { alphabet: 'base64', padding: 'optional' });
  } catch {
    throw encodingError('base64');
  }
}
