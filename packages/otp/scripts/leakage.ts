/**
 * Timing-leakage harness for the OTP window search (security catalog d6 (b)), after dudect.
 *
 * Class 0 submits the code of the FIRST step in a ±1 TOTP window (T-1), class 1 the code of the
 * LAST step (T+1). Both are accepted, so the result is the same; an early-exit search returns
 * after one HMAC in class 0 and after three in class 1. Classes are interleaved at random and
 * Welch's t-test compares the timings (all measurements and percentile crops); the figure is the
 * largest |t|.
 *
 * Pass: |t| < 4.5 for verifyTotp. Positive control: an early-exit search over the same keyed
 * state must show |t| > 10, or the run proves nothing and fails. A third row (accept vs reject)
 * is reported for information.
 *
 * Usage: tsx scripts/leakage.ts [--measurements N]   (default 100000)
 */
import { timingSafeEqual } from '@factorkit/ct/portable';
import { createOtpKey, generateTotp, totpStep, verifyTotp } from '../src/index.ts';

const T_PASS = 4.5;
const T_CONTROL = 10;
const args = process.argv.slice(2);
const nIndex = args.indexOf('--measurements');
const measurements = nIndex >= 0 ? Number(args[nIndex + 1]) : 100_000;
if (!Number.isInteger(measurements) || measurements < 10_000)
  throw new RangeError('--measurements must be >= 10000');

function welchT(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((s, e) => s + e, 0) / v.length;
  const variance = (v: number[], m: number) => v.reduce((s, e) => s + (e - m) ** 2, 0) / (v.length - 1);
  const mx = mean(x);
  const my = mean(y);
  const d = Math.sqrt(variance(x, mx) / x.length + variance(y, my) / y.length);
  return d === 0 ? 0 : (mx - my) / d;
}

function maxAbsT(times: Float64Array, classes: Uint8Array): number {
  const sorted = Float64Array.from(times).sort();
  const crops = [Number.POSITIVE_INFINITY];
  for (let i = 0; i < 10; i++)
    crops.push(sorted[Math.floor((1 - 0.5 ** (i + 1)) * (sorted.length - 1))] ?? Infinity);
  let worst = 0;
  for (const limit of crops) {
    const c0: number[] = [];
    const c1: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const t = times[i] ?? 0;
      if (t <= limit) (classes[i] === 0 ? c0 : c1).push(t);
    }
    if (c0.length >= 1000 && c1.length >= 1000) worst = Math.max(worst, Math.abs(welchT(c0, c1)));
  }
  return worst;
}

const secret = crypto.getRandomValues(new Uint8Array(20));
const key = createOtpKey(secret);
const now = 1_700_000_000_000;
const T = totpStep(now);
const first = generateTotp({ secret: key, step: T - 1 });
const last = generateTotp({ secret: key, step: T + 1 });
const wrong = String((Number(first) + 500_000) % 1_000_000).padStart(6, '0');
const enc = new TextEncoder();

// Positive control: the same keyed HMAC, but the search returns at the first match.
function earlyExit(code: string): boolean {
  const submitted = enc.encode(code);
  for (let s = T - 1; s <= T + 1; s++) {
    if (timingSafeEqual(enc.encode(generateTotp({ secret: key, step: s })), submitted)) return true;
  }
  return false;
}
const ours = (code: string): boolean => verifyTotp({ secret: key, code, now }).verified;

function measure(fn: (code: string) => boolean, c0: string, c1: string): number {
  const classes = new Uint8Array(measurements);
  for (let i = 0; i < measurements; i++) classes[i] = Math.random() < 0.5 ? 0 : 1;
  const times = new Float64Array(measurements);
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += +fn(i % 2 === 0 ? c0 : c1);
  for (let i = 0; i < measurements; i++) {
    const code = classes[i] === 0 ? c0 : c1;
    const start = process.hrtime.bigint();
    sink += +fn(code);
    times[i] = Number(process.hrtime.bigint() - start);
  }
  if (sink < 0) console.log(sink);
  return maxAbsT(times, classes);
}

const rows = [
  {
    name: 'verifyTotp ±1: match at T-1 vs T+1',
    t: measure(ours, first, last),
    limit: T_PASS,
    control: false,
  },
  {
    name: 'early-exit control: T-1 vs T+1',
    t: measure(earlyExit, first, last),
    limit: T_CONTROL,
    control: true,
  },
  {
    name: 'verifyTotp ±1: accept vs reject (info)',
    t: measure(ours, first, wrong),
    limit: Infinity,
    control: false,
  },
];
let ok = true;
for (const r of rows) {
  const pass = r.control ? r.t > r.limit : r.t < r.limit;
  ok &&= pass;
  console.log(`${r.name.padEnd(44)} max|t| = ${r.t.toFixed(2).padStart(7)}  ${pass ? 'ok' : 'FAIL'}`);
}
console.log(`${measurements} measurements per row`);
if (!ok) process.exitCode = 1;
