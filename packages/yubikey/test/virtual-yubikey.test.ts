// Press sequences from the software YubiKey of @factorkit/virtual-authenticator, verified through
// the registry: sessions, power cycles, replay, counter rollback, wrong key, corrupted characters.
import { mutate, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { aes128DecryptBlockPortable } from '../src/aes.ts';
import type { YubikeyRegistry } from '../src/registry.ts';
import { newRegistry } from './helpers.ts';

async function provision(key: VirtualYubiKey, serial: string, registry: YubikeyRegistry, userId: string) {
  const up = await registry.uploadToken({ serialNumber: serial, ...key.secrets });
  expect(up.ok).toBe(true);
  const en = await registry.enroll({ userId, passCode: key.press() });
  expect(en).toMatchObject({ verified: true });
}

describe('virtual YubiKey press sequences', () => {
  it('many presses across sessions and power cycles all verify, with the counters the key reports', async () => {
    for (const aes of [undefined, aes128DecryptBlockPortable]) {
      const key = new VirtualYubiKey({ seed: 'yk-sessions' });
      const { registry } = newRegistry(aes === undefined ? {} : { aes });
      await provision(key, '1000001', registry, 'alice');
      let verified = 1;
      for (let session = 0; session < 5; session++) {
        for (let p = 0; p < 7; p++) {
          const otp = key.press();
          const r = await registry.verify({ userId: 'alice', passCode: otp });
          expect(r).toMatchObject({
            verified: true,
            usageCounter: key.lastCounters?.counter,
            sessionCounter: key.lastCounters?.session,
          });
          verified++;
        }
        key.powerCycle();
      }
      expect(verified).toBe(36);
    }
  });

  it('session counter wrap (256 presses) moves to the next usage counter and keeps verifying', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-wrap' });
    const { registry } = newRegistry();
    await provision(key, '1000002', registry, 'alice');
    for (let p = 0; p < 300; p++) {
      expect((await registry.verify({ userId: 'alice', passCode: key.press() })).verified).toBe(true);
    }
    expect(key.lastCounters?.counter).toBe(2);
  });

  it('replay: every earlier OTP is refused once a later one was accepted', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-replay' });
    const { registry } = newRegistry();
    await provision(key, '1000003', registry, 'alice');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const otp = key.press();
      expect((await registry.verify({ userId: 'alice', passCode: otp })).verified).toBe(true);
      seen.push(otp);
      if (i === 1) key.powerCycle();
    }
    for (const otp of seen) {
      expect(await registry.verify({ userId: 'alice', passCode: otp })).toMatchObject({
        code: 'ERR_OTP_REPLAYED',
      });
    }
  });

  it('out-of-order delivery: a press generated earlier but submitted later is refused', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-order' });
    const { registry } = newRegistry();
    await provision(key, '1000004', registry, 'alice');
    const first = key.press();
    const second = key.press();
    expect((await registry.verify({ userId: 'alice', passCode: second })).verified).toBe(true);
    expect(await registry.verify({ userId: 'alice', passCode: first })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('counter rollback: a re-encrypted token with lower counters is refused even with a valid CRC', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-rollback' });
    const { registry } = newRegistry();
    await provision(key, '1000005', registry, 'alice');
    key.powerCycle();
    const otp = key.press(); // usage 2, session 0
    expect((await registry.verify({ userId: 'alice', passCode: otp })).verified).toBe(true);
    const aesKey = key.secrets.aesKey;
    const rollbacks = [
      mutate.patchYubicoOtp(otp, aesKey, { usageCounter: 1, sessionCounter: 200 }),
      mutate.patchYubicoOtp(otp, aesKey, { usageCounter: 2, sessionCounter: 0, timestamp: 12345 }),
      // caps-lock bit set on an old counter: 0x8001 must not outrank 2.
      mutate.patchYubicoOtp(otp, aesKey, { usageCounter: 0x8001, sessionCounter: 9 }),
    ];
    for (const bad of rollbacks) {
      expect(await registry.verify({ userId: 'alice', passCode: bad })).toMatchObject({
        code: 'ERR_OTP_REPLAYED',
      });
    }
    // A forward patch by the key holder would be accepted — the counters are the only freshness.
    const forward = mutate.patchYubicoOtp(otp, aesKey, { usageCounter: 2, sessionCounter: 1 });
    expect((await registry.verify({ userId: 'alice', passCode: forward })).verified).toBe(true);
  });

  it('wrong key: another key with the same public id programmed fails the CRC', async () => {
    const genuine = new VirtualYubiKey({ seed: 'yk-genuine' });
    const clone = new VirtualYubiKey({ seed: 'yk-clone', publicId: genuine.publicId });
    const { registry } = newRegistry();
    await provision(genuine, '1000006', registry, 'alice');
    expect(await registry.verify({ userId: 'alice', passCode: clone.press() })).toMatchObject({
      code: 'ERR_OTP_CRC',
    });
  });

  it('right AES key, wrong private id fails ERR_OTP_PRIVATE_ID', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-uid' });
    const { registry } = newRegistry();
    await provision(key, '1000007', registry, 'alice');
    const forged = mutate.patchYubicoOtp(key.press(), key.secrets.aesKey, { privateId: '0102030405ff' });
    expect(await registry.verify({ userId: 'alice', passCode: forged })).toMatchObject({
      code: 'ERR_OTP_PRIVATE_ID',
    });
  });

  it('corrupted characters: each position of the token flipped fails (CRC), public id changed fails lookup', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-corrupt' });
    const { registry } = newRegistry();
    await provision(key, '1000008', registry, 'alice');
    const otp = key.press();
    for (let fromEnd = 1; fromEnd <= 32; fromEnd++) {
      const bad = mutate.flipYubicoOtpChar(otp, fromEnd);
      expect(await registry.verify({ userId: 'alice', passCode: bad })).toMatchObject({
        code: 'ERR_OTP_CRC',
      });
    }
    const crcBroken = mutate.patchYubicoOtp(otp, key.secrets.aesKey, { crcXor: 1 });
    expect(await registry.verify({ userId: 'alice', passCode: crcBroken })).toMatchObject({
      code: 'ERR_OTP_CRC',
    });
    const other = mutate.setYubicoPublicId(otp, 'ccccvvvvvvvv');
    expect(await registry.verify({ userId: 'alice', passCode: other })).toMatchObject({
      code: 'ERR_UNKNOWN_TOKEN',
    });
    // The corrupted attempts did not spend the genuine OTP.
    expect((await registry.verify({ userId: 'alice', passCode: otp })).verified).toBe(true);
  });

  it('caps lock on: upper-case OTP with the caps-lock flag verifies', async () => {
    const key = new VirtualYubiKey({ seed: 'yk-caps', capsLock: true });
    const { registry } = newRegistry();
    await registry.uploadToken({ serialNumber: '1000009', ...key.secrets });
    const r = await registry.enroll({ userId: 'alice', passCode: key.press().toUpperCase() });
    expect(r).toMatchObject({ verified: true, usageCounter: 1 });
  });

  it('two keys, two users: OTPs do not cross', async () => {
    const a = new VirtualYubiKey({ seed: 'yk-a' });
    const b = new VirtualYubiKey({ seed: 'yk-b' });
    const { registry } = newRegistry();
    await provision(a, '1000010', registry, 'alice');
    await provision(b, '1000011', registry, 'bob');
    expect(await registry.verify({ userId: 'alice', passCode: b.press() })).toMatchObject({
      code: 'ERR_TOKEN_USER_MISMATCH',
    });
    expect((await registry.verify({ userId: 'bob', passCode: b.press() })).verified).toBe(true);
    expect((await registry.verify({ userId: 'alice', passCode: a.press() })).verified).toBe(true);
  });
});
