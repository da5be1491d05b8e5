/**
 * Yubico's own C client (libykclient, Debian `libykclient-dev`) against `/wsapi/2.0/verify`
 * served by the handler on 127.0.0.1 over a SQLite store. The client signs its requests with
 * its key and checks the signature, nonce and OTP of our answers itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFactorkitHandler, toNodeListener, YubicoClients } from '../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit } from '../src/index.ts';
import { SqliteStore } from '../src/store/sqlite/index.ts';

const run = promisify(execFile);
const HEADER = '/usr/include/ykclient.h';
const haveYkclient = existsSync(HEADER);
if (!haveYkclient) {
  console.warn(
    'http-ykclient: libykclient-dev is not installed (apt-get install libykclient-dev); skipping the real-client test',
  );
}

describe.skipIf(!haveYkclient)('libykclient against /wsapi/2.0/verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-ykclient-'));
  const binary = join(dir, 'ykverify');
  let server: Server;
  let url: string;
  let fk: Factorkit;
  let store: SqliteStore;
  let clientKey: string;
  const CLIENT_ID = 4711;
  const key = new VirtualYubiKey({ seed: 'ykclient-http' });
  const statuses: string[] = [];

  beforeAll(async () => {
    await run('cc', [
      '-Wall',
      '-o',
      binary,
      join(import.meta.dirname, 'ykclient', 'ykverify.c'),
      '-lykclient',
    ]);
    store = new SqliteStore(join(dir, 'state.sqlite'));
    const keyEncryption = aesGcmKeyEncryption(new Uint8Array(32).fill(3));
    fk = createFactorkit({
      rp: { id: 'localhost', name: 'test' },
      origins: ['https://localhost'],
      store,
      keyEncryption,
    });
    const s = key.secrets;
    const up = await fk.yubikey.uploadToken({ serialNumber: '7886622', ...s });
    expect(up.ok).toBe(true);
    const enrolled = await fk.yubikey.enroll({ userId: 'alice', passCode: key.press() });
    expect(enrolled.factorResult).toBe('SUCCESS');
    const clients = new YubicoClients({ keyEncryption });
    clientKey = (await clients.add({ id: CLIENT_ID })).key;
    const handler = createFactorkitHandler({
      factorkit: fk,
      yubico: { clients, onResult: (e) => statuses.push(e.status) },
    });
    server = createServer(toNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wsapi/2.0/verify`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the C client; returns [ykclient_rc, status line]. */
  async function ykverify(
    otp: string,
    opts: { id?: number; key?: string; verify?: boolean; nonce?: string } = {},
  ): Promise<[number, string]> {
    const args = [
      url,
      String(opts.id ?? CLIENT_ID),
      opts.key ?? clientKey,
      otp,
      opts.verify === false ? '0' : '1',
      ...(opts.nonce === undefined ? [] : [opts.nonce]),
    ];
    const { stdout } = await run(binary, args, { timeout: 20_000 });
    const [rc, status] = stdout.trim().split(' ');
    return [Number(rc), status as string];
  }

  // ykclient_rc values (ykclient_errors.h)
  const OK = 0;
  const BAD_OTP = 1;
  const REPLAYED_OTP = 2;
  const BAD_SIGNATURE = 3;
  const NO_SUCH_CLIENT = 5;
  const REPLAYED_REQUEST = 9;
  const BAD_SERVER_SIGNATURE = 107;

  it('OK for a fresh OTP; the client verified our signature, nonce and OTP echo', async () => {
    expect(await ykverify(key.press())).toEqual([OK, 'OK']);
    expect(statuses.at(-1)).toBe('OK');
  });

  it('REPLAYED_OTP for a repeat (a new nonce), REPLAYED_REQUEST for a resend with the same nonce', async () => {
    const otp = key.press();
    const nonce = 'abcdefghijklmnop0123';
    expect(await ykverify(otp, { nonce })).toEqual([OK, 'OK']);
    expect(await ykverify(otp)).toEqual([REPLAYED_OTP, 'REPLAYED_OTP']);
    // The client discards a REPLAYED_REQUEST answer (to wait for other servers) but returns its code.
    expect((await ykverify(otp, { nonce }))[0]).toBe(REPLAYED_REQUEST);
    expect(statuses.at(-1)).toBe('REPLAYED_REQUEST');
  });

  it('BAD_SIGNATURE for a wrong client key; with its check on, the client refuses our answer', async () => {
    const wrong = Buffer.alloc(20, 7).toString('base64');
    const otp = key.press();
    expect(await ykverify(otp, { key: wrong, verify: false })).toEqual([BAD_SIGNATURE, 'BAD_SIGNATURE']);
    // Our answer is signed with the client's real key, which the impostor does not hold.
    expect((await ykverify(otp, { key: wrong }))[0]).toBe(BAD_SERVER_SIGNATURE);
    // Nothing was accepted: the OTP is still fresh for the real client.
    expect(await ykverify(otp)).toEqual([OK, 'OK']);
  });

  it('BAD_OTP for a forged OTP of a known token, NO_SUCH_CLIENT for an unknown id', async () => {
    const forged = `${key.publicId}${'c'.repeat(32)}`;
    expect(await ykverify(forged)).toEqual([BAD_OTP, 'BAD_OTP']);
    expect(await ykverify(key.press(), { id: 99, verify: false })).toEqual([
      NO_SUCH_CLIENT,
      'NO_SUCH_CLIENT',
    ]);
  });
});
