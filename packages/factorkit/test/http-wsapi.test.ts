/** Request-level tests of `/wsapi/2.0/verify`: every status and every refusal path. */
import { createHmac } from 'node:crypto';
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createFactorkitHandler,
  type FetchHandler,
  MAX_WSAPI_REQUEST_BYTES,
  MemoryYubicoClientStore,
  signatureBase,
  YubicoClients,
} from '../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit, MemoryStore } from '../src/index.ts';

const BASE = 'http://127.0.0.1/wsapi/2.0/verify';
const NONCE = 'nonce0123456789abcdef';
const enc = aesGcmKeyEncryption(new Uint8Array(32).fill(5));
const T0 = Date.UTC(2026, 5, 1);

interface Setup {
  fk: Factorkit;
  handler: FetchHandler;
  key: VirtualYubiKey;
  clients: YubicoClients;
  clientKey: Uint8Array;
  clock: { now: number };
}

async function setup(options: { delayCheck?: boolean; keyClock?: () => number } = {}): Promise<Setup> {
  const clock = { now: T0 };
  const store = new MemoryStore();
  const fk = createFactorkit({
    rp: { id: 'localhost', name: 't' },
    origins: ['https://localhost'],
    store,
    keyEncryption: enc,
    clock: () => new Date(clock.now),
    ...(options.delayCheck ? { policies: { yubikey: { phishingDelayCheck: true } } } : {}),
  });
  const key = new VirtualYubiKey({
    seed: 'wsapi-tests',
    ...(options.keyClock ? { clock: options.keyClock } : {}),
  });
  expect((await fk.yubikey.uploadToken({ serialNumber: '42', ...key.secrets })).ok).toBe(true);
  expect((await fk.yubikey.enroll({ userId: 'u1', passCode: key.press() })).factorResult).toBe('SUCCESS');
  const clients = new YubicoClients({ keyEncryption: enc });
  const added = await clients.add({ id: 1 });
  await clients.add({ id: 2, enabled: false });
  await clients.add({ id: 3, requireSignature: false });
  const handler = createFactorkitHandler({
    factorkit: fk,
    yubico: { clients, clock: () => new Date(clock.now) },
  });
  return { fk, handler, key, clients, clientKey: Uint8Array.from(Buffer.from(added.key, 'base64')), clock };
}

/** Signs params as a client does (sorted, HMAC-SHA1, base64) and appends `h`. */
function signed(params: Record<string, string>, key: Uint8Array): URLSearchParams {
  const q = new URLSearchParams(params);
  const h = createHmac('sha1', key)
    .update(signatureBase(new Map(Object.entries(params))))
    .digest('base64');
  q.set('h', h);
  return q;
}

/** Parses the answer; checks its signature with `key` when given. */
async function answer(response: Response, key?: Uint8Array): Promise<Map<string, string>> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  const map = new Map<string, string>();
  for (const line of text.trim().split('\r\n')) {
    const i = line.indexOf('=');
    map.set(line.slice(0, i), line.slice(i + 1));
  }
  const h = map.get('h');
  map.delete('h');
  const expected = createHmac('sha1', key ?? new Uint8Array(0))
    .update(signatureBase(map))
    .digest('base64');
  expect(h).toBe(expected);
  expect(map.get('t')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ0\d{3}$/);
  return map;
}

async function get(s: Setup, q: URLSearchParams | string): Promise<Response> {
  return s.handler(new Request(`${BASE}?${q.toString()}`));
}

describe('/wsapi/2.0/verify', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });

  it('OK: signed answer echoing otp and nonce; timestamp=1 adds the token counters; sl', async () => {
    const otp = s.key.press();
    const r = await answer(
      await get(s, signed({ id: '1', otp, nonce: NONCE, timestamp: '1' }, s.clientKey)),
      s.clientKey,
    );
    expect(r.get('status')).toBe('OK');
    expect(r.get('otp')).toBe(otp);
    expect(r.get('nonce')).toBe(NONCE);
    expect(r.get('sl')).toBe('100');
    expect(r.get('sessioncounter')).toBe(String(s.key.lastCounters?.counter));
    expect(r.get('sessionuse')).toBe(String(s.key.lastCounters?.session));
    expect(Number(r.get('timestamp'))).toBeGreaterThanOrEqual(0);
    // Without timestamp=1 there are no counters.
    const r2 = await answer(
      await get(s, signed({ id: '1', otp: s.key.press(), nonce: NONCE }, s.clientKey)),
      s.clientKey,
    );
    expect(r2.get('status')).toBe('OK');
    expect(r2.has('sessioncounter')).toBe(false);
  });

  it('OK over POST (form body); 405 for other methods', async () => {
    const body = signed({ id: '1', otp: s.key.press(), nonce: NONCE }, s.clientKey).toString();
    const res = await s.handler(
      new Request(BASE, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect((await answer(res, s.clientKey)).get('status')).toBe('OK');
    expect((await s.handler(new Request(BASE, { method: 'PUT', body: 'x' }))).status).toBe(405);
  });

  it('an unescaped + in h (decoded as a space) still verifies', async () => {
    let q: URLSearchParams;
    let otp: string;
    // Find a signature containing '+'.
    do {
      otp = s.key.press();
      q = signed({ id: '1', otp, nonce: NONCE }, s.clientKey);
    } while (!(q.get('h') as string).includes('+'));
    const raw = `id=1&nonce=${NONCE}&otp=${otp}&h=${q.get('h')}`;
    expect((await answer(await get(s, raw), s.clientKey)).get('status')).toBe('OK');
  });

  it('REPLAYED_OTP for a repeat with another nonce; REPLAYED_REQUEST for the same otp+nonce', async () => {
    const otp = s.key.press();
    const q = signed({ id: '1', otp, nonce: NONCE }, s.clientKey);
    expect((await answer(await get(s, q), s.clientKey)).get('status')).toBe('OK');
    expect((await answer(await get(s, q), s.clientKey)).get('status')).toBe('REPLAYED_REQUEST');
    const other = signed({ id: '1', otp, nonce: 'anotherNonce0123456' }, s.clientKey);
    expect((await answer(await get(s, other), s.clientKey)).get('status')).toBe('REPLAYED_OTP');
    // An older OTP than the last accepted one is REPLAYED_OTP too.
    const older = s.key.press();
    const newer = s.key.press();
    expect(
      (
        await answer(await get(s, signed({ id: '1', otp: newer, nonce: NONCE }, s.clientKey)), s.clientKey)
      ).get('status'),
    ).toBe('OK');
    expect(
      (
        await answer(await get(s, signed({ id: '1', otp: older, nonce: NONCE }, s.clientKey)), s.clientKey)
      ).get('status'),
    ).toBe('REPLAYED_OTP');
  });

  it('two concurrent requests with one OTP: exactly one OK', async () => {
    const otp = s.key.press();
    const res = await Promise.all(
      ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2', 'cccccccccccccccc3'].map(async (nonce) =>
        (await answer(await get(s, signed({ id: '1', otp, nonce }, s.clientKey)), s.clientKey)).get('status'),
      ),
    );
    expect(res.filter((x) => x === 'OK')).toHaveLength(1);
    expect(res.filter((x) => x === 'REPLAYED_OTP')).toHaveLength(2);
  });

  it('MISSING_PARAMETER: otp, id, nonce absent or malformed, timeout, sl, duplicates (signed with no key)', async () => {
    const otp = s.key.press();
    const cases: Record<string, string>[] = [
      { id: '1', nonce: NONCE },
      { id: '1', otp, nonce: '' },
      { id: '1', otp },
      { otp, nonce: NONCE },
      { id: 'abc', otp, nonce: NONCE },
      { id: '0', otp, nonce: NONCE },
      { id: '-1', otp, nonce: NONCE },
      { id: '99999999999', otp, nonce: NONCE },
      { id: '1', otp, nonce: 'short123' },
      { id: '1', otp, nonce: 'x'.repeat(41) },
      { id: '1', otp, nonce: 'has-dash-0123456789' },
      { id: '1', otp, nonce: NONCE, timeout: 'soon' },
      { id: '1', otp, nonce: NONCE, sl: '101' },
      { id: '1', otp, nonce: NONCE, sl: 'medium' },
    ];
    for (const c of cases) {
      const r = await answer(await get(s, new URLSearchParams(c)));
      expect(r.get('status'), JSON.stringify(c)).toBe('MISSING_PARAMETER');
    }
    const dup = await answer(await get(s, `id=1&id=2&otp=${otp}&nonce=${NONCE}`));
    expect(dup.get('status')).toBe('MISSING_PARAMETER');
    // Accepted forms of the optional parameters.
    const ok = await answer(
      await get(s, signed({ id: '1', otp, nonce: NONCE, sl: 'secure', timeout: '8' }, s.clientKey)),
      s.clientKey,
    );
    expect(ok.get('status')).toBe('OK');
  });

  it('MISSING_PARAMETER for an unsigned request when the client requires signatures; OK when it does not', async () => {
    const otp = s.key.press();
    const r = await answer(await get(s, new URLSearchParams({ id: '1', otp, nonce: NONCE })), s.clientKey);
    expect(r.get('status')).toBe('MISSING_PARAMETER');
    const key3 = await s.clients.withKey(3, (k) => Uint8Array.from(k));
    const r3 = await answer(await get(s, new URLSearchParams({ id: '3', otp, nonce: NONCE })), key3);
    expect(r3.get('status')).toBe('OK');
  });

  it('an oversized request is refused unread; values that could break the answer are not echoed', async () => {
    const big = await s.handler(
      new Request(BASE, {
        method: 'POST',
        body: 'a'.repeat(MAX_WSAPI_REQUEST_BYTES + 1),
      }),
    );
    expect((await answer(big)).get('status')).toBe('MISSING_PARAMETER');
    const longQuery = await answer(
      await get(s, `id=1&nonce=${NONCE}&otp=${'c'.repeat(MAX_WSAPI_REQUEST_BYTES)}`),
    );
    expect(longQuery.get('status')).toBe('MISSING_PARAMETER');
    const injected = await s.handler(
      new Request(`${BASE}?id=1&nonce=${NONCE}&otp=${encodeURIComponent('x\r\nstatus=OK')}`),
    );
    const text = await injected.text();
    expect(text).not.toContain('status=OK');
    expect(text.match(/status=/g)).toHaveLength(1);
  });

  it('NO_SUCH_CLIENT (signed with no key), OPERATION_NOT_ALLOWED for a disabled client', async () => {
    const otp = s.key.press();
    const r = await answer(await get(s, signed({ id: '77', otp, nonce: NONCE }, s.clientKey)));
    expect(r.get('status')).toBe('NO_SUCH_CLIENT');
    const key2 = await s.clients.withKey(2, (k) => Uint8Array.from(k));
    const r2 = await answer(await get(s, signed({ id: '2', otp, nonce: NONCE }, key2 as Uint8Array)), key2);
    expect(r2.get('status')).toBe('OPERATION_NOT_ALLOWED');
  });

  it('BAD_SIGNATURE: wrong key, tampered parameter, malformed h; nothing is accepted', async () => {
    const otp = s.key.press();
    const wrong = signed({ id: '1', otp, nonce: NONCE }, new Uint8Array(20).fill(1));
    expect((await answer(await get(s, wrong), s.clientKey)).get('status')).toBe('BAD_SIGNATURE');
    const tampered = signed({ id: '1', otp, nonce: NONCE }, s.clientKey);
    tampered.set('timestamp', '1');
    expect((await answer(await get(s, tampered), s.clientKey)).get('status')).toBe('BAD_SIGNATURE');
    const malformed = new URLSearchParams({ id: '1', otp, nonce: NONCE, h: 'not-base64!' });
    expect((await answer(await get(s, malformed), s.clientKey)).get('status')).toBe('BAD_SIGNATURE');
    const truncated = signed({ id: '1', otp, nonce: NONCE }, s.clientKey);
    truncated.set('h', (truncated.get('h') as string).slice(0, 20));
    expect((await answer(await get(s, truncated), s.clientKey)).get('status')).toBe('BAD_SIGNATURE');
    // The OTP is still fresh.
    expect(
      (await answer(await get(s, signed({ id: '1', otp, nonce: NONCE }, s.clientKey)), s.clientKey)).get(
        'status',
      ),
    ).toBe('OK');
  });

  it('BAD_OTP: length, alphabet, unknown token, forged block, token not enrolled', async () => {
    const bad = [
      'cccc',
      'x'.repeat(44),
      `${'b'.repeat(12)}${s.key.press().slice(12)}`,
      `${s.key.publicId}${'c'.repeat(32)}`,
    ];
    for (const otp of bad) {
      const r = await answer(await get(s, signed({ id: '1', otp, nonce: NONCE }, s.clientKey)), s.clientKey);
      expect(r.get('status'), otp).toBe('BAD_OTP');
    }
    // Uploaded but not enrolled (UNASSIGNED), and enrolled then deactivated (INACTIVE).
    const other = new VirtualYubiKey({ seed: 'not-enrolled' });
    await s.fk.yubikey.uploadToken({ serialNumber: '43', ...other.secrets });
    const r = await answer(
      await get(s, signed({ id: '1', otp: other.press(), nonce: NONCE }, s.clientKey)),
      s.clientKey,
    );
    expect(r.get('status')).toBe('BAD_OTP');
    const listed = await s.fk.yubikey.tokens.list({ filter: 'profile.serial eq "42"' });
    if (!listed.ok) throw new Error('listing failed');
    await s.fk.yubikey.registry.deactivateToken(listed.tokens[0]?.id as string);
    const r2 = await answer(
      await get(s, signed({ id: '1', otp: s.key.press(), nonce: NONCE }, s.clientKey)),
      s.clientKey,
    );
    expect(r2.get('status')).toBe('BAD_OTP');
  });

  it('BACKEND_ERROR when a client key does not open; nothing accepted', async () => {
    const store = new MemoryYubicoClientStore();
    const clients = new YubicoClients({ keyEncryption: enc, store });
    const { key } = await clients.add({ id: 9 });
    const row = await store.get(9);
    await store.put({ ...(row as NonNullable<typeof row>), sealedKey: new Uint8Array(40) });
    const handler = createFactorkitHandler({ factorkit: s.fk, yubico: { clients } });
    const otp = s.key.press();
    const k = Uint8Array.from(Buffer.from(key, 'base64'));
    const r = await answer(
      await handler(new Request(`${BASE}?${signed({ id: '9', otp, nonce: NONCE }, k)}`)),
    );
    expect(r.get('status')).toBe('BACKEND_ERROR');
    expect(
      (await answer(await get(s, signed({ id: '1', otp, nonce: NONCE }, s.clientKey)), s.clientKey)).get(
        'status',
      ),
    ).toBe('OK');
  });

  it('BACKEND_ERROR when the store fails', async () => {
    const failing = Object.create(s.fk) as Factorkit;
    const brokenStore = {
      ...s.fk.store,
      yubikey: new Proxy(s.fk.store.yubikey, {
        get(target, prop) {
          if (prop === 'getByPublicId') return async () => Promise.reject(new Error('disk on fire'));
          return Reflect.get(target, prop);
        },
      }),
    };
    Object.defineProperty(failing, 'store', { value: brokenStore });
    const handler = createFactorkitHandler({ factorkit: failing, yubico: { clients: s.clients } });
    const r = await handler(
      new Request(`${BASE}?${signed({ id: '1', otp: s.key.press(), nonce: NONCE }, s.clientKey)}`),
    );
    const text = await r.text();
    expect(text).toContain('status=BACKEND_ERROR');
    expect(text).not.toContain('disk on fire');
  });

  it('DELAYED_OTP with the phishing-delay check on: an OTP typed long before it arrives', async () => {
    const keyClock = { now: 0 };
    const d = await setup({ delayCheck: true, keyClock: () => keyClock.now });
    const first = d.key.press();
    keyClock.now += 1000;
    const typed = d.key.press();
    expect(
      (
        await answer(await get(d, signed({ id: '1', otp: first, nonce: NONCE }, d.clientKey)), d.clientKey)
      ).get('status'),
    ).toBe('OK');
    // 10 minutes of wall clock pass, but the token's timer moved by one second.
    d.clock.now += 600_000;
    const r = await answer(
      await get(d, signed({ id: '1', otp: typed, nonce: NONCE }, d.clientKey)),
      d.clientKey,
    );
    expect(r.get('status')).toBe('DELAYED_OTP');
  });

  it('routes: other paths are 404', async () => {
    expect((await s.handler(new Request('http://127.0.0.1/wsapi/2.0/other'))).status).toBe(404);
  });
});

describe('YubicoClients', () => {
  it('keys are sealed at rest, never listed, and validated', async () => {
    const store = new MemoryYubicoClientStore();
    const clients = new YubicoClients({ keyEncryption: enc, store });
    const key = Buffer.alloc(20, 0x2a).toString('base64');
    await clients.add({ id: 5, key });
    const row = await store.get(5);
    expect(Buffer.from(row?.sealedKey ?? []).includes(Buffer.alloc(20, 0x2a))).toBe(false);
    expect(JSON.stringify(await clients.list())).not.toContain(key);
    await expect(clients.add({ id: 0 })).rejects.toThrow(RangeError);
    await expect(clients.add({ id: 6, key: 'c2hvcnQ=' })).rejects.toThrow(RangeError);
    await expect(clients.add({ id: 6, key: 'not base64' })).rejects.toThrow(RangeError);
    expect(await clients.remove(5)).toBe(true);
    expect(await clients.get(5)).toBeUndefined();
  });
});
