import { beforeEach, describe, expect, it } from 'vitest';
import {
  createRegisterRequest,
  createSignRequest,
  finishRegistration,
  finishSign,
  MemoryU2fChallengeStore,
  type U2fChallengeRecord,
  type U2fChallengeStore,
  type U2fCredential,
  U2fError,
} from '../src/index.ts';
import { SoftU2fToken } from './helpers/soft-token.ts';

const appId = 'https://foo.example.com/u2f/app-id.json';
const facetId = 'https://foo.example.com';
const userId = 'user-1';
const t0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

const codeOf = (r: { verified: boolean }) => (r as { code?: string }).code;

let store: MemoryU2fChallengeStore;
let token: SoftU2fToken;

beforeEach(async () => {
  store = new MemoryU2fChallengeStore();
  token = await SoftU2fToken.create();
});

async function enrol(): Promise<U2fCredential> {
  const request = await createRegisterRequest({ store, appId, facetId, userId, now: t0 });
  const challenge = request.registerRequests[0].challenge;
  const { response } = await token.register({ appId, challenge, origin: facetId });
  const result = await finishRegistration({ store, response, userId, now: later(5) });
  if (!result.verified) throw new Error(result.code);
  return result.registration;
}

describe('origin-bound challenges', () => {
  it('register then sign: the happy path, JS API request shapes', async () => {
    const request = await createRegisterRequest({
      store,
      appId,
      facetId,
      userId,
      now: t0,
      timeoutSeconds: 60,
    });
    expect(request).toMatchObject({ appId, registeredKeys: [], timeoutSeconds: 60 });
    expect(request.registerRequests[0].version).toBe('U2F_V2');
    expect(Buffer.from(request.registerRequests[0].challenge, 'base64url')).toHaveLength(32);
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
    });
    const reg = await finishRegistration({ store, response, userId, now: later(10) });
    expect(reg.verified).toBe(true);
    if (!reg.verified) return;
    const sign = await createSignRequest({
      store,
      appId,
      facetId,
      userId,
      registeredKeys: [reg.registration],
      now: t0,
    });
    expect(sign.registeredKeys).toEqual([{ version: 'U2F_V2', keyHandle: reg.registration.keyHandle }]);
    const signResponse = token.sign({
      appId,
      challenge: sign.challenge,
      origin: facetId,
      keyHandle: reg.registration.keyHandle,
    });
    const auth = await finishSign({
      store,
      response: signResponse,
      userId,
      credentials: [reg.registration],
      now: later(3),
    });
    expect(auth.verified && auth.counter).toBe(1);
    expect(store.size).toBe(0);
  });

  it('two requests get different challenges', async () => {
    const a = await createRegisterRequest({ store, appId, facetId, userId });
    const b = await createRegisterRequest({ store, appId, facetId, userId });
    expect(a.registerRequests[0].challenge).not.toBe(b.registerRequests[0].challenge);
  });

  it('expired challenge → ERR_CHALLENGE_EXPIRED (the JS API TIMEOUT), and it stays consumed', async () => {
    const request = await createRegisterRequest({
      store,
      appId,
      facetId,
      userId,
      now: t0,
      timeoutSeconds: 20,
    });
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
    });
    expect(codeOf(await finishRegistration({ store, response, userId, now: later(20) }))).toBe(
      'ERR_CHALLENGE_EXPIRED',
    );
    expect(codeOf(await finishRegistration({ store, response, userId, now: later(1) }))).toBe(
      'ERR_CHALLENGE_UNKNOWN',
    );
    // One millisecond before expiry is still in time.
    const r2 = await createRegisterRequest({ store, appId, facetId, userId, now: t0, timeoutSeconds: 20 });
    const { response: resp2 } = await token.register({
      appId,
      challenge: r2.registerRequests[0].challenge,
      origin: facetId,
    });
    expect(
      (await finishRegistration({ store, response: resp2, userId, now: new Date(t0.getTime() + 19_999) }))
        .verified,
    ).toBe(true);
  });

  it('reused challenge → rejected (registration and sign)', async () => {
    const credential = await enrol();
    const sign = await createSignRequest({
      store,
      appId,
      facetId,
      userId,
      registeredKeys: [credential],
      now: t0,
    });
    const response = token.sign({
      appId,
      challenge: sign.challenge,
      origin: facetId,
      keyHandle: credential.keyHandle,
    });
    expect((await finishSign({ store, response, userId, credentials: [credential], now: t0 })).verified).toBe(
      true,
    );
    const replay = await finishSign({ store, response, userId, credentials: [credential], now: t0 });
    expect(codeOf(replay)).toBe('ERR_CHALLENGE_UNKNOWN');
  });

  it('a failed attempt consumes the challenge too', async () => {
    const credential = await enrol();
    const sign = await createSignRequest({
      store,
      appId,
      facetId,
      userId,
      registeredKeys: [credential],
      now: t0,
    });
    const bad = token.sign({
      appId,
      challenge: sign.challenge,
      origin: facetId,
      keyHandle: credential.keyHandle,
      userPresence: 0,
    });
    expect(
      codeOf(await finishSign({ store, response: bad, userId, credentials: [credential], now: t0 })),
    ).toBe('ERR_USER_PRESENCE_REQUIRED');
    const good = token.sign({
      appId,
      challenge: sign.challenge,
      origin: facetId,
      keyHandle: credential.keyHandle,
    });
    expect(
      codeOf(await finishSign({ store, response: good, userId, credentials: [credential], now: t0 })),
    ).toBe('ERR_CHALLENGE_UNKNOWN');
  });

  it('other origin → rejected: activated from foo.example.com, completed from the portal', async () => {
    const request = await createRegisterRequest({ store, appId, facetId, userId, now: t0 });
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: 'https://company.okta.com',
    });
    expect(codeOf(await finishRegistration({ store, response, userId, now: t0 }))).toBe(
      'ERR_ORIGIN_MISMATCH',
    );
    const credential = await enrol();
    const sign = await createSignRequest({
      store,
      appId,
      facetId,
      userId,
      registeredKeys: [credential],
      now: t0,
    });
    const other = token.sign({
      appId,
      challenge: sign.challenge,
      origin: 'https://bar.example.com',
      keyHandle: credential.keyHandle,
    });
    expect(
      codeOf(await finishSign({ store, response: other, userId, credentials: [credential], now: t0 })),
    ).toBe('ERR_ORIGIN_MISMATCH');
  });

  it('a facet the AppID does not authorize cannot even get a challenge', async () => {
    await expect(
      createRegisterRequest({ store, appId, facetId: 'https://company.okta.com', userId }),
    ).rejects.toMatchObject({ code: 'ERR_FACET_NOT_AUTHORIZED' });
    await expect(
      createRegisterRequest({ store, appId, facetId: 'https://company.okta.com', userId }),
    ).rejects.toBeInstanceOf(U2fError);
    // …unless the AppID's trusted facet list names it (and it shares the eTLD+1).
    const ok = await createRegisterRequest({
      store,
      appId,
      facetId: 'https://login.example.com',
      userId,
      trustedFacetIds: ['https://login.example.com'],
    });
    expect(ok.appId).toBe(appId);
  });

  it('challenge of another user or ceremony → ERR_CHALLENGE_CONTEXT_MISMATCH', async () => {
    const request = await createRegisterRequest({ store, appId, facetId, userId, now: t0 });
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
    });
    expect(codeOf(await finishRegistration({ store, response, userId: 'user-2', now: t0 }))).toBe(
      'ERR_CHALLENGE_CONTEXT_MISMATCH',
    );
    const credential = await enrol();
    const reg = await createRegisterRequest({ store, appId, facetId, userId, now: t0 });
    // A registration challenge answered as a sign.
    const asSign = token.sign({
      appId,
      challenge: reg.registerRequests[0].challenge,
      origin: facetId,
      keyHandle: credential.keyHandle,
    });
    expect(
      codeOf(await finishSign({ store, response: asSign, userId, credentials: [credential], now: t0 })),
    ).toBe('ERR_CHALLENGE_CONTEXT_MISMATCH');
  });

  it('sign: the key handle must be one the request named and one of the user’s', async () => {
    const a = await enrol();
    const b = await enrol();
    const sign = await createSignRequest({ store, appId, facetId, userId, registeredKeys: [a], now: t0 });
    const withB = token.sign({ appId, challenge: sign.challenge, origin: facetId, keyHandle: b.keyHandle });
    expect(codeOf(await finishSign({ store, response: withB, userId, credentials: [a, b], now: t0 }))).toBe(
      'ERR_KEY_HANDLE_INVALID',
    );
    const sign2 = await createSignRequest({ store, appId, facetId, userId, registeredKeys: [a, b], now: t0 });
    const withB2 = token.sign({ appId, challenge: sign2.challenge, origin: facetId, keyHandle: b.keyHandle });
    expect(codeOf(await finishSign({ store, response: withB2, userId, credentials: [a], now: t0 }))).toBe(
      'ERR_KEY_HANDLE_INVALID',
    );
  });

  it('register: a key handle already registered is refused', async () => {
    const a = await enrol();
    const request = await createRegisterRequest({
      store,
      appId,
      facetId,
      userId,
      registeredKeys: [a],
      now: t0,
    });
    expect(request.registeredKeys).toEqual([{ version: 'U2F_V2', keyHandle: a.keyHandle }]);
    // A token that answers with the handle it already registered (a broken or hostile token).
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
      keyHandle: Buffer.from(a.keyHandle, 'base64url'),
    });
    expect(codeOf(await finishRegistration({ store, response, userId, now: t0 }))).toBe(
      'ERR_KEY_HANDLE_INVALID',
    );
  });

  it('100 concurrent completions of one challenge → exactly 1 success', async () => {
    const credential = await enrol();
    for (let round = 0; round < 5; round++) {
      const sign = await createSignRequest({
        store,
        appId,
        facetId,
        userId,
        registeredKeys: [credential],
        now: t0,
      });
      const response = token.sign({
        appId,
        challenge: sign.challenge,
        origin: facetId,
        keyHandle: credential.keyHandle,
      });
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          finishSign({ store, response, userId, credentials: [{ ...credential, counter: 0 }], now: t0 }),
        ),
      );
      expect(results.filter((r) => r.verified)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'ERR_CHALLENGE_UNKNOWN')).toHaveLength(99);
    }
    const request = await createRegisterRequest({ store, appId, facetId, userId, now: t0 });
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
    });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => finishRegistration({ store, response, userId, now: t0 })),
    );
    expect(results.filter((r) => r.verified)).toHaveLength(1);
  });

  it('the flow relies only on the store contract (works with a slow async store)', async () => {
    // A store whose every call yields to the event loop, as a database-backed one would.
    const inner = new MemoryU2fChallengeStore();
    const slow: U2fChallengeStore = {
      save: async (r: U2fChallengeRecord) => {
        await new Promise((res) => setTimeout(res, 1));
        return inner.save(r);
      },
      consume: async (c: string) => {
        await new Promise((res) => setTimeout(res, Math.random() * 3));
        return inner.consume(c);
      },
    };
    const request = await createRegisterRequest({ store: slow, appId, facetId, userId, now: t0 });
    const { response } = await token.register({
      appId,
      challenge: request.registerRequests[0].challenge,
      origin: facetId,
    });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => finishRegistration({ store: slow, response, userId, now: t0 })),
    );
    expect(results.filter((r) => r.verified)).toHaveLength(1);
  });

  it('memory store: save refuses duplicates and a full store; purgeExpired drops old records', async () => {
    const small = new MemoryU2fChallengeStore({ maxEntries: 1 });
    const record: U2fChallengeRecord = {
      challenge: 'abc',
      ceremony: 'sign',
      appId,
      facetId,
      userId,
      keyHandles: [],
      expiresAt: 10,
    };
    await small.save(record);
    await expect(small.save(record)).rejects.toThrow();
    await expect(small.save({ ...record, challenge: 'def' })).rejects.toThrow();
    expect(small.purgeExpired(10)).toBe(1);
    expect(await small.consume('abc')).toBeUndefined();
  });

  it('misuse throws: no store, empty sign keys, bad timeout', async () => {
    await expect(createRegisterRequest({ store: {} as never, appId, facetId, userId })).rejects.toThrow(
      TypeError,
    );
    await expect(createSignRequest({ store, appId, facetId, userId, registeredKeys: [] })).rejects.toThrow(
      TypeError,
    );
    await expect(createRegisterRequest({ store, appId, facetId, userId, timeoutSeconds: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});
