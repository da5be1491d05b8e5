// Measures a 100 000-row seed import (time and heap) against the in-memory store.
// Run: npx tsx packages/yubikey/scripts/import-100k.ts
import { getHeapStatistics } from 'node:v8';
import { aesGcmKeyEncryption, MemoryYubikeyStore, YubikeyRegistry } from '../src/index.ts';
import { hexToModhex } from '../src/modhex.ts';

// With --bad-last the file ends in one bad row: all-or-nothing validates everything, writes nothing.
const badLast = process.argv.includes('--bad-last');

async function* seedFile(rows: number): AsyncGenerator<string> {
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const hex = i.toString(16).padStart(8, '0');
    chunk += `${1_000_000 + i},vvcc${hexToModhex(hex)},0a0b${hex},a${hex}${'b'.repeat(23)},000000000000,2026-01-01T12:00:00,\n`;
    if ((i + 1) % 500 === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (badLast) chunk += 'x,y,z,w,v,u,\n';
  if (chunk !== '') yield chunk;
}

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const store = new MemoryYubikeyStore();
const registry = new YubikeyRegistry({
  store,
  keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(1)),
});
globalThis.gc?.();
const heap0 = getHeapStatistics().used_heap_size;
let peak = heap0;
const timer = setInterval(() => {
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
}, 20);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = await registry.importSeeds(seedFile(rows));
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
clearInterval(timer);
peak = Math.max(peak, getHeapStatistics().used_heap_size);
globalThis.gc?.();
const heap1 = getHeapStatistics().used_heap_size;
console.log(
  JSON.stringify({
    rows,
    badLast,
    imported: report.imported,
    ok: report.ok,
    wallMs: Math.round(t1 - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakHeapDeltaMiB: +((peak - heap0) / 2 ** 20).toFixed(1),
    retainedHeapDeltaMiB: +((heap1 - heap0) / 2 ** 20).toFixed(1),
  }),
);
