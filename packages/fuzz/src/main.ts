/**
 * `npm run fuzz`: every target for `--count` inputs (default 100 000) with a seeded mutation
 * loop, targets spread over `--jobs` processes (default 2). Prints inputs, inputs/s and outcome
 * counts per target; on a failure prints the seed, the iteration and the minimised input, and
 * exits 1. Reproduce with `npm run fuzz -- --seed <seed> --only <target>`.
 *
 * Options: --seed N (default 1, or FUZZ_SEED) · --count N · --jobs N · --only a,b ·
 * --max-seconds N (time box per target, default 240) · --json
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTarget, type TargetStats } from './harness.ts';
import { targetSeed } from './rng.ts';
import { TARGETS } from './targets/index.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    jobs: { type: 'string' },
    only: { type: 'string' },
    'max-seconds': { type: 'string' },
    worker: { type: 'string' },
    json: { type: 'boolean' },
  },
});

const int = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};

const seed = int(values.seed ?? process.env['FUZZ_SEED'], 1, 'seed');
const count = int(values.count, 100_000, 'count');
const maxSeconds = int(values['max-seconds'], 240, 'max-seconds');
const names = values.only === undefined ? TARGETS.map((t) => t.name) : values.only.split(',').filter(Boolean);
for (const n of names) {
  if (!TARGETS.some((t) => t.name === n))
    throw new Error(`unknown target ${n} (have: ${TARGETS.map((t) => t.name).join(', ')})`);
}

async function runNames(list: readonly string[], report: (s: TargetStats) => void): Promise<void> {
  for (const name of list) {
    const target = TARGETS.find((t) => t.name === name);
    if (target === undefined) continue;
    report(await runTarget(target, { seed: targetSeed(seed, name), count, maxSeconds }));
  }
}

function printTable(stats: readonly TargetStats[], wallSeconds: number): void {
  const rows = stats.map((s) => [
    s.target,
    String(s.inputs),
    s.inputsPerSecond.toFixed(0),
    String(s.answered),
    String(s.typedErrors),
    String(s.verified),
    s.slowestMs.toFixed(1),
    s.cpuSeconds.toFixed(1),
    (s.maxMemoryBytes / 2 ** 20).toFixed(2),
    s.failure !== undefined ? `FAIL ${s.failure.kind}` : s.timedOut ? 'TIME BOX' : 'ok',
  ]);
  const head = [
    'target',
    'inputs',
    'inputs/s',
    'answered',
    'typed errors',
    'verified',
    'max CPU ms',
    'CPU s',
    'max MiB',
    'result',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const total = stats.reduce((a, s) => a + s.inputs, 0);
  console.log(
    `\n${total} inputs in ${wallSeconds.toFixed(1)} s wall (seed ${seed}, ${count} per target requested)`,
  );
  for (const s of stats) {
    if (s.failure !== undefined) {
      const f = s.failure;
      console.log(`\nFAIL ${f.target}: ${f.kind} — ${f.detail}`);
      console.log(`  target seed ${f.seed} (run seed ${seed}), iteration ${f.iteration}`);
      console.log(`  reproduce: npm run fuzz -- --seed ${seed} --only ${f.target}`);
      console.log(`  minimal input: ${f.input}`);
    } else if (s.timedOut) {
      console.log(`\nTIME BOX ${s.target}: only ${s.inputs} of ${count} inputs in ${s.seconds.toFixed(1)} s`);
    }
  }
}

if (values.worker !== undefined) {
  // Child process: run the given targets, send each result to the parent.
  await runNames(values.worker.split(','), (s) => process.send?.(s));
  process.exit(0);
}

const jobs = Math.max(1, Math.min(int(values.jobs, 2, 'jobs'), names.length));
const started = performance.now();
const stats: TargetStats[] = [];
const onResult = (s: TargetStats) => {
  stats.push(s);
  if (values.json !== true) {
    console.log(
      `  ${s.target}: ${s.inputs} inputs, ${s.inputsPerSecond.toFixed(0)}/s${s.failure ? `, FAIL ${s.failure.kind}` : ''}`,
    );
  }
};
if (jobs === 1) {
  await runNames(names, onResult);
} else {
  // Longest-first onto the least-loaded process, by each target's relative cost.
  const buckets: string[][] = Array.from({ length: jobs }, () => []);
  const load = new Array<number>(jobs).fill(0);
  const weight = (n: string) => TARGETS.find((t) => t.name === n)?.weight ?? 1;
  for (const n of [...names].sort((a, b) => weight(b) - weight(a))) {
    const j = load.indexOf(Math.min(...load));
    buckets[j]?.push(n);
    load[j] = (load[j] ?? 0) + weight(n);
  }
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    buckets.map(
      (bucket) =>
        new Promise<void>((resolve, reject) => {
          const child = fork(
            self,
            [
              '--worker',
              bucket.join(','),
              '--seed',
              String(seed),
              '--count',
              String(count),
              '--max-seconds',
              String(maxSeconds),
            ],
            {
              execArgv: process.execArgv,
            },
          );
          child.on('message', (m) => onResult(m as TargetStats));
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`fuzz worker exited with ${code}`)),
          );
        }),
    ),
  );
}
const order = new Map(names.map((n, i) => [n, i]));
stats.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0));
const wall = (performance.now() - started) / 1000;
if (values.json === true) console.log(JSON.stringify({ seed, count, wallSeconds: wall, targets: stats }));
else printTable(stats, wall);
process.exit(stats.some((s) => s.failure !== undefined || s.timedOut) ? 1 : 0);
