import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundedBytes,
  boundedString,
  CodecError,
  concat,
  decodeBase64,
  decodeBase64url,
  derSignatureToRaw,
  duplicateTopLevelMember,
  encodeBase64,
  encodeBase64url,
  fromHex,
  isBase64url,
  isStrictDerEcdsaSignature,
  limitOption,
  parseStrictJson,
  readDer,
  readDerExact,
  toHex,
  utf8DecodeStrict,
} from '../src/index.ts';

const kind = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof CodecError ? e.kind : `untyped: ${String(e)}`;
  }
};

describe('base64url / base64 (B64-1)', () => {
  it('one canonical unpadded encoding per byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(decodeBase64url(text)).toEqual(bytes);
        expect(isBase64url(text)).toBe(true);
        expect(decodeBase64(encodeBase64(bytes), { alphabet: 'base64', padding: 'optional' })).toEqual(bytes);
        expect(Buffer.from(encodeBase64(bytes), 'base64')).toEqual(Buffer.from(bytes));
      }),
    );
    for (const bad of ['AQ==', 'a+b/', 'AQ I', 'A', 'AB', 'AQé']) {
      expect(
        kind(() => decodeBase64url(bad)),
        bad,
      ).toBe('base64');
      expect(isBase64url(bad), bad).toBe(false);
    }
  });
  it('padding is optional only when asked for, and then must complete the last group', () => {
    const opt = { padding: 'optional' } as const;
    expect(decodeBase64('AQ==', opt)).toEqual(Uint8Array.of(1));
    expect(decodeBase64('AQ', opt)).toEqual(Uint8Array.of(1));
    for (const bad of ['AQ=', 'AQ===', 'AQID=', 'AQ==AQ==', '=', 'AQ=D']) {
      expect(
        kind(() => decodeBase64(bad, opt)),
        bad,
      ).toBe('base64');
    }
    expect(kind(() => decodeBase64('AQ=='))).toBe('base64');
  });
  it('alphabets: one per string; either only when asked', () => {
    expect(decodeBase64('-_8', { alphabet: 'either' })).toEqual(decodeBase64('+/8', { alphabet: 'either' }));
    expect(kind(() => decodeBase64('+/8'))).toBe('base64');
    expect(kind(() => decodeBase64('-_8', { alphabet: 'base64' }))).toBe('base64');
    expect(kind(() => decodeBase64('+_8', { alphabet: 'either' }))).toBe('base64');
  });
  it('maxLength is checked before decoding', () => {
    expect(kind(() => decodeBase64('A'.repeat(9), { maxLength: 8 }))).toBe('too-large');
  });
});

describe('DER', () => {
  const hex = (h: string): Uint8Array => fromHex(h);
  it('framing errors are `truncated`, encoding errors `der`', () => {
    expect(kind(() => readDer(hex('30'), 0))).toBe('truncated');
    expect(kind(() => readDer(hex('3005020101'), 0))).toBe('truncated');
    expect(kind(() => readDer(hex('3082'), 0))).toBe('truncated');
    expect(kind(() => readDer(hex('3080'), 0))).toBe('der'); // BER indefinite length
    expect(kind(() => readDer(hex('30810100'), 0))).toBe('der'); // non-minimal length
    expect(kind(() => readDerExact(hex('300000')))).toBe('der'); // trailing byte
    expect(readDer(hex('3003020101ff'), 0).end).toBe(5);
  });
  it('ECDSA signatures: the validator and the converter agree', () => {
    const sig = hex('3006020101020102');
    expect(isStrictDerEcdsaSignature(sig, 32)).toBe(true);
    expect(derSignatureToRaw(sig, 32)).toHaveLength(64);
    const zero = hex('3006020100020101');
    expect(isStrictDerEcdsaSignature(zero, 32)).toBe(false);
    expect(kind(() => derSignatureToRaw(zero, 32))).toBe('der');
  });
});

describe('strict JSON', () => {
  const limits = { maxDepth: 3, maxEntries: 8 };
  it('parses RFC 8259 into null-prototype objects', () => {
    const v = parseStrictJson('{"a":[1,-2.5e3,true,null],"b":"x\\u0041\\n","__proto__":1}', limits) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(v['a']).toEqual([1, -2500, true, null]);
    expect(v['b']).toBe('xA\n');
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
  });
  it('rejects duplicates at any depth, limits, syntax and trailing data (kind json)', () => {
    for (const bad of [
      '{"a":1,"a":2}',
      '{"o":{"b":1,"\\u0062":2}}',
      '[[[[1]]]]',
      '[1,2,3,4,5,6,7,8,9]',
      '{"a":1} x',
      '{"a":01}',
      '"\u0001"',
      '{"a":1,}',
      "{'a':1}",
      '',
    ]) {
      expect(
        kind(() => parseStrictJson(bad, limits)),
        bad,
      ).toBe('json');
    }
  });
  it('agrees with JSON.parse on what both accept (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseStrictJson(text, { maxDepth: 4, maxEntries: 1000 })).toEqual(JSON.parse(text));
      }),
    );
  });
  it('duplicateTopLevelMember finds escaped and plain duplicates of the named members only', () => {
    expect(duplicateTopLevelMember('{"type":1,"\\u0074ype":2}', ['type'])).toBe('type');
    expect(duplicateTopLevelMember('{"x":1,"x":2,"type":3}', ['type'])).toBeUndefined();
    expect(duplicateTopLevelMember('{"o":{"type":1},"type":2}', ['type'])).toBeUndefined();
  });
});

describe('bytes and bounds', () => {
  it('concat, hex, UTF-8', () => {
    expect(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(toHex(fromHex('00ffA0'))).toBe('00ffa0');
    for (const bad of ['0', 'zz', '0x00'])
      expect(
        kind(() => fromHex(bad)),
        bad,
      ).toBe('hex');
    expect(kind(() => utf8DecodeStrict(Uint8Array.of(0xc3, 0x28)))).toBe('utf8');
    expect(utf8DecodeStrict(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe('\ufeffa');
  });
  it('bounds: too-large for input, TypeError for a bad option', () => {
    expect(kind(() => boundedBytes(new Uint8Array(5), 4, 'x'))).toBe('too-large');
    expect(kind(() => boundedString('abcde', 4, 'x'))).toBe('too-large');
    expect(boundedString('abcd', 4, 'x')).toBe('abcd');
    expect(limitOption(undefined, 'n', 7, 1, 10)).toBe(7);
    expect(() => limitOption(11, 'n', 7, 1, 10)).toThrow(TypeError);
    expect(() => limitOption(1.5, 'n', 7, 1, 10)).toThrow(TypeError);
  });
});
