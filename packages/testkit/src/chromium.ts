// Debian's Chromium driven through playwright-core, for tests that need a real browser's
// WebAuthn client (the CDP virtual authenticator). Never downloads a browser: the tests that use
// it skip with a message when the binary is absent.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** `true` when Debian's Chromium is installed; otherwise logs why `what` is skipped. */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  console.warn(`skipped ${what}: ${CHROMIUM_PATH} not found (install Debian's "chromium" package to run it)`);
  return false;
}

/**
 * In-page helpers: `fkCreate(options)` / `fkGet(options)` take JSON options (binary members as
 * base64url) and return `PublicKeyCredential.toJSON()`.
 */
const PAGE_HELPERS = `
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

/** A page served from 127.0.0.1 (as `http://localhost:<port>`, a secure context) in a fresh profile. */
export interface ChromiumPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly origin: string;
  /** `navigator.credentials.create` through the page's `fkCreate`. */
  create<T = Record<string, unknown>>(options: unknown): Promise<T>;
  /** `navigator.credentials.get` through the page's `fkGet`. */
  get<T = Record<string, unknown>>(options: unknown): Promise<T>;
  /** Runs `fn` with one CDP virtual authenticator attached (removed afterwards). */
  withAuthenticator<T>(
    options: Record<string, unknown>,
    fn: (cdp: CDPSession, id: string) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}

export async function openChromiumPage(): Promise<ChromiumPage> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>factorkit</title><script>${PAGE_HELPERS}</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'factorkit-chromium-'));
  const close = async (context?: BrowserContext): Promise<void> => {
    await context?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(userDataDir, { recursive: true, force: true });
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
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
  } catch (error) {
    await close();
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  type Fn = (x: unknown) => Promise<unknown>;
  return {
    context,
    page,
    origin,
    create: async <T>(options: unknown) =>
      (await page.evaluate((x) => (globalThis as unknown as { fkCreate: Fn }).fkCreate(x), options)) as T,
    get: async <T>(options: unknown) =>
      (await page.evaluate((x) => (globalThis as unknown as { fkGet: Fn }).fkGet(x), options)) as T,
    async withAuthenticator(options, fn) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      // One virtual authenticator at a time (Chromium picks arbitrarily among several).
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: options as never,
      });
      try {
        await page.bringToFront();
        return await fn(cdp, authenticatorId);
      } finally {
        await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
        await cdp.detach();
      }
    },
    close: () => close(context),
  };
}
