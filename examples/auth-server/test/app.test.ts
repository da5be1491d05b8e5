// In-process checks of the example's own rules (sessions, CSRF, accounts); the browser suite
// in test/e2e drives the same routes from Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import { aesGcmKeyEncryption, MemoryStore } from 'factorkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthServer } from '../src/app.ts';
import { Users } from '../src/users.ts';

const ORIGIN = 'https://login.example.test';
const dir = mkdtempSync(join(tmpdir(), 'factorkit-example-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function make() {
  return createAuthServer({
    origin: ORIGIN,
    store: new MemoryStore(),
    keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(3)),
    users: new Users(join(dir, `users-${++n}.sqlite`)),
    sessionSecret: new Uint8Array(32).fill(7),
  });
}

/** A browser-like client: keeps cookies, sends the CSRF token it was given. */
class Client {
  cookies = new Map<string, string>();
  csrf = '';
  readonly app: ReturnType<typeof make>['app'];
  constructor(app: ReturnType<typeof make>['app']) {
    this.app = app;
  }
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.app.request(new URL(path, ORIGIN).toString(), { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [k, v] = (pair ?? '').split('=');
      if (k !== undefined && v !== undefined) this.cookies.set(k, v);
    }
    return res;
  }
  async session(): Promise<{ csrfToken: string; userId?: string; username?: string }> {
    const s = (await (await this.request('/api/session')).json()) as { csrfToken: string; userId?: string };
    this.csrf = s.csrfToken;
    return s;
  }
  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': this.csrf,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  }
}

async function signUp(client: Client, username: string, authenticator: VirtualAuthenticator) {
  await client.session();
  const start = (await (
    await client.post('/api/webauthn/register/start', { username, kind: 'passkey' })
  ).json()) as {
    options: never;
  };
  const response = authenticator.createCredential({ origin: ORIGIN, publicKey: start.options });
  return client.post('/api/webauthn/register/finish', { response });
}

describe('example auth server (in process)', () => {
  it('sign-up signs in with a new CSRF token; the username is then taken', async () => {
    const { app } = make();
    const alice = new Client(app);
    const before = await alice.session();
    const res = await signUp(alice, 'Alice', new VirtualAuthenticator({ seed: 'unit-alice' }));
    expect(res.status).toBe(200);
    const after = await alice.session();
    expect(after.username).toBe('alice');
    expect(after.csrfToken).not.toBe(before.csrfToken);

    const mallory = new Client(app);
    const taken = await signUp(mallory, 'alice', new VirtualAuthenticator({ seed: 'unit-mallory' })).catch(
      () => undefined,
    );
    expect(taken).toBeUndefined(); // start refused: no options to answer
    await mallory.session();
    const start = await mallory.post('/api/webauthn/register/start', { username: 'alice' });
    expect(start.status).toBe(400);
    expect(await start.json()).toMatchObject({
      code: 'ERR_USERNAME_TAKEN',
      message: 'That username is taken.',
    });
  });

  it('state-changing requests need the CSRF token and are refused cross-site', async () => {
    const { app } = make();
    const c = new Client(app);
    await c.session();
    const noToken = await c.post('/api/webauthn/authenticate/start', {}, { 'x-csrf-token': 'x'.repeat(43) });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ code: 'ERR_CSRF' });
    const crossSite = await c.post(
      '/api/webauthn/authenticate/start',
      {},
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const form = await c.request('/signout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'nothing=1',
    });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain('This form expired or came from another site');
    const ok = await c.post('/api/webauthn/authenticate/start', {});
    expect(ok.status).toBe(200);
  });

  it('a tampered session cookie is ignored (signed cookie)', async () => {
    const { app } = make();
    const alice = new Client(app);
    await signUp(alice, 'alice', new VirtualAuthenticator({ seed: 'unit-tamper' }));
    expect((await alice.session()).username).toBe('alice');
    const [name, value] = [...alice.cookies][0] ?? ['', ''];
    const decoded = decodeURIComponent(value);
    const [payload, sig] = decoded.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        userId: 'someone-else',
      }),
    ).toString('base64url');
    alice.cookies.set(name, encodeURIComponent(`${forged}.${sig}`));
    expect(await alice.session()).not.toHaveProperty('userId');
  });

  it('account pages need a session; errors are the codes’ human text', async () => {
    const { app } = make();
    const c = new Client(app);
    const account = await c.request('/account');
    expect(account.status).toBe(303);
    expect(account.headers.get('location')).toBe('/');
    await c.session();
    const res = await c.post('/api/webauthn/authenticate/finish', { response: { id: 'x' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, code: 'ERR_NO_FLOW' });
    await c.post('/api/webauthn/authenticate/start', { username: 'nobody' });
    const unknown = await c.post('/api/webauthn/authenticate/finish', {
      response: { id: 'x', rawId: 'x', type: 'public-key', response: {} },
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ ok: false, code: 'ERR_CLIENT_DATA_MALFORMED' });
  });
});
