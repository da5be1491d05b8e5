import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { aesGcmKeyEncryption } from '@factorkit/yubikey';
import { createFactorkit } from '../facade/create.ts';
import { createFactorkitHandler } from '../http/handler.ts';
import { toNodeListener } from '../http/node.ts';
import { ApiTokens } from '../http/okta/auth.ts';
import { YubicoClients } from '../http/yubico-clients.ts';
import { MemoryStore } from '../store/memory.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import type { FactorkitStore } from '../store/types.ts';
import { readKek } from './import-yubikey.ts';
import { type CliIo, EXIT_OK, UsageError } from './main.ts';

/** Default port of `factorkit serve` (0 = any free port). */
export const DEFAULT_SERVE_PORT = 8080;
const PURGE_INTERVAL_MS = 60_000;

function readTextFile(io: CliIo, option: string, file: string): string {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new UsageError(`${option}: no such file: ${file}`);
  return readFileSync(path, 'utf8');
}

/** `<id>:<base64 key>` lines; blank lines and `#` comments skipped. Errors name the line only. */
export function parseYubicoClientsFile(text: string): { id: number; key: string }[] {
  const out: { id: number; key: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([0-9]{1,10}):(\S+)$/.exec(line);
    if (m === null) throw new UsageError(`--yubico-clients-file line ${i + 1}: expected <id>:<base64 key>`);
    out.push({ id: Number(m[1]), key: m[2] as string });
  });
  return out;
}

const isLoopback = (host: string): boolean =>
  host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\./.test(host);

/**
 * `factorkit serve`: both HTTP surfaces (Okta-compatible Factors API under `/api/v1/`, Yubico
 * validation protocol 2.0 at `/wsapi/2.0/verify`) from one process. Prints
 * `listening on http://<host>:<port>` as its first stdout line once ready; exits 0 on SIGTERM
 * (or SIGINT) after closing connections and the store. Safe defaults: loopback only, and
 * without `--api-tokens-file` every API request is 401 (without `--yubico-clients-file` every
 * validation request is NO_SUCH_CLIENT).
 *
 * Environment: `FACTORKIT_KEK` (instead of `--kek-file`), `FACTORKIT_RP_ID` (WebAuthn RP ID,
 * default `localhost`), `FACTORKIT_ORIGIN` (the page origin of U2F/WebAuthn ceremonies, default
 * `https://<rp id>`), `FACTORKIT_PUBLIC_URL` (origin used in `_links`/`Link`, default: each
 * request's own).
 */
export async function runServe(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      db: { type: 'string' },
      'kek-file': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(DEFAULT_SERVE_PORT) },
      'api-tokens-file': { type: 'string' },
      'yubico-clients-file': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError('serve takes no positional arguments');
  const portText = values.port as string;
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65_535)
    throw new UsageError('--port must be an integer 0..65535 (0 = any free port)');
  const host = values.host as string;
  if (host === '') throw new UsageError('--host must not be empty');
  const kek = readKek(values['kek-file'], io);
  if (values.db !== undefined && kek === undefined) {
    throw new UsageError(
      '--db needs a key-encryption key: --kek-file FILE or $FACTORKIT_KEK (64 hex characters)',
    );
  }
  let apiTokens = new ApiTokens([]);
  if (values['api-tokens-file'] !== undefined) {
    try {
      apiTokens = ApiTokens.parse(readTextFile(io, '--api-tokens-file', values['api-tokens-file']));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--api-tokens-file: ${(error as Error).message}`);
    }
  }
  const clientLines =
    values['yubico-clients-file'] === undefined
      ? []
      : parseYubicoClientsFile(readTextFile(io, '--yubico-clients-file', values['yubico-clients-file']));
  const rpId = io.env['FACTORKIT_RP_ID'] || 'localhost';
  const origin = io.env['FACTORKIT_ORIGIN'] || `https://${rpId}`;
  const publicUrl = io.env['FACTORKIT_PUBLIC_URL'] || undefined;

  const keyEncryption = aesGcmKeyEncryption(kek ?? crypto.getRandomValues(new Uint8Array(32)));
  const store: FactorkitStore =
    values.db === undefined ? new MemoryStore() : new SqliteStore(resolve(io.cwd, values.db));
  try {
    const fk = createFactorkit({
      rp: { id: rpId, name: 'factorkit' },
      origins: [origin],
      store,
      keyEncryption,
    });
    const clients = new YubicoClients({ keyEncryption });
    for (const [i, c] of clientLines.entries()) {
      try {
        await clients.add({ id: c.id, key: c.key });
      } catch (error) {
        throw new UsageError(`--yubico-clients-file client ${i + 1}: ${(error as Error).message}`);
      }
    }
    const handler = createFactorkitHandler({
      factorkit: fk,
      yubico: { clients },
      okta: { apiTokens, origin, ...(publicUrl === undefined ? {} : { publicUrl }) },
    });
    const listener = toNodeListener(handler);
    const server = createServer((req, res) => {
      const started = Date.now();
      // Paths only: query strings carry OTPs (wsapi) and filters, never logged.
      const path = (req.url ?? '/').split('?')[0];
      res.on('finish', () => {
        io.stderr.write(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms\n`);
      });
      listener(req, res);
    });
    // Idle keep-alive sockets outlive typical client pools' idle timeouts (no reuse-while-closing race).
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(Number(portText), host, () => {
        server.off('error', fail);
        ok();
      });
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    io.stdout.write(`listening on http://${shownHost}:${address.port}\n`);
    if (values.db === undefined)
      io.stderr.write('factorkit serve: no --db: state is kept in memory only and lost on exit\n');
    if (apiTokens.size === 0)
      io.stderr.write('factorkit serve: no --api-tokens-file: every /api/v1 request is answered 401\n');
    if (!isLoopback(host))
      io.stderr.write(`factorkit serve: listening beyond loopback on ${host}: put TLS in front of it\n`);
    const purge = setInterval(() => {
      fk.purgeExpiredChallenges().catch(() => undefined);
    }, PURGE_INTERVAL_MS);
    purge.unref();
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        clearInterval(purge);
        server.close(() => done());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish; then the rest are cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return EXIT_OK;
  } finally {
    await store.close();
  }
}
