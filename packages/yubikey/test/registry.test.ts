import { describe, expect, it } from 'vitest';
import { aesGcmKeyEncryption } from '../src/key-encryption.ts';
import { MemoryYubikeyStore } from '../src/memory-store.ts';
import { type CounterUpdate, type CounterUpdateResult, compareCounters } from '../src/store.ts';
import {
  KEY_A,
  KEY_B,
  KSM_KEY,
  KSM_OTP,
  makeOtp,
  newRegistry,
  steppingClock,
  uploadBody,
  wrapStore,
} from './helpers.ts';

const press = (k: typeof KEY_A, usageCounter: number, sessionCounter: number, timestamp?: number) =>
  makeOtp(k.publicId, k.aesKey, {
    privateId: k.privateId,
    usageCounter,
    sessionCounter,
    ...(timestamp === undefined ? {} : { timestamp }),
  });

async function enrolled(userId = 'user-1', k = KEY_A) {
  const ctx = newRegistry();
  const up = await ctx.registry.uploadToken(uploadBody(k));
  if (!up.ok) throw new Error('upload failed');
  const en = await ctx.registry.enroll({ userId, passCode: press(k, 1, 0) });
  expect(en).toMatchObject({ verified: true });
  return { ...ctx, tokenId: up.token.id };
}

describe('upload (Okta POST …/yubikey_token/tokens)', () => {
  it('creates an UNASSIGNED token, echoes the serial zero-padded to 12, never returns secrets', async () => {
    const { registry } = newRegistry();
    const r = await registry.uploadToken({
      serialNumber: '7886622',
      publicId: 'ccccccijgibu',
      privateId: 'b74be6169486',
      aesKey: '1fcc6d8ce39bf1604e0b17f3e0a11067',
    });
    expect(r).toMatchObject({
      ok: true,
      token: { status: 'UNASSIGNED', profile: { serial: '000007886622' } },
    });
    if (!r.ok) return;
    expect(r.token.id).toMatch(/^ykk[A-Za-z0-9]{17}$/);
    const all = JSON.stringify([r, await registry.getToken(r.token.id), await registry.listTokens()]);
    expect(all).not.toContain('b74be6169486');
    expect(all).not.toContain('1fcc6d8ce39bf1604e0b17f3e0a11067');
  });

  it('rejects bad fields with codes and no secret in the errors', async () => {
    const { registry } = newRegistry();
    const r = await registry.uploadToken({
      serialNumber: 'x1',
      publicId: 'abc',
      privateId: 'zz',
      aesKey: 'secretkeymaterial',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code).sort()).toEqual([
      'ERR_SEED_AES_KEY',
      'ERR_SEED_PRIVATE_ID',
      'ERR_SEED_PUBLIC_ID',
      'ERR_SEED_SERIAL',
    ]);
    expect(JSON.stringify(r)).not.toContain('secretkeymaterial');
  });

  it('YK-7 a publicId already registered is refused (ERR_SEED_PUBLIC_ID_EXISTS)', async () => {
    const { registry } = newRegistry();
    expect((await registry.uploadToken(uploadBody(KEY_A))).ok).toBe(true);
    const again = await registry.uploadToken({ ...uploadBody(KEY_B), publicId: KEY_A.publicId });
    expect(again).toMatchObject({ ok: false, errors: [{ code: 'ERR_SEED_PUBLIC_ID_EXISTS' }] });
  });

  it('secrets are sealed at rest: the store holds neither the AES key nor the private id', async () => {
    const { registry, store } = newRegistry();
    const up = await registry.uploadToken(uploadBody(KEY_A));
    if (!up.ok) throw new Error('upload');
    const sealed = Buffer.from((await store.getSealedSecret(up.token.id)) as Uint8Array);
    expect(sealed.includes(Buffer.from(KEY_A.aesKey, 'hex'))).toBe(false);
    expect(sealed.includes(Buffer.from(KEY_A.privateId, 'hex'))).toBe(false);
    expect(Object.keys((await store.getById(up.token.id)) ?? {})).not.toContain('sealedSecret');
  });
});

describe('enrollment by OTP (protocols §5.5)', () => {
  it('binds an UNASSIGNED token to the user and makes it ACTIVE', async () => {
    const { registry } = newRegistry();
    await registry.uploadToken(KSM_KEY);
    const r = await registry.enroll({ userId: 'alice', passCode: KSM_OTP });
    expect(r).toMatchObject({
      verified: true,
      usageCounter: 1,
      sessionCounter: 0,
      token: { status: 'ACTIVE', userId: 'alice' },
    });
    if (r.verified) expect(r.token.activated).not.toBeNull();
  });

  it('a token bound to another user is refused; unknown public id is ERR_UNKNOWN_TOKEN', async () => {
    const { registry } = await enrolled('alice');
    expect(await registry.enroll({ userId: 'mallory', passCode: press(KEY_A, 2, 0) })).toMatchObject({
      code: 'ERR_TOKEN_ALREADY_ASSIGNED',
    });
    expect(await registry.enroll({ userId: 'bob', passCode: press(KEY_B, 1, 0) })).toMatchObject({
      code: 'ERR_UNKNOWN_TOKEN',
    });
  });

  it('enrollment checks the OTP: wrong key / corrupted / wrong private id fail and bind nothing', async () => {
    const { registry } = newRegistry();
    const up = await registry.uploadToken(uploadBody(KEY_A));
    if (!up.ok) throw new Error('upload');
    const wrongKey = makeOtp(KEY_A.publicId, KEY_B.aesKey, {
      privateId: KEY_A.privateId,
      usageCounter: 1,
      sessionCounter: 0,
    });
    expect(await registry.enroll({ userId: 'u', passCode: wrongKey })).toMatchObject({ code: 'ERR_OTP_CRC' });
    const wrongUid = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
      privateId: KEY_B.privateId,
      usageCounter: 1,
      sessionCounter: 0,
    });
    expect(await registry.enroll({ userId: 'u', passCode: wrongUid })).toMatchObject({
      code: 'ERR_OTP_PRIVATE_ID',
    });
    expect((await registry.getToken(up.token.id))?.status).toBe('UNASSIGNED');
  });

  it('100 concurrent enrollments of one OTP by different users: exactly one binds', async () => {
    const { registry, store } = newRegistry();
    const up = await registry.uploadToken(uploadBody(KEY_A));
    if (!up.ok) throw new Error('upload');
    const otp = press(KEY_A, 1, 0);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => registry.enroll({ userId: `u${i}`, passCode: otp })),
    );
    const winners = results.filter((r) => r.verified);
    expect(winners).toHaveLength(1);
    const rec = await store.getById(up.token.id);
    expect(rec?.userId).toBe((winners[0] as { token: { userId: string } }).token.userId);
  });
});

describe('verify (replay protection, ownership, status)', () => {
  it('accepts increasing presses, rejects the same OTP twice (ERR_OTP_REPLAYED)', async () => {
    const { registry } = await enrolled();
    const otp = press(KEY_A, 1, 1);
    expect(await registry.verify({ userId: 'user-1', passCode: otp })).toMatchObject({
      verified: true,
      sessionCounter: 1,
    });
    expect(await registry.verify({ userId: 'user-1', passCode: otp })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(await registry.verify({ userId: 'user-1', passCode: press(KEY_A, 1, 0) })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(await registry.verify({ userId: 'user-1', passCode: press(KEY_A, 2, 0) })).toMatchObject({
      verified: true,
    });
  });

  it('the enrollment OTP cannot be replayed as a verification', async () => {
    const ctx = newRegistry();
    await ctx.registry.uploadToken(uploadBody(KEY_A));
    const otp = press(KEY_A, 5, 0);
    expect(await ctx.registry.enroll({ userId: 'u', passCode: otp })).toMatchObject({ verified: true });
    expect(await ctx.registry.verify({ userId: 'u', passCode: otp })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });

  it('OWN-1 a token bound to another user fails ERR_TOKEN_USER_MISMATCH', async () => {
    const { registry } = await enrolled('alice');
    expect(await registry.verify({ userId: 'bob', passCode: press(KEY_A, 1, 1) })).toMatchObject({
      code: 'ERR_TOKEN_USER_MISMATCH',
    });
    // …and the failed attempt did not spend the OTP for its owner.
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 1, 1) })).toMatchObject({
      verified: true,
    });
  });

  it('status gates: UNASSIGNED, BLOCKED, INACTIVE cannot verify; reactivation restores', async () => {
    const { registry, tokenId } = await enrolled('alice');
    expect(await registry.blockToken(tokenId)).toMatchObject({ ok: true, token: { status: 'BLOCKED' } });
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 1, 1) })).toMatchObject({
      code: 'ERR_TOKEN_NOT_ACTIVE',
    });
    expect(await registry.reactivateToken(tokenId)).toMatchObject({
      ok: true,
      token: { status: 'ACTIVE', userId: 'alice' },
    });
    expect(await registry.deactivateToken(tokenId)).toMatchObject({
      ok: true,
      token: { status: 'INACTIVE' },
    });
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 1, 2) })).toMatchObject({
      code: 'ERR_TOKEN_NOT_ACTIVE',
    });
    expect(await registry.reactivateToken(tokenId)).toMatchObject({ ok: true });
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 1, 3) })).toMatchObject({
      verified: true,
    });
    const fresh = newRegistry();
    await fresh.registry.uploadToken(uploadBody(KEY_B));
    expect(await fresh.registry.verify({ userId: 'x', passCode: press(KEY_B, 1, 0) })).toMatchObject({
      code: 'ERR_TOKEN_USER_MISMATCH',
    });
  });

  it('unassign keeps the counters: an old OTP cannot re-enroll the token', async () => {
    const { registry, tokenId } = await enrolled('alice');
    const spent = press(KEY_A, 1, 0);
    expect(await registry.unassignToken(tokenId)).toMatchObject({
      ok: true,
      token: { status: 'UNASSIGNED', userId: null },
    });
    expect(await registry.enroll({ userId: 'mallory', passCode: spent })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(await registry.enroll({ userId: 'bob', passCode: press(KEY_A, 2, 0) })).toMatchObject({
      verified: true,
    });
  });

  it('revoke destroys the seed (ERR_UNKNOWN_TOKEN); re-upload keeps the replay floor', async () => {
    const { registry, tokenId, store } = await enrolled('alice');
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 3, 0) })).toMatchObject({
      verified: true,
    });
    expect(await registry.revokeToken(tokenId)).toMatchObject({
      ok: true,
      token: { status: 'REVOKED', userId: null },
    });
    expect(await store.getSealedSecret(tokenId)).toBeUndefined();
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 3, 1) })).toMatchObject({
      code: 'ERR_UNKNOWN_TOKEN',
    });
    const up = await registry.uploadToken(uploadBody(KEY_A));
    expect(up.ok).toBe(true);
    // An OTP captured before the revoke (3,0) is still spent for the re-uploaded seed.
    expect(await registry.enroll({ userId: 'mallory', passCode: press(KEY_A, 3, 0) })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    expect(await registry.enroll({ userId: 'alice', passCode: press(KEY_A, 4, 0) })).toMatchObject({
      verified: true,
    });
  });

  it('delete leaves a DELETED tombstone; purge removes it', async () => {
    const { registry, tokenId } = await enrolled('alice');
    expect(await registry.deleteToken(tokenId)).toMatchObject({ ok: true, token: { status: 'DELETED' } });
    expect(await registry.verify({ userId: 'alice', passCode: press(KEY_A, 9, 0) })).toMatchObject({
      code: 'ERR_UNKNOWN_TOKEN',
    });
    expect(await registry.deleteToken(tokenId)).toMatchObject({
      ok: false,
      code: 'ERR_TOKEN_STATE_CONFLICT',
    });
    expect(await registry.purgeToken(tokenId)).toBe(true);
    expect(await registry.getToken(tokenId)).toBeUndefined();
    expect(await registry.revokeToken(tokenId)).toMatchObject({ ok: false, code: 'ERR_TOKEN_NOT_FOUND' });
  });

  it('a sealed secret that does not open (wrong KEK, or moved to another row) fails ERR_SECRET_UNSEAL', async () => {
    const store = new MemoryYubikeyStore();
    const a = newRegistry({ store });
    await a.registry.uploadToken(uploadBody(KEY_A));
    await a.registry.enroll({ userId: 'u', passCode: press(KEY_A, 1, 0) });
    const b = newRegistry({ store, keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(8)) });
    expect(await b.registry.verify({ userId: 'u', passCode: press(KEY_A, 1, 1) })).toMatchObject({
      code: 'ERR_SECRET_UNSEAL',
    });
    // Swap: row B's store entry returns row A's sealed secret.
    await a.registry.uploadToken(uploadBody(KEY_B));
    await a.registry.enroll({ userId: 'v', passCode: press(KEY_B, 1, 0) });
    const aId = (await store.getByPublicId(KEY_A.publicId))?.id as string;
    const swapped = wrapStore(store, { getSealedSecret: () => store.getSealedSecret(aId) });
    const c = newRegistry({ store: swapped });
    expect(await c.registry.verify({ userId: 'v', passCode: press(KEY_B, 1, 1) })).toMatchObject({
      code: 'ERR_SECRET_UNSEAL',
    });
  });

  it('misuse throws TypeError (missing userId)', async () => {
    const { registry } = newRegistry();
    await expect(registry.verify({ userId: '', passCode: KSM_OTP })).rejects.toThrow(TypeError);
  });
});

describe('G9/YK-4 atomic replay gate', () => {
  it('100 concurrent verifications of one OTP → exactly 1 success (100 rounds)', async () => {
    const { registry } = await enrolled('alice');
    let doubles = 0;
    for (let round = 0; round < 100; round++) {
      const otp = press(KEY_A, 2, round);
      const results = await Promise.all(
        Array.from({ length: 100 }, () => registry.verify({ userId: 'alice', passCode: otp })),
      );
      const ok = results.filter((r) => r.verified).length;
      if (ok !== 1) doubles++;
      expect(
        results.filter((r) => !r.verified).every((r) => 'code' in r && r.code === 'ERR_OTP_REPLAYED'),
      ).toBe(true);
    }
    expect(doubles).toBe(0);
  });

  it('control: a store that checks then writes (yubikey-val style) lets copies through — the test can fail', async () => {
    const inner = new MemoryYubikeyStore();
    // Check, yield to other requests, then write without re-checking: yubikey-val's shape.
    const unconditional = wrapStore(inner, {
      async compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult> {
        const before = await inner.getById(update.id);
        await new Promise((r) => setImmediate(r));
        const o = before?.lastOtp;
        if (o != null && compareCounters(update.next, o) <= 0) return { ok: false, reason: 'REPLAYED' };
        return { ok: true, record: before as NonNullable<typeof before> };
      },
    });
    const { registry } = newRegistry({ store: unconditional });
    await registry.uploadToken(uploadBody(KEY_A));
    await inner.updateStatus({
      id: (await inner.getByPublicId(KEY_A.publicId))?.id as string,
      expectStatus: ['UNASSIGNED'],
      status: 'ACTIVE',
      userId: 'alice',
      at: '2026-01-01T00:00:00.000Z',
    });
    const otp = press(KEY_A, 2, 0);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => registry.verify({ userId: 'alice', passCode: otp })),
    );
    expect(results.filter((r) => r.verified).length).toBeGreaterThan(1);
  });
});

describe('phishing-delay option on the registry', () => {
  it('off by default; when on, an OTP replayed from long ago in the same session fails ERR_OTP_DELAYED', async () => {
    for (const enabled of [false, true]) {
      const c = steppingClock('2026-01-01T00:00:00.000Z');
      const { registry } = newRegistry({ clock: c.clock, phishingDelayCheck: enabled });
      await registry.uploadToken(uploadBody(KEY_A));
      c.set('2026-01-01T00:00:00.000Z');
      await registry.enroll({ userId: 'u', passCode: press(KEY_A, 1, 0, 1000) });
      // 10 minutes later, an OTP whose timer says 2 s after the enrollment press.
      c.set('2026-01-01T00:10:00.000Z');
      const r = await registry.verify({ userId: 'u', passCode: press(KEY_A, 1, 1, 1016) });
      expect(r.verified).toBe(!enabled);
      if (enabled) expect(r).toMatchObject({ code: 'ERR_OTP_DELAYED' });
    }
  });
});
