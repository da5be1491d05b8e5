import { assertBytes, assertString } from './assert.ts';

const utf8 = new TextEncoder();

/**
 * Constant-time equality of two byte arrays, in plain JavaScript (no Node APIs).
 *
 * The loop always runs over every byte of `a` and accumulates differences with
 * XOR/OR, so neither a branch nor an early exit depends on where the inputs differ.
 * When the lengths differ, `a` is compared with itself (same work) and the result
 * is `false`. The length of `a` is observable in the running time; that is acceptable
 * for what this is used on (OTPs, MACs, hashes, private ids), whose lengths are
 * public parameters of the protocol, not secrets.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  return xorCompare(a, b);
}

/** Constant-time equality of two strings, compared as their UTF-8 encodings. */
export function timingSafeEqualString(a: string, b: string): boolean {
  assertString(a, 'a');
  assertString(b, 'b');
  return xorCompare(utf8.encode(a), utf8.encode(b));
}

function xorCompare(a: Uint8Array, b: Uint8Array): boolean {
  const sameLength = a.length === b.length;
  const other = sameLength ? b : a;
  let diff = sameLength ? 0 : 1;
  for (let i = 0; i < a.length; i++) {
    // biome-ignore lint/style/noNonNullAssertion: i < a.length === other.length
    diff |= a[i]! ^ other[i]!;
  }
  return diff === 0;
}
