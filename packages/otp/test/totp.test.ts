import { describe, expect, it } from 'vitest';
import { createOtpKey, generateTotp, systemClock, totpStep, verifyTotp } from '../src/index.ts';
import { ascii, RFC_SECRET, sec } from './helpers.ts';
import { RFC6238_APPENDIX_B, RFC6238_SEEDS, RFC6238_WRONG_SEED_SHA256_59 } from './vectors/rfc6238.ts';

describe('RFC 6238 Appendix B', () => {
  for (const row of RFC6238_APPENDIX_B) {
    it(`${row.algorithm} t=${row.time} -> ${row.totp}`, () => {
      const secret = ascii(RFC6238_SEEDS[row.algorithm]);
      expect(totpStep(sec(row.time))).toBe(Number.parseInt(row.stepHex, 16));
      expect(generateTotp({ secret, algorithm: row.algorithm, digits: 8, now: sec(row.time) })).toBe(
        row.totp,
      );
      expect(
        verifyTotp({
          secret,
          algorithm: row.algorithm,
          digits: 8,
          now: sec(row.time),
          code: row.totp,
          window: 0,
        }),
      ).toEqual({ verified: true, step: Number.parseInt(row.stepHex, 16), drift: 0 });
    });
  }

  it('SHA-256 with the 20-byte seed misapplied gives 32247374, and the table value is rejected', () => {
    expect(generateTotp({ secret: RFC_SECRET, algorithm: 'SHA256', digits: 8, now: sec(59) })).toBe(
      RFC6238_WRONG_SEED_SHA256_59,
    );
    expect(
      verifyTotp({
        secret: RFC_SECRET,
        algorithm: 'SHA256',
        digits: 8,
        now: sec(59),
        code: '46119246',
        window: 0,
      }),
    ).toMatchObject({ verified: false, code: 'ERR_OTP_INVALID' });
  });
});

describe('time step T (RFC 6238 §4.2)', () => {
  it('floors (now - T0) / X and is 64-bit safe', () => {
    expect(totpStep(0)).toBe(0);
    expect(totpStep(sec(29.999))).toBe(0);
    expect(totpStep(sec(30))).toBe(1);
    expect(totpStep(sec(2 ** 31))).toBe(Math.floor(2 ** 31 / 30));
    expect(totpStep(sec(2 ** 32 * 30))).toBe(2 ** 32);
    expect(totpStep(sec(100), { period: 60, t0: 40 })).toBe(1);
    expect(totpStep(new Date(sec(90)))).toBe(3);
  });

  it('honours period and T0 in generation', () => {
    const a = generateTotp({ secret: RFC_SECRET, now: sec(100), period: 60, t0: 40 });
    expect(a).toBe(generateTotp({ secret: RFC_SECRET, step: 1 }));
  });

  it('refuses a time before T0 and a missing clock', () => {
    expect(() => totpStep(sec(10), { t0: 20 })).toThrow(RangeError);
    expect(() => verifyTotp({ secret: RFC_SECRET, code: '123456' } as never)).toThrow(TypeError);
    expect(() => generateTotp({ secret: RFC_SECRET, now: Number.NaN })).toThrow(RangeError);
  });

  it('reads the clock option when now is absent (no hidden Date.now)', () => {
    let calls = 0;
    const clock = (): number => {
      calls++;
      return sec(59);
    };
    expect(generateTotp({ secret: RFC_SECRET, clock, digits: 8 })).toBe('94287082');
    expect(calls).toBe(1);
    expect(generateTotp({ secret: RFC_SECRET, now: sec(1111111109), clock, digits: 8 })).toBe('07081804');
    expect(calls).toBe(1);
    expect(typeof systemClock()).toBe('number');
  });
});

describe('TOTP window', () => {
  const key = createOtpKey(RFC_SECRET);
  const now = sec(1_700_000_000);
  const T = totpStep(now);
  const at = (step: number): string => generateTotp({ secret: key, step });

  it('accepts ±1 by default and reports drift', () => {
    expect(verifyTotp({ secret: key, now, code: at(T - 1) })).toEqual({
      verified: true,
      step: T - 1,
      drift: -1,
    });
    expect(verifyTotp({ secret: key, now, code: at(T) })).toEqual({ verified: true, step: T, drift: 0 });
    expect(verifyTotp({ secret: key, now, code: at(T + 1) })).toEqual({
      verified: true,
      step: T + 1,
      drift: 1,
    });
  });

  it('rejects ±2 by default', () => {
    expect(verifyTotp({ secret: key, now, code: at(T - 2) })).toMatchObject({ code: 'ERR_OTP_INVALID' });
    expect(verifyTotp({ secret: key, now, code: at(T + 2) })).toMatchObject({ code: 'ERR_OTP_INVALID' });
  });

  for (const n of [0, 2, 5, 10]) {
    it(`window ${n}: ±${n} accepted, ±${n + 1} rejected`, () => {
      for (const d of [-n, n])
        expect(verifyTotp({ secret: key, now, code: at(T + d), window: n }).verified).toBe(true);
      for (const d of [-(n + 1), n + 1]) {
        expect(verifyTotp({ secret: key, now, code: at(T + d), window: n })).toMatchObject({
          code: 'ERR_OTP_INVALID',
        });
      }
    });
  }

  it('supports asymmetric windows', () => {
    const window = { past: 2, future: 0 };
    expect(verifyTotp({ secret: key, now, code: at(T - 2), window }).verified).toBe(true);
    expect(verifyTotp({ secret: key, now, code: at(T + 1), window }).verified).toBe(false);
  });

  it('refuses windows beyond the cap (a DoS and guessing bound)', () => {
    expect(() => verifyTotp({ secret: key, now, code: at(T), window: 11 })).toThrow(RangeError);
    expect(() => verifyTotp({ secret: key, now, code: at(T), window: { past: 1, future: 11 } })).toThrow(
      RangeError,
    );
    expect(() => verifyTotp({ secret: key, now, code: at(T), window: -1 })).toThrow(RangeError);
  });

  it('does not wander below step 0', () => {
    expect(verifyTotp({ secret: key, now: 0, code: at(0) })).toEqual({ verified: true, step: 0, drift: 0 });
    expect(verifyTotp({ secret: key, now: 0, code: at(1) })).toMatchObject({ step: 1 });
  });

  it('is exact at the step boundary', () => {
    const boundary = sec((T + 1) * 30);
    expect(verifyTotp({ secret: key, now: boundary - 1, code: at(T + 2) }).verified).toBe(false);
    expect(verifyTotp({ secret: key, now: boundary, code: at(T + 2) }).verified).toBe(true);
  });
});

describe('TOTP replay (RFC 6238 §5.2)', () => {
  const key = createOtpKey(RFC_SECRET);
  const now = sec(1_700_000_000);
  const T = totpStep(now);
  const at = (step: number): string => generateTotp({ secret: key, step });

  it('rejects the same step again with ERR_OTP_REPLAYED', () => {
    const first = verifyTotp({ secret: key, now, code: at(T) });
    expect(first).toMatchObject({ verified: true, step: T });
    expect(verifyTotp({ secret: key, now, code: at(T), lastStep: T })).toMatchObject({
      verified: false,
      code: 'ERR_OTP_REPLAYED',
    });
    // Still replayed one step later while it is inside the window.
    expect(verifyTotp({ secret: key, now: now + 30_000, code: at(T), lastStep: T })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('rejects an older step after a newer one was accepted', () => {
    expect(verifyTotp({ secret: key, now, code: at(T - 1), lastStep: T })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('accepts the next step after lastStep', () => {
    expect(verifyTotp({ secret: key, now, code: at(T + 1), lastStep: T })).toMatchObject({
      verified: true,
      step: T + 1,
    });
  });

  it('replayed codes outside the window are plain mismatches', () => {
    expect(verifyTotp({ secret: key, now, code: at(T - 5), lastStep: T })).toMatchObject({
      code: 'ERR_OTP_INVALID',
    });
  });
});

describe('TOTP generation (property)', async () => {
  const fc = await import('fast-check');
  it('generate(t) verifies at t, and at t ± k·period for |k| ≤ window', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 64 }),
        fc.constantFrom('SHA1' as const, 'SHA256' as const, 'SHA512' as const),
        fc.integer({ min: 6, max: 10 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: -3, max: 3 }),
        (secret, algorithm, digits, now, window, k) => {
          const code = generateTotp({ secret, algorithm, digits, now });
          const later = now - k * 30_000;
          if (later < 0) return;
          const res = verifyTotp({ secret, algorithm, digits, now: later, code, window });
          if (Math.abs(k) <= window) {
            if (!res.verified) throw new Error('expected acceptance');
            if (res.step !== totpStep(now)) {
              // Another step in the window produced the same code (a 10^-digits collision): still a valid accept.
              expect(generateTotp({ secret, algorithm, digits, step: res.step })).toBe(code);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
