import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timingSafeEqual, timingSafeEqualString } from '../src/index.ts';
import * as native from '../src/native.ts';
import * as portable from '../src/portable.ts';

const naiveEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const impls = [
  ['native', native],
  ['portable', portable],
] as const;

describe.each(impls)('%s path', (_name, impl) => {
  it('equal and unequal byte arrays', () => {
    expect(impl.timingSafeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
    expect(impl.timingSafeEqual(Uint8Array.of(1), Uint8Array.of(1))).toBe(true);
    expect(impl.timingSafeEqual(Uint8Array.of(1), Uint8Array.of(2))).toBe(false);
    expect(impl.timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(impl.timingSafeEqual(Uint8Array.of(0x80), Uint8Array.of(0x00))).toBe(false);
  });

  it('unequal lengths return false instead of throwing, both ways round', () => {
    expect(impl.timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
    expect(impl.timingSafeEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
    expect(impl.timingSafeEqual(new Uint8Array(), Uint8Array.of(0))).toBe(false);
    expect(impl.timingSafeEqual(Uint8Array.of(0), new Uint8Array())).toBe(false);
  });

  it('accepts Buffers and subarray views (compares only the view)', () => {
    const backing = Uint8Array.of(9, 1, 2, 3, 9);
    expect(impl.timingSafeEqual(backing.subarray(1, 4), Buffer.from([1, 2, 3]))).toBe(true);
  });

  it('strings compare as UTF-8', () => {
    expect(impl.timingSafeEqualString('', '')).toBe(true);
    expect(impl.timingSafeEqualString('123456', '123456')).toBe(true);
    expect(impl.timingSafeEqualString('123456', '123457')).toBe(false);
    expect(impl.timingSafeEqualString('12345', '123456')).toBe(false);
    expect(impl.timingSafeEqualString('é', 'e\u0301')).toBe(false);
    expect(impl.timingSafeEqualString('ü', 'ü')).toBe(true);
  });

  it('misuse throws TypeError naming the parameter, never echoing the value', () => {
    const secret = 'hunter2-secret';
    expect(() => impl.timingSafeEqual(secret as unknown as Uint8Array, Uint8Array.of(1))).toThrow(
      new TypeError('a must be a Uint8Array, got string'),
    );
    expect(() => impl.timingSafeEqual(Uint8Array.of(1), [1] as unknown as Uint8Array)).toThrow(/^b must be/);
    expect(() => impl.timingSafeEqual(Uint8Array.of(1), null as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => impl.timingSafeEqualString(1 as unknown as string, 'x')).toThrow(/^a must be a string/);
    expect(() => impl.timingSafeEqualString('x', Uint8Array.of(1) as unknown as string)).toThrow(
      /^b must be a string, got Uint8Array/,
    );
    try {
      impl.timingSafeEqualString('x', { secret } as unknown as string);
    } catch (err) {
      expect(String(err)).not.toContain(secret);
    }
  });
});

describe('properties (fast-check)', () => {
  const sizes = [0, 1, 64 * 1024];
  it('both paths equal naive equality on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.uint8Array({ maxLength: 96 }), (a, b) => {
        const expected = naiveEqual(a, b);
        return native.timingSafeEqual(a, b) === expected && portable.timingSafeEqual(a, b) === expected;
      }),
      { numRuns: 2000 },
    );
  });

  it('both paths agree on equal inputs and single-byte flips, at 0, 1 and 64 KiB', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sizes),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 255 }),
        (size, pos, flip) => {
          const a = new Uint8Array(size).map((_, i) => (i * 31 + pos) & 0xff);
          const b = a.slice();
          if (!(native.timingSafeEqual(a, b) && portable.timingSafeEqual(a, b))) return false;
          if (size === 0) return true;
          const at = pos % size;
          b[at] = (b[at] ?? 0) ^ flip;
          return !native.timingSafeEqual(a, b) && !portable.timingSafeEqual(a, b);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('string paths equal === on random unicode strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        (a, b) => {
          return (
            timingSafeEqualString(a, b) === (a === b) &&
            portable.timingSafeEqualString(a, b) === (a === b) &&
            timingSafeEqualString(a, a) &&
            portable.timingSafeEqualString(b, b)
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('default entry is the native path', () => {
    expect(timingSafeEqual).toBe(native.timingSafeEqual);
  });
});
