import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHotpVerifier,
  createTotpVerifier,
  generateHotp,
  generateTotp,
  verifyHotp,
  verifyTotp,
} from '../src/index.ts';
import { RFC_SECRET } from './helpers.ts';

describe('prepared verifiers agree with the one-shot functions', () => {
  it('TOTP (property over codes, times, windows, lastStep)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('SHA1' as const, 'SHA256' as const),
        fc.integer({ min: 6, max: 8 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 120_000, max: 4_000_000_000_000 }),
        fc.integer({ min: -3, max: 3 }),
        fc.option(fc.integer({ min: -2, max: 2 }), { nil: undefined }),
        fc.boolean(),
        (algorithm, digits, window, now, k, lastDelta, corrupt) => {
          const v = createTotpVerifier({ secret: RFC_SECRET, algorithm, digits, window });
          let code = generateTotp({ secret: RFC_SECRET, algorithm, digits, now: now + k * 30_000 });
          if (corrupt) code = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
          const step = Math.floor(now / 30_000);
          const lastStep = lastDelta === undefined ? undefined : Math.max(0, step + lastDelta);
          const a = v.verify(code, now, lastStep);
          const b = verifyTotp(
            lastStep === undefined
              ? { secret: RFC_SECRET, algorithm, digits, window, now, code }
              : { secret: RFC_SECRET, algorithm, digits, window, now, code, lastStep },
          );
          expect(a).toEqual(b);
          expect(v.generate(now)).toBe(generateTotp({ secret: RFC_SECRET, algorithm, digits, now }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('HOTP', () => {
    const v = createHotpVerifier({ secret: RFC_SECRET, lookAhead: 5 });
    for (let c = 0; c < 12; c++) {
      const code = generateHotp({ secret: RFC_SECRET, counter: c });
      expect(v.generate(c)).toBe(code);
      for (const counter of [0, 3, 6]) {
        expect(v.verify(code, counter)).toEqual(
          verifyHotp({ secret: RFC_SECRET, code, counter, lookAhead: 5 }),
        );
        expect(v.verify(code, counter + 1, counter)).toEqual(
          verifyHotp({ secret: RFC_SECRET, code, counter: counter + 1, lastCounter: counter, lookAhead: 5 }),
        );
      }
    }
    expect(v.verify('12345', 0)).toMatchObject({ code: 'ERR_OTP_CODE_MALFORMED' });
  });
});
