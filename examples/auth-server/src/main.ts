#!/usr/bin/env node
// `npm run demo`: starts the example auth server on localhost and prints its URL.
//   PORT (default 8787; 0 = any free port), DATA_DIR (default ./data beside this package),
//   TLS_CERT + TLS_KEY (PEM files: serve https, needed for migrated U2F keys).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env['PORT'] === undefined ? 8787 : Number(process.env['PORT']);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error('PORT must be an integer 0..65535');
  process.exit(2);
}
const dataDir = resolve(process.env['DATA_DIR'] ?? join(here, '..', 'data'));

const certFile = process.env['TLS_CERT'];
const keyFile = process.env['TLS_KEY'];
if ((certFile === undefined) !== (keyFile === undefined)) {
  console.error('set both TLS_CERT and TLS_KEY (PEM files), or neither');
  process.exit(2);
}
const tls =
  certFile === undefined || keyFile === undefined
    ? undefined
    : { cert: readFileSync(certFile), key: readFileSync(keyFile) };
const server = await startServer({ dataDir, port, ...(tls === undefined ? {} : { tls }) });
console.log(`factorkit example auth server: ${server.url}`);
console.log(`data (SQLite, generated secrets): ${dataDir}`);
console.log('Open the URL in Chrome, Edge, Firefox or Safari; Ctrl-C stops the server.');

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
