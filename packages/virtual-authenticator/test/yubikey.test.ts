import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aes128EcbEncrypt,
  crc16,
  encodeYubicoToken,
  fromModhex,
  mutate,
  toModhex,
  VirtualYubiKey,
  YUBICO_CRC_OK_RESIDUE,
} from '../src/index.ts';

function decrypt(otp: string, aesKey: string) {
  const d = createDecipheriv('aes-128-ecb', Buffer.from(aesKey, 'hex'), null);
  d.setAutoPadding(false);
  const t = Buffer.concat([d.update(fromModhex(otp.slice(-32))), d.final()]);
  return {
    privateId: t.subarray(0, 6).toString('hex'),
    counter: t.readUInt16LE(6),
    timestamp: t.readUIntLE(8, 3),
    session: t[11],
    crcOk: crc16(t) === YUBICO_CRC_OK_RESIDUE,
  };
}

describe('Yubico OTP format (yubico-c test vector)', () => {
  it('token layout, CRC and AES-128-ECB reproduce dteffujehknhfjbrjnlnldnhcujvddbikngjrtgh', () => {
    const token = encodeYubicoToken({
      privateId: Buffer.from('8792ebfe26cc', 'hex'),
      usageCounter: 19,
      timestamp: 0x00c230,
      sessionCounter: 17,
      random: 0x9fc8,
    });
    expect(Buffer.from(token).toString('hex')).toBe('8792ebfe26cc130030c20011c89f23c8');
    const otp = `dteffuje${toModhex(aes128EcbEncrypt(Buffer.from('ecde18dbe76fbd0c33330f1c354871db', 'hex'), token))}`;
    expect(otp).toBe('dteffujehknhfjbrjnlnldnhcujvddbikngjrtgh');
  });
});

describe('VirtualYubiKey', () => {
  const secrets = {
    publicId: 'vvccccdfhjkl',
    privateId: '0102030405a6',
    aesKey: '000102030405060708090a0b0c0d0e0f',
  };
  it('press() counts sessions; power cycle bumps the usage counter', () => {
    const key = new VirtualYubiKey({ ...secrets, usageCounter: 4 });
    const a = decrypt(key.press(), secrets.aesKey);
    const b = decrypt(key.press(), secrets.aesKey);
    expect(a).toMatchObject({ privateId: secrets.privateId, counter: 5, session: 0, crcOk: true });
    expect(b).toMatchObject({ counter: 5, session: 1, crcOk: true });
    expect(b.timestamp - a.timestamp).toBe(8); // virtual clock: 1 s per press, 8 Hz
    key.powerCycle();
    expect(decrypt(key.press(), secrets.aesKey)).toMatchObject({ counter: 6, session: 0 });
    expect(key.lastCounters).toEqual({ counter: 6, session: 0 });
  });
  it('OTP = publicId + 32 modhex chars', () => {
    const key = new VirtualYubiKey({ seed: 'yk' });
    const otp = key.press();
    expect(otp).toMatch(/^cccc[cbdefghijklnrtuv]{40}$/);
    expect(otp.startsWith(key.secrets.publicId)).toBe(true);
    expect(decrypt(otp, key.secrets.aesKey).privateId).toBe(key.secrets.privateId);
  });
  it('session counter wrap bumps the usage counter', () => {
    const key = new VirtualYubiKey({ ...secrets });
    for (let i = 0; i < 256; i++) key.press();
    expect(key.lastCounters).toEqual({ counter: 1, session: 255 });
    expect(decrypt(key.press(), secrets.aesKey)).toMatchObject({ counter: 2, session: 0 });
  });
  it('uses the given clock (8 Hz ticks)', () => {
    let now = 1000;
    const key = new VirtualYubiKey({ ...secrets, clock: () => now });
    const a = decrypt(key.press(), secrets.aesKey);
    now += 10_000;
    expect(decrypt(key.press(), secrets.aesKey).timestamp - a.timestamp).toBe(80);
  });
  it('same seed → same OTP sequence', () => {
    const seq = () => {
      const k = new VirtualYubiKey({ seed: 's' });
      const first = [k.press(), k.press()];
      k.powerCycle();
      return [...first, k.press()];
    };
    expect(seq()).toEqual(seq());
  });
  it('mutators: wrong private id, bad CRC, public id swap', () => {
    const key = new VirtualYubiKey({ ...secrets });
    const otp = key.press();
    expect(
      decrypt(mutate.patchYubicoOtp(otp, secrets.aesKey, { privateId: 'ffffffffffff' }), secrets.aesKey),
    ).toMatchObject({
      privateId: 'ffffffffffff',
      crcOk: true,
    });
    expect(decrypt(mutate.patchYubicoOtp(otp, secrets.aesKey, { crcXor: 1 }), secrets.aesKey).crcOk).toBe(
      false,
    );
    expect(mutate.setYubicoPublicId(otp, 'cccccccccccc').slice(0, 12)).toBe('cccccccccccc');
    expect(decrypt(mutate.flipYubicoOtpChar(otp), secrets.aesKey).crcOk).toBe(false);
  });
});
