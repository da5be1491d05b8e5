// End to end: Debian's Chromium (CDP virtual authenticators) → the example's pages and
// @simplewebauthn/browser → the example server → factorkit → SQLite → the page again.
// Every step asserts what the page shows, and every page state is screenshotted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { U2FToken, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import * as OTPAuth from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server.ts';
import {
  addAuthenticator,
  type Browser,
  CHROMIUM,
  chromiumAvailable,
  launch,
  relay,
  screenshot,
  type VirtualAuthenticatorHandle,
} from './browser.ts';
import { localhostTls } from './tls.ts';

if (!chromiumAvailable) {
  console.warn(
    `skipped the browser end-to-end tests: ${CHROMIUM} not found (install Debian's "chromium" package)`,
  );
}

/** What the page shows (rendered text, not hidden nodes' text). */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person sees
const shown = (l: Locator): Promise<string> => l.innerText();

describe.skipIf(!chromiumAvailable)('example auth server in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let second: { port: number; close(): Promise<void> };
  const shots: string[] = [];
  const shot = async (name: string) => shots.push(await screenshot(page, name));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'factorkit-example-e2e-'));
    // https, as in production (and browsers process U2F's appid only on https origins).
    const tls = localhostTls();
    server = await startServer({ dataDir, port: 0, tls });
    second = await relay(server.port);
    browser = await launch(tls.spkiPin);
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await second?.close();
    await server?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    console.info(`screenshots: ${shots.map((s) => s.split('/').pop()).join(', ')}`);
  });

  // Every test starts signed out (cookies are per host, shared across ports).
  beforeEach(async () => {
    await browser.context.clearCookies();
  });

  const url = (path: string) => new URL(path, server.url).toString();
  const notice = () => page.locator('#notice');
  const factorRows = () => page.locator('#factors tbody tr[data-kind]');

  /** Signs out; `expectAutofill`: a discoverable passkey is present, so conditional UI signs straight back in. */
  async function signOut(origin = server.origin) {
    await page.click('#signout');
    await page.waitForURL(`${origin}/?signedout=1`);
  }
  async function signedOutPage() {
    await expect.poll(() => shown(notice())).toContain('You are signed out');
  }

  /** The counter column of the account page for one credential. */
  async function signCount(kind: string): Promise<number> {
    return Number(await shown(page.locator(`#factors tr[data-kind="${kind}"] .sign-count`).first()));
  }

  async function withAuthenticator<T>(
    kind: Parameters<typeof addAuthenticator>[1],
    fn: (a: VirtualAuthenticatorHandle) => Promise<T>,
  ): Promise<T> {
    const a = await addAuthenticator(browser, kind);
    try {
      return await fn(a);
    } finally {
      await a.remove();
    }
  }

  it('passkey (ctap2, internal, resident key, UV): sign up, sign out, conditional UI signs in twice, second origin refused', async () => {
    await withAuthenticator('ctap2-internal-rk-uv', async () => {
      await page.goto(url('/signup'));
      await expect.poll(() => shown(page.locator('h1'))).toBe('Create an account');
      await page.fill('#username', 'alice');
      await shot('01-signup');
      await page.click('#signup-passkey');
      await page.waitForURL(url('/account'));
      await expect.poll(() => shown(page.locator('#whoami'))).toContain('alice');
      await expect.poll(() => factorRows().count()).toBe(1);
      expect(await page.locator('#factors tr[data-kind="webauthn"]').count()).toBe(1);
      const registered = await signCount('webauthn');
      await shot('02-account-passkey');

      // Signed out, the sign-in page starts a conditional (autofill) request; Chromium's
      // virtual authenticator answers it with the discoverable passkey, username-less.
      await signOut();
      await page.waitForURL(url('/account'));
      await expect.poll(() => shown(page.locator('#whoami'))).toContain('alice');
      const first = await signCount('webauthn');
      expect(first).toBeGreaterThan(registered);
      await shot('03-signed-in-conditional-ui');

      await signOut();
      await page.waitForURL(url('/account'));
      const again = await signCount('webauthn');
      expect(again).toBeGreaterThan(first);
      await shot('04-signed-in-again-counter-grows');

      // The same server through another origin (another port): the browser signs for that
      // origin, and factorkit refuses it — the page shows the result code's human text.
      const other = `https://localhost:${second.port}`;
      await page.goto(`${other}/account`);
      await signOut(other);
      await expect.poll(() => shown(notice().locator('.code'))).toBe('ERR_ORIGIN_MISMATCH');
      expect(await shown(notice())).toContain('made for another website address');
      expect(page.url()).toBe(`${other}/?signedout=1`);
      await shot('05-second-origin-rejected');
      // The explicit button gives the same answer.
      await page.click('#signin-passkey');
      await expect.poll(() => shown(notice().locator('.code'))).toBe('ERR_ORIGIN_MISMATCH');
      // And nobody got signed in.
      const session = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
      expect(session).not.toHaveProperty('userId');
    });
  }, 90_000);

  it('security key (ctap2, usb, no resident key): sign up, sign in with username twice', async () => {
    await withAuthenticator('ctap2-usb', async () => {
      await page.goto(url('/signup'));
      await page.fill('#username', 'bob');
      await page.click('#signup-key');
      await page.waitForURL(url('/account'));
      await expect.poll(() => shown(page.locator('#whoami'))).toContain('bob');
      await signOut();
      await signedOutPage();
      await shot('06-signed-out');

      // Without a username there is no discoverable credential: the browser finds nothing.
      await page.fill('#username', 'bob');
      await page.click('#signin-key');
      await page.waitForURL(url('/account'));
      const first = await signCount('webauthn');
      await signOut();
      await page.fill('#username', 'bob');
      await page.click('#signin-key');
      await page.waitForURL(url('/account'));
      expect(await signCount('webauthn')).toBeGreaterThan(first);
      await shot('07-security-key-account');
      await signOut();
    });
  }, 90_000);

  it('u2f authenticator: sign up through WebAuthn (fido-u2f), then a migrated U2F key signs in with appid', async () => {
    const token = new U2FToken({ seed: 'e2e-legacy-u2f' });
    let keyHandle = '';
    await withAuthenticator('u2f', async () => {
      await page.goto(url('/signup'));
      await page.fill('#username', 'carol');
      await page.click('#signup-key');
      await page.waitForURL(url('/account'));
      await signOut();
      await page.fill('#username', 'carol');
      await page.click('#signin-key');
      await page.waitForURL(url('/account'));
      await expect.poll(() => shown(page.locator('#whoami'))).toContain('carol');

      // Import a key registered through the old u2f.register() API.
      await page.goto(url('/account/u2f'));
      await page.click('#u2f-start button');
      const request = JSON.parse(await shown(page.locator('#u2f-request'))) as {
        appId: string;
        registerRequests: [{ challenge: string }];
      };
      expect(request.appId).toBe(server.origin);
      await shot('08-u2f-register-request');
      const response = token.register({
        appId: request.appId,
        challenge: request.registerRequests[0].challenge,
        origin: server.origin,
      });
      await page.fill('#u2f-response', JSON.stringify(response));
      await page.click('#u2f-finish button');
      await expect.poll(() => shown(notice())).toContain('Legacy U2F key added');
      expect(await page.locator('#factors tr[data-kind="u2f"]').count()).toBe(1);
      const raw = Buffer.from(response.registrationData, 'base64url');
      keyHandle = raw.subarray(67, 67 + (raw[66] ?? 0)).toString('base64url');
      await signOut();
    });

    // A U2F authenticator holding only the migrated key (CDP addCredential with the same
    // private key, rpId = the AppID): Chromium answers through the appid extension.
    await withAuthenticator('u2f', async (a) => {
      const exported = token.exportCredential(keyHandle);
      await a.cdp.send('WebAuthn.addCredential', {
        authenticatorId: a.id,
        credential: {
          credentialId: Buffer.from(keyHandle, 'base64url').toString('base64'),
          isResidentCredential: false,
          rpId: exported.appId ?? '',
          privateKey: Buffer.from(exported.key.pkcs8?.() ?? []).toString('base64'),
          signCount: exported.signCount ?? 0,
        },
      } as never);
      await page.fill('#username', 'carol');
      await page.click('#signin-key');
      await page.waitForURL(url('/account'));
      await expect.poll(() => shown(page.locator('#whoami'))).toContain('carol');
      expect(await signCount('u2f')).toBeGreaterThan(0);
      await shot('09-u2f-migrated-signed-in');
      await signOut();
    });
  }, 90_000);

  it('TOTP: enroll with the QR page, confirm with an otpauth code, sign in; a replayed code is refused', async () => {
    await withAuthenticator('ctap2-internal-rk-uv', async () => {
      await page.goto(url('/signup'));
      await page.fill('#username', 'dave');
      await page.click('#signup-passkey');
      await page.waitForURL(url('/account'));
    });
    await page.click('#to-totp');
    await page.click('#totp-start button');
    await expect.poll(() => shown(page.locator('h1'))).toBe('Scan this QR code');
    expect(await page.locator('#totp-qr svg').count()).toBe(1);
    await shot('10-totp-qr');
    const secret = (await shown(page.locator('#totp-secret'))).replaceAll(' ', '');
    // Codes from otpauth (a peer implementation), not from factorkit.
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
    await page.fill('#totp-code', totp.generate());
    await page.click('#totp-confirm button');
    await expect.poll(() => shown(notice())).toContain('Authenticator app added');
    expect(await page.locator('#factors tr[data-kind="totp"]').count()).toBe(1);
    await shot('11-account-with-totp');
    await signOut();

    // The next time step's code (inside the ±1 window): the confirmation code's step is used.
    const code = totp.generate({ timestamp: Date.now() + 30_000 });
    await page.fill('#otp-username', 'dave');
    await page.fill('#otp-code', code);
    await page.click('#signin-otp button');
    await page.waitForURL(url('/account'));
    await expect.poll(() => shown(page.locator('#whoami'))).toContain('dave');
    await signOut();
    await page.fill('#otp-username', 'dave');
    await page.fill('#otp-code', code);
    await page.click('#signin-otp button');
    await expect.poll(() => shown(notice())).toContain('already used');
    expect(await shown(notice().locator('.code'))).toBe('ERR_OTP_REPLAYED');
    await shot('12-totp-replayed');
  }, 90_000);

  const yubikey = new VirtualYubiKey({ seed: 'e2e-yubikey', clock: Date.now });

  it('YubiKey OTP: upload the seed, enroll by touch, sign in; a replayed OTP is refused', async () => {
    await withAuthenticator('ctap2-internal-rk-uv', async () => {
      await page.goto(url('/signup'));
      await page.fill('#username', 'erin');
      await page.click('#signup-passkey');
      await page.waitForURL(url('/account'));
    });
    await page.click('#to-yubikey');
    await page.fill('#yk-serial', '5551234');
    await page.fill('#yk-public', yubikey.secrets.publicId);
    await page.fill('#yk-private', yubikey.secrets.privateId);
    await page.fill('#yk-aes', yubikey.secrets.aesKey);
    await page.click('#yubikey-seed button');
    await expect.poll(() => shown(notice())).toContain('Seed uploaded');
    await page.fill('#yk-enroll-otp', yubikey.press());
    await shot('13-yubikey-enroll');
    await page.click('#yubikey-enroll button');
    await expect.poll(() => shown(notice())).toContain('YubiKey added');
    expect(await page.locator('#factors tr[data-kind="yubikey"]').count()).toBe(1);
    await shot('14-account-with-yubikey');
    await signOut();

    const otp = yubikey.press();
    await page.fill('#yk-username', 'erin');
    await page.fill('#yk-otp', otp);
    await page.click('#signin-yubikey button');
    await page.waitForURL(url('/account'));
    await expect.poll(() => shown(page.locator('#whoami'))).toContain('erin');
    await signOut();
    await page.fill('#yk-username', 'erin');
    await page.fill('#yk-otp', otp);
    await page.click('#signin-yubikey button');
    await expect.poll(() => shown(notice().locator('.code'))).toBe('ERR_OTP_REPLAYED');
    await shot('15-yubikey-replayed');
  }, 90_000);

  it('Symantec VIP: enroll with credential ID + two consecutive codes; account page lists and removes factors', async () => {
    await page.goto(url('/'));
    await page.fill('#yk-username', 'erin');
    await page.fill('#yk-otp', yubikey.press());
    await page.click('#signin-yubikey button');
    await page.waitForURL(url('/account'));
    const who = await shown(page.locator('#whoami'));
    const secret = new OTPAuth.Secret({ size: 20 });
    const vip = new OTPAuth.TOTP({ secret, digits: 6, period: 30 });
    await page.click('#to-vip');
    await page.fill('#vip-id', 'VSMT14393584');
    await page.fill('#vip-secret', secret.base32);
    // Two wrong-order codes first: the page explains.
    const now = Date.now();
    await page.fill('#vip-code', vip.generate({ timestamp: now + 30_000 }));
    await page.fill('#vip-next', vip.generate({ timestamp: now }));
    await page.click('#vip-enroll button');
    await expect.poll(() => shown(notice())).not.toBe('');
    expect(await shown(notice().locator('.code'))).toMatch(/^ERR_/);
    await shot('16-vip-wrong-order');
    await page.fill('#vip-id', 'VSMT14393584');
    await page.fill('#vip-secret', secret.base32);
    await page.fill('#vip-code', vip.generate({ timestamp: now }));
    await page.fill('#vip-next', vip.generate({ timestamp: now + 30_000 }));
    await page.click('#vip-enroll button');
    await expect.poll(() => shown(notice())).toContain('Symantec VIP credential added');
    const before = await factorRows().count();
    expect(await page.locator('#factors tr[data-kind="vip"]').count()).toBe(1);
    await shot('17-account-all-factors');
    await page.locator('#factors tr[data-kind="vip"] button.danger').click();
    await page.waitForURL(url('/account?removed=1'));
    await expect.poll(() => shown(notice())).toContain('Factor removed');
    expect(await factorRows().count()).toBe(before - 1);
    expect(await page.locator('#factors tr[data-kind="vip"]').count()).toBe(0);
    await shot('18-account-factor-removed');
    expect(who).toMatch(/Signed in as/);
  }, 90_000);

  it('conditional UI: the sign-in page offers passkeys in autofill', async () => {
    await page.goto(url('/'));
    await expect
      .poll(() => page.locator('#conditional-status').getAttribute('data-state'))
      .toMatch(/^(waiting|unsupported)$/);
    expect(await page.locator('#username').getAttribute('autocomplete')).toBe('username webauthn');
    await shot('19-signin-conditional');
  }, 30_000);
});

// The demo as `npm run demo` serves it: plain http on localhost (a secure context too).
describe.skipIf(!chromiumAvailable)('example auth server over http://localhost', () => {
  it('passkey sign-up, sign-out, conditional sign-in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'factorkit-example-e2e-http-'));
    const server = await startServer({ dataDir, port: 0 });
    const browser = await launch();
    try {
      const { page } = browser;
      const a = await addAuthenticator(browser, 'ctap2-internal-rk-uv');
      expect(server.url).toMatch(/^http:\/\/localhost:\d+\/$/);
      await page.goto(new URL('/signup', server.url).toString());
      await page.fill('#username', 'henry');
      await page.click('#signup-passkey');
      await page.waitForURL(new URL('/account', server.url).toString());
      await page.click('#signout');
      await page.waitForURL(new URL('/account', server.url).toString());
      expect(await shown(page.locator('#whoami'))).toContain('henry');
      await screenshot(page, '20-http-demo-account');
      await a.remove();
    } finally {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
