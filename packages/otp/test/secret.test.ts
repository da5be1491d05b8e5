import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  base64Decode,
  checkSecret,
  clearOtpKeyCache,
  createOtpKey,
  decodeSecret,
  generateHotp,
  generateSecret,
  hexDecode,
  hexEncode,
  isOtpError,
  KEY_CACHE_SIZE,
  otpKeyCacheSize,
  verifyTotp,
} from '../src/index.ts';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isOtpError(e) ? e.code : `untyped:${String(e)}`;
  }
  return undefined;
};

describe('strict base32 (RFC 4648 §6)', () => {
  it('decodes the Key URI example, upper or lower case, padded or not', () => {
    expect(hexEncode(base32Decode('JBSWY3DPEHPK3PXP'))).toBe('48656c6c6f21deadbeef');
    expect(hexEncode(base32Decode('jbswy3dpehpk3pxp'))).toBe('48656c6c6f21deadbeef');
    expect(hexEncode(base32Decode('MZXW6==='))).toBe('666f6f');
    expect(hexEncode(base32Decode('MZXW6'))).toBe('666f6f');
  });

  it('matches the RFC 4648 §10 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(new TextDecoder().decode(base32Decode(encoded))).toBe(plain);
      expect(base32Encode(new TextEncoder().encode(plain), true)).toBe(encoded);
    }
  });

  it('rejects characters outside the alphabet (0 1 8 9, whitespace, hyphens, Unicode)', () => {
    for (const bad of [
      'JBSWY3DPEHPK3PX0',
      'JBSWY3DPEHPK3PX1',
      'JBSWY3DPEHPK3PX8',
      'JBSWY3DPEHPK3PX9',
      'JBSW Y3DP',
      'JBSW-Y3DP',
      'JBSWY3DPEHPK3PXÞ',
      'JBSWY3DP\n',
    ]) {
      expect(
        code(() => base32Decode(bad)),
        bad,
      ).toBe('ERR_SECRET_ENCODING');
    }
  });

  it('rejects padding in the middle, incomplete padding, impossible lengths and non-canonical tails', () => {
    for (const bad of [
      'MZ=XW6==',
      'MZXW6==',
      'MZXW6====',
      'M',
      'MZX',
      'MZXW6Y',
      '=',
      'MZXW7',
      'A',
      'AAA',
      'AAAAAA',
      'A=======',
    ]) {
      expect(
        code(() => base32Decode(bad)),
        bad,
      ).toBe('ERR_SECRET_ENCODING');
    }
  });

  it('refuses over-long input before decoding', () => {
    expect(code(() => base32Decode('A'.repeat(4096)))).toBe('ERR_SECRET_TOO_LONG');
  });

  it('round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
        expect(base32Decode(base32Encode(bytes, true))).toEqual(bytes);
        expect(base32Decode(base32Encode(bytes).toLowerCase())).toEqual(bytes);
      }),
    );
  });

  it('never throws anything but OtpError on arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (s) => {
        const c = code(() => base32Decode(s));
        expect(c === undefined || c === 'ERR_SECRET_ENCODING').toBe(true);
      }),
    );
  });
});

describe('hex and base64', () => {
  it('decodes strict hex', () => {
    expect(hexEncode(hexDecode('DEADbeef'))).toBe('deadbeef');
    for (const bad of ['abc', '0xdead', 'de ad', 'zz'])
      expect(
        code(() => hexDecode(bad)),
        bad,
      ).toBe('ERR_SECRET_ENCODING');
  });

  it('decodes strict base64', () => {
    expect(hexEncode(base64Decode('SGVsbG8h3q2+7w=='))).toBe('48656c6c6f21deadbeef');
    expect(hexEncode(base64Decode('SGVsbG8h3q2+7w'))).toBe('48656c6c6f21deadbeef');
    for (const bad of ['SGVsbG8h3q2+7w=', 'SGVs bG8h', 'SGVsbG8h3q2-7w==', 'SGVsbG8h3q2+7x==', 'S']) {
      expect(
        code(() => base64Decode(bad)),
        bad,
      ).toBe('ERR_SECRET_ENCODING');
    }
  });
});

describe('secret length policy (RFC 4226 R6)', () => {
  it('warns (typed) under 128 bits', () => {
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i + 1);
    expect(checkSecret(bytes(10))).toEqual([expect.objectContaining({ code: 'WARN_SECRET_BELOW_128_BITS' })]);
    expect(checkSecret(bytes(15))).toHaveLength(1);
    expect(checkSecret(bytes(16))).toEqual([]);
    expect(decodeSecret('JBSWY3DPEHPK3PXP').warnings).toHaveLength(1);
  });

  it('rejects under 80 bits by default, configurable', () => {
    expect(code(() => checkSecret(new Uint8Array(9)))).toBe('ERR_SECRET_TOO_SHORT');
    expect(code(() => checkSecret(new Uint8Array(0)))).toBe('ERR_SECRET_TOO_SHORT');
    expect(code(() => decodeSecret(''))).toBe('ERR_SECRET_TOO_SHORT');
    expect(code(() => checkSecret(new Uint8Array(15), { minSecretBits: 128 }))).toBe('ERR_SECRET_TOO_SHORT');
    expect(code(() => checkSecret(new Uint8Array(1025)))).toBe('ERR_SECRET_TOO_LONG');
    expect(() => checkSecret(new Uint8Array(16), { minSecretBits: 0 })).toThrow(RangeError);
  });

  it('enforces the floor in verification too', () => {
    expect(code(() => generateHotp({ secret: new Uint8Array(9), counter: 0 }))).toBe('ERR_SECRET_TOO_SHORT');
    expect(code(() => createOtpKey(new Uint8Array(9)))).toBe('ERR_SECRET_TOO_SHORT');
    expect(
      code(() => verifyTotp({ secret: new Uint8Array(16), code: '123456', now: 0, minSecretBits: 160 })),
    ).toBe('ERR_SECRET_TOO_SHORT');
    expect(generateHotp({ secret: new Uint8Array(9), counter: 0, minSecretBits: 72 })).toHaveLength(6);
  });

  it('error messages never contain the secret', () => {
    try {
      decodeSecret('JBSWY3DPEHPK3PX0');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('JBSWY3DP');
    }
  });

  it('generates random secrets of the requested size', () => {
    expect(generateSecret()).toHaveLength(20);
    expect(generateSecret(32)).toHaveLength(32);
    expect(generateSecret()).not.toEqual(generateSecret());
    expect(() => generateSecret(15)).toThrow(RangeError);
  });
});

describe('keyed-state cache', () => {
  it('is bounded', () => {
    clearOtpKeyCache();
    for (let i = 0; i < KEY_CACHE_SIZE + 50; i++) {
      const s = new Uint8Array(20);
      s[0] = i & 0xff;
      s[1] = i >> 8;
      generateHotp({ secret: s, counter: 0 });
    }
    expect(otpKeyCacheSize()).toBe(KEY_CACHE_SIZE);
    clearOtpKeyCache();
    expect(otpKeyCacheSize()).toBe(0);
  });

  it('keys the cache by algorithm and exact secret bytes', () => {
    const a = new Uint8Array(20).fill(1);
    const b = new Uint8Array(20).fill(1);
    b[19] = 2;
    expect(generateHotp({ secret: a, counter: 1 })).not.toBe(generateHotp({ secret: b, counter: 1 }));
    expect(generateHotp({ secret: a, counter: 1, algorithm: 'SHA256' })).toBe(
      generateHotp({ secret: createOtpKey(a, { algorithm: 'SHA256' }), counter: 1, algorithm: 'SHA256' }),
    );
  });

  it('does not alias mutated caller buffers', () => {
    const s = new Uint8Array(20).fill(3);
    const before = generateHotp({ secret: s, counter: 0 });
    const copy = s.slice();
    s[0] = 4;
    expect(generateHotp({ secret: s, counter: 0 })).not.toBe(before);
    expect(generateHotp({ secret: copy, counter: 0 })).toBe(before);
  });
});
