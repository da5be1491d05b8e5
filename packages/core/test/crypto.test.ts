import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoError } from '../src/crypto/index.ts';
import { nodeBackend } from '../src/crypto/node.ts';
import { nodeBackend as unavailableNode } from '../src/crypto/node-unavailable.ts';
import { portableBackend } from '../src/crypto/portable.ts';
import type { CryptoBackend } from '../src/crypto/types.ts';
import { es256PublicKey, fromHex, toHex, utf8Encode } from '../src/index.ts';

const BACKENDS: readonly (readonly [string, CryptoBackend])[] = [
  ['node', nodeBackend],
  ['portable', portableBackend],
];

// P-256 group order (FIPS 186-4 D.1.2.3), to build the high-S twin of a signature.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function derInt(v: bigint): number[] {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...fromHex(hex)];
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

function readDerSig(sig: Uint8Array): [bigint, bigint] {
  const rLen = sig[3] as number;
  const r = BigInt(`0x${toHex(sig.subarray(4, 4 + rLen))}`);
  const sLen = sig[5 + rLen] as number;
  const s = BigInt(`0x${toHex(sig.subarray(6 + rLen, 6 + rLen + sLen))}`);
  return [r, s];
}

function es256Fixture(): { point: Uint8Array; data: Uint8Array; sig: Uint8Array; highS: Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const point = new Uint8Array(spki.subarray(spki.length - 65));
  const data = utf8Encode('signed bytes');
  const sig = new Uint8Array(createSign('sha256').update(data).sign(privateKey));
  const [r, s] = readDerSig(sig);
  const body = [...derInt(r), ...derInt(N - s)];
  return { point, data, sig, highS: Uint8Array.of(0x30, body.length, ...body) };
}

describe.each(BACKENDS)('the %s backend fulfils the CryptoBackend contract', (_name, crypto) => {
  it('digest and HMAC match RFC vectors', () => {
    expect(toHex(crypto.digest('SHA-256', utf8Encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(crypto.digest('SHA-1', utf8Encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    // RFC 4231 test case 2.
    expect(
      toHex(crypto.hmac('SHA-256', utf8Encode('Jefe'), utf8Encode('what do ya want for nothing?'))),
    ).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
  it('AES block matches FIPS-197 Appendix C.1 both ways', () => {
    const key = fromHex('000102030405060708090a0b0c0d0e0f');
    const plain = fromHex('00112233445566778899aabbccddeeff');
    const cipher = crypto.aesEncryptBlock(key, plain);
    expect(toHex(cipher)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(crypto.aesDecryptBlock(key, cipher)).toEqual(plain);
    expect(() => crypto.aesDecryptBlock(key, new Uint8Array(15))).toThrow(RangeError);
  });
  it('AES-GCM: sealed by either backend, opened by either; any altered byte refuses', async () => {
    const key = crypto.randomBytes(32);
    const iv = crypto.randomBytes(12);
    const aad = utf8Encode('context');
    const secret = utf8Encode('seed secret');
    for (const [, other] of BACKENDS) {
      const sealed = await crypto.aesGcmSeal(key, iv, secret, aad);
      expect(sealed).toHaveLength(secret.length + 16);
      expect(await other.aesGcmOpen(key, iv, sealed, aad)).toEqual(secret);
      const altered = sealed.slice();
      altered[0] = (altered[0] as number) ^ 1;
      await expect(other.aesGcmOpen(key, iv, altered, aad)).rejects.toThrow();
      await expect(other.aesGcmOpen(key, iv, sealed, utf8Encode('other'))).rejects.toThrow();
    }
  });
  it('randomBytes and timingSafeEqual', () => {
    const a = crypto.randomBytes(100_000);
    expect(a).toHaveLength(100_000);
    expect(a.some((b) => b !== 0)).toBe(true);
    expect(crypto.timingSafeEqual(a, a.slice())).toBe(true);
    expect(crypto.timingSafeEqual(a, a.subarray(1))).toBe(false);
    expect(() => crypto.randomBytes(-1)).toThrow(RangeError);
  });
  it('ES256: verifies, accepts high S, refuses non-DER and altered data; off-curve keys fail import', async () => {
    const f = es256Fixture();
    const key = crypto.importKey(es256PublicKey(f.point));
    expect(await crypto.verify(key, f.sig, f.data)).toBe(true);
    expect(await crypto.verify(key, f.highS, f.data)).toBe(true);
    expect(await crypto.verify(key, f.sig, utf8Encode('other bytes'))).toBe(false);
    // BER long-form length for the SEQUENCE: not DER, refused before the runtime sees it.
    const ber = Uint8Array.of(0x30, 0x81, ...f.sig.subarray(1));
    expect(await crypto.verify(key, ber, f.data)).toBe(false);
    expect(await crypto.verify(key, Uint8Array.of(...f.sig, 0), f.data)).toBe(false);
    const offCurve = f.point.slice();
    offCurve[64] = (offCurve[64] as number) ^ 1;
    expect(() => crypto.importKey(es256PublicKey(offCurve))).toThrow(CryptoError);
    // A key from the other backend is a programmer's mistake.
    const otherKey = (crypto === nodeBackend ? portableBackend : nodeBackend).importKey(
      es256PublicKey(f.point),
    );
    await expect(crypto.verify(otherKey, f.sig, f.data)).rejects.toThrow(TypeError);
  });
});

describe('outside Node', () => {
  it('the node entry resolves to a backend whose every use is a TypeError', () => {
    expect(() => unavailableNode.digest('SHA-256', new Uint8Array(0))).toThrow(TypeError);
    expect(() => unavailableNode.randomBytes(1)).toThrow(TypeError);
  });
});
