// Browser realism: Chromium's own CDP virtual authenticator registers and logs in on a
// localhost page, and its responses must satisfy the same structural invariants as ours.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCborMap, VirtualAuthenticator } from '../src/index.ts';
import { b64u, checkAssertion, checkRegistration, sha256 } from './independent.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `skipped Chromium realism test: ${CHROMIUM} not found (install Debian's "chromium" package to run it)`,
  );
}

interface Json {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment?: string | null;
  clientExtensionResults: Record<string, unknown>;
  response: Record<string, unknown>;
}

// Runs in the page: WebAuthn ceremony with base64url in/out (toJSON where available).
const PAGE_HELPERS = `
  const b64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  window.fkCreate = async (o) => {
    const cred = await navigator.credentials.create({ publicKey: { ...o, challenge: unb64u(o.challenge), user: { ...o.user, id: unb64u(o.user.id) } } });
    return cred.toJSON();
  };
  window.fkGet = async (o) => {
    const cred = await navigator.credentials.get({ publicKey: { ...o, challenge: unb64u(o.challenge), allowCredentials: (o.allowCredentials || []).map((d) => ({ ...d, id: unb64u(d.id) })) } });
    return cred.toJSON();
  };
`;

describe.skipIf(!available)('Chromium CDP virtual authenticator vs VirtualAuthenticator', () => {
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let userDataDir: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>factorkit</title><script>${PAGE_HELPERS}</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(join(tmpdir(), 'factorkit-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP localhost 127.0.0.1',
        // Fewer processes: a faster start on small CI machines.
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--no-zygote',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/`);
  }, 20_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function withChromiumAuthenticator<T>(protocol: 'ctap2' | 'u2f', fn: () => Promise<T>): Promise<T> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    // One virtual authenticator at a time (Chromium picks arbitrarily among several).
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol,
        transport: 'usb',
        hasResidentKey: protocol === 'ctap2',
        hasUserVerification: protocol === 'ctap2',
        isUserVerified: protocol === 'ctap2',
        automaticPresenceSimulation: true,
      },
    });
    try {
      await page.bringToFront();
      return await fn();
    } finally {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await cdp.detach();
    }
  }

  const creation = (challenge: string) => ({
    rp: { id: 'localhost', name: 'factorkit' },
    user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
    challenge,
    pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }],
    attestation: 'direct' as const,
    authenticatorSelection: { userVerification: 'preferred' as const },
  });

  /** The invariants both implementations must satisfy. */
  function invariants(
    reg: Json,
    assertions: Json[],
    expected: { fmt: string; uv: boolean; u2f: boolean },
    challenge: string,
  ) {
    expect(reg.id).toBe(reg.rawId);
    expect(reg.type).toBe('public-key');
    for (const field of [
      'clientDataJSON',
      'attestationObject',
      'authenticatorData',
      'transports',
      'publicKeyAlgorithm',
      'publicKey',
    ]) {
      expect(reg.response, field).toHaveProperty(field);
    }
    expect(reg.response['publicKeyAlgorithm']).toBe(-7);
    const cd = JSON.parse(b64u(reg.response['clientDataJSON'] as string).toString()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(cd).slice(0, 4)).toEqual(['type', 'challenge', 'origin', 'crossOrigin']);
    expect(cd).toMatchObject({ type: 'webauthn.create', challenge, origin, crossOrigin: false });
    const ao = decodeCborMap(b64u(reg.response['attestationObject'] as string));
    expect([...ao.keys()]).toEqual(['fmt', 'attStmt', 'authData']);
    expect(ao.get('fmt')).toBe(expected.fmt);
    const checked = checkRegistration(
      reg as never,
      { challenge, origin, rpId: 'localhost' },
      { requireAaguidExtension: false },
    );
    const ad = checked.authData;
    expect(ad.rpIdHash.equals(sha256('localhost'))).toBe(true);
    expect(ad.flags & 0x41).toBe(0x41); // UP + AT
    expect(Boolean(ad.flags & 0x04)).toBe(expected.uv);
    expect(ad.flags & 0x18).toBe(0); // neither BE nor BS
    expect(ad.rest).toBe(0);
    if (expected.u2f) expect(ad.aaguid?.equals(Buffer.alloc(16))).toBe(true);
    expect(
      b64u(reg.response['authenticatorData'] as string).equals(Buffer.from(ao.get('authData') as Uint8Array)),
    ).toBe(true);
    let last = ad.signCount;
    for (const a of assertions) {
      expect(a.id).toBe(reg.id);
      for (const field of ['clientDataJSON', 'authenticatorData', 'signature'])
        expect(a.response, field).toHaveProperty(field);
      const acd = JSON.parse(b64u(a.response['clientDataJSON'] as string).toString()) as Record<
        string,
        unknown
      >;
      const p = checkAssertion(a as never, {
        challenge: acd['challenge'] as string,
        origin,
        rpId: 'localhost',
        publicKey: checked.credentialPublicKey,
      });
      expect(Boolean(p.flags & 0x04)).toBe(expected.uv);
      expect(p.flags & 0x40).toBe(0);
      // Counter behaviour: strictly increasing across logins (Chromium's U2F device also
      // counts its check-only probe, so the step is not always 1).
      expect(p.signCount).toBeGreaterThan(last);
      last = p.signCount;
    }
    return {
      credentialIdLength: checked.credentialId.length,
      x5cLength: ((ao.get('attStmt') as Map<string, unknown>).get('x5c') as unknown[] | undefined)?.length,
    };
  }

  async function ceremonies(
    create: (o: ReturnType<typeof creation>) => Promise<Json>,
    get: (o: object) => Promise<Json>,
  ) {
    const challenge = 'cmVhbGlzbS1jaGFsbGVuZ2UtMDEyMzQ1Njc4OWFi';
    const reg = await create(creation(challenge));
    const assertions = [];
    for (const c of ['Z2V0LTE', 'Z2V0LTI']) {
      assertions.push(
        await get({
          challenge: c,
          rpId: 'localhost',
          userVerification: 'preferred',
          allowCredentials: [{ type: 'public-key', id: reg.id }],
        }),
      );
    }
    return { reg, assertions, challenge };
  }

  it('ctap2 → packed: same structure, flags and counter behaviour', async () => {
    const chrome = await withChromiumAuthenticator('ctap2', () =>
      ceremonies(
        (o) =>
          page.evaluate(
            (x) => (globalThis as unknown as { fkCreate: (x: unknown) => Promise<Json> }).fkCreate(x),
            o,
          ),
        (o) =>
          page.evaluate(
            (x) => (globalThis as unknown as { fkGet: (x: unknown) => Promise<Json> }).fkGet(x),
            o,
          ),
      ),
    );
    const va = new VirtualAuthenticator({ seed: 'realism-ctap2', attestationFormat: 'packed' });
    const ours = await ceremonies(
      async (o) => va.createCredential({ origin, publicKey: o }) as unknown as Json,
      async (o) => va.getAssertion({ origin, publicKey: o as never }) as unknown as Json,
    );
    const c = invariants(
      chrome.reg,
      chrome.assertions,
      { fmt: 'packed', uv: true, u2f: false },
      chrome.challenge,
    );
    const v = invariants(ours.reg, ours.assertions, { fmt: 'packed', uv: true, u2f: false }, ours.challenge);
    expect(v.x5cLength !== undefined).toBe(c.x5cLength !== undefined);
    console.info(
      `chromium ctap2 credentialId ${c.credentialIdLength} bytes, x5c ${c.x5cLength}; ours ${v.credentialIdLength} bytes, x5c ${v.x5cLength}`,
    );
  }, 20_000);

  it('u2f → fido-u2f: same structure, no UV, zero AAGUID, counters', async () => {
    const chrome = await withChromiumAuthenticator('u2f', () =>
      ceremonies(
        (o) =>
          page.evaluate(
            (x) => (globalThis as unknown as { fkCreate: (x: unknown) => Promise<Json> }).fkCreate(x),
            o,
          ),
        (o) =>
          page.evaluate(
            (x) => (globalThis as unknown as { fkGet: (x: unknown) => Promise<Json> }).fkGet(x),
            o,
          ),
      ),
    );
    const va = new VirtualAuthenticator({ seed: 'realism-u2f', attestationFormat: 'fido-u2f' });
    const ours = await ceremonies(
      async (o) => va.createCredential({ origin, publicKey: o }) as unknown as Json,
      async (o) => va.getAssertion({ origin, publicKey: o as never }) as unknown as Json,
    );
    const c = invariants(
      chrome.reg,
      chrome.assertions,
      { fmt: 'fido-u2f', uv: false, u2f: true },
      chrome.challenge,
    );
    const v = invariants(
      ours.reg,
      ours.assertions,
      { fmt: 'fido-u2f', uv: false, u2f: true },
      ours.challenge,
    );
    expect(c.x5cLength).toBe(1);
    expect(v.x5cLength).toBe(1);
  }, 20_000);
});
