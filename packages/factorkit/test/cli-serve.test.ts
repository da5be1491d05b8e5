/**
 * `factorkit serve` as a real process: the exact CLI contract (first stdout line
 * `listening on http://<host>:<port>`, clean exit 0 on SIGTERM), both surfaces answering, safe
 * defaults (no token: 401), usage errors exit 2.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { Client } from '@okta/okta-sdk-nodejs';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureBase } from '../src/http/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'factorkit.js');
const dir = mkdtempSync(join(tmpdir(), 'factorkit-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADMIN = 'serve-admin-token-0123456789';
const CLIENT_KEY = Buffer.alloc(20, 0x5a).toString('base64');

interface Running {
  child: ChildProcess;
  firstLine: string;
  url: string;
  exit: Promise<number | null>;
  stderr: () => string;
}

async function serve(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, FACTORKIT_CLI_FROM_SOURCE: '1', FACTORKIT_KEK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c) => {
    err += String(c);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', (line) => resolve(line));
    child.once('exit', () => reject(new Error(`serve exited before listening: ${err}`)));
  });
  const url = firstLine.replace(/^listening on /, '');
  return { child, firstLine, url, exit, stderr: () => err };
}

async function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, FACTORKIT_CLI_FROM_SOURCE: '1', FACTORKIT_KEK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c) => {
    err += String(c);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr: err };
}

describe('factorkit serve', () => {
  it('serves both surfaces over SQLite; first line is the address; SIGTERM exits 0 and state persists', async () => {
    const kek = join(dir, 'kek.hex');
    writeFileSync(kek, `${'ab'.repeat(32)}\n`);
    const tokens = join(dir, 'tokens.txt');
    writeFileSync(tokens, `# scopes\nadmin:${ADMIN}\n`);
    const clients = join(dir, 'clients.txt');
    writeFileSync(clients, `16:${CLIENT_KEY}\n`);
    const db = join(dir, 'serve.sqlite');
    const args = [
      '--db',
      db,
      '--kek-file',
      kek,
      '--port',
      '0',
      '--api-tokens-file',
      tokens,
      '--yubico-clients-file',
      clients,
    ];
    const s = await serve(args);
    expect(s.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    const key = new VirtualYubiKey({ seed: 'serve-test' });
    const okta = new Client({ orgUrl: s.url, token: ADMIN });
    const token = await okta.userFactorApi.uploadYubikeyOtpTokenSeed({
      uploadYubikeyOtpTokenSeedRequest: { serialNumber: '12345', ...key.secrets },
    });
    expect(token.status).toBe('UNASSIGNED');
    const enrolled = await okta.userFactorApi.enrollFactor({
      userId: 'dana',
      body: { factorType: 'token:hardware', provider: 'YUBICO', verify: { passCode: key.press() } } as never,
    });
    expect(enrolled.status).toBe('ACTIVE');
    // The validation protocol on the same process, signed with the client's key.
    const params = { id: '16', otp: key.press(), nonce: 'servenonce0123456789' };
    const h = createHmac('sha1', Buffer.from(CLIENT_KEY, 'base64'))
      .update(signatureBase(new Map(Object.entries(params))))
      .digest('base64');
    const res = await fetch(`${s.url}/wsapi/2.0/verify?${new URLSearchParams({ ...params, h })}`);
    expect(await res.text()).toContain('status=OK');
    // No token: 401.
    expect((await fetch(`${s.url}/api/v1/users/dana/factors`)).status).toBe(401);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    // Logs carry paths, never query strings (OTPs) or tokens.
    expect(s.stderr()).toContain('GET /wsapi/2.0/verify 200');
    expect(s.stderr()).not.toContain(params.otp);
    expect(s.stderr()).not.toContain(ADMIN);

    // Restart on the same database: the token is still there and still ACTIVE.
    const again = await serve(args);
    const okta2 = new Client({ orgUrl: again.url, token: ADMIN });
    expect((await okta2.userFactorApi.getYubikeyOtpTokenById({ tokenId: token.id as string })).status).toBe(
      'ACTIVE',
    );
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });

  it('safe defaults: no tokens file → every API request is 401; no clients → NO_SUCH_CLIENT', async () => {
    const s = await serve(['--port', '0']);
    expect(s.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${s.url}/api/v1/org/factors/yubikey_token/tokens`, {
      headers: { authorization: `SSWS ${ADMIN}` },
    });
    expect(r.status).toBe(401);
    const v = await fetch(`${s.url}/wsapi/2.0/verify?id=1&otp=${'c'.repeat(44)}&nonce=abcdefghijklmnop`);
    expect(await v.text()).toContain('status=NO_SUCH_CLIENT');
    expect(s.stderr()).toContain('every /api/v1 request is answered 401');
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });

  it('usage errors exit 2 without printing secrets', async () => {
    expect((await run(['--port', 'eighty'])).code).toBe(2);
    expect((await run(['--db', join(dir, 'x.sqlite')])).code).toBe(2);
    const bad = join(dir, 'bad-tokens.txt');
    writeFileSync(bad, 'root:supersecret-token-value-123\n');
    const r = await run(['--api-tokens-file', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 1');
    expect(r.stderr).not.toContain('supersecret');
    const badClients = join(dir, 'bad-clients.txt');
    writeFileSync(badClients, '16:dG9vc2hvcnQ=\n');
    const c = await run(['--yubico-clients-file', badClients]);
    expect(c.code).toBe(2);
    expect(c.stderr).not.toContain('dG9vc2hvcnQ=');
  });
});
