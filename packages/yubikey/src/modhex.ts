import { YubikeyError } from './errors.ts';

/**
 * Modhex (protocols §4.1): hex written with `cbdefghijklnrtuv` for `0123456789abcdef`, chosen so
 * a YubiKey's keystrokes produce the same characters on most keyboard layouts.
 */
export const MODHEX_ALPHABET = 'cbdefghijklnrtuv';

/**
 * The characters a US-QWERTY YubiKey produces when the host is set to Dvorak (same order as
 * MODHEX_ALPHABET). yubikey-val translates such input before validating it.
 */
export const DVORAK_MODHEX_ALPHABET = 'jxe.uidchtnbpygk';

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  VALUE[MODHEX_ALPHABET.charCodeAt(i)] = i;
  VALUE[MODHEX_ALPHABET.toUpperCase().charCodeAt(i)] = i;
}

/** True when `text` is non-empty, of even length, and only modhex characters (either case). */
export function isModhex(text: string): boolean {
  if (typeof text !== 'string' || text.length === 0 || text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || (VALUE[c] ?? -1) < 0) return false;
  }
  return true;
}

/** Bytes → lowercase modhex. */
export function modhexEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += MODHEX_ALPHABET[b >> 4] + (MODHEX_ALPHABET[b & 15] as string);
  return out;
}

/** Modhex (either case) → bytes. Throws `YubikeyError` `ERR_OTP_MODHEX` on odd length or a foreign character. */
export function modhexDecode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  if (text.length % 2 !== 0) throw new YubikeyError('ERR_OTP_MODHEX', 'modhex must have an even length');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new YubikeyError('ERR_OTP_MODHEX', 'not a modhex string');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Hex → modhex (string mapping, no validation beyond the alphabet). */
export function hexToModhex(hex: string): string {
  return modhexEncode(hexDecode(hex));
}

/**
 * Translates Dvorak-typed modhex to modhex; undefined when some character is not in the Dvorak
 * alphabet. Case-insensitive (the caps-lock flag of a YubiKey can make it upper case).
 */
export function dvorakToModhex(text: string): string | undefined {
  let out = '';
  const lower = text.toLowerCase();
  for (let i = 0; i < lower.length; i++) {
    const idx = DVORAK_MODHEX_ALPHABET.indexOf(lower[i] as string);
    if (idx < 0) return undefined;
    out += MODHEX_ALPHABET[idx];
  }
  return out;
}

function nibble(c: number): number {
  return c < 128 ? (VALUE[c] ?? -1) : -1;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict hex → bytes (even length, [0-9a-f] either case). Throws TypeError otherwise. */
export function hexDecode(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) throw new TypeError('not a hex string');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function hexEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
