/**
 * The store contract: every FactorkitStore (Memory, SQLite, and later Postgres/Redis)
 * must pass this suite. Call `describeStoreContract(name, open)` from a test file; `open`
 * builds a fresh, empty store with the given options.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CredentialRecord,
  createAesGcmSealer,
  type FactorkitStore,
  type OtpFactorRecord,
  type StoreOptions,
  type YubikeyTokenRecord,
} from '../src/index.ts';

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
export function token(i: number, overrides: Partial<YubikeyTokenRecord> = {}): YubikeyTokenRecord {
  const publicId = `cccc${i
    .toString(16)
    .padStart(8, '0')
    .split('')
    .map((c) => MODHEX[Number.parseInt(c, 16)])
    .join('')}`;
  return {
    id: `tok-${String(i).padStart(4, '0')}`,
    publicId,
    serial: String(7_000_000 + i).padStart(12, '0'),
    status: 'UNASSIGNED',
    userId: null,
    created: 10_000 + (i % 7) * 100,
    lastUpdated: 10_000,
    lastVerified: null,
    usageCounter: null,
    sessionCounter: null,
    timestamp: null,
    privateId: Uint8Array.from(randomBytes(6)),
    aesKey: Uint8Array.from(randomBytes(16)),
    ...overrides,
  };
}

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
        await s.putChallenge(challenge);
        expect(await s.consumeChallenge('c1')).toEqual(challenge);
        expect(await s.consumeChallenge('c1')).toBeUndefined();
      });

      it('a duplicate id is a conflict and never overwrites (a used challenge cannot be revived)', async () => {
        const s = await fresh();
        await s.putChallenge(challenge);
        await expect(s.putChallenge({ ...challenge, userId: 'attacker' })).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect((await s.consumeChallenge('c1'))?.userId).toBe('u1');
      });

      it('consume returns expired records too (the caller reports TIMEOUT); purge removes them', async () => {
        const s = await fresh();
        await s.putChallenge({ ...challenge, id: 'old', expiresAt: 100 });
        await s.putChallenge({ ...challenge, id: 'new', expiresAt: 10_000 });
        expect(await s.purgeExpiredChallenges(100)).toBe(1);
        expect(await s.consumeChallenge('old')).toBeUndefined();
        expect((await s.consumeChallenge('new'))?.expiresAt).toBe(10_000);
      });

      it(`${N} concurrent consumes of one challenge: exactly one gets it`, async () => {
        const s = await fresh();
        await s.putChallenge(challenge);
        const got = await Promise.all(Array.from({ length: N }, () => s.consumeChallenge('c1')));
        expect(got.filter((r) => r !== undefined)).toHaveLength(1);
      });
    });

    describe('credentials', () => {
      it('put/get/list/delete, duplicate id is a conflict', async () => {
        const s = await fresh();
        await s.putCredential(credential('a'));
        await s.putCredential({ ...credential('b'), createdAt: 2000 });
        await s.putCredential(credential('z', 'u2'));
        await expect(s.putCredential(credential('a', 'attacker'))).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect(await s.getCredential('a')).toEqual(credential('a'));
        expect((await s.listCredentials('u1')).map((c) => c.id)).toEqual(['a', 'b']);
        expect(await s.deleteCredential('a')).toBe(true);
        expect(await s.deleteCredential('a')).toBe(false);
        expect(await s.getCredential('a')).toBeUndefined();
      });

      it('returned records are copies', async () => {
        const s = await fresh();
        await s.putCredential(credential('a'));
        const got = await s.getCredential('a');
        (got?.publicKey as Uint8Array)[0] = 99;
        (got?.data as Record<string, unknown>)['alg'] = 0;
        expect(await s.getCredential('a')).toEqual(credential('a'));
      });

      it('counter compare-and-set: applies only when the stored signCount is the expected one', async () => {
        const s = await fresh();
        await s.putCredential(credential('a'));
        expect(await s.updateCredentialCounter('a', 4, 9, { lastUsedAt: 1 })).toBe(false);
        expect(
          await s.updateCredentialCounter('a', 5, 6, { lastUsedAt: 2000, data: { backupState: true } }),
        ).toBe(true);
        const got = await s.getCredential('a');
        expect(got?.signCount).toBe(6);
        expect(got?.lastUsedAt).toBe(2000);
        expect(got?.data).toEqual({ ...credential('a').data, backupState: true });
        expect(await s.updateCredentialCounter('missing', 0, 1, { lastUsedAt: 1 })).toBe(false);
      });

      it(`${N} concurrent verifications of the same assertion: exactly one succeeds`, async () => {
        const s = await fresh();
        await s.putCredential(credential('a'));
        await s.putChallenge({
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
          const cred = await s.getCredential('a');
          await arrive();
          if (cred === undefined) return false;
          const ch = await s.consumeChallenge('ch');
          if (ch === undefined) return false;
          return s.updateCredentialCounter('a', cred.signCount, 6, { lastUsedAt: 2 });
        };
        const results = await Promise.all(Array.from({ length: N }, verify));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await s.getCredential('a'))?.signCount).toBe(6);
      });

      it(`${N} concurrent counter updates from one read state (no challenge): exactly one wins`, async () => {
        const s = await fresh();
        await s.putCredential(credential('a'));
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            const cred = await s.getCredential('a');
            await arrive();
            return s.updateCredentialCounter('a', cred?.signCount ?? -1, (cred?.signCount ?? 0) + 1, {
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
        await s.putOtpFactor(otpFactor('o1'));
        await expect(s.putOtpFactor(otpFactor('o1'))).rejects.toMatchObject({ code: 'ERR_STORE_CONFLICT' });
        expect(await s.getOtpFactor('o1')).toEqual(otpFactor('o1'));
        expect((await s.listOtpFactors('u1')).map((r) => r.id)).toEqual(['o1']);
        expect(await s.deleteOtpFactor('o1')).toBe(true);
        expect(await s.getOtpFactor('o1')).toBeUndefined();
      });

      it('advance is monotonic: equal or lower steps are refused (each OTP accepted once)', async () => {
        const s = await fresh();
        await s.putOtpFactor(otpFactor('o1'));
        expect(await s.advanceOtpCounter('o1', 10, 50)).toBe(true);
        expect(await s.advanceOtpCounter('o1', 10, 51)).toBe(false);
        expect(await s.advanceOtpCounter('o1', 9, 52)).toBe(false);
        expect(await s.advanceOtpCounter('o1', 11, 53)).toBe(true);
        const got = await s.getOtpFactor('o1');
        expect(got?.counter).toBe(11);
        expect(got?.lastVerifiedAt).toBe(53);
        expect(await s.advanceOtpCounter('missing', 1, 1)).toBe(false);
      });

      it(`${N} concurrent verifications of the same OTP: exactly one succeeds`, async () => {
        const s = await fresh();
        await s.putOtpFactor(otpFactor('o1', 41));
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            const f = await s.getOtpFactor('o1');
            await arrive();
            const matchedStep = 42; // every verifier matched the same code's step
            if (f === undefined || (f.counter !== null && matchedStep <= f.counter)) return false;
            return s.advanceOtpCounter('o1', matchedStep, 1);
          }),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('YubiKey token registry', () => {
      it('put, get by id and publicId with secrets; list never returns secrets', async () => {
        const s = await fresh();
        const t = token(1);
        await s.putYubikeyTokens([t]);
        expect(await s.getYubikeyToken(t.id)).toEqual(t);
        expect(await s.getYubikeyTokenByPublicId(t.publicId)).toEqual(t);
        const page = await s.listYubikeyTokens();
        expect(page.items).toHaveLength(1);
        expect(page.items[0]).not.toHaveProperty('aesKey');
        expect(page.items[0]).not.toHaveProperty('privateId');
        expect(page.after).toBeUndefined();
      });

      it('a batch with a duplicate publicId (in batch or in store) inserts nothing', async () => {
        const s = await fresh();
        await s.putYubikeyTokens([token(1)]);
        await expect(
          s.putYubikeyTokens([token(2), token(3), token(1, { id: 'other' })]),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        await expect(s.putYubikeyTokens([token(4), token(4, { id: 'dup' })])).rejects.toMatchObject({
          code: 'ERR_STORE_CONFLICT',
        });
        expect((await s.listYubikeyTokens()).items.map((t) => t.id)).toEqual([token(1).id]);
      });

      it('filter, sort and cursor pagination walk every match exactly once', async () => {
        const s = await fresh();
        const all = Array.from({ length: 45 }, (_, i) =>
          token(i, i % 3 === 0 ? { status: 'ACTIVE', userId: `user${i % 2}`, lastVerified: 50_000 + i } : {}),
        );
        await s.putYubikeyTokens(all);
        for (const sortOrder of ['ASC', 'DESC'] as const) {
          for (const sortBy of ['created', 'serial', 'status', 'lastVerified', 'userId'] as const) {
            const seen: string[] = [];
            let after: string | undefined;
            do {
              const page = await s.listYubikeyTokens({
                sortBy,
                sortOrder,
                limit: 7,
                ...(after === undefined ? {} : { after }),
              });
              expect(page.items.length).toBeLessThanOrEqual(7);
              seen.push(...page.items.map((t) => t.id));
              after = page.after;
            } while (after !== undefined);
            expect(seen).toHaveLength(45);
            expect(new Set(seen).size).toBe(45);
          }
        }
        const created = await s.listYubikeyTokens({ sortBy: 'created', sortOrder: 'DESC', limit: 200 });
        const keys = created.items.map((t) => t.created);
        expect(keys).toEqual([...keys].sort((a, b) => b - a));
        const active = await s.listYubikeyTokens({ filter: { status: 'ACTIVE' }, limit: 200 });
        expect(active.items).toHaveLength(15);
        expect(
          (await s.listYubikeyTokens({ filter: { status: ['ACTIVE', 'UNASSIGNED'] }, limit: 200 })).items,
        ).toHaveLength(45);
        expect(
          (await s.listYubikeyTokens({ filter: { userId: 'user1' }, limit: 200 })).items.every(
            (t) => t.userId === 'user1',
          ),
        ).toBe(true);
        expect(
          (await s.listYubikeyTokens({ filter: { serial: all[4]?.serial as string } })).items.map(
            (t) => t.id,
          ),
        ).toEqual([all[4]?.id]);
        expect(
          (
            await s.listYubikeyTokens({ filter: { createdFrom: 10_300, createdTo: 10_400 }, limit: 200 })
          ).items.every((t) => t.created === 10_300),
        ).toBe(true);
        expect(
          (
            await s.listYubikeyTokens({
              filter: { lastVerifiedFrom: 50_030 },
              sortBy: 'lastVerified',
              limit: 200,
            })
          ).items.map((t) => t.lastVerified),
        ).toEqual([50_030, 50_033, 50_036, 50_039, 50_042]);
      });

      it('limits and cursors are validated', async () => {
        const s = await fresh();
        await expect(s.listYubikeyTokens({ limit: 201 })).rejects.toBeInstanceOf(RangeError);
        await expect(s.listYubikeyTokens({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(s.listYubikeyTokens({ after: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'ERR_STORE_QUERY',
        });
        await s.putYubikeyTokens([token(1), token(2)]);
        const page = await s.listYubikeyTokens({ limit: 1 });
        await expect(
          s.listYubikeyTokens({ limit: 1, sortBy: 'serial', after: page.after as string }),
        ).rejects.toMatchObject({
          code: 'ERR_STORE_QUERY',
        });
      });

      it('update is a compare-and-set on status and user (two users racing to enroll: one wins)', async () => {
        const s = await fresh();
        const t = token(1);
        await s.putYubikeyTokens([t]);
        const enroll = (userId: string): Promise<boolean> =>
          s.updateYubikeyToken(
            t.id,
            { status: 'UNASSIGNED', userId: null },
            { status: 'ACTIVE', userId, lastUpdated: 2 },
          );
        const results = await Promise.all(Array.from({ length: N }, (_, i) => enroll(`user${i}`)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const got = await s.getYubikeyToken(t.id);
        expect(got?.status).toBe('ACTIVE');
        expect(got?.userId).toBe(`user${results.indexOf(true)}`);
        expect(
          await s.updateYubikeyToken(
            t.id,
            { status: 'ACTIVE' },
            { status: 'UNASSIGNED', userId: null, lastUpdated: 3 },
          ),
        ).toBe(true);
        expect((await s.getYubikeyToken(t.id))?.userId).toBeNull();
        expect(await s.deleteYubikeyToken(t.id)).toBe(true);
        expect(await s.getYubikeyTokenByPublicId(t.publicId)).toBeUndefined();
        // the publicId is free again after a delete
        await s.putYubikeyTokens([t]);
      });

      it('Yubico counters advance only lexicographically upward (usage, session)', async () => {
        const s = await fresh();
        const t = token(1);
        await s.putYubikeyTokens([t]);
        const adv = (usageCounter: number, sessionCounter: number): Promise<boolean> =>
          s.advanceYubicoCounters(t.id, { usageCounter, sessionCounter, timestamp: 7, now: 99 });
        expect(await adv(3, 5)).toBe(true);
        expect(await adv(3, 5)).toBe(false); // replay
        expect(await adv(3, 4)).toBe(false); // older press in the session
        expect(await adv(2, 200)).toBe(false); // older power-up
        expect(await adv(3, 6)).toBe(true);
        expect(await adv(4, 0)).toBe(true);
        const got = await s.getYubikeyToken(t.id);
        expect([got?.usageCounter, got?.sessionCounter, got?.timestamp, got?.lastVerified]).toEqual([
          4, 0, 7, 99,
        ]);
      });

      it(`${N} concurrent verifications of the same Yubico OTP: exactly one succeeds`, async () => {
        const s = await fresh();
        const t = token(1, { usageCounter: 1, sessionCounter: 0 });
        await s.putYubikeyTokens([t]);
        const arrive = barrier(N);
        const results = await Promise.all(
          Array.from({ length: N }, async () => {
            await s.getYubikeyTokenByPublicId(t.publicId);
            await arrive();
            return s.advanceYubicoCounters(t.id, {
              usageCounter: 1,
              sessionCounter: 1,
              timestamp: 1,
              now: 1,
            });
          }),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('attempt counters', () => {
      it(`${N} concurrent failures are all counted; the window expires; reset clears`, async () => {
        const s = await fresh();
        await Promise.all(Array.from({ length: N }, () => s.recordAttempt('k', 1000, 60_000)));
        expect(await s.getAttempts('k', 1001, 60_000)).toEqual({ count: N, windowStartedAt: 1000 });
        expect(await s.getAttempts('k', 61_000, 60_000)).toEqual({ count: 0, windowStartedAt: 61_000 });
        expect(await s.recordAttempt('k', 61_000, 60_000)).toEqual({ count: 1, windowStartedAt: 61_000 });
        await s.resetAttempts('k');
        expect((await s.getAttempts('k', 61_001, 60_000)).count).toBe(0);
      });
    });

    describe('a crash mid-operation leaves no half-written state', () => {
      const crashOn = (op: string): StoreOptions => ({
        beforeCommit: (name) => {
          if (name === op && crashing) throw new Crash(op);
        },
      });
      let crashing = false;
      afterEach(() => {
        crashing = false;
      });

      it('putYubikeyTokens (batch of 3) → none inserted', async () => {
        const s = await fresh(crashOn('putYubikeyTokens'));
        crashing = true;
        await expect(s.putYubikeyTokens([token(1), token(2), token(3)])).rejects.toBeInstanceOf(Crash);
        crashing = false;
        expect((await s.listYubikeyTokens()).items).toHaveLength(0);
        await s.putYubikeyTokens([token(1), token(2), token(3)]); // ids and publicIds are still free
      });

      it('consumeChallenge → the challenge is still there', async () => {
        const s = await fresh(crashOn('consumeChallenge'));
        await s.putChallenge({
          id: 'c',
          factor: 'u2f.sign',
          userId: null,
          origin: null,
          challenge: 'c',
          expiresAt: 1,
          data: null,
        });
        crashing = true;
        await expect(s.consumeChallenge('c')).rejects.toBeInstanceOf(Crash);
        crashing = false;
        expect(await s.consumeChallenge('c')).toBeDefined();
      });

      it('updateCredentialCounter → counter and data unchanged', async () => {
        const s = await fresh(crashOn('updateCredentialCounter'));
        await s.putCredential(credential('a'));
        crashing = true;
        await expect(
          s.updateCredentialCounter('a', 5, 6, { lastUsedAt: 9, data: { backupState: true } }),
        ).rejects.toBeInstanceOf(Crash);
        crashing = false;
        expect(await s.getCredential('a')).toEqual(credential('a'));
      });

      it('advanceOtpCounter, advanceYubicoCounters, updateYubikeyToken, recordAttempt → unchanged', async () => {
        const ops = ['advanceOtpCounter', 'advanceYubicoCounters', 'updateYubikeyToken', 'recordAttempt'];
        const s = await fresh({
          beforeCommit: (name) => {
            if (crashing && ops.includes(name)) throw new Crash(name);
          },
        });
        await s.putOtpFactor(otpFactor('o1', 5));
        await s.putYubikeyTokens([token(1)]);
        crashing = true;
        await expect(s.advanceOtpCounter('o1', 6, 1)).rejects.toBeInstanceOf(Crash);
        await expect(
          s.advanceYubicoCounters(token(1).id, { usageCounter: 1, sessionCounter: 0, timestamp: 0, now: 1 }),
        ).rejects.toBeInstanceOf(Crash);
        await expect(
          s.updateYubikeyToken(token(1).id, {}, { status: 'ACTIVE', userId: 'u', lastUpdated: 2 }),
        ).rejects.toBeInstanceOf(Crash);
        await expect(s.recordAttempt('k', 1, 10)).rejects.toBeInstanceOf(Crash);
        crashing = false;
        expect((await s.getOtpFactor('o1'))?.counter).toBe(5);
        const t = await s.getYubikeyToken(token(1).id);
        expect([t?.usageCounter, t?.sessionCounter, t?.status, t?.userId, t?.lastVerified]).toEqual([
          null,
          null,
          'UNASSIGNED',
          null,
          null,
        ]);
        expect((await s.getAttempts('k', 1, 10)).count).toBe(0);
      });

      it('a sealer failure on the third token of a batch → none inserted', async () => {
        const sealer = createAesGcmSealer(new Uint8Array(32).fill(7));
        let sealed = 0;
        const s = await fresh({
          sealer: {
            seal: (p, c) => {
              sealed += 1;
              if (sealed === 5) throw new Crash('kms down');
              return sealer.seal(p, c);
            },
            open: (p, c) => sealer.open(p, c),
          },
        });
        await expect(s.putYubikeyTokens([token(1), token(2), token(3)])).rejects.toBeInstanceOf(Crash);
        expect((await s.listYubikeyTokens()).items).toHaveLength(0);
      });
    });

    describe('secrets at rest', () => {
      it('with a sealer, secrets round-trip through seal/open bound to their record', async () => {
        const kek = new Uint8Array(32).fill(3);
        const sealer = createAesGcmSealer(kek);
        const contexts: string[] = [];
        const s = await fresh({
          sealer: {
            seal: (p, c) => {
              contexts.push(c);
              return sealer.seal(p, c);
            },
            open: (p, c) => sealer.open(p, c),
          },
        });
        const t = token(1);
        await s.putYubikeyTokens([t]);
        await s.putOtpFactor(otpFactor('o1'));
        expect(await s.getYubikeyToken(t.id)).toEqual(t);
        expect(await s.getOtpFactor('o1')).toEqual(otpFactor('o1'));
        expect(contexts.sort()).toEqual([
          `otp:o1:secret`,
          `yubikey:${t.id}:aesKey`,
          `yubikey:${t.id}:privateId`,
        ]);
      });
    });
  });
}
