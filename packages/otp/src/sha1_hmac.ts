/**
 * HMAC-SHA-1 specialised for HOTP: the message is always the 8-byte counter, so both the inner
 * and the outer hash are exactly one SHA-1 compression on a fixed-layout block after the keyed
 * state. Doing the two compressions directly on reused Int32Arrays avoids the general-purpose
 * hash object's buffering, allocation and clean-up, which dominate at this message size.
 *
 * Correctness rests on RFC 4226 Appendix D, RFC 6238 Appendix B and a differential property test
 * against node:crypto over random keys and counters (test/cross-check.test.ts).
 */

// FIPS 180-4 §5.3.1 initial hash value.
const IV = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
// Message schedule, reused (JavaScript runs one computation at a time; nothing here awaits).
const W = new Int32Array(80);

/** FIPS 180-4 §6.1.2: one SHA-1 compression of the block in W[0..15] from `state` into `out`. */
function compress(state: Int32Array, out: Int32Array): void {
  for (let i = 16; i < 80; i++) {
    const x = (W[i - 3] as number) ^ (W[i - 8] as number) ^ (W[i - 14] as number) ^ (W[i - 16] as number);
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  for (let i = 0; i < 20; i++) {
    const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + (W[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 20; i < 40; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + (W[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 40; i < 60; i++) {
    const t =
      (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + (W[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 60; i < 80; i++) {
    const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + (W[i] as number)) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  out[0] = ((state[0] as number) + a) | 0;
  out[1] = ((state[1] as number) + b) | 0;
  out[2] = ((state[2] as number) + c) | 0;
  out[3] = ((state[3] as number) + d) | 0;
  out[4] = ((state[4] as number) + e) | 0;
}

/** The HMAC-SHA-1 key schedule (RFC 2104): SHA-1 states after the ipad and opad blocks. */
export interface Sha1KeyedState {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

/**
 * Keys HMAC-SHA-1. `key` must already be at most 64 bytes (RFC 2104: longer keys are hashed
 * first — the caller does that with @noble/hashes).
 */
export function sha1KeyedState(key: Uint8Array): Sha1KeyedState {
  if (key.length > 64) throw new RangeError('key longer than the SHA-1 block');
  const block = new Uint8Array(64);
  block.set(key);
  const inner = new Int32Array(5);
  const outer = new Int32Array(5);
  for (const [pad, out] of [
    [0x36, inner],
    [0x5c, outer],
  ] as const) {
    for (let i = 0; i < 16; i++) {
      W[i] =
        (((block[4 * i] as number) ^ pad) << 24) |
        (((block[4 * i + 1] as number) ^ pad) << 16) |
        (((block[4 * i + 2] as number) ^ pad) << 8) |
        ((block[4 * i + 3] as number) ^ pad);
    }
    compress(IV, out);
  }
  block.fill(0);
  W.fill(0);
  return { inner, outer };
}

const innerDigest = new Int32Array(5);
const outerDigest = new Int32Array(5);

/**
 * HMAC-SHA-1(K, counter) into `mac` (20 bytes), for a counter given as its high and low 32-bit
 * words (RFC 4226 §5.2: 8-byte big-endian).
 */
export function sha1HmacCounter(state: Sha1KeyedState, high: number, low: number, mac: Uint8Array): void {
  // Inner block: counter (8 bytes), 0x80, zeros, bit length of ipad block + message = 576.
  W[0] = high;
  W[1] = low;
  W[2] = 0x80000000 | 0;
  for (let i = 3; i < 15; i++) W[i] = 0;
  W[15] = (64 + 8) * 8;
  compress(state.inner, innerDigest);
  // Outer block: inner digest (20 bytes), 0x80, zeros, bit length of opad block + digest = 672.
  W[0] = innerDigest[0] as number;
  W[1] = innerDigest[1] as number;
  W[2] = innerDigest[2] as number;
  W[3] = innerDigest[3] as number;
  W[4] = innerDigest[4] as number;
  W[5] = 0x80000000 | 0;
  for (let i = 6; i < 15; i++) W[i] = 0;
  W[15] = (64 + 20) * 8;
  compress(state.outer, outerDigest);
  for (let i = 0; i < 5; i++) {
    const w = outerDigest[i] as number;
    mac[4 * i] = w >>> 24;
    mac[4 * i + 1] = (w >>> 16) & 0xff;
    mac[4 * i + 2] = (w >>> 8) & 0xff;
    mac[4 * i + 3] = w & 0xff;
  }
}
