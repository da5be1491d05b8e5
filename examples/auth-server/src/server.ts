// Starting the example: the data directory (SQLite files, generated secrets) and the HTTP
// listener. `main.ts` is the `npm run demo` entry; tests start it the same way on a free port.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { aesGcmKeyEncryption, type FactorkitStore } from 'factorkit';
import { SqliteStore } from 'factorkit/sqlite';
import { type AuthServer, createAuthServer } from './app.ts';
import { Users } from './users.ts';

export interface StartOptions {
  /** Where the SQLite files and the generated secrets live (created when missing). */
  readonly dataDir: string;
  /** 0 = a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The host name people use (the WebAuthn RP ID). Default `localhost`. */
  readonly hostname?: string;
  /**
   * Serve HTTPS with this certificate and key (PEM). Browsers process the U2F `appid`
   * extension only on https origins, so migrated U2F keys need it.
   */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Replaces the SQLite store (e.g. a MemoryStore in tests). */
  readonly store?: FactorkitStore;
  /** Lets a test wrap the app (e.g. a deliberately broken route in front of it). */
  readonly wrap?: (server: AuthServer) => { fetch: (request: Request) => Response | Promise<Response> };
}

export interface RunningServer extends AuthServer {
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  close(): Promise<void>;
}

interface Secrets {
  readonly sessionSecret: string;
  readonly kek: string;
}

/**
 * The demo's secrets, generated on first start into the data directory (mode 0600). A real
 * deployment takes the key-encryption key from a KMS and the cookie secret from its secret store.
 */
function loadSecrets(dataDir: string): { sessionSecret: Uint8Array; kek: Uint8Array } {
  const file = join(dataDir, 'secrets.json');
  if (!existsSync(file)) {
    const fresh: Secrets = {
      sessionSecret: randomBytes(32).toString('hex'),
      kek: randomBytes(32).toString('hex'),
    };
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  const s = JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  return { sessionSecret: Buffer.from(s.sessionSecret, 'hex'), kek: Buffer.from(s.kek, 'hex') };
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const { sessionSecret, kek } = loadSecrets(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  const hostname = options.hostname ?? 'localhost';
  // Listen first: the origin (and so the façade) depends on the port actually bound.
  let handler: (request: Request) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503 });
  const listener = getRequestListener((request) => handler(request));
  const http: Server =
    options.tls === undefined
      ? createServer(listener)
      : (createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener) as unknown as Server);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const origin = `${options.tls === undefined ? 'http' : 'https'}://${hostname}:${port}`;
  const store = options.store ?? new SqliteStore(join(options.dataDir, 'factorkit.sqlite'));
  const users = new Users(join(options.dataDir, 'users.sqlite'));
  const server = createAuthServer({
    origin,
    store,
    keyEncryption: aesGcmKeyEncryption(kek),
    users,
    sessionSecret,
  });
  const app = options.wrap === undefined ? server.app : options.wrap(server);
  handler = (request) => app.fetch(request);
  return {
    ...server,
    url: `${origin}/`,
    port,
    http,
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      users.close();
      (store as { close?: () => void }).close?.();
    },
  };
}
