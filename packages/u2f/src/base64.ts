import { decodeBase64, encodeBase64url } from '@factorkit/core';
import { u2fErrorFrom } from './errors.ts';

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

/**
 * Decodes websafe base64 (RFC 4648 §5) strictly, with `@factorkit/core`'s decoder. `=` padding
 * is optional (U2F clients and libraries emitted both forms) but, when present, must complete
 * the last group. Rejected with `ERR_BASE64_INVALID`: characters outside the alphabet
 * (whitespace, `%`, NUL, `+`/`/` unless allowed), misplaced or excess padding, a length ≡ 1
 * (mod 4), and non-zero trailing bits — so each byte string has exactly one accepted unpadded
 * encoding (no malleability, unlike Node's `Buffer.from(s, 'base64url')`). Longer than
 * `maxLength`: `ERR_MESSAGE_TOO_LARGE`.
 */
export function decodeWebsafeBase64(input: string, options: Base64Options = {}): Uint8Array {
  try {
    return decodeBase64(input, {
      alphabet: options.allowStandardAlphabet === true ? 'either' : 'base64url',
      padding: 'optional',
      maxLength: options.maxLength ?? DEFAULT_MAX_LENGTH,
    });
  } catch (error) {
    throw u2fErrorFrom(error, 'ERR_BASE64_INVALID');
  }
}

/** Encodes bytes as unpadded websafe base64 (what the U2F JS API emits). */
export function encodeWebsafeBase64(bytes: Uint8Array): string {
  return encodeBase64url(bytes);
}
