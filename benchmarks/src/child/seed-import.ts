/**
 * Child process: imports N generated YubiKey seed rows ("Yubico format" CSV, the Personalization
 * Tool's log) into an in-memory registry and prints one JSON line: time and peak RSS. Runs in
 * its own process so the peak RSS belongs to the import alone.
 */
import { createHash } from 'node:crypto';
import { aesGcmKeyEncryption, MemoryYubikeyStore, YubikeyRegistry } from '@factorkit/yubikey';

const MODHEX = 'cbdefghijklnrtuv';
const rows = Number(process.argv[2] ?? 100_000);

function bytes(label: string, i: number, n: number): Buffer {
  return createHash('sha256').update(`${label}:${i}`).digest().subarray(0, n);
}

function modhex(buf: Buffer): string {
  let s = '';
  for (const b of buf) s += (MODHEX[b >> 4] ?? '') + (MODHEX[b & 15] ?? '');
  return s;
}

// The file, in 64 KiB chunks (as a stream would deliver it), built before the measurement.
const chunks: Buffer[] = [];
let pending = '';
for (let i = 0; i < rows; i++) {
  // Public ids must be unique: 6 bytes = a 4-byte prefix and the row number.
  const publicId = Buffer.concat([
    bytes('pub', i, 2),
    Buffer.from([0, (i >> 16) & 255, (i >> 8) & 255, i & 255]),
  ]);
  pending += `${1_000_000 + i},${modhex(publicId)},${bytes('pvt', i, 6).toString('hex')},${bytes('aes', i, 16).toString('hex')},000000000000,2026-01-01T12:00:00,\n`;
  if (pending.length >= 65_536) {
    chunks.push(Buffer.from(pending));
    pending = '';
  }
}
if (pending.length > 0) chunks.push(Buffer.from(pending));
const inputBytes = chunks.reduce((n, c) => n + c.length, 0);

const registry = new YubikeyRegistry({
  store: new MemoryYubikeyStore(),
  keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(7)),
});
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const report = await registry.importSeeds(chunks, { format: 'yubico' });
const seconds = (performance.now() - t0) / 1000;
if (!report.ok || report.imported !== rows) {
  process.stderr.write(
    `seed import check failed: ok=${report.ok} imported=${report.imported} rejected=${report.rejectedRows} ${JSON.stringify(report.errors.slice(0, 3))}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({
    rows,
    inputMiB: inputBytes / 2 ** 20,
    seconds,
    rowsPerSecond: rows / seconds,
    rssBeforeMiB: rssBefore / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
