import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { generateAuthenticationOptions, generateRegistrationOptions } from '../src/options.ts';

describe('generateRegistrationOptions (§7.1 step 1)', () => {
  const input = { rpName: 'Example', rpId: 'example.com', userName: 'alice' };

  it('defaults: 32-byte random challenge, random user.id, ES256/EdDSA/RS256, attestation none', () => {
    const a = generateRegistrationOptions(input);
    const b = generateRegistrationOptions(input);
    expect(decodeBase64url(a.challenge)).toHaveLength(32);
    expect(a.challenge).not.toBe(b.challenge); // conformance Req-1 P-3
    expect(decodeBase64url(a.user.id)).toHaveLength(32);
    expect(a.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(a).toMatchObject({
      rp: { id: 'example.com', name: 'Example' },
      user: { name: 'alice', displayName: 'alice' },
      attestation: 'none',
      timeout: 300_000,
      excludeCredentials: [],
      authenticatorSelection: {
        residentKey: 'preferred',
        requireResidentKey: false,
        userVerification: 'preferred',
      },
    });
    expect(a.extensions).toBeUndefined();
  });

  it('excludeCredentials and appidExclude', () => {
    const id = new Uint8Array([1, 2, 3]);
    const o = generateRegistrationOptions({
      ...input,
      excludeCredentials: [{ id, transports: ['usb'] }, { id: 'BAUG' }],
      appidExclude: 'https://example.com/appid.json',
    });
    expect(o.excludeCredentials).toEqual([
      { type: 'public-key', id: encodeBase64url(id), transports: ['usb'] },
      { type: 'public-key', id: 'BAUG' },
    ]);
    expect(o.extensions).toEqual({ appidExclude: 'https://example.com/appid.json' });
  });

  it('rejects challenges under 16 bytes, bad user ids, unknown algorithms and bad ids', () => {
    expect(() => generateRegistrationOptions({ ...input, challenge: new Uint8Array(15) })).toThrow(
      RangeError,
    );
    expect(() => generateRegistrationOptions({ ...input, challengeSize: 8 })).toThrow(RangeError);
    expect(() => generateRegistrationOptions({ ...input, userId: new Uint8Array(65) })).toThrow(RangeError);
    expect(() => generateRegistrationOptions({ ...input, supportedAlgorithms: [-999] })).toThrow(RangeError);
    expect(() => generateRegistrationOptions({ ...input, excludeCredentials: [{ id: 'a+b' }] })).toThrow(
      TypeError,
    );
    expect(() => generateRegistrationOptions({ ...input, rpId: '' })).toThrow(TypeError);
    expect(generateRegistrationOptions({ ...input, challenge: new Uint8Array(16).fill(1) }).challenge).toBe(
      encodeBase64url(new Uint8Array(16).fill(1)),
    );
  });
});

describe('generateAuthenticationOptions (§7.2 step 1)', () => {
  it('defaults and the appid extension', () => {
    const o = generateAuthenticationOptions({
      rpId: 'example.com',
      allowCredentials: [{ id: new Uint8Array([9]) }],
      appid: 'https://example.com/appid.json',
    });
    expect(decodeBase64url(o.challenge)).toHaveLength(32);
    expect(o).toMatchObject({
      rpId: 'example.com',
      userVerification: 'preferred',
      allowCredentials: [{ type: 'public-key', id: 'CQ' }],
      extensions: { appid: 'https://example.com/appid.json' },
    });
    expect(() => generateAuthenticationOptions({ rpId: 'example.com', challengeSize: 15 })).toThrow(
      RangeError,
    );
  });
});
