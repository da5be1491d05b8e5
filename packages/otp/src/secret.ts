import { base32Decode, base32Encode, base64Decode, hexDecode } from './encoding.ts';
import { OtpError, type OtpWarning } from './errors.ts';

/** RFC 4226 R6: the shared secret MUST be at least 128 bits; 160 is recommended. */
export const RECOMMENDED_MIN_SECRET_BITS = 128;
/**
 * Default hard floor. Secrets under 128 bits still exist in the field (Google Authenticator's PAM
 * module issued 80-bit keys), so they are accepted with a warning; under 80 bits they are refused
 * (an empty or tiny secret makes every code guessable, speakeasy#75).
 */
export const DEFAULT_MIN_SECRET_BITS = 80;
/** Longest secret accepted (bytes); HMAC would hash longer keys anyway, so this is a sanity limit. */
export const MAX_SECRET_BYTES = 1024;

/** Secret encodings understood by {@link decodeSecret}. */
export type SecretEncoding = 'base32' | 'hex' | 'base64';

export interface SecretPolicy {
  /** Refuse secrets shorter than this many bits (default 80; never below 8). */
  readonly minSecretBits?: number;
}

/** A decoded secret and any warnings about it. */
export interface DecodedSecret {
  readonly secret: Uint8Array;
  readonly warnings: readonly OtpWarning[];
}

/**
 * Checks a secret: throws `ERR_SECRET_TOO_SHORT` under `minSecretBits` (default 80),
 * `ERR_SECRET_TOO_LONG` over 1024 bytes and `ERR_SECRET_WEAK` when every byte is the same (all
 * zeros, a placeholder, a blank provisioning file: RFC 4226 §4 R6 wants a random secret);
 * returns `WARN_SECRET_BELOW_128_BITS` under RFC 4226's 128-bit minimum.
 */
export function checkSecret(secret: Uint8Array, policy: SecretPolicy = {}): readonly OtpWarning[] {
  if (!(secret instanceof Uint8Array)) throw new TypeError('secret must be a Uint8Array');
  const minBits = resolveMinBits(policy.minSecretBits);
  const bits = secret.length * 8;
  if (bits < minBits) {
    throw new OtpError('ERR_SECRET_TOO_SHORT', `secret has ${bits} bits; at least ${minBits} are required`);
  }
  if (secret.length > MAX_SECRET_BYTES) {
    throw new OtpError('ERR_SECRET_TOO_LONG', `secret longer than ${MAX_SECRET_BYTES} bytes`);
  }
  if (isSingleByteRepeated(secret)) {
    throw new OtpError('ERR_SECRET_WEAK', 'secret is one byte value repeated (e.g. all zeros): not random');
  }
  if (bits < RECOMMENDED_MIN_SECRET_BITS) {
    return [
      {
        code: 'WARN_SECRET_BELOW_128_BITS',
        message: `secret has ${bits} bits; RFC 4226 requires at least 128 (160 recommended)`,
      },
    ];
  }
  return [];
}

/** Every byte equal to the first (all zeros, 0xff…, "AAAA…" in base32). Not secret-dependent timing
 * worth protecting: the result is public (the secret is refused). */
function isSingleByteRepeated(secret: Uint8Array): boolean {
  const first = secret[0];
  for (let i = 1; i < secret.length; i++) if (secret[i] !== first) return false;
  return true;
}

function resolveMinBits(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MIN_SECRET_BITS;
  if (!Number.isInteger(value) || value < 8 || value > MAX_SECRET_BYTES * 8) {
    throw new RangeError('minSecretBits must be an integer between 8 and 8192');
  }
  return value;
}

/**
 * Decodes an encoded secret strictly (see {@link base32Decode}, {@link hexDecode},
 * {@link base64Decode}) and checks its length (see {@link checkSecret}).
 */
export function decodeSecret(
  encoded: string,
  encoding: SecretEncoding = 'base32',
  policy: SecretPolicy = {},
): DecodedSecret {
  let secret: Uint8Array;
  if (encoding === 'base32') secret = base32Decode(encoded);
  else if (encoding === 'hex') secret = hexDecode(encoded);
  else if (encoding === 'base64') secret = base64Decode(encoded);
  else throw new TypeError('encoding must be one of base32, hex, base64');
  return { secret, warnings: checkSecret(secret, policy) };
}

/** Encodes a secret as unpadded uppercase base32 (the form authenticator apps and otpauth URIs use). */
export function encodeSecretBase32(secret: Uint8Array): string {
  return base32Encode(secret);
}

/**
 * A fresh random secret from the platform CSPRNG (RFC 6238 §5.1: random and unique per prover).
 * Default 20 bytes (160 bits, RFC 4226's recommendation and the SHA-1 output size); use 32 for
 * SHA-256 and 64 for SHA-512.
 */
export function generateSecret(bytes = 20): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > MAX_SECRET_BYTES) {
    throw new RangeError('bytes must be an integer between 16 and 1024');
  }
  const out = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(out);
  return out;
}
