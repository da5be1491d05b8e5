/**
 * The store contract: every FactorkitStore (Memory, SQLite, and later Postgres/Redis)
 * must pass this suite. Call `describeStoreContract(name, open)` from a test file; `open`
 * builds a fresh, empty store with the given options.
 */
import { randomBytes } from 'node:crypto';
import {
  type AcceptedOtp,
  type CounterUpdate,
  type CounterUpdateResult,
  type ListPosition,
  matchesFilter,
  type NewYubikeyTokenRecord,
  tokenSortKey,
  type YubikeyTokenFilter,
  type YubikeyTokenRecord,
} from '@factorkit/yubikey';
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialRecord, FactorkitStore, OtpFactorRecord, StoreOptions } from '../src/index.ts';

export type OpenStore = (options?: StoreOptions) => Promise<FactorkitStore>;

const N = 100;

/** Resolves when `n` parties have arrived: makes every verifier read before any writes. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((r) => {
    release = r;
  });
  return async () => {
    arrived += 1;
    if (arrived === n) release();
    await all;
  };
}

export function credential(id: string, userId = 'u1', signCount = 5): CredentialRecord {
  return {
    id,
    userId,
    factor: 'webauthn',
    publicKey: Uint8Array.of(1, 2, 3),
    signCount,
    createdAt: 1000,
    lastUsedAt: null,
    data: { alg: -7, transports: ['usb'], backupEligible: false, backupState: false },
  };
}

export function otpFactor(id: string, counter: number | null = null): OtpFactorRecord {
  return {
    id,
    userId: 'u1',
    type: 'totp',
    secret: Uint8Array.from(Buffer.from('3132333435363738393031323334353637383930', 'hex')),
    params: { algorithm: 'SHA1', digits: 6, period: 30 },
    counter,
    createdAt: 1000,
    lastVerifiedAt: null,
  };
}

const MODHEX = 'cbdefghijklnrtuv';

/** ISO timestamp `n` minutes after a fixed epoch (fixed width, sorts as a string). */
export const iso = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();

export const otpAt = (usageCounter: number, sessionCounter: number): AcceptedOtp => ({
  usageCounter,
  sessionCounter,
  timestamp: usageCounter * 1000 + sessionCounter,
  at: iso(100 + usageCounter * 10 + sessionCounter),
});

export function token(i: number, overrides: Partial<NewYubikeyTokenRecord> = {}): NewYubikeyTokenRecord {
  const publicId = `cccc${i
    .toString(16)
    .padStart(8, '0')
    .split('')
    .map((c) => MODHEX[Number.parseInt(c, 16)])
    .join('')}`;
  return {
    id: `tok-${String(i).padStart(4, '0')}`,
    publicId,
    serial: i % 5 === 4 ? null : String(7_000_000 + i).padStart(12, '0'),
    status: 'UNASSIGNED',
    userId: null,
    created: iso(i % 7),
    lastUpdated: iso(i % 11),
    lastVerified: null,
    activated: null,
    lastOtp: null,
    sealedSecret: Uint8Array.from(randomBytes(45)),
    ...overrides,
  };
}

const list = (s: FactorkitStore, filter: YubikeyTokenFilter): Promise<YubikeyTokenRecord[]> =>
  s.yubikey.list({ filter, sortBy: 'created', sortOrder: 'ASC', limit: 10_000 });

class Crash extends Error {}

export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    const opened: FactorkitStore[] = [];
    const fresh = async (options?: StoreOptions): Promise<FactorkitStore> => {
      const s = await open(options);
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    describe('challenges', () => {
      const challenge = {
        id: 'c1',
        factor: 'webauthn.authentication',
        userId: 'u1',
        origin: 'https://a.example',
        challenge: 'c1',
        expiresAt: 5000,
        data: { allow: ['x'] },
      };

      it('put then consume returns the record once (single use)', async () => {
        const s = await fresh();
        await s.challenges.put(challenge);
        expect(await s.challenges.consume('c1')).toEqual(challenge);
        expect(await s.challenges.consume('c1')).toBeUndefined();
      });

      it('a duplicate id is a conflict and never overwrites (a used challenge cannot be revived)', async () => {
        const s = await fresh();
        await s.challenges.put(challenge);
        await expect(s.challenges.put({ ...challenge, userId: 'attacker' })).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect((await s.challenges.consume('c1'))?.userId).toBe('u1');
      });

      it('consume returns expired records too (the caller reports TIMEOUT); purge removes them', async () => {
        const s = await fresh();
        await s.challenges.put({ ...challenge, id: 'old', expiresAt: 100 });
        await s.challenges.put({ ...challenge, id: 'new', expiresAt: 10_000 });
        expect(await s.challenges.purgeExpired(100)).toBe(1);
        expect(await s.challenges.consume('old')).toBeUndefined();
        expect((await s.challenges.consume('new'))?.expiresAt).toBe(10_000);
      });

      it('challenge data of any JSON shape round-trips (string, array, number, null, nested)', async () => {
        const s = await fresh();
        const shapes = ['text', ['a', 1, true, null, []], 42.5, null, { a: { b: [{}] }, 'x y': '' }] as const;
        for (const [i, data] of shapes.entries()) await s.challenges.put({ ...challenge, id: `d${i}`, data });
        for (const [i, data] of shapes.entries())
          expect((await s.challenges.consume(`d${i}`))?.data).toEqual(data);
      });

      it(`${N} concurrent consumes of one challenge: exactly one gets it`, async () => {
        const s = await fresh();
        await s.challenges.put(challenge);
        const got = await Promise.all(Array.from({ length: N }, () => s.challenges.consume('c1')));
        expect(got.filter((r) => r !== undefined)).toHaveLength(1);
      });
    });

    describe('credentials', () => {
      it('put/get/list/delete, duplicate id is a conflict', async () => {
        const s = await fresh();
        await s.credentials.put(credential('a'));
        await s.credentials.put({ ...credential('b'), createdAt: 2000 });
        await s.credentials.put(credential('z', 'u2'));
        await expect(s.credentials.put(credential('a', 'attacker'))).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect(await s.credentials.get('a')).toEqual(credential('a'));
        expect((await s.credentials.list('u1')).map((c) => c.id)).toEqual(['a', 'b']);
        expect(await s.credentials.delete('a')).toBe(true);
        expect(await s.credentials.delete('a')).toBe(false);
        expect(await s.credentials.get('a')).toBeUndefined();
      });

      it('returned records are copies', async () => {
        const s = await fresh();
        await s.credentials.put(credential('a'));
        const got = await s.credentials.get('a');
        (got?.publicKey as Uint8Array)[0] = 99;
        (got?.data as Record<string, unknown>)['alg'] = 0;
        expect(await s.credentials.get('a')).toEqual(credential('a'));
      });

      it('counter compare-and-set: applies only when the stored signCount is the expected one', async () => {
        const s = await fresh();
        await s.credentials.put(credential('a'));
        expect(await s.credentials.updateCounter('a', 4, 9, { lastUsedAt: 1 })).toBe(false);
        expect(
          await s.credentials.updateCounter('a', 5, 6, { lastUsedAt: 2000, data: { backupState: true } }),
        ).toBe(true);
        const got = await s.credentials.get('a');
        expect(got?.signCount).toBe(6);
        expect(got?.lastUsedAt).toBe(2000);
        expect(got?.data).toEqual({ ...credential('a').data, backupState: true });
        expect(await s.credentials.updateCounter('missing', 0, 1, { lastUsedAt: 1 })).toBe(false);
      });

      it(`${N} concurrent verifications of the same assertion: exactly one succeeds`, async () => {
        const s = await fresh();
        await s.credentials.put(credential('a'));
        await s.challenges.put({
          id: 'ch',
          factor: 'webauthn.authentication',
          userId: 'u1',
          origin: null,
          challenge: 'ch',
          expiresAt: 9e12,
          data: null,
        });
        const arrive = barrier(N);
        // A verifier: read the credential, (verify the signature), then consume the
        // challenge and compare-and-set the counter. Every verifier reads before any writes.
        const verify = async (): Promise<boolean> => {
          const cred = await s.credentials.get('a');
          await arrive();
          if (cred === undefined) return false;
          const ch = await s.challenges.consume('ch');
          if (ch === undefined) return false;
          return s.credentials.updateCounter('a', cred.signCount, 6, { lastUsedAt: 2 });
        };
        const results = await Promise.all(Array.from({ length: N }, verify));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await s.credentials.get('a'))?.signCount).toBe(6);
      });

      it(`${N} concurrent counter updates from one read state (no challenge): exactly one wins`, async () => {
        const s = await fresh();
        await s.credentials.put(credential('a'));
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            const cred = await s.credentials.get('a');
            await arrive();
            return s.credentials.updateCounter('a', cred?.signCount ?? -1, (cred?.signCount ?? 0) + 1, {
              lastUsedAt: 3,
            });
          }),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('OTP factors', () => {
      it('put/get/list/delete with the secret intact', async () => {
        const s = await fresh();
        await s.otp.put(otpFactor('o1'));
        await expect(s.otp.put(otpFactor('o1'))).rejects.toMatchObject({ code: 'ERR_STORE_CONFLICT' });
        expect(await s.otp.get('o1')).toEqual(otpFactor('o1'));
        expect((await s.otp.list('u1')).map((r) => r.id)).toEqual(['o1']);
        expect(await s.otp.delete('o1')).toBe(true);
        expect(await s.otp.get('o1')).toBeUndefined();
      });

      it('advance is monotonic: equal or lower steps are refused (each OTP accepted once)', async () => {
        const s = await fresh();
        await s.otp.put(otpFactor('o1'));
        expect(await s.otp.advanceCounter('o1', 10, 50)).toBe(true);
        expect(await s.otp.advanceCounter('o1', 10, 51)).toBe(false);
        expect(await s.otp.advanceCounter('o1', 9, 52)).toBe(false);
        expect(await s.otp.advanceCounter('o1', 11, 53)).toBe(true);
        const got = await s.otp.get('o1');
        expect(got?.counter).toBe(11);
        expect(got?.lastVerifiedAt).toBe(53);
        expect(await s.otp.advanceCounter('missing', 1, 1)).toBe(false);
      });

      it('advance with params replaces them in the same step; a refused advance leaves them', async () => {
        const s = await fresh();
        await s.otp.put(otpFactor('o1', 10));
        expect(await s.otp.advanceCounter('o1', 10, 1, { driftSteps: 3 })).toBe(false);
        expect((await s.otp.get('o1'))?.params).toEqual(otpFactor('o1').params);
        expect(await s.otp.advanceCounter('o1', 12, 2, { ...otpFactor('o1').params, driftSteps: 3 })).toBe(
          true,
        );
        expect(await s.otp.get('o1')).toMatchObject({ counter: 12, params: { driftSteps: 3, period: 30 } });
      });

      it(`${N} concurrent verifications of the same OTP: exactly one succeeds`, async () => {
        const s = await fresh();
        await s.otp.put(otpFactor('o1', 41));
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            const f = await s.otp.get('o1');
            await arrive();
            const matchedStep = 42; // every verifier matched the same code's step
            if (f === undefined || (f.counter !== null && matchedStep <= f.counter)) return false;
            return s.otp.advanceCounter('o1', matchedStep, 1);
          }),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('YubiKey token registry (YubikeyStore contract of @factorkit/yubikey)', () => {
      it('insertMany, get by id and publicId, sealed secret returned as stored', async () => {
        const s = await fresh();
        const t = token(1);
        expect(await s.yubikey.insertMany([t])).toEqual({ ok: true, inserted: 1 });
        const { sealedSecret, ...record } = t;
        expect(await s.yubikey.getById(t.id)).toEqual(record);
        expect(await s.yubikey.getByPublicId(t.publicId)).toEqual(record);
        expect(await s.yubikey.getById(t.id)).not.toHaveProperty('sealedSecret');
        expect(await s.yubikey.getSealedSecret(t.id)).toEqual(sealedSecret);
        expect(await s.yubikey.getSealedSecret('missing')).toBeUndefined();
      });

      it('a batch with a duplicate publicId or id (in batch or in store) inserts nothing', async () => {
        const s = await fresh();
        await s.yubikey.insertMany([token(1)]);
        const r1 = await s.yubikey.insertMany([token(2), token(3), token(1, { id: 'other' })]);
        expect(r1).toEqual({ ok: false, conflicts: [token(1).publicId] });
        const r2 = await s.yubikey.insertMany([token(4), token(4, { id: 'dup' })]);
        expect(r2.ok).toBe(false);
        const r3 = await s.yubikey.insertMany([token(5, { id: token(1).id })]);
        expect(r3).toEqual({ ok: false, conflicts: [token(1).id] });
        expect((await list(s, {})).map((t) => t.id)).toEqual([token(1).id]);
      });

      it('a tombstone (REVOKED/DELETED) is replaced on re-upload and keeps its replay floor', async () => {
        const s = await fresh();
        const t = token(1);
        await s.yubikey.insertMany([t]);
        await s.yubikey.compareAndSetCounter({
          id: t.id,
          next: otpAt(5, 3),
          expectStatus: 'UNASSIGNED',
          expectUserId: null,
        });
        const revoked = await s.yubikey.updateStatus({
          id: t.id,
          expectStatus: ['UNASSIGNED'],
          status: 'REVOKED',
          userId: null,
          at: iso(3),
          clearSecret: true,
        });
        expect(revoked.ok).toBe(true);
        expect(await s.yubikey.getSealedSecret(t.id)).toBeUndefined();
        const again = token(1, { id: 'tok-new' });
        expect(await s.yubikey.insertMany([again])).toEqual({ ok: true, inserted: 1 });
        expect(await s.yubikey.getById(t.id)).toBeUndefined();
        const now = await s.yubikey.getByPublicId(t.publicId);
        expect(now?.id).toBe('tok-new');
        expect([now?.lastOtp?.usageCounter, now?.lastOtp?.sessionCounter]).toEqual([5, 3]);
      });

      it('filter, sort and keyset pagination walk every match exactly once, in order', async () => {
        const s = await fresh();
        const all = Array.from({ length: 45 }, (_, i) =>
          token(
            i,
            i % 3 === 0
              ? {
                  status: 'ACTIVE',
                  userId: `user${i % 2}`,
                  activated: iso(40 + i),
                  lastVerified: iso(50 + i),
                }
              : {},
          ),
        );
        expect((await s.yubikey.insertMany(all)).ok).toBe(true);
        const fields = [
          'created',
          'lastUpdated',
          'lastVerified',
          'activated',
          'status',
          'profile.serial',
          'user.id',
        ] as const;
        for (const sortOrder of ['ASC', 'DESC'] as const) {
          for (const sortBy of fields) {
            const seen: YubikeyTokenRecord[] = [];
            let after: ListPosition | undefined;
            for (;;) {
              const page = await s.yubikey.list({
                filter: {},
                sortBy,
                sortOrder,
                limit: 7,
                ...(after === undefined ? {} : { after }),
              });
              expect(page.length).toBeLessThanOrEqual(7);
              seen.push(...page);
              const last = page.at(-1);
              if (page.length < 7 || last === undefined) break;
              after = { key: tokenSortKey(last, sortBy), id: last.id };
            }
            expect(new Set(seen.map((t) => t.id)).size).toBe(45);
            const keys = seen.map((t) => [tokenSortKey(t, sortBy), t.id] as const);
            const sorted = [...keys].sort((a, b) =>
              a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1,
            );
            expect(keys).toEqual(sortOrder === 'ASC' ? sorted : sorted.reverse());
          }
        }
        const check = async (filter: YubikeyTokenFilter): Promise<void> => {
          const expected = all
            .filter((t) => matchesFilter(t, filter))
            .map((t) => t.id)
            .sort();
          expect((await list(s, filter)).map((t) => t.id).sort()).toEqual(expected);
          expect(expected.length).toBeGreaterThan(0);
        };
        await check({ status: ['ACTIVE'] });
        await check({ status: ['ACTIVE', 'UNASSIGNED'] });
        await check({ userId: 'user1' });
        await check({ userId: null });
        await check({ serial: all[3]?.serial as string });
        await check({ created: { after: iso(2), before: iso(5) } });
        await check({ lastVerified: { after: iso(70) } });
        await check({ activated: { before: iso(60) }, status: ['ACTIVE'] });
        expect(await list(s, { status: [] })).toEqual([]);
      });

      it('compareAndSetCounter: strictly increasing (usage, session), status/user preconditions, enrollment binding', async () => {
        const s = await fresh();
        const t = token(1);
        await s.yubikey.insertMany([t]);
        const cas = (
          u: number,
          se: number,
          extra: Partial<CounterUpdate> = {},
        ): Promise<CounterUpdateResult> =>
          s.yubikey.compareAndSetCounter({
            id: t.id,
            next: otpAt(u, se),
            expectStatus: 'UNASSIGNED',
            expectUserId: null,
            ...extra,
          });
        expect((await cas(3, 5)).ok).toBe(true);
        expect(await cas(3, 5)).toEqual({ ok: false, reason: 'REPLAYED' });
        expect(await cas(3, 4)).toEqual({ ok: false, reason: 'REPLAYED' });
        expect(await cas(2, 200)).toEqual({ ok: false, reason: 'REPLAYED' });
        expect(await cas(3, 6, { expectStatus: 'ACTIVE' })).toEqual({ ok: false, reason: 'STATE_CHANGED' });
        expect(await cas(3, 6, { expectUserId: 'u' })).toEqual({ ok: false, reason: 'STATE_CHANGED' });
        expect(
          await s.yubikey.compareAndSetCounter({
            id: 'nope',
            next: otpAt(9, 9),
            expectStatus: 'UNASSIGNED',
            expectUserId: null,
          }),
        ).toEqual({ ok: false, reason: 'NOT_FOUND' });
        const enrolled = await cas(4, 0, { assignUserId: 'alice' });
        expect(enrolled).toMatchObject({
          ok: true,
          record: {
            status: 'ACTIVE',
            userId: 'alice',
            activated: otpAt(4, 0).at,
            lastVerified: otpAt(4, 0).at,
          },
        });
        const got = await s.yubikey.getById(t.id);
        expect(got?.lastOtp).toEqual(otpAt(4, 0));
        expect([got?.status, got?.userId]).toEqual(['ACTIVE', 'alice']);
      });

      it(`${N} concurrent verifications of the same Yubico OTP: exactly one succeeds`, async () => {
        const s = await fresh();
        const t = token(1, { status: 'ACTIVE', userId: 'alice', lastOtp: otpAt(1, 0) });
        await s.yubikey.insertMany([t]);
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            const rec = await s.yubikey.getByPublicId(t.publicId);
            await arrive();
            return s.yubikey.compareAndSetCounter({
              id: rec?.id ?? '',
              next: otpAt(1, 1),
              expectStatus: 'ACTIVE',
              expectUserId: 'alice',
            });
          }),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.reason === 'REPLAYED')).toHaveLength(N - 1);
      });

      it(`${N} users racing to enroll one token: exactly one binds it`, async () => {
        const s = await fresh();
        const t = token(1);
        await s.yubikey.insertMany([t]);
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            s.yubikey.compareAndSetCounter({
              id: t.id,
              next: otpAt(1, i),
              expectStatus: 'UNASSIGNED',
              expectUserId: null,
              assignUserId: `user${i}`,
            }),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        // Which user wins depends on arrival order at the server; the binding is the winner's.
        const winner = results.findIndex((r) => r.ok);
        expect((await s.yubikey.getById(t.id))?.userId).toBe(`user${winner}`);
      });

      it('updateStatus is conditional on the current status; delete purges', async () => {
        const s = await fresh();
        const t = token(1);
        await s.yubikey.insertMany([t]);
        expect(
          await s.yubikey.updateStatus({
            id: t.id,
            expectStatus: ['ACTIVE'],
            status: 'BLOCKED',
            userId: null,
            at: iso(9),
          }),
        ).toEqual({ ok: false, reason: 'STATE_CHANGED' });
        expect(
          await s.yubikey.updateStatus({
            id: 'x',
            expectStatus: ['ACTIVE'],
            status: 'BLOCKED',
            userId: null,
            at: iso(9),
          }),
        ).toEqual({ ok: false, reason: 'NOT_FOUND' });
        const r = await s.yubikey.updateStatus({
          id: t.id,
          expectStatus: ['UNASSIGNED'],
          status: 'ACTIVE',
          userId: 'bob',
          at: iso(9),
        });
        expect(r).toMatchObject({
          ok: true,
          record: { status: 'ACTIVE', userId: 'bob', activated: iso(9), lastUpdated: iso(9) },
        });
        expect(await s.yubikey.getById(t.id)).toMatchObject({
          status: 'ACTIVE',
          userId: 'bob',
          activated: iso(9),
        });
        expect(await s.yubikey.getSealedSecret(t.id)).toEqual(t.sealedSecret);
        expect(await s.yubikey.delete(t.id)).toBe(true);
        expect(await s.yubikey.delete(t.id)).toBe(false);
        expect(await s.yubikey.getByPublicId(t.publicId)).toBeUndefined();
        expect((await s.yubikey.insertMany([t])).ok).toBe(true);
      });
    });
    describe('attempt counters', () => {
      it(`${N} concurrent failures are all counted; the window expires; reset clears`, async () => {
        const s = await fresh();
        await Promise.all(Array.from({ length: N }, () => s.attempts.record('k', 1000, 60_000)));
        expect(await s.attempts.get('k', 1001, 60_000)).toEqual({ count: N, windowStartedAt: 1000 });
        expect(await s.attempts.get('k', 61_000, 60_000)).toEqual({ count: 0, windowStartedAt: 61_000 });
        expect(await s.attempts.record('k', 61_000, 60_000)).toEqual({ count: 1, windowStartedAt: 61_000 });
        await s.attempts.reset('k');
        expect((await s.attempts.get('k', 61_001, 60_000)).count).toBe(0);
      });
    });

    describe('a crash mid-operation leaves no half-written state', () => {
      let crashing: readonly string[] = [];
      afterEach(() => {
        crashing = [];
      });
      const crashy = (): Promise<FactorkitStore> =>
        fresh({
          beforeCommit: (op) => {
            if (crashing.includes(op)) throw new Crash(op);
          },
        });

      it('yubikey.insertMany (batch of 3) → none inserted', async () => {
        const s = await crashy();
        crashing = ['yubikey.insertMany'];
        await expect(s.yubikey.insertMany([token(1), token(2), token(3)])).rejects.toBeInstanceOf(Crash);
        crashing = [];
        expect(await list(s, {})).toHaveLength(0);
        expect((await s.yubikey.insertMany([token(1), token(2), token(3)])).ok).toBe(true);
      });

      it('challenges.consume → the challenge is still there', async () => {
        const s = await crashy();
        await s.challenges.put({
          id: 'c',
          factor: 'u2f.sign',
          userId: null,
          origin: null,
          challenge: 'c',
          expiresAt: 1,
          data: null,
        });
        crashing = ['challenges.consume'];
        await expect(s.challenges.consume('c')).rejects.toBeInstanceOf(Crash);
        crashing = [];
        expect(await s.challenges.consume('c')).toBeDefined();
      });

      it('credentials.updateCounter → counter and data unchanged', async () => {
        const s = await crashy();
        await s.credentials.put(credential('a'));
        crashing = ['credentials.updateCounter'];
        await expect(
          s.credentials.updateCounter('a', 5, 6, { lastUsedAt: 9, data: { backupState: true } }),
        ).rejects.toBeInstanceOf(Crash);
        crashing = [];
        expect(await s.credentials.get('a')).toEqual(credential('a'));
      });

      it('otp.advanceCounter, yubikey.compareAndSetCounter (enrollment), yubikey.updateStatus, attempts.record → unchanged', async () => {
        const s = await crashy();
        await s.otp.put(otpFactor('o1', 5));
        const t = token(1);
        await s.yubikey.insertMany([t]);
        crashing = [
          'otp.advanceCounter',
          'yubikey.compareAndSetCounter',
          'yubikey.updateStatus',
          'attempts.record',
        ];
        await expect(s.otp.advanceCounter('o1', 6, 1, { driftSteps: 2 })).rejects.toBeInstanceOf(Crash);
        await expect(
          s.yubikey.compareAndSetCounter({
            id: t.id,
            next: otpAt(1, 0),
            expectStatus: 'UNASSIGNED',
            expectUserId: null,
            assignUserId: 'u',
          }),
        ).rejects.toBeInstanceOf(Crash);
        await expect(
          s.yubikey.updateStatus({
            id: t.id,
            expectStatus: ['UNASSIGNED'],
            status: 'REVOKED',
            userId: null,
            at: iso(9),
            clearSecret: true,
          }),
        ).rejects.toBeInstanceOf(Crash);
        await expect(s.attempts.record('k', 1, 10)).rejects.toBeInstanceOf(Crash);
        crashing = [];
        expect(await s.otp.get('o1')).toEqual(otpFactor('o1', 5));
        const { sealedSecret, ...record } = t;
        expect(await s.yubikey.getById(t.id)).toEqual(record);
        expect(await s.yubikey.getSealedSecret(t.id)).toEqual(sealedSecret);
        expect((await s.attempts.get('k', 1, 10)).count).toBe(0);
      });
    });
  });
}
