/**
 * Requests per second of `verify` on both HTTP surfaces of `factorkit/http`, against the same
 * verification called in-process through the façade, in one run over one SQLite store:
 *
 * - façade: `fk.yubikey.verify({ userId, passCode })` (the floor for both surfaces)
 * - handler: the fetch-style handler called directly (no socket: routing, parsing, signing)
 * - HTTP: `node:http` on 127.0.0.1 with keep-alive `fetch`, 1 and 8 concurrent clients
 *
 * Surfaces: Yubico validation protocol (`GET /wsapi/2.0/verify`, signed request and answer) and
 * the Okta API (`POST /api/v1/users/{id}/factors/{factorId}/verify` with a YubiKey OTP). Every
 * request carries a fresh OTP and must be accepted (checked), so each one commits a counter.
 * Usage: `npm run bench:http --workspace=benchmarks [-- --n=2000]`. Needs `npx turbo run build`.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { aesGcmKeyEncryption, createFactorkit } from 'factorkit';
import {
  ApiTokens,
  createFactorkitHandler,
  signatureBase,
  toNodeListener,
  YubicoClients,
} from 'factorkit/http';
import { SqliteStore } from 'factorkit/sqlite';

const N = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 2000);
const WORKERS = 8;
const TOKEN = 'bench-token-0123456789abcdef';
const CLIENT_ID = 7;

const dir = mkdtempSync(join(tmpdir(), 'factorkit-bench-http-'));
const store = new SqliteStore(join(dir, 'bench.sqlite'));
const keyEncryption = aesGcmKeyEncryption(new Uint8Array(32).fill(1));
const fk = createFactorkit({
  rp: { id: 'localhost', name: 'bench' },
  origins: ['https://localhost'],
  store,
  keyEncryption,
});
const clients = new YubicoClients({ keyEncryption });
const clientKey = Buffer.from((await clients.add({ id: CLIENT_ID })).key, 'base64');
const handler = createFactorkitHandler({
  factorkit: fk,
  yubico: { clients },
  okta: { apiTokens: new ApiTokens([{ token: TOKEN, scope: 'factors' }]) },
});
const server = createServer(toNodeListener(handler));
// Longer than the client pool's idle timeout, so an idle socket is never reused as it closes.
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Token {
  userId: string;
  factorId: string;
  key: VirtualYubiKey;
}
let made = 0;
/** A fresh YubiKey uploaded and enrolled for its own user. */
async function newToken(): Promise<Token> {
  const i = made++;
  const key = new VirtualYubiKey({ seed: `bench-http-${i}` });
  const up = await fk.yubikey.uploadToken({ serialNumber: String(1000 + i), ...key.secrets });
  if (!up.ok) throw new Error('upload failed');
  const userId = `user${i}`;
  const r = await fk.yubikey.enroll({ userId, passCode: key.press() });
  if (r.factorResult !== 'SUCCESS') throw new Error('enroll failed');
  return { userId, factorId: up.token.id, key };
}

function wsapiQuery(otp: string, n: number): string {
  const params = { id: String(CLIENT_ID), nonce: `benchnonce${String(n + 1000).padStart(10, '0')}`, otp };
  const h = createHmac('sha1', clientKey)
    .update(signatureBase(new Map(Object.entries(params))))
    .digest('base64');
  return new URLSearchParams({ ...params, h }).toString();
}

type Op = (t: Token, n: number) => Promise<boolean>;

const ops: Record<string, Op> = {
  'façade fk.yubikey.verify': async (t) => {
    const r = await fk.yubikey.verify({ userId: t.userId, passCode: t.key.press() });
    return r.factorResult === 'SUCCESS';
  },
  'wsapi handler (no socket)': async (t, n) => {
    const r = await handler(new Request(`${base}/wsapi/2.0/verify?${wsapiQuery(t.key.press(), n)}`));
    return (await r.text()).includes('status=OK');
  },
  'wsapi HTTP': async (t, n) => {
    const r = await fetch(`${base}/wsapi/2.0/verify?${wsapiQuery(t.key.press(), n)}`);
    return (await r.text()).includes('status=OK');
  },
  'okta verify handler (no socket)': async (t) => {
    const r = await handler(
      new Request(`${base}/api/v1/users/${t.userId}/factors/${t.factorId}/verify`, {
        method: 'POST',
        headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ passCode: t.key.press() }),
      }),
    );
    return r.status === 200 && ((await r.json()) as { factorResult?: string }).factorResult === 'SUCCESS';
  },
  'okta verify HTTP': async (t) => {
    const r = await fetch(`${base}/api/v1/users/${t.userId}/factors/${t.factorId}/verify`, {
      method: 'POST',
      headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ passCode: t.key.press() }),
    });
    return r.status === 200 && ((await r.json()) as { factorResult?: string }).factorResult === 'SUCCESS';
  },
};

/** Runs `n` operations over `workers` concurrent loops (one token each: OTPs stay in order). */
async function measure(op: Op, n: number, workers: number): Promise<number> {
  const tokens = await Promise.all(Array.from({ length: workers }, () => newToken()));
  // Warm-up: JIT, statement cache, connection pool.
  for (const t of tokens)
    for (let i = 0; i < 20; i++) if (!(await op(t, -i - 1))) throw new Error('warm-up failed');
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    tokens.map(async (t) => {
      while (next < n) {
        const k = next++;
        if (!(await op(t, k))) failed++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failed > 0) throw new Error(`${failed} verifications failed`);
  return n / seconds;
}

const rows: [string, number, number][] = [];
for (const [name, op] of Object.entries(ops)) {
  const one = await measure(op, N, 1);
  const many = await measure(op, N, WORKERS);
  rows.push([name, one, many]);
}
const floor = rows[0]?.[1] ?? 1;
console.log(`verify, requests/s (n=${N} each, SQLite store, fresh OTP per request, all accepted)`);
console.log('| path | 1 client | 8 clients | ÷ façade (1 client) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, one, many] of rows) {
  console.log(`| ${name} | ${one.toFixed(0)} | ${many.toFixed(0)} | ${(one / floor).toFixed(2)} |`);
}
server.closeAllConnections();
server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
