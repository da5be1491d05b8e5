import { generateKeyPairSync } from 'node:crypto';
import { encodeCbor } from '@factorkit/virtual-authenticator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthenticatorData } from '../src/authenticatorData.ts';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { decodeCbor, decodeCborFirst } from '../src/cbor.ts';
import { parseClientDataJSON } from '../src/clientData.ts';
import { ec2KeyFromUncompressedPoint, parseCoseKey } from '../src/cose.ts';
import { derSignatureToRaw, isStrictDerEcdsaSignature } from '../src/der.ts';
import { WebAuthnError } from '../src/errors.ts';
import { prepareCredentialKey } from '../src/prepareCredentialKey.ts';
import { BACKENDS } from './helpers/backends.ts';
import { utf8 } from './helpers/ceremony.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof WebAuthnError ? e.code : `untyped: ${String(e)}`;
  }
};

describe('base64url (B64-1)', () => {
  it('decodes canonical input and rejects everything else', () => {
    expect(decodeBase64url('AQID')).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeBase64url('')).toEqual(new Uint8Array(0));
    for (const bad of ['AQ==', 'AQ=', 'a+b/', 'AQ I', 'A', 'AB', 'AQ%3', 'AQ\u0000D', 'AQé', 'AAAAA']) {
      expect(
        code(() => decodeBase64url(bad)),
        bad,
      ).toBe('ERR_INVALID_BASE64URL');
    }
    // "AB" and "AC" would both be 0x00 with a lenient decoder.
    expect(decodeBase64url('AA')).toEqual(new Uint8Array([0]));
  });
  it('encode∘decode and decode∘encode are identities', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = decodeBase64url(s);
        } catch (e) {
          expect(e).toBeInstanceOf(WebAuthnError);
        }
        if (decoded !== undefined) expect(encodeBase64url(decoded)).toBe(s);
      }),
    );
  });
  it('handles a huge invalid input linearly with a typed error (DOS-4)', () => {
    expect(code(() => decodeBase64url(`${'a'.repeat(100_000)}!`))).toBe('ERR_INVALID_BASE64URL');
  });
});

describe('strict CBOR (catalog A)', () => {
  const rejects = (h: string): void =>
    expect(
      code(() => decodeCbor(hex(h))),
      h,
    ).toBe('ERR_INVALID_CBOR');
  it('CBOR-1: declared lengths beyond the input are rejected before allocation', () => {
    for (const h of [
      '9affffffff',
      '9b0000000100000000',
      '5bffffffffffffffff010203',
      '5a000000ff00',
      'bafffffff0',
    ])
      rejects(h);
  });
  it('CBOR-2: nesting beyond the depth limit is rejected with a typed error', () => {
    rejects(`${'81'.repeat(100_000)}00`);
    rejects(`${'a1 01'.replace(' ', '').repeat(10)}00`);
    expect(decodeCbor(hex('818181818100'))).toEqual([[[[[0]]]]]);
    rejects('81818181818100');
  });
  it('CBOR-3: trailing bytes are rejected; decodeCborFirst reports the consumed length', () => {
    rejects('0000');
    rejects('a0ff');
    expect(decodeCborFirst(hex('a1010200ff'), 0).end).toBe(3);
  });
  it('CBOR-5: duplicate map keys are rejected', () => {
    rejects('a201020103');
    rejects('a263666d74616163666d746162');
    rejects('a2695f5f70726f746f5f5f00695f5f70726f746f5f5f01');
  });
  it('CBOR-6: a __proto__ key is an ordinary Map key and pollutes nothing', () => {
    const v = decodeCbor(hex('a1695f5f70726f746f5f5fa167697341646d696ef5')) as Map<string, unknown>;
    expect(v).toBeInstanceOf(Map);
    expect(v.get('__proto__')).toBeInstanceOf(Map);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });
  it('CBOR-7: indefinite lengths and a naked break are rejected', () => {
    for (const h of ['ff', '81ff', 'a16161ff', '7f6161ff', 'bf616101ff', '5f5f4100ffff', '9f00ff'])
      rejects(h);
  });
  it('CBOR-8: non-minimal integers and lengths are rejected', () => {
    for (const h of ['1805', '190020', '1a00000100', '1b0000000000000001', '3817', '5801aa']) rejects(h);
  });
  it('CBOR-9: tags, floats, undefined and other simple values are rejected', () => {
    for (const h of ['c000', 'd84000', 'f7', 'f97c00', 'fa3f800000', 'fb3ff0000000000000', 'f820', 'e0'])
      rejects(h);
    expect(decodeCbor(hex('83f4f5f6'))).toEqual([false, true, null]);
  });
  it('CBOR-10: a truncated string is rejected and never reads outside the view', () => {
    rejects('5864' + '00'.repeat(10));
    const big = new Uint8Array(64).fill(0x41);
    big.set(hex('5864'), 10);
    expect(code(() => decodeCbor(big.subarray(10, 20)))).toBe('ERR_INVALID_CBOR');
  });
  it('CBOR-12: integers beyond 2^53 - 1 are errors, never rounded', () => {
    rejects('1b0020000000000000');
    rejects('3bffffffffffffffff');
    rejects('3b001fffffffffffff');
    expect(decodeCbor(hex('1b001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(hex('3b001ffffffffffffe'))).toBe(-Number.MAX_SAFE_INTEGER);
  });
  it('CBOR-13: invalid UTF-8 in text strings is rejected', () => {
    for (const h of ['62c328', '63eda080', '62c080']) rejects(h);
  });
  it('fuzz: any input gives a value or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const c = code(() => decodeCbor(bytes));
        expect(c === undefined || c === 'ERR_INVALID_CBOR').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('strict DER ECDSA signatures (catalog SIG-1..SIG-3)', () => {
  const sig = hex('3006020101020102');
  it('converts minimal DER to r‖s and keeps high-S values', () => {
    expect(derSignatureToRaw(sig, 32)).toEqual(
      new Uint8Array([...new Uint8Array(31), 1, ...new Uint8Array(31), 2]),
    );
    const high = hex(`3046022100${'ff'.repeat(32)}022100${'ff'.repeat(32)}`);
    expect(derSignatureToRaw(high, 32)).toEqual(new Uint8Array(64).fill(0xff));
  });
  it('rejects BER, trailing data, extra integers, negative/non-minimal/zero/oversized components, raw r‖s', () => {
    for (const h of [
      '3006020101020102' + '00', // trailing byte
      '308106020101020102', // long-form length
      '3009020101020102020103', // third INTEGER
      '300702020001020102', // non-minimal INTEGER
      '3006020181020102', // negative r
      '3006020100020100', // r = s = 0 (CVE-2022-21449)
      `3045022200${'01'.repeat(33)}020101`, // r longer than the curve
      '01'.repeat(64), // raw r‖s
      '3007020101020102', // length beyond content
    ]) {
      expect(
        code(() => derSignatureToRaw(hex(h), 32)),
        h,
      ).toBe('ERR_INVALID_DER');
      expect(isStrictDerEcdsaSignature(hex(h), 32), h).toBe(false);
    }
  });
  it('the validate-only check accepts what the converter accepts (P-256 and P-521 lengths)', () => {
    expect(isStrictDerEcdsaSignature(sig, 32)).toBe(true);
    expect(isStrictDerEcdsaSignature(hex(`3046022100${'ff'.repeat(32)}022100${'ff'.repeat(32)}`), 32)).toBe(
      true,
    );
    // 139-byte P-521 signature: the SEQUENCE needs the long-form length 0x81 0x88.
    const p521 = hex(`30818802420${'1'.repeat(131)}02420${'1'.repeat(131)}`);
    expect(derSignatureToRaw(p521, 66)).toHaveLength(132);
    expect(isStrictDerEcdsaSignature(p521, 66)).toBe(true);
    expect(isStrictDerEcdsaSignature(p521, 32)).toBe(false);
    expect(isStrictDerEcdsaSignature(new Uint8Array(0), 32)).toBe(false);
  });
  it('fuzz: the validate-only check agrees with derSignatureToRaw', () => {
    const integer = fc
      .uint8Array({ minLength: 0, maxLength: 34 })
      .map((v) => [0x02, v.length, ...v] as number[]);
    const near = fc
      .tuple(fc.array(integer, { minLength: 0, maxLength: 3 }), fc.uint8Array({ maxLength: 2 }))
      .map(([ints, tail]) => {
        const body = ints.flat();
        return new Uint8Array([0x30, body.length, ...body, ...tail]);
      });
    fc.assert(
      fc.property(
        fc.oneof(near, fc.uint8Array({ maxLength: 80 })),
        fc.constantFrom(32, 48, 66),
        (bytes, n) => {
          const converts = code(() => derSignatureToRaw(bytes, n)) === undefined;
          expect(isStrictDerEcdsaSignature(bytes, n)).toBe(converts);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('clientDataJSON parsing', () => {
  it('fuzz: a duplicate security member is found whatever the other members and escapes', () => {
    const names = ['type', 'challenge', 'origin', 'crossOrigin', 'topOrigin'];
    const member = fc.record({
      name: fc.constantFrom(...names, 'other', 'typ', 'x"y', 'a\\b', '{[,'),
      escaped: fc.boolean(),
      value: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('"', '\\', '\\"', '{"type":1}', ',"type"'),
      ),
    });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 8 }), (members) => {
        const body = members.map(({ name, escaped, value }) => {
          const key = escaped
            ? `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
            : JSON.stringify(name);
          return `${key}:${JSON.stringify(value)}`;
        });
        const text = `{${['"type":"webauthn.get"', '"challenge":"AA"', '"origin":"o"', ...body].join(',')}}`;
        const counts = new Map<string, number>([
          ['type', 1],
          ['challenge', 1],
          ['origin', 1],
        ]);
        for (const { name } of members) counts.set(name, (counts.get(name) ?? 0) + 1);
        const duplicate = names.some((n) => (counts.get(n) ?? 0) > 1);
        const c = code(() => parseClientDataJSON(utf8(text)));
        if (duplicate) expect(c, text).toBe('ERR_CLIENT_DATA_INVALID');
        else if (c !== undefined) {
          // Without duplicates only a wrong member type may fail (a string crossOrigin).
          expect(
            members.some((m) => m.name === 'crossOrigin'),
            text,
          ).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('rejects duplicate security members and wrong types (CD-1, CD-2), accepts extra members', () => {
    const base = '"challenge":"AA","origin":"https://a.test"';
    expect(parseClientDataJSON(utf8(`{"type":"webauthn.get",${base},"other":{"type":1}}`)).type).toBe(
      'webauthn.get',
    );
    // Names that merely share a prefix or length with a security member are not duplicates.
    expect(
      parseClientDataJSON(utf8(`{"type":"webauthn.get",${base},"typ":1,"types":2,"origin2":3,"ORIGIN":4}`))
        .origin,
    ).toBe('https://a.test');
    for (const text of [
      `{"type":"webauthn.get","type":"webauthn.create",${base}}`,
      `{"type":"webauthn.get","\\u0074ype":"webauthn.create",${base}}`,
      `{"type":"webauthn.get",${base},"crossOrigin":false,"crossOrigin":true}`,
      `{"type":"webauthn.get",${base},"topOrigin":"https://a.test","topOrigin":"https://b.test"}`,
      `{"type":"webauthn.get",${base},"origin":"https://b.test"}`,
      `{"type":"webauthn.get","challenge":"AA","challenge":"AB","origin":"x"}`,
      `{"type":null,${base}}`,
      `{"type":"webauthn.get",${base},"topOrigin":7}`,
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    ]) {
      expect(
        code(() => parseClientDataJSON(utf8(text))),
        text.slice(0, 40),
      ).toBe('ERR_CLIENT_DATA_INVALID');
    }
  });
});

describe.each(BACKENDS)('COSE keys on the %s backend (catalog COSE-1..3)', (_name, crypto) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const x = decodeBase64url(ec.x as string);
  const y = decodeBase64url(ec.y as string);
  const key = (entries: [number, unknown][]): Uint8Array => encodeCbor(new Map(entries) as never);
  const valid: [number, unknown][] = [
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, x],
    [-3, y],
  ];
  // Parse + import through the public entry point, which maps the backend's CryptoError.
  const importCode = (bytes: Uint8Array): string | undefined =>
    code(() => prepareCredentialKey(bytes, { crypto }));

  it('accepts a valid ES256 key and imports it', () => {
    expect(importCode(key(valid))).toBeUndefined();
    expect(
      parseCoseKey(ec2KeyFromUncompressedPoint(new Uint8Array([4, ...x, ...y])).bytes as Uint8Array).alg,
    ).toBe(-7);
  });
  it('COSE-1: the curve, key type and alg must agree; alg is required', () => {
    expect(importCode(key(valid.map(([k, v]) => [k, k === -1 ? 2 : v])))).toBe('ERR_INVALID_PUBLIC_KEY'); // ES256 on P-384 label
    expect(importCode(key(valid.map(([k, v]) => [k, k === 3 ? -257 : v])))).toBe('ERR_INVALID_PUBLIC_KEY'); // RS256 on EC2
    expect(importCode(key(valid.filter(([k]) => k !== 3)))).toBe('ERR_INVALID_PUBLIC_KEY');
    expect(importCode(key(valid.map(([k, v]) => [k, k === 3 ? -999 : v])))).toBe('ERR_UNSUPPORTED_ALGORITHM');
    expect(
      importCode(
        key([
          [1, 1],
          [3, -8],
          [-1, 4],
          [-2, x],
        ]),
      ),
    ).toBe('ERR_INVALID_PUBLIC_KEY'); // EdDSA on X25519
    expect(importCode(key([...valid, [-4, x]]))).toBe('ERR_INVALID_PUBLIC_KEY'); // private key member
  });
  it('COSE-2: points must be on the curve, uncompressed, with full-length coordinates', () => {
    expect(importCode(key(valid.map(([k, v]) => [k, k === -3 ? x : v])))).toBe('ERR_INVALID_PUBLIC_KEY');
    expect(importCode(key(valid.map(([k, v]) => [k, k === -3 ? true : v])))).toBe('ERR_INVALID_PUBLIC_KEY');
    expect(importCode(key(valid.map(([k, v]) => [k, k === -2 ? x.slice(1) : v])))).toBe(
      'ERR_INVALID_PUBLIC_KEY',
    );
    expect(importCode(key(valid.map(([k, v]) => [k, k === -2 || k === -3 ? new Uint8Array(32) : v])))).toBe(
      'ERR_INVALID_PUBLIC_KEY',
    );
  });
  it('COSE-3: RSA keys need 2048-4096 bits and an odd exponent >= 65537', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const n = decodeBase64url(rsa.n as string);
    const rsaKey = (nn: Uint8Array, e: Uint8Array): Uint8Array =>
      key([
        [1, 3],
        [3, -257],
        [-1, nn],
        [-2, e],
      ]);
    expect(importCode(rsaKey(n, new Uint8Array([1, 0, 1])))).toBeUndefined();
    expect(importCode(rsaKey(n, new Uint8Array([3])))).toBe('ERR_INVALID_PUBLIC_KEY');
    expect(importCode(rsaKey(n, new Uint8Array([1, 0, 0])))).toBe('ERR_INVALID_PUBLIC_KEY');
    expect(importCode(rsaKey(n.slice(0, 128), new Uint8Array([1, 0, 1])))).toBe('ERR_INVALID_PUBLIC_KEY');
  });
});

describe('authenticatorData (catalog AD-1, AD-2, CBOR-4)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const coseKey = ec2KeyFromUncompressedPoint(
    new Uint8Array([4, ...decodeBase64url(ec.x as string), ...decodeBase64url(ec.y as string)]),
  ).bytes as Uint8Array;
  const head = (flags: number): number[] => [...new Uint8Array(32).fill(1), flags, 0, 0, 0, 5];
  const acd = (id: Uint8Array): number[] => [
    ...new Uint8Array(16).fill(2),
    id.length >> 8,
    id.length & 0xff,
    ...id,
    ...coseKey,
  ];
  const ext = [...encodeCbor(new Map([['credProtect', 2]]) as never)];

  it('parses flags, counter, attested data and extensions; the key is the exact bytes consumed', () => {
    const ad = parseAuthenticatorData(
      new Uint8Array([...head(0xc5), ...acd(new Uint8Array([7, 7])), ...ext]),
    );
    expect(ad.flags).toMatchObject({ up: true, uv: true, at: true, ed: true, be: false, bs: false });
    expect(ad.signCount).toBe(5);
    expect(ad.attestedCredentialData?.credentialPublicKey).toEqual(coseKey);
    expect(ad.extensions?.get('credProtect')).toBe(2);
  });
  it('AD-1: AT/ED must match the data that follows; no leftover bytes', () => {
    const bad = (bytes: number[]): string | undefined =>
      code(() => parseAuthenticatorData(new Uint8Array(bytes)));
    expect(bad([...head(0x41)])).toBe('ERR_AUTHENTICATOR_DATA_INVALID'); // AT without data
    expect(bad([...head(0x01), ...acd(new Uint8Array([1]))])).toBe('ERR_AUTHENTICATOR_DATA_INVALID'); // data without AT
    expect(bad([...head(0x81)])).toBe('ERR_AUTHENTICATOR_DATA_INVALID'); // ED without data
    expect(bad([...head(0x01), ...ext])).toBe('ERR_AUTHENTICATOR_DATA_INVALID'); // extensions without ED
    expect(bad([...head(0x41), ...acd(new Uint8Array([1])), 0])).toBe('ERR_AUTHENTICATOR_DATA_INVALID');
    expect(bad([...head(0x01)].slice(0, 36))).toBe('ERR_AUTHENTICATOR_DATA_INVALID');
  });
  it('AD-2: credentialIdLength is 1..1023 and within the data', () => {
    const bad = (bytes: number[]): string | undefined =>
      code(() => parseAuthenticatorData(new Uint8Array(bytes)));
    expect(bad([...head(0x41), ...acd(new Uint8Array(1024))])).toBe('ERR_CREDENTIAL_ID_TOO_LONG');
    expect(bad([...head(0x41), ...new Uint8Array(16), 0xff, 0xff, 1, 2])).toBe('ERR_CREDENTIAL_ID_TOO_LONG');
    expect(bad([...head(0x41), ...new Uint8Array(16), 0, 0, ...coseKey])).toBe(
      'ERR_AUTHENTICATOR_DATA_INVALID',
    );
    expect(bad([...head(0x41), ...new Uint8Array(16), 0x03, 0xff, 1, 2])).toBe(
      'ERR_AUTHENTICATOR_DATA_INVALID',
    );
    expect(
      parseAuthenticatorData(new Uint8Array([...head(0x41), ...acd(new Uint8Array(1023))]))
        .attestedCredentialData?.credentialId.length,
    ).toBe(1023);
  });
  it('never mutates its input (RT-1)', () => {
    const input = new Uint8Array([...head(0xc5), ...acd(new Uint8Array([7])), ...ext]);
    const copy = input.slice();
    parseAuthenticatorData(input);
    expect(input).toEqual(copy);
  });
});
