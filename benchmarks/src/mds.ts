/**
 * FIDO MDS benchmarks (@factorkit/metadata), one process, ratios within the run:
 * - lookup by AAGUID / by key identifier vs a bare `Map.get` (the limit);
 * - load (verify + parse + index) of a generated full-size BLOB: ~200 entries, ~6 MB, ES256,
 *   root → intermediate → signer with CRLs — time per load and retained heap.
 *
 *   npm run bench:mds --workspace=benchmarks            (full)
 *   npm run bench:mds --workspace=benchmarks -- --quick
 *
 * Run with --expose-gc for the memory figure (the npm script does).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadMetadata, type Metadata } from '@factorkit/metadata';
import { NOW, signBlob, testMds, yubicoEntry } from '@factorkit/testkit/pki';
import { Bench } from 'tinybench';

const quick = process.argv.includes('--quick');
const ENTRIES = 200;
const TARGET_BYTES = 6 * 1024 * 1024;

function entryOf(i: number): Record<string, unknown> {
  const aaguid = randomUUID();
  const e = yubicoEntry(aaguid, `Generated authenticator ${i}`, [
    { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' },
    ...(i % 10 === 0 ? [{ status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2023-01-01' }] : []),
  ]);
  const statement = e['metadataStatement'] as Record<string, unknown>;
  // Real statements carry a base64 PNG icon and several roots: that is where the size is.
  statement['icon'] =
    `data:image/png;base64,${randomBytes(Math.floor((TARGET_BYTES / ENTRIES) * 0.53)).toString('base64')}`;
  if (i % 2 === 0) e['attestationCertificateKeyIdentifiers'] = [randomBytes(20).toString('hex')];
  return e;
}

async function main(): Promise<void> {
  const mds = await testMds();
  const entries = Array.from({ length: ENTRIES }, (_, i) => entryOf(i));
  const payload = { legalHeader: 'generated', no: 100, nextUpdate: '2025-07-01', entries };
  const jwt = await signBlob(payload, mds.signer, [mds.signer, mds.intermediate]);
  const opts = { now: NOW, roots: [mds.root.pem], revocation: { crls: mds.crls } };
  process.stdout.write(`BLOB: ${ENTRIES} entries, ${(jwt.length / 1024 / 1024).toFixed(2)} MiB (JWS text)\n`);

  // Load time: verify (signature, chain, CRLs) + strict JSON parse + index.
  const runs = quick ? 3 : 10;
  const times: number[] = [];
  let metadata: Metadata | undefined;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = await loadMetadata(jwt, opts);
    const t = performance.now() - t0;
    if (!r.ok) throw new Error(`generated BLOB does not verify: ${r.code}`);
    metadata = r.metadata;
    if (i > 0) times.push(t); // first run warms up
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  const parseOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    parseOnly.push(performance.now() - t0);
  }
  parseOnly.sort((a, b) => a - b);
  const parseMedian = parseOnly[Math.floor(parseOnly.length / 2)] as number;
  process.stdout.write(
    `load (verify + parse + index): median ${median.toFixed(1)} ms over ${runs} runs; ` +
      `base64url decode + JSON.parse alone: ${parseMedian.toFixed(1)} ms (ratio ${(median / parseMedian).toFixed(2)}×)\n`,
  );

  // Retained memory of one loaded Metadata (heap after full GC, with vs without it).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    metadata = undefined;
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const r = await loadMetadata(jwt, opts);
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    if (r.ok) metadata = r.metadata;
    process.stdout.write(
      `retained heap of one loaded BLOB: ${((after - before) / 1024 / 1024).toFixed(1)} MiB\n`,
    );
  } else {
    process.stdout.write('retained heap: run with --expose-gc\n');
  }
  if (metadata === undefined) throw new Error('no metadata');

  // Lookup vs a bare Map.get over the same keys.
  const aaguids = metadata.entries.map((e) => e.aaguid as string);
  const keyIds = metadata.entries.flatMap((e) => e.attestationCertificateKeyIdentifiers);
  const map = new Map(metadata.entries.map((e) => [e.aaguid as string, e]));
  let i = 0;
  let sink = 0;
  const m = metadata;
  const bench = new Bench({ time: quick ? 200 : 1000, warmupTime: quick ? 100 : 500 });
  bench
    .add('Map.get(aaguid) (limit)', () => {
      if (map.get(aaguids[i++ % aaguids.length] as string) !== undefined) sink++;
    })
    .add('metadata.byAaguid(aaguid)', () => {
      if (m.byAaguid(aaguids[i++ % aaguids.length] as string) !== undefined) sink++;
    })
    .add('metadata.byAaguid(UPPERCASE aaguid)', () => {
      if (m.byAaguid((aaguids[i++ % aaguids.length] as string).toUpperCase()) !== undefined) sink++;
    })
    .add('metadata.byAttestationCertificateKeyIdentifier(hex)', () => {
      if (m.byAttestationCertificateKeyIdentifier(keyIds[i++ % keyIds.length] as string) !== undefined)
        sink++;
    });
  await bench.run();
  const base = bench.tasks[0]?.result;
  const p50 = (t: (typeof bench.tasks)[number]): number => {
    const r = t.result as unknown as { latency?: { p50?: number } };
    return r.latency?.p50 ?? Number.NaN;
  };
  const baseP50 = p50(bench.tasks[0] as (typeof bench.tasks)[number]);
  process.stdout.write('\n| case | p50 (ns) | ratio to Map.get |\n| --- | ---: | ---: |\n');
  for (const t of bench.tasks) {
    const v = p50(t);
    process.stdout.write(`| ${t.name} | ${(v * 1e6).toFixed(0)} | ${(v / baseP50).toFixed(2)}× |\n`);
  }
  if (base === undefined || sink === 0) throw new Error('benchmark did not run');
}

await main();
