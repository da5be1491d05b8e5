import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir } from '@factorkit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatOtpauthUri,
  generateHotp,
  hexEncode,
  isOtpError,
  type OtpauthKey,
  parseOtpauthUri,
  renderQrCode,
} from '../src/index.ts';

const errCode = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isOtpError(e) ? e.code : `untyped:${(e as Error).name}`;
  }
  return undefined;
};

describe('otpauth:// parse', () => {
  it('parses the Key Uri Format example with defaults', () => {
    const { key, warnings } = parseOtpauthUri(
      'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example',
    );
    expect(key).toEqual({
      type: 'totp',
      issuer: 'Example',
      accountName: 'alice@google.com',
      secret: expect.any(Uint8Array),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(hexEncode(key.secret)).toBe('48656c6c6f21deadbeef');
    expect(warnings.map((w) => w.code)).toEqual(['WARN_SECRET_BELOW_128_BITS']);
  });

  it('accepts %3A and spaces after the colon; issuer from the label alone', () => {
    const { key } = parseOtpauthUri(
      'otpauth://totp/ACME%20Co%3A%20%20john@x.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ',
    );
    expect(key).toMatchObject({ issuer: 'ACME Co', accountName: 'john@x.com' });
  });

  it('reads the python-vipaccess HOTP example and its codes', () => {
    const { key } = parseOtpauthUri(
      'otpauth://hotp/VIP%20Access:UBHE57586348?counter=1&secret=TIJ42MRBVW6ZOUX4IVC3NETFWQKLB7TN',
    );
    expect(key).toMatchObject({
      type: 'hotp',
      issuer: 'VIP Access',
      accountName: 'UBHE57586348',
      counter: 1,
    });
    expect(generateHotp({ secret: key.secret, counter: 1 })).toBe('066060');
    expect(generateHotp({ secret: key.secret, counter: 2 })).toBe('130148');
  });

  it('rejects issuer mismatch with its own code', () => {
    expect(errCode(() => parseOtpauthUri('otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B'))).toBe(
      'ERR_URI_ISSUER_MISMATCH',
    );
  });

  it('rejects malformed URIs with ERR_URI_INVALID', () => {
    const bad = [
      'https://totp/a?secret=JBSWY3DPEHPK3PXP',
      'otpauth://motp/a?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/a:b:c?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/:b?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/a',
      'otpauth://totp/a?secret=',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6.0',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=+6',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=-30',
      'otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP',
      'otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=x',
      'otpauth://totp/a%ZZ?secret=JBSWY3DPEHPK3PXP',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP#frag',
      'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=',
      'otpauth://totp/a?secret',
      `otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&x=${'a'.repeat(5000)}`,
      42,
    ];
    for (const uri of bad)
      expect(
        errCode(() => parseOtpauthUri(uri)),
        String(uri).slice(0, 80),
      ).toBe('ERR_URI_INVALID');
  });

  it('applies the strict secret rules', () => {
    expect(errCode(() => parseOtpauthUri('otpauth://totp/a?secret=JBSWY3DPEHPK3PX1'))).toBe(
      'ERR_SECRET_ENCODING',
    );
    expect(errCode(() => parseOtpauthUri('otpauth://totp/a?secret=MZXW6'))).toBe('ERR_SECRET_TOO_SHORT');
  });

  it('ignores unknown parameters such as image=', () => {
    expect(
      parseOtpauthUri('otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fx').key.accountName,
    ).toBe('a');
  });

  it('never throws anything untyped on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (tail) => {
        const c = errCode(() => parseOtpauthUri(`otpauth://totp/${tail}`));
        expect(c === undefined || !c.startsWith('untyped')).toBe(true);
      }),
    );
  });

  it.skipIf(sharedFixturesDir() === undefined)('agrees with the shared otpauth-uri collection', () => {
    const dir = sharedFixturesDir() as string;
    const collection = JSON.parse(
      readFileSync(join(dir, 'vectors/collections/otpauth-uri.json'), 'utf8'),
    ) as {
      examples: {
        uri: string;
        type: string;
        label: { issuer: string; accountName: string };
        secretBytesHex: string;
      }[];
    };
    for (const ex of collection.examples) {
      const { key } = parseOtpauthUri(ex.uri);
      expect(key.type).toBe(ex.type);
      expect(key.issuer).toBe(ex.label.issuer);
      expect(key.accountName).toBe(ex.label.accountName);
      expect(hexEncode(key.secret)).toBe(ex.secretBytesHex);
    }
    console.log(`otpauth-uri collection: ${collection.examples.length} examples parsed`);
  });
});

describe('otpauth:// format', () => {
  it('writes issuer in label and parameter, unpadded base32', () => {
    const uri = formatOtpauthUri({
      type: 'totp',
      issuer: 'ACME Co',
      accountName: 'john.doe@email.com',
      secret: new Uint8Array([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef]),
    });
    expect(uri).toBe(
      'otpauth://totp/ACME%20Co:john.doe@email.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('refuses labels that cannot round-trip', () => {
    const secret = new Uint8Array(20);
    expect(() => formatOtpauthUri({ type: 'totp', accountName: 'a:b', secret })).toThrow(RangeError);
    expect(() => formatOtpauthUri({ type: 'totp', accountName: ' a', secret })).toThrow(RangeError);
    expect(() => formatOtpauthUri({ type: 'totp', accountName: '', secret })).toThrow(RangeError);
    expect(() => formatOtpauthUri({ type: 'totp', accountName: 'a', issuer: 'x:y', secret })).toThrow(
      RangeError,
    );
    expect(() => formatOtpauthUri({ type: 'totp', accountName: '\ud800', secret })).toThrow(RangeError);
    expect(() => formatOtpauthUri({ type: 'hotp', accountName: 'a', secret })).toThrow(TypeError);
  });

  it('parse(format(x)) = x (property)', () => {
    const part = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes(':'));
    const key: fc.Arbitrary<OtpauthKey> = fc
      .record({
        type: fc.constantFrom('totp' as const, 'hotp' as const),
        accountName: part.filter((s) => !s.startsWith(' ')),
        issuer: fc.option(part, { nil: undefined }),
        secret: fc.uint8Array({ minLength: 10, maxLength: 64 }),
        algorithm: fc.constantFrom('SHA1' as const, 'SHA256' as const, 'SHA512' as const),
        digits: fc.integer({ min: 6, max: 10 }),
        period: fc.integer({ min: 1, max: 3600 }),
        counter: fc.maxSafeNat(),
      })
      .map(({ type, issuer, period, counter, ...rest }) => {
        const withIssuer = issuer === undefined ? { type, ...rest } : { type, issuer, ...rest };
        return type === 'totp' ? { ...withIssuer, period } : { ...withIssuer, counter };
      });
    fc.assert(
      fc.property(key, (x) => {
        expect(parseOtpauthUri(formatOtpauthUri(x)).key).toEqual(x);
      }),
      { numRuns: 500 },
    );
  });
});

describe('QR rendering', () => {
  const uri = 'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example';

  it('renders SVG (default), a PNG data URL and terminal text', async () => {
    expect(await renderQrCode(uri)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await renderQrCode(uri, { format: 'dataUrl' })).toMatch(
      /^data:image\/png;base64,[A-Za-z0-9+/=]+$/,
    );
    const terminal = await renderQrCode(uri, { format: 'terminal', small: true });
    expect(terminal.split('\n').length).toBeGreaterThan(10);
    expect(await renderQrCode(uri, { format: 'utf8' })).toContain('█');
  });

  it('fails with ERR_QR_RENDER (no secret in the message) when the text does not fit', async () => {
    const huge = `otpauth://totp/a?secret=${'A'.repeat(8000)}`;
    await expect(renderQrCode(huge)).rejects.toSatisfy(
      (e) => isOtpError(e, 'ERR_QR_RENDER') && !(e as Error).message.includes('AAAA'),
    );
  });

  it('rejects misuse', async () => {
    await expect(renderQrCode('')).rejects.toThrow(TypeError);
    await expect(renderQrCode(uri, { format: 'gif' as never })).rejects.toThrow(TypeError);
  });
});
