// Chromium's own CDP virtual authenticator (Chromium ≥ 156 offers ML-DSA-44) registers an ML-DSA
// credential and logs in on a localhost page; both responses must verify on both backends.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64url } from '../src/base64url.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `skipped Chromium ML-DSA test: ${CHROMIUM} not found (install Debian's "chromium" package to run it)`,
  );
}

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

type Json = Record<string, unknown> & { id: string; response: Record<string, unknown> };

describe.skipIf(!available)('Chromium virtual authenticator: ML-DSA-44 credentials', () => {
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
    userDataDir = mkdtempSync(join(tmpdir(), 'factorkit-chromium-mldsa-'));
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
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--no-zygote',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/`);
  }, 30_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('registers and authenticates; factorkit verifies both on every backend', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    try {
      await page.bringToFront();
      const challenge = encodeBase64url(new Uint8Array(32).fill(0x48));
      const reg = (await page.evaluate(
        (x) => (globalThis as unknown as { fkCreate: (x: unknown) => Promise<Json> }).fkCreate(x),
        {
          rp: { id: 'localhost', name: 'factorkit' },
          user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
          challenge,
          pubKeyCredParams: [{ type: 'public-key', alg: -48 }],
          attestation: 'direct',
          authenticatorSelection: { userVerification: 'preferred', residentKey: 'required' },
        },
      )) as Json;
      expect(reg.response['publicKeyAlgorithm']).toBe(-48);
      const assertionChallenge = encodeBase64url(new Uint8Array(32).fill(0x49));
      const assertion = (await page.evaluate(
        (x) => (globalThis as unknown as { fkGet: (x: unknown) => Promise<Json> }).fkGet(x),
        {
          rpId: 'localhost',
          challenge: assertionChallenge,
          allowCredentials: [{ type: 'public-key', id: reg.id }],
          userVerification: 'preferred',
        },
      )) as Json;
      for (const [, crypto] of BACKENDS) {
        const registered = await verifyRegistration(reg, {
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRpId: 'localhost',
          supportedAlgorithms: [-48],
          crypto,
        });
        expect(registered).toMatchObject({ verified: true, alg: -48 });
        if (!registered.verified) return;
        const result = await verifyAuthenticationAsync(assertion, {
          expectedChallenge: assertionChallenge,
          expectedOrigin: origin,
          expectedRpId: 'localhost',
          credential: {
            id: registered.credentialId,
            publicKey: registered.publicKey,
            signCount: registered.signCount,
          },
          crypto,
        });
        expect(result).toMatchObject({ verified: true });
        // The same assertion under a different expected challenge fails: the verdict is real.
        const wrong = await verifyAuthenticationAsync(assertion, {
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRpId: 'localhost',
          credential: {
            id: registered.credentialId,
            publicKey: registered.publicKey,
            signCount: registered.signCount,
          },
          crypto,
        });
        expect(wrong).toMatchObject({ verified: false, code: 'ERR_CHALLENGE_MISMATCH' });
      }
    } finally {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await cdp.detach();
    }
  }, 60_000);
});
