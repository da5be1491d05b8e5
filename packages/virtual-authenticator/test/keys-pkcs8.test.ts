import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSigningKey, KEY_SEED_LENGTH, U2FToken } from '../src/index.ts';

const material = new Uint8Array(KEY_SEED_LENGTH).map((_, i) => (i * 37 + 11) & 0xff);

describe('SigningKey.pkcs8: the same key, exported for a browser virtual authenticator', () => {
  it.each(['ES256', 'ES384', 'ES512', 'EdDSA'] as const)(
    '%s: node:crypto signs with it, spki verifies',
    (alg) => {
      const key = createSigningKey(alg, material);
      const priv = createPrivateKey({ key: Buffer.from(key.pkcs8?.() ?? []), format: 'der', type: 'pkcs8' });
      const pub = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
      expect(
        createPublicKey(priv).export({ format: 'der', type: 'spki' }).equals(Buffer.from(key.spki)),
      ).toBe(true);
      const data = Buffer.from('factorkit');
      const hash = alg === 'EdDSA' ? null : { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg];
      expect(verify(hash, data, pub, sign(hash, data, priv))).toBe(true);
      // And what the virtual key signs verifies under the exported key's public half.
      expect(verify(hash, data, createPublicKey(priv), key.sign(data))).toBe(true);
    },
  );

  it('a U2F token key handle exports its key (for CDP WebAuthn.addCredential)', () => {
    const token = new U2FToken({ seed: 'pkcs8-u2f' });
    const reg = token.register({ appId: 'https://example.com', challenge: 'Y2hhbGxlbmdl' });
    const raw = Buffer.from(reg.registrationData, 'base64url');
    const keyHandle = raw.subarray(67, 67 + (raw[66] ?? 0)).toString('base64url');
    const exported = token.exportCredential(keyHandle).key;
    const priv = createPrivateKey({
      key: Buffer.from(exported.pkcs8?.() ?? []),
      format: 'der',
      type: 'pkcs8',
    });
    const point = createPublicKey(priv).export({ format: 'jwk' });
    expect(Buffer.from(String(point.x), 'base64url')).toEqual(Buffer.from(raw.subarray(2, 34)));
    expect(Buffer.from(token.publicKey(keyHandle) ?? [])).toEqual(Buffer.from(raw.subarray(1, 66)));
  });
});
