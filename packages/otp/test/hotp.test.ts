import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hexDecode, hexEncode } from '../src/encoding.ts';
import { createOtpKey, generateHotp, OtpKey, verifyHotp } from '../src/index.ts';
import { dynamicTruncate } from '../src/keyed.ts';
import { RFC_SECRET } from './helpers.ts';
import { RFC4226_APPENDIX_D, RFC4226_SECTION_5_4 } from './vectors/rfc4226.ts';

describe('RFC 4226 Appendix D', () => {
  const key = createOtpKey(RFC_SECRET);
  for (const row of RFC4226_APPENDIX_D) {
    it(`counter ${row.counter}: HMAC, truncation and HOTP`, () => {
      expect(hexEncode(key.hmac(row.counter))).toBe(row.hmac);
      expect(key.truncatedValue(row.counter)).toBe(row.truncated);
      expect(generateHotp({ secret: RFC_SECRET, counter: row.counter })).toBe(row.hotp);
      expect(verifyHotp({ secret: RFC_SECRET, code: row.hotp, counter: row.counter, lookAhead: 0 })).toEqual({
        verified: true,
        counter: row.counter,
        nextCounter: row.counter + 1,
        drift: 0,
      });
    });
  }
});

describe('dynamic truncation (RFC 4226 §5.3)', () => {
  it('reproduces the §5.4 example (offset 10 -> 0x50ef7f19 -> 872921)', () => {
    const mac = hexDecode(RFC4226_SECTION_5_4.hmac);
    expect(dynamicTruncate(mac)).toBe(RFC4226_SECTION_5_4.binCode);
    expect(String(dynamicTruncate(mac) % 1e6)).toBe(RFC4226_SECTION_5_4.hotp6);
  });

  it('takes the offset from the LAST byte of a longer MAC, not byte 19', () => {
    const mac = new Uint8Array(32);
    mac[19] = 0x00; // a byte-19 implementation would read offset 0
    mac[31] = 0x04;
    mac.set([0xff, 0x01, 0x02, 0x03], 4);
    expect(dynamicTruncate(mac)).toBe(0x7f010203);
  });

  it('clears the top bit of the 4-byte window', () => {
    const mac = new Uint8Array(20).fill(0xff);
    mac[19] = 0xf0; // offset 0
    expect(dynamicTruncate(mac)).toBe(0x7fffffff);
  });
});

describe('HMAC key handling (RFC 2104) against node:crypto', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    for (const length of [1, 20, 63, 64, 65, 127, 128, 129, 300]) {
      it(`${algorithm}, ${length}-byte key, counters 0 and 2^40+7`, () => {
        const secret = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
        const key = new OtpKey(secret, algorithm);
        for (const counter of [0, 2 ** 40 + 7]) {
          const msg = Buffer.alloc(8);
          msg.writeBigUInt64BE(BigInt(counter));
          const want = createHmac(algorithm.toLowerCase(), secret).update(msg).digest('hex');
          expect(hexEncode(key.hmac(counter))).toBe(want);
        }
      });
    }
  }
});

describe('HOTP verification', () => {
  const code = (c: number): string => generateHotp({ secret: RFC_SECRET, counter: c });

  it('accepts within the look-ahead and reports the matched counter and drift (RFC 4226 §7.4)', () => {
    expect(verifyHotp({ secret: RFC_SECRET, code: code(13), counter: 3, lookAhead: 10 })).toEqual({
      verified: true,
      counter: 13,
      nextCounter: 14,
      drift: 10,
    });
  });

  it('rejects one past the look-ahead', () => {
    expect(verifyHotp({ secret: RFC_SECRET, code: code(14), counter: 3, lookAhead: 10 })).toMatchObject({
      verified: false,
      code: 'ERR_OTP_INVALID',
    });
  });

  it('defaults the look-ahead to 10', () => {
    expect(verifyHotp({ secret: RFC_SECRET, code: code(10), counter: 0 }).verified).toBe(true);
    expect(verifyHotp({ secret: RFC_SECRET, code: code(11), counter: 0 }).verified).toBe(false);
  });

  it('never looks behind the counter (notp#21): C-1 and C-5 are rejected', () => {
    expect(verifyHotp({ secret: RFC_SECRET, code: code(9), counter: 10 })).toMatchObject({
      code: 'ERR_OTP_INVALID',
    });
    expect(verifyHotp({ secret: RFC_SECRET, code: code(5), counter: 10 })).toMatchObject({
      code: 'ERR_OTP_INVALID',
    });
    expect(verifyHotp({ secret: RFC_SECRET, code: code(5), lastCounter: 9 })).toMatchObject({
      code: 'ERR_OTP_INVALID',
    });
  });

  it('reports a resubmitted last code as ERR_OTP_REPLAYED', () => {
    const first = verifyHotp({ secret: RFC_SECRET, code: code(4), lastCounter: 1 });
    expect(first).toMatchObject({ verified: true, counter: 4, nextCounter: 5 });
    expect(verifyHotp({ secret: RFC_SECRET, code: code(4), lastCounter: 4 })).toMatchObject({
      verified: false,
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('rejects counters at or below lastCounter even inside the window', () => {
    expect(verifyHotp({ secret: RFC_SECRET, code: code(5), counter: 3, lastCounter: 6 })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(verifyHotp({ secret: RFC_SECRET, code: code(7), counter: 3, lastCounter: 6 })).toMatchObject({
      verified: true,
      counter: 7,
    });
  });

  it('picks the lowest matching counter when two counters share the code', () => {
    // Find a collision of 6-digit codes within a small range of the RFC key.
    const seen = new Map<string, number>();
    let pair: [number, number] | undefined;
    for (let c = 0; c < 5000 && pair === undefined; c++) {
      const v = code(c);
      const prev = seen.get(v);
      if (prev !== undefined && c - prev <= 100) pair = [prev, c];
      seen.set(v, c);
    }
    if (pair === undefined) return;
    const [lo, hi] = pair;
    expect(verifyHotp({ secret: RFC_SECRET, code: code(hi), counter: lo, lookAhead: hi - lo })).toMatchObject(
      {
        counter: lo,
      },
    );
  });

  it('rejects malformed codes with ERR_OTP_CODE_MALFORMED', () => {
    for (const bad of [
      '',
      '75522',
      '7552244',
      '75522a',
      ' 755224',
      '755 24',
      '７５５２２４',
      '-55224',
      '+55224',
      '٧٥٥٢٢٤',
    ]) {
      expect(verifyHotp({ secret: RFC_SECRET, code: bad, counter: 0 })).toMatchObject({
        verified: false,
        code: 'ERR_OTP_CODE_MALFORMED',
      });
    }
    for (const bad of [755224, null, undefined, ['755224'], { toString: () => '755224' }]) {
      expect(verifyHotp({ secret: RFC_SECRET, code: bad, counter: 0 })).toMatchObject({
        code: 'ERR_OTP_CODE_MALFORMED',
      });
    }
  });

  it('keeps leading zeros (a code is a string of exactly `digits` digits)', () => {
    const key = createOtpKey(RFC_SECRET);
    let c = 0;
    while (key.truncatedValue(c) % 1e6 >= 1e5) c++;
    const withZero = generateHotp({ secret: key, counter: c });
    expect(withZero).toHaveLength(6);
    expect(withZero.startsWith('0')).toBe(true);
    expect(verifyHotp({ secret: key, code: withZero, counter: c, lookAhead: 0 }).verified).toBe(true);
    expect(verifyHotp({ secret: key, code: withZero.slice(1), counter: c, lookAhead: 0 })).toMatchObject({
      code: 'ERR_OTP_CODE_MALFORMED',
    });
  });

  it('supports 6 to 10 digits; 10 digits is the full 31-bit value padded', () => {
    const key = createOtpKey(RFC_SECRET);
    expect(generateHotp({ secret: key, counter: 0, digits: 10 })).toBe('1284755224');
    expect(generateHotp({ secret: key, counter: 2, digits: 10 })).toBe('0137359152');
    expect(generateHotp({ secret: key, counter: 0, digits: 8 })).toBe('84755224');
    expect(verifyHotp({ secret: key, code: '0137359152', counter: 0, digits: 10 })).toMatchObject({
      counter: 2,
    });
    expect(() => generateHotp({ secret: key, counter: 0, digits: 5 })).toThrow(RangeError);
    expect(() => generateHotp({ secret: key, counter: 0, digits: 11 })).toThrow(RangeError);
  });

  it('handles 64-bit counters beyond 2^32', () => {
    const key = createOtpKey(RFC_SECRET);
    const big = 2 ** 32 + 5;
    expect(generateHotp({ secret: key, counter: big })).not.toBe(generateHotp({ secret: key, counter: 5 }));
    expect(
      verifyHotp({ secret: key, code: generateHotp({ secret: key, counter: big }), counter: big - 2 }),
    ).toMatchObject({
      counter: big,
    });
  });

  it('validates options as misuse (thrown TypeError/RangeError)', () => {
    expect(() => verifyHotp({ secret: RFC_SECRET, code: '755224' } as never)).toThrow(TypeError);
    expect(() => verifyHotp({ secret: RFC_SECRET, code: '755224', counter: -1 })).toThrow(RangeError);
    expect(() => verifyHotp({ secret: RFC_SECRET, code: '755224', counter: 1.5 })).toThrow(RangeError);
    expect(() => verifyHotp({ secret: RFC_SECRET, code: '755224', counter: 0, lookAhead: 101 })).toThrow(
      RangeError,
    );
    expect(() =>
      verifyHotp({ secret: RFC_SECRET, code: '755224', counter: 0, algorithm: 'MD5' as never }),
    ).toThrow(TypeError);
    expect(() => verifyHotp({ secret: 'abc' as never, code: '755224', counter: 0 })).toThrow(TypeError);
  });

  it('refuses an OtpKey made for another algorithm', () => {
    const key = new OtpKey(RFC_SECRET, 'SHA256');
    expect(() => verifyHotp({ secret: key, code: '755224', counter: 0 })).toThrow(TypeError);
  });
});
