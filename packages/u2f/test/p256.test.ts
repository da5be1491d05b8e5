import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { U2fError } from '../src/errors.ts';
import { p256PublicKey } from '../src/p256.ts';

function freshPoint(): Uint8Array {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 65));
}

function freshPointLike(coordinates: Uint8Array[]): Uint8Array {
  return Uint8Array.of(0x04, ...(coordinates[0] ?? []), ...(coordinates[1] ?? []));
}

describe('p256PublicKey key cache', () => {
  it('returns the same imported key for the same point, a different one for another point', () => {
    const a = freshPoint();
    const b = freshPoint();
    expect(p256PublicKey(a)).toBe(p256PublicKey(a.slice()));
    expect(p256PublicKey(b)).not.toBe(p256PublicKey(a));
  });

  it('still validates every point that is not cached: an off-curve neighbour of a cached point is refused', () => {
    const a = freshPoint();
    p256PublicKey(a);
    const offCurve = a.slice();
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    expect(() => p256PublicKey(offCurve)).toThrow(U2fError);
    try {
      p256PublicKey(offCurve);
    } catch (error) {
      expect((error as U2fError).code).toBe('ERR_PUBLIC_KEY_INVALID');
    }
  });

  it('a caller mutating its buffer after the call does not change the cached key', () => {
    const a = freshPoint();
    const key = p256PublicKey(a);
    const before = key.cose.kty === 'EC2' ? [key.cose.x.slice(), key.cose.y.slice()] : [];
    a[10] = (a[10] ?? 0) ^ 0xff;
    // The mutated bytes are a new, off-curve point: validated afresh, not served from the cache.
    expect(() => p256PublicKey(a.slice())).toThrow(U2fError);
    expect(key.cose.kty === 'EC2' ? [key.cose.x, key.cose.y] : []).toEqual(before);
    expect(p256PublicKey(freshPointLike(before))).toBe(key);
  });

  it('wrong lengths are refused before any cache lookup', () => {
    expect(() => p256PublicKey(new Uint8Array(64))).toThrow(U2fError);
    expect(() => p256PublicKey(new Uint8Array(66))).toThrow(U2fError);
  });
});
