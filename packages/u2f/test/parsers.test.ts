import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeWebsafeBase64,
  encodeWebsafeBase64,
  MAX_CLIENT_DATA_BYTES,
  parseClientData,
  parseRegistrationData,
  parseSignatureData,
  U2fError,
} from '../src/index.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const codeOfThrow = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof U2fError) return e.code;
    throw e;
  }
};

describe('websafe base64 (RFC 4648 §5)', () => {
  it('accepts padded and unpadded forms', () => {
    expect(decodeWebsafeBase64('AQID')).toEqual(Uint8Array.of(1, 2, 3));
    expect(decodeWebsafeBase64('AQ')).toEqual(Uint8Array.of(1));
    expect(decodeWebsafeBase64('AQ==')).toEqual(Uint8Array.of(1));
    expect(decodeWebsafeBase64('AQI=')).toEqual(Uint8Array.of(1, 2));
    expect(decodeWebsafeBase64('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(decodeWebsafeBase64('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['standard alphabet +', '+_8'],
    ['standard alphabet /', '-/8'],
    ['whitespace', 'AQ ID'],
    ['newline', 'AQID\n'],
    ['percent', 'AQ%3D'],
    ['NUL', 'AQ\u0000D'],
    ['non-ASCII', 'AQIé'],
    ['padding in the middle', 'AQ==AQID'],
    ['three = ', 'A==='],
    ['padding on a full group', 'AQID===='],
    ['padding not completing a group', 'AQ='],
    ['wrong padding count', 'AQI=='],
    ['length ≡ 1 mod 4', 'AQIDB'],
    ['length ≡ 1 mod 4 with zero bits', 'AQIDA'],
    ['non-zero trailing bits (AR vs AQ)', 'AR'],
    ['non-zero trailing bits (3 chars)', 'AQIE'.slice(0, 3).replace('I', 'J')],
  ])('rejects %s', (_name, input) => {
    expect(codeOfThrow(() => decodeWebsafeBase64(input))).toBe('ERR_BASE64_INVALID');
  });

  it('standard alphabet only behind allowStandardAlphabet, never mixed', () => {
    expect(decodeWebsafeBase64('+/8=', { allowStandardAlphabet: true })).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(codeOfThrow(() => decodeWebsafeBase64('+_8', { allowStandardAlphabet: true }))).toBe(
      'ERR_BASE64_INVALID',
    );
  });

  it('enforces maxLength', () => {
    expect(codeOfThrow(() => decodeWebsafeBase64('AAAA', { maxLength: 3 }))).toBe('ERR_MESSAGE_TOO_LARGE');
  });

  it('property: decode∘encode is the identity; each byte string has one accepted unpadded encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const enc = encodeWebsafeBase64(bytes);
        expect(decodeWebsafeBase64(enc)).toEqual(bytes);
        expect(enc).not.toMatch(/[=+/]/);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          const bytes = decodeWebsafeBase64(s);
          expect(encodeWebsafeBase64(bytes)).toBe(s.replace(/=+$/, ''));
        } catch (e) {
          expect(e).toBeInstanceOf(U2fError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('clientData parsing', () => {
  const valid = { typ: 'navigator.id.getAssertion', challenge: 'abc', origin: 'https://example.com' };

  it('parses the fields and keeps the exact bytes', () => {
    const json =
      '{ "challenge": "abc", "origin": "https:\\/\\/example.com", "typ": "navigator.id.getAssertion" }';
    const cd = parseClientData(b64(json));
    expect(cd.origin).toBe('https://example.com');
    expect(Buffer.from(cd.bytes).toString()).toBe(json);
    expect(parseClientData(b64(JSON.stringify({ ...valid, cid_pubkey: 'unused' }))).cidPubkey).toBe('unused');
    expect(parseClientData(b64(JSON.stringify({ ...valid, cid_pubkey: { kty: 'EC' } }))).cidPubkey).toEqual({
      kty: 'EC',
    });
  });

  it.each([
    ['not JSON', 'nope'],
    ['an array', '[]'],
    ['a string', '"x"'],
    [
      'duplicate typ',
      '{"typ":"navigator.id.getAssertion","typ":"navigator.id.finishEnrollment","challenge":"a","origin":"o"}',
    ],
    ['duplicate challenge', '{"typ":"t","challenge":"a","challenge":"b","origin":"o"}'],
    ['duplicate via escape', '{"typ":"t","t\\u0079p":"u","challenge":"a","origin":"o"}'],
    ['missing origin', '{"typ":"t","challenge":"a"}'],
    ['typ not a string', '{"typ":1,"challenge":"a","origin":"o"}'],
    ['challenge null', '{"typ":"t","challenge":null,"origin":"o"}'],
    ['origin an object', '{"typ":"t","challenge":"a","origin":{}}'],
    ['empty challenge', '{"typ":"t","challenge":"","origin":"o"}'],
    ['cid_pubkey a number', '{"typ":"t","challenge":"a","origin":"o","cid_pubkey":1}'],
    ['too deep', '{"typ":"t","challenge":"a","origin":"o","x":{"y":{"z":{}}}}'],
    ['trailing data', '{"typ":"t","challenge":"a","origin":"o"} x'],
    ['raw control char', '{"typ":"t\u0001","challenge":"a","origin":"o"}'],
  ])('rejects %s', (_name, json) => {
    expect(codeOfThrow(() => parseClientData(b64(json)))).toBe('ERR_CLIENT_DATA_MALFORMED');
  });

  it('rejects invalid UTF-8 and oversize input', () => {
    expect(
      codeOfThrow(() => parseClientData(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url'))),
    ).toBe('ERR_CLIENT_DATA_MALFORMED');
    // Invalid UTF-8 inside a string value: the JSON would parse if the bytes were replaced.
    const inString = Buffer.concat([
      Buffer.from('{"typ":"t'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","challenge":"a","origin":"o"}'),
    ]);
    expect(codeOfThrow(() => parseClientData(inString.toString('base64url')))).toBe(
      'ERR_CLIENT_DATA_MALFORMED',
    );
    // Size limit at the byte boundary (the base64 length limit alone lets a few bytes more through).
    const sized = (n: number) => {
      const head = JSON.stringify({ ...valid, pad: '' });
      return b64(JSON.stringify({ ...valid, pad: 'x'.repeat(n - head.length) }));
    };
    expect(parseClientData(sized(MAX_CLIENT_DATA_BYTES)).bytes).toHaveLength(MAX_CLIENT_DATA_BYTES);
    expect(codeOfThrow(() => parseClientData(sized(MAX_CLIENT_DATA_BYTES + 1)))).toBe(
      'ERR_MESSAGE_TOO_LARGE',
    );
    const big = JSON.stringify({ ...valid, pad: 'x'.repeat(MAX_CLIENT_DATA_BYTES) });
    expect(codeOfThrow(() => parseClientData(b64(big)))).toBe('ERR_MESSAGE_TOO_LARGE');
  });

  it('__proto__ members stay data and never touch Object.prototype', () => {
    const cd = parseClientData(
      b64(`{"typ":"t","challenge":"a","origin":"o","cid_pubkey":{"__proto__":{"polluted":true}}}`),
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(typeof cd.cidPubkey === 'object' && Object.hasOwn(cd.cidPubkey, '__proto__')).toBe(true);
  });
});

describe('raw message parsers never throw untyped errors', () => {
  it('property: arbitrary bytes → result or U2fError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        for (const parse of [parseRegistrationData, parseSignatureData]) {
          try {
            parse(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(U2fError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: registrationData-shaped bytes → result or U2fError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 66, maxLength: 400 }),
        fc.integer({ min: 0, max: 255 }),
        (bytes, kh) => {
          const b = new Uint8Array(bytes);
          b[0] = 0x05;
          b[1] = 0x04;
          if (b.length > 66) b[66] = kh;
          try {
            parseRegistrationData(b);
          } catch (e) {
            expect(e).toBeInstanceOf(U2fError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parseRegistrationData standalone: fields split by the DER lengths; certificate must be a SEQUENCE', () => {
    // The P-256 base point G is a valid user key.
    const g = Buffer.from(
      '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
      'hex',
    );
    const sig = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
    const cert = [0x30, 0x03, 0x02, 0x01, 0x00];
    const parsed = parseRegistrationData(Uint8Array.of(0x05, ...g, 2, 0xaa, 0xbb, ...cert, ...sig));
    expect(parsed.keyHandle).toEqual(Uint8Array.of(0xaa, 0xbb));
    expect(parsed.attestationCertificate).toEqual(Uint8Array.from(cert));
    expect(parsed.signature).toEqual(Uint8Array.from(sig));
    const setTag = Uint8Array.of(0x05, ...g, 2, 0xaa, 0xbb, 0x31, 0x03, 0x02, 0x01, 0x00, ...sig);
    expect(codeOfThrow(() => parseRegistrationData(setTag))).toBe('ERR_CERTIFICATE_MALFORMED');
  });

  it('signatureData: counter is big-endian, UP byte kept raw', () => {
    const sig = Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01);
    const parsed = parseSignatureData(Uint8Array.of(0x05, 0x01, 0x02, 0x03, 0x04, ...sig));
    expect(parsed.counter).toBe(0x01020304);
    expect(parsed.userPresence).toBe(0x05);
    expect(codeOfThrow(() => parseSignatureData(Uint8Array.of(1, 0, 0, 0, 1)))).toBe('ERR_MESSAGE_TRUNCATED');
    expect(codeOfThrow(() => parseSignatureData(new Uint8Array(300)))).toBe('ERR_MESSAGE_TOO_LARGE');
  });
});
