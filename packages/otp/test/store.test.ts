import { describe, expect, it } from 'vitest';
import {
  attemptStatus,
  createOtpKey,
  generateHotp,
  generateTotp,
  isOtpError,
  limitAttempts,
  MemoryAttemptStore,
  MemoryOtpCounterStore,
  NIST_800_63B_ATTEMPT_POLICY,
  OKTA_ACTIVATION_ATTEMPT_POLICY,
  type OtpCounterStore,
  totpStep,
  verifyHotpWithStore,
  verifyTotpWithStore,
} from '../src/index.ts';
import { RFC_SECRET, sec } from './helpers.ts';

const key = createOtpKey(RFC_SECRET);
const now = sec(1_700_000_000);
const T = totpStep(now);

/** A store that yields to the event loop inside every call, like a network store would. */
class SlowStore implements OtpCounterStore {
  readonly inner = new MemoryOtpCounterStore();
  async getCounter(id: string): Promise<number | undefined> {
    await new Promise((r) => setImmediate(r));
    return this.inner.getCounter(id);
  }
  async advanceCounter(id: string, next: number, at: number): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    return this.inner.advanceCounter(id, next, at);
  }
}

describe('MemoryOtpCounterStore contract', () => {
  it('advances only when greater', async () => {
    const s = new MemoryOtpCounterStore();
    expect(await s.getCounter('a')).toBeUndefined();
    expect(await s.advanceCounter('a', 5, 0)).toBe(true);
    expect(await s.advanceCounter('a', 5, 0)).toBe(false);
    expect(await s.advanceCounter('a', 4, 0)).toBe(false);
    expect(await s.advanceCounter('a', 6, 0)).toBe(true);
    expect(await s.getCounter('a')).toBe(6);
    expect(await s.getCounter('b')).toBeUndefined();
  });
});

describe('verifyTotpWithStore', () => {
  it('accepts once and rejects the replay with ERR_OTP_REPLAYED', async () => {
    const store = new MemoryOtpCounterStore();
    const code = generateTotp({ secret: key, now });
    expect(await verifyTotpWithStore({ secret: key, code, now, store, factorId: 'u1' })).toMatchObject({
      verified: true,
      step: T,
    });
    expect(await store.getCounter('u1')).toBe(T);
    expect(await verifyTotpWithStore({ secret: key, code, now, store, factorId: 'u1' })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
    // A different factor is independent.
    expect((await verifyTotpWithStore({ secret: key, code, now, store, factorId: 'u2' })).verified).toBe(
      true,
    );
  });

  for (const [name, make] of [
    ['memory', () => new MemoryOtpCounterStore()],
    ['slow (yields inside calls)', () => new SlowStore()],
  ] as const) {
    it(`100 concurrent verifications of one code → exactly one success (${name}, 20 rounds)`, async () => {
      for (let round = 0; round < 20; round++) {
        const store = make();
        const code = generateTotp({ secret: key, now });
        const results = await Promise.all(
          Array.from({ length: 100 }, () =>
            verifyTotpWithStore({ secret: key, code, now, store, factorId: 'f' }),
          ),
        );
        expect(results.filter((r) => r.verified)).toHaveLength(1);
        expect(results.filter((r) => !r.verified && r.code === 'ERR_OTP_REPLAYED')).toHaveLength(99);
      }
    });
  }

  it('turns store failures into ERR_OTP_STORE_FAILURE', async () => {
    const broken: OtpCounterStore = {
      getCounter: () => Promise.reject(new Error('db down')),
      advanceCounter: () => Promise.resolve(true),
    };
    const code = generateTotp({ secret: key, now });
    await expect(
      verifyTotpWithStore({ secret: key, code, now, store: broken, factorId: 'f' }),
    ).rejects.toSatisfy((e) => isOtpError(e, 'ERR_OTP_STORE_FAILURE'));
  });

  it('requires a factorId and a time source', async () => {
    const store = new MemoryOtpCounterStore();
    await expect(
      verifyTotpWithStore({ secret: key, code: '123456', now, store, factorId: '' }),
    ).rejects.toThrow(TypeError);
    await expect(verifyTotpWithStore({ secret: key, code: '123456', store, factorId: 'x' })).rejects.toThrow(
      TypeError,
    );
  });
});

describe('verifyHotpWithStore', () => {
  const h = (c: number): string => generateHotp({ secret: key, counter: c });

  it('advances the stored next counter and rejects reuse', async () => {
    const store = new MemoryOtpCounterStore();
    const opts = { secret: key, store, factorId: 'h', now };
    expect(await verifyHotpWithStore({ ...opts, code: h(2) })).toMatchObject({
      verified: true,
      counter: 2,
      nextCounter: 3,
    });
    expect(await store.getCounter('h')).toBe(3);
    expect(await verifyHotpWithStore({ ...opts, code: h(2) })).toMatchObject({ code: 'ERR_OTP_REPLAYED' });
    expect(await verifyHotpWithStore({ ...opts, code: h(1) })).toMatchObject({ code: 'ERR_OTP_INVALID' });
    expect(await verifyHotpWithStore({ ...opts, code: h(3) })).toMatchObject({ verified: true, counter: 3 });
  });

  it('uses initialCounter when the store has nothing', async () => {
    const store = new MemoryOtpCounterStore();
    const opts = { secret: key, store, factorId: 'h', now, initialCounter: 50 };
    expect(await verifyHotpWithStore({ ...opts, code: h(49) })).toMatchObject({ verified: false });
    expect(await verifyHotpWithStore({ ...opts, code: h(52) })).toMatchObject({ counter: 52 });
  });

  it('100 concurrent verifications of one code → exactly one success', async () => {
    for (let round = 0; round < 20; round++) {
      const store = new SlowStore();
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          verifyHotpWithStore({ secret: key, code: h(4), store, factorId: 'h', now }),
        ),
      );
      expect(results.filter((r) => r.verified)).toHaveLength(1);
    }
  });
});

describe('attempt limiting', () => {
  const wrong = (): { verified: false } => ({ verified: false });
  const right = (): { verified: true } => ({ verified: true });

  it('Okta policy: 5 attempts per 5 minutes, the 6th is locked out with retry-after', async () => {
    const store = new MemoryAttemptStore();
    const limit = { store, key: 'user:factor', policy: OKTA_ACTIVATION_ATTEMPT_POLICY };
    for (let i = 0; i < 5; i++)
      expect(await limitAttempts(limit, now + i * 1000, wrong)).toEqual({ verified: false });
    let called = false;
    const locked = await limitAttempts(limit, now + 10_000, () => {
      called = true;
      return right();
    });
    expect(called).toBe(false);
    expect(locked).toMatchObject({ verified: false, code: 'ERR_OTP_LOCKED_OUT', retryAfterSeconds: 290 });
    expect(await attemptStatus(limit, now + 10_000)).toEqual({
      locked: true,
      remaining: 0,
      retryAfterSeconds: 290,
    });
    // After the window the user may try again.
    expect(await limitAttempts(limit, now + 300_000, right)).toEqual({ verified: true });
  });

  it('NIST policy: attempt 101 is refused, retry-after is null (until reset)', async () => {
    const store = new MemoryAttemptStore();
    const limit = { store, key: 'k', policy: NIST_800_63B_ATTEMPT_POLICY };
    for (let i = 0; i < 100; i++) await limitAttempts(limit, now + i * 86_400_000, wrong);
    expect(await limitAttempts(limit, now + 200 * 86_400_000, right)).toMatchObject({
      code: 'ERR_OTP_LOCKED_OUT',
      retryAfterSeconds: null,
    });
  });

  it('a success resets the counter', async () => {
    const store = new MemoryAttemptStore();
    const limit = { store, key: 'k', policy: { maxAttempts: 3 } };
    await limitAttempts(limit, now, wrong);
    await limitAttempts(limit, now, wrong);
    await limitAttempts(limit, now, right);
    expect(await attemptStatus(limit, now)).toMatchObject({ remaining: 3 });
  });

  it('counts concurrent attempts atomically (no race past the limit)', async () => {
    const store = new MemoryAttemptStore();
    const limit = { store, key: 'k', policy: { maxAttempts: 10 } };
    let ran = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        limitAttempts(limit, now, async () => {
          ran++;
          await new Promise((r) => setImmediate(r));
          return { verified: false } as const;
        }),
      ),
    );
    expect(ran).toBe(10);
    expect(results.filter((r) => 'code' in r && r.code === 'ERR_OTP_LOCKED_OUT')).toHaveLength(40);
  });

  it('locking one key does not lock another', async () => {
    const store = new MemoryAttemptStore();
    const policy = { maxAttempts: 1 };
    await limitAttempts({ store, key: 'a', policy }, now, wrong);
    expect(await limitAttempts({ store, key: 'a', policy }, now, right)).toMatchObject({
      code: 'ERR_OTP_LOCKED_OUT',
    });
    expect(await limitAttempts({ store, key: 'b', policy }, now, right)).toEqual({ verified: true });
  });

  it('plugs into verifyTotpWithStore: malformed and wrong codes count, lockout stops verification', async () => {
    const store = new MemoryOtpCounterStore();
    const attempts = {
      store: new MemoryAttemptStore(),
      key: 'u:f',
      policy: { maxAttempts: 2, windowSeconds: 60 },
    };
    const good = generateTotp({ secret: key, now });
    const bad = good === '000000' ? '000001' : '000000';
    const base = { secret: key, now, store, factorId: 'f', attempts };
    expect(await verifyTotpWithStore({ ...base, code: bad })).toMatchObject({ code: 'ERR_OTP_INVALID' });
    expect(await verifyTotpWithStore({ ...base, code: 'abc' })).toMatchObject({
      code: 'ERR_OTP_CODE_MALFORMED',
    });
    expect(await verifyTotpWithStore({ ...base, code: good })).toMatchObject({
      code: 'ERR_OTP_LOCKED_OUT',
      retryAfterSeconds: 60,
    });
    expect(await store.getCounter('f')).toBeUndefined();
  });

  it('validates the policy', async () => {
    const store = new MemoryAttemptStore();
    await expect(limitAttempts({ store, key: 'k', policy: { maxAttempts: 0 } }, now, right)).rejects.toThrow(
      RangeError,
    );
    await expect(
      limitAttempts({ store, key: 'k', policy: { maxAttempts: 1, windowSeconds: -5 } }, now, right),
    ).rejects.toThrow(RangeError);
    await expect(limitAttempts({ store, key: '', policy: { maxAttempts: 1 } }, now, right)).rejects.toThrow(
      TypeError,
    );
  });
});
