import { describe, expect, it } from 'vitest';
import {
  createOtpKey,
  generateHotp,
  generateTotp,
  resyncDuoToken,
  resyncHotp,
  resyncTotp,
  totpStep,
} from '../src/index.ts';
import { RFC_SECRET, sec } from './helpers.ts';

const key = createOtpKey(RFC_SECRET);
const h = (c: number, digits = 6): string => generateHotp({ secret: key, counter: c, digits });

describe('HOTP two-code resync (RFC 4226 §7.4)', () => {
  it('finds a consecutive pair far ahead and moves the counter past the second code', () => {
    expect(resyncHotp({ secret: key, counter: 10, codes: [h(700), h(701)] })).toEqual({
      verified: true,
      firstCounter: 700,
      counter: 701,
      nextCounter: 702,
      drift: 690,
    });
  });

  it('accepts the pair at the edge of the look-ahead and rejects one past it', () => {
    expect(resyncHotp({ secret: key, counter: 0, lookAhead: 50, codes: [h(50), h(51)] }).verified).toBe(true);
    expect(resyncHotp({ secret: key, counter: 0, lookAhead: 50, codes: [h(51), h(52)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('rejects swapped, gapped and identical codes', () => {
    expect(resyncHotp({ secret: key, counter: 0, codes: [h(301), h(300)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(resyncHotp({ secret: key, counter: 0, codes: [h(300), h(302)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(resyncHotp({ secret: key, counter: 0, codes: [h(300), h(300)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('refuses identical codes even where the token really repeated a code', () => {
    // With the RFC 4226 secret, counters 910737 and 910738 both give 911617 (a 10^-6 coincidence
    // found by search): the pair is "consecutive" but identical codes are refused outright.
    expect(h(910737)).toBe('911617');
    expect(h(910738)).toBe('911617');
    expect(
      resyncHotp({ secret: key, counter: 910737, lookAhead: 0, codes: ['911617', '911617'] }),
    ).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('never looks behind; a pair ending at lastCounter is a replay', () => {
    expect(resyncHotp({ secret: key, counter: 100, codes: [h(50), h(51)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(resyncHotp({ secret: key, lastCounter: 100, codes: [h(100), h(101)] })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('rejects malformed codes and bad code counts', () => {
    expect(resyncHotp({ secret: key, counter: 0, codes: [h(1), '12345'] })).toMatchObject({
      code: 'ERR_OTP_CODE_MALFORMED',
    });
    expect(() => resyncHotp({ secret: key, counter: 0, codes: [h(1)] })).toThrow(TypeError);
    expect(() => resyncHotp({ secret: key, counter: 0, codes: [h(1), h(2), h(3), h(4)] })).toThrow(TypeError);
    expect(() => resyncHotp({ secret: key, counter: 0, codes: [h(1), h(2)], lookAhead: 10_001 })).toThrow(
      RangeError,
    );
  });
});

describe('Duo three-code resync', () => {
  it('accepts code1..code3 consecutive, far ahead', () => {
    expect(resyncDuoToken({ secret: key, counter: 0, code1: h(900), code2: h(901), code3: h(902) })).toEqual({
      verified: true,
      firstCounter: 900,
      counter: 902,
      nextCounter: 903,
      drift: 900,
    });
  });

  it('works for h8 tokens (8 digits)', () => {
    expect(
      resyncDuoToken({
        secret: key,
        counter: 5,
        digits: 8,
        code1: h(20, 8),
        code2: h(21, 8),
        code3: h(22, 8),
      }),
    ).toMatchObject({ verified: true, nextCounter: 23 });
  });

  it('rejects a gap, a wrong order and a repeated code in the triple', () => {
    const bad = [
      [h(10), h(11), h(13)],
      [h(10), h(12), h(11)],
      [h(11), h(10), h(12)],
      [h(10), h(11), h(10)],
    ];
    for (const [code1, code2, code3] of bad) {
      expect(resyncDuoToken({ secret: key, counter: 0, code1, code2, code3 })).toMatchObject({
        verified: false,
        code: 'ERR_OTP_SEQUENCE_INVALID',
      });
    }
  });

  it('requires all three codes (two correct + one wrong fails)', () => {
    const wrong = h(12) === '000000' ? '000001' : '000000';
    expect(
      resyncDuoToken({ secret: key, counter: 0, code1: h(10), code2: h(11), code3: wrong }),
    ).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });
});

describe('TOTP resync', () => {
  const now = sec(1_700_000_000);
  const T = totpStep(now);
  const t = (step: number): string => generateTotp({ secret: key, step });

  it('finds a drifted pair and reports the drift', () => {
    expect(resyncTotp({ secret: key, now, codes: [t(T - 8), t(T - 7)] })).toEqual({
      verified: true,
      firstStep: T - 8,
      step: T - 7,
      drift: -7,
    });
    expect(resyncTotp({ secret: key, now, codes: [t(T + 9), t(T + 10)] })).toMatchObject({
      step: T + 10,
      drift: 10,
    });
  });

  it('keeps both codes inside the window', () => {
    expect(resyncTotp({ secret: key, now, codes: [t(T + 10), t(T + 11)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(resyncTotp({ secret: key, now, codes: [t(T - 11), t(T - 10)] })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('treats a pair starting at or below lastStep as replayed', () => {
    expect(resyncTotp({ secret: key, now, codes: [t(T - 1), t(T)], lastStep: T - 1 })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(resyncTotp({ secret: key, now, codes: [t(T), t(T + 1)], lastStep: T - 1 })).toMatchObject({
      verified: true,
    });
  });
});
