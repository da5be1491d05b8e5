/**
 * Timing-leakage harness for @factorkit/ct, after dudect (Reparaz, Balasch, Verbauwhede:
 * "Dude, is my code constant time?", 2017).
 *
 * For each function: two input classes — class 0 compares inputs that differ in the first byte
 * (where an early-exit comparison returns fastest), class 1 inputs that differ in the last byte. Classes are
 * interleaved at random, each measurement times a small batch of calls with the
 * high-resolution clock, and Welch's t-test compares the two timing distributions, once on
 * all measurements and once per percentile crop (dudect discards the slow tail where
 * interrupts and GC live). The figure reported is the largest |t|.
 *
 * Pass: |t| < 4.5 (TVLA threshold) for both ct functions on both paths. Positive control: a
 * naive early-exit comparison measured the same way must show |t| > 10 (dudect: "probably
 * not constant time"), or the harness proves nothing and the run fails.
 *
 * Usage: tsx scripts/leakage.ts [--measurements N]   (default 200000, minimum 100000)
 */
import { timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto';
import * as native from '../src/native.ts';
import * as portable from '../src/portable.ts';

const T_PASS = 4.5;
const T_CONTROL = 10;
const INPUT_BYTES = 512;
const BATCH = 8;

const args = process.argv.slice(2);
const nIndex = args.indexOf('--measurements');
const measurements = nIndex >= 0 ? Number(args[nIndex + 1]) : 200_000;
if (!Number.isInteger(measurements) || measurements < 100_000) {
  throw new RangeError('--measurements must be an integer >= 100000');
}

type Compare<T> = (a: T, b: T) => boolean;

function naiveEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Welch's t statistic between two samples. */
function welchT(x: Float64Array, y: Float64Array): number {
  const mean = (v: Float64Array) => v.reduce((s, e) => s + e, 0) / v.length;
  const variance = (v: Float64Array, m: number) => v.reduce((s, e) => s + (e - m) ** 2, 0) / (v.length - 1);
  const mx = mean(x);
  const my = mean(y);
  const denom = Math.sqrt(variance(x, mx) / x.length + variance(y, my) / y.length);
  return denom === 0 ? 0 : (mx - my) / denom;
}

function maxAbsT(times: Float64Array, classes: Uint8Array): number {
  const sorted = Float64Array.from(times).sort();
  // dudect's crop thresholds: percentiles 1 - 0.5^(10 (i+1) / N); a handful suffices here.
  const crops = [Number.POSITIVE_INFINITY];
  for (let i = 0; i < 10; i++) {
    const p = 1 - 0.5 ** ((10 * (i + 1)) / 10);
    crops.push(sorted[Math.floor(p * (sorted.length - 1))] ?? Number.POSITIVE_INFINITY);
  }
  let worst = 0;
  for (const limit of crops) {
    const c0: number[] = [];
    const c1: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const t = times[i] ?? 0;
      if (t > limit) continue;
      (classes[i] === 0 ? c0 : c1).push(t);
    }
    if (c0.length < 1000 || c1.length < 1000) continue;
    worst = Math.max(worst, Math.abs(welchT(Float64Array.from(c0), Float64Array.from(c1))));
  }
  return worst;
}

// Random secrets, printable so the string functions see one-byte UTF-8 characters.
const POOL = 256;
const pool: Uint8Array[] = [];
for (let i = 0; i < POOL; i++) {
  pool.push(crypto.getRandomValues(new Uint8Array(INPUT_BYTES)).map((x) => 0x21 + (x % 94)));
}
const classes = new Uint8Array(measurements);
for (let i = 0; i < measurements; i++) classes[i] = Math.random() < 0.5 ? 0 : 1;

// Both classes use the same two buffers at the same addresses; only their content differs
// (as dudect prepares inputs). Preparation happens outside the timed region.
//
// The classes are "differs in the first byte" vs "differs in the last byte": both compare
// unequal, so the result (which the caller learns anyway) is the same for both, and any
// difference in time can only come from *where* the inputs differ — the leak an early-exit
// comparison has (it stops after 1 byte in one class, after all of them in the other).
const LAST = INPUT_BYTES - 1;
const x = new Uint8Array(INPUT_BYTES);
const y = new Uint8Array(INPUT_BYTES);
const bump = (v: number | undefined, by: number): number => 0x21 + (((v ?? 0x21) - 0x21 + by) % 94);
function prepare(i: number): void {
  // biome-ignore lint/style/noNonNullAssertion: index modulo POOL
  const secret = pool[i % POOL]!;
  const cls = classes[i] ?? 0;
  x.set(secret);
  y.set(secret);
  // Both positions are written in both classes; only the value differs.
  y[0] = bump(y[0], 1 - cls);
  y[LAST] = bump(y[LAST], cls);
}

const utf8 = new TextDecoder();
type Operands<T> = () => [T, T];
const bytesOperands: Operands<Uint8Array> = () => [x, y];
const stringOperands: Operands<string> = () => [utf8.decode(x), utf8.decode(y)];

function measure<T>(fn: Compare<T>, operands: Operands<T>): Float64Array {
  const times = new Float64Array(measurements);
  // Results are stored, not branched on, so the harness itself adds no class-dependent work.
  const results: boolean[] = new Array(BATCH).fill(false);
  let sink = 0;
  // Warm-up: let the JIT settle on both classes before anything is recorded.
  for (let i = 0; i < 20_000; i++) {
    prepare(i);
    const [a, b] = operands();
    sink += +fn(a, b);
  }
  for (let i = 0; i < measurements; i++) {
    prepare(i);
    const [a, b] = operands();
    const start = process.hrtime.bigint();
    for (let j = 0; j < BATCH; j++) results[j] = fn(a, b);
    times[i] = Number(process.hrtime.bigint() - start);
  }
  if (sink < 0 || results.length < 0) console.log(sink);
  return times;
}

interface Case {
  readonly name: string;
  readonly control: boolean;
  readonly run: () => Float64Array;
}
const cases: Case[] = [
  {
    name: 'native timingSafeEqual',
    control: false,
    run: () => measure(native.timingSafeEqual, bytesOperands),
  },
  {
    name: 'native timingSafeEqualString',
    control: false,
    run: () => measure(native.timingSafeEqualString, stringOperands),
  },
  {
    name: 'portable timingSafeEqual',
    control: false,
    run: () => measure(portable.timingSafeEqual, bytesOperands),
  },
  {
    name: 'portable timingSafeEqualString',
    control: false,
    run: () => measure(portable.timingSafeEqualString, stringOperands),
  },
  {
    name: 'naive early-exit (positive control)',
    control: true,
    run: () => measure(naiveEqual, bytesOperands),
  },
];

console.log(
  `dudect-style leakage test: ${measurements} measurements per function, ${INPUT_BYTES}-byte inputs, ` +
    `batch ${BATCH}; classes: first byte differs vs last byte differs`,
);
let failed = false;
const medians = new Map<string, number>();
for (const { name, run, control } of cases) {
  const times = run();
  const t = maxAbsT(times, classes);
  const sorted = Float64Array.from(times).sort();
  medians.set(name, (sorted[sorted.length >> 1] ?? 0) / BATCH);
  const ok = control ? t > T_CONTROL : t < T_PASS;
  if (!ok) failed = true;
  const rule = control ? `must be > ${T_CONTROL}` : `must be < ${T_PASS}`;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(40)} max |t| = ${t.toFixed(2).padStart(8)}  (${rule})`);
}
const nat = medians.get('native timingSafeEqual') ?? 0;
const port = medians.get('portable timingSafeEqual') ?? 0;
const raw = (() => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) nodeTimingSafeEqual(x, y);
  return Number(process.hrtime.bigint() - start) / 100_000;
})();
console.log(
  `median per call (${INPUT_BYTES} B, informative): native ${nat.toFixed(0)} ns, portable ${port.toFixed(0)} ns ` +
    `(portable/native = ${(port / nat).toFixed(2)}x), raw node:crypto.timingSafeEqual ${raw.toFixed(0)} ns`,
);
if (failed) {
  console.error('leakage harness: FAILED');
  process.exit(1);
}
console.log('leakage harness: all constant-time checks passed and the positive control was detected');
