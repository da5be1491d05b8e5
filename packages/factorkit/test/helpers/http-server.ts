import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokens, createFactorkitHandler, toNodeListener, YubicoClients } from '../../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit } from '../../src/index.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const FACTORS_TOKEN = 'factors-token-0123456789abcdef';
export const ORIGIN = 'https://login.example.com';
export const RP_ID = 'login.example.com';

export interface TestServer {
  readonly fk: Factorkit;
  readonly orgUrl: string;
  readonly clients: YubicoClients;
  readonly clock: { now: number };
  close(): Promise<void>;
}

/** The handler on 127.0.0.1:<free port> over a fresh SQLite file. */
export async function startTestServer(
  options: { clockStart?: number; vipSecrets?: Map<string, string> } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-http-'));
  const store = new SqliteStore(join(dir, 'state.sqlite'));
  const keyEncryption = aesGcmKeyEncryption(new Uint8Array(32).fill(11));
  const clock = { now: options.clockStart ?? Date.now() };
  const fk = createFactorkit({
    rp: { id: RP_ID, name: 'Example' },
    origins: [ORIGIN],
    store,
    keyEncryption,
    clock: () => new Date(clock.now),
  });
  const clients = new YubicoClients({ keyEncryption });
  const handler = createFactorkitHandler({
    factorkit: fk,
    yubico: { clients },
    okta: {
      apiTokens: new ApiTokens([
        { token: ADMIN_TOKEN, scope: 'admin' },
        { token: FACTORS_TOKEN, scope: 'factors' },
      ]),
      origin: ORIGIN,
      clock: () => new Date(clock.now),
      ...(options.vipSecrets === undefined
        ? {}
        : { vipSecrets: async (id: string) => options.vipSecrets?.get(id) }),
    },
  });
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fk,
    orgUrl,
    clients,
    clock,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
