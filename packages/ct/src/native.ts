import { timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto';
import { assertBytes, assertString } from './assert.ts';

/**
 * Constant-time equality of two byte arrays via node:crypto's `timingSafeEqual`
 * (OpenSSL's CRYPTO_memcmp). Node's function throws on unequal lengths; here unequal
 * lengths return `false` after comparing `a` with itself, so the work done depends only
 * on `a.length`, never on where the inputs differ. Length may be observable: see
 * the package README for why that is acceptable for OTPs, MACs and hashes.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) {
    nodeTimingSafeEqual(a, a);
    return false;
  }
  return nodeTimingSafeEqual(a, b);
}

/** Constant-time equality of two strings, compared as their UTF-8 encodings. */
export function timingSafeEqualString(a: string, b: string): boolean {
  assertString(a, 'a');
  assertString(b, 'b');
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
