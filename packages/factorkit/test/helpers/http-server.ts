import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiTokens, createFactorkitHandler, toNodeListener, YubicoClients } from '../../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit } from '../../src/index.ts';
import { PostgresStore } from '../../src/store/postgres/index.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { FactorkitStore } from '../../src/store/types.ts';
import { POSTGRES_URL, uniqueName } from './servers.ts';

/** The stores the real-client tests run on: SQLite always, Postgres when a server is given. */
export const HTTP_TEST_BACKENDS: readonly ('sqlite' | 'postgres')[] =
  POSTGRES_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

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
  options: { clockStart?: number; vipSecrets?: Map<string, string>; backend?: 'sqlite' | 'postgres' } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-http-'));
  let store: FactorkitStore;
  let dropPostgres: (() => Promise<void>) | undefined;
  if (options.backend === 'postgres') {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    pool.on('error', () => {});
    const schema = uniqueName('fkhttp');
    store = await PostgresStore.open(pool, { schema });
    dropPostgres = async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    };
  } else {
    store = new SqliteStore(join(dir, 'state.sqlite'));
  }
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
      await dropPostgres?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
