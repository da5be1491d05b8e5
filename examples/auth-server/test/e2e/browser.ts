// Shared pieces of the end-to-end tests: Debian's Chromium through playwright-core (never a
// downloaded browser), CDP virtual authenticators, screenshots checked for blankness.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { pixelStats } from './png.ts';

export const CHROMIUM: string = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const chromiumAvailable: boolean = existsSync(CHROMIUM);

const here = dirname(fileURLToPath(import.meta.url));
/** Screenshots land in the repository's `e2e-artifacts/` (git-ignored; CI keeps it). */
export const ARTIFACTS: string = resolve(
  process.env['E2E_ARTIFACTS'] ?? join(here, '..', '..', '..', '..', 'e2e-artifacts'),
);

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** `spkiPin`: a test certificate's pin Chromium accepts (see tls.ts). */
export async function launch(spkiPin?: string): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'factorkit-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1000, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      ...(spkiPin === undefined ? [] : [`--ignore-certificate-errors-spki-list=${spkiPin}`]),
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export type AuthenticatorKind = 'ctap2-internal-rk-uv' | 'ctap2-usb' | 'u2f';

export interface VirtualAuthenticatorHandle {
  readonly id: string;
  readonly cdp: CDPSession;
  remove(): Promise<void>;
}

/** One Chromium virtual authenticator on the page (one at a time: Chromium picks among several). */
export async function addAuthenticator(
  browser: Browser,
  kind: AuthenticatorKind,
): Promise<VirtualAuthenticatorHandle> {
  const cdp = await browser.context.newCDPSession(browser.page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const options =
    kind === 'ctap2-internal-rk-uv'
      ? {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
        }
      : kind === 'ctap2-usb'
        ? { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false }
        : { protocol: 'u2f', transport: 'usb', hasResidentKey: false, hasUserVerification: false };
  const { authenticatorId } = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { ...options, automaticPresenceSimulation: true } as never,
  })) as { authenticatorId: string };
  return {
    id: authenticatorId,
    cdp,
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await cdp.detach();
    },
  };
}

/** Saves a full-page screenshot and fails when it is blank (no pixel variance). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const png = await page.screenshot({ fullPage: true });
  const file = join(ARTIFACTS, `${name}.png`);
  writeFileSync(file, png);
  const stats = pixelStats(png);
  // A blank or single-colour page has stddev ≈ 0 and a handful of colours; ours have text,
  // cards and buttons.
  if (stats.stddev < 8 || stats.colours < 16) {
    throw new Error(
      `screenshot ${name} looks blank (stddev ${stats.stddev.toFixed(2)}, ${stats.colours} colours)`,
    );
  }
  return file;
}

/** A second origin for the same server: another port on localhost, relayed byte for byte. */
export async function relay(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
