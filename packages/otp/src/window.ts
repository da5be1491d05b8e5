import { timingSafeEqual } from '@factorkit/ct/portable';
import type { OtpKey } from './keyed.ts';
import { POW10 } from './params.ts';

// One reused candidate buffer per digit count (6..10): the per-candidate path allocates nothing.
const candidateBuffers: Uint8Array[] = POW10.map((_, digits) => new Uint8Array(digits));
const submittedBuffers: Uint8Array[] = POW10.map((_, digits) => new Uint8Array(digits));

/**
 * Checks the code's shape — exactly `digits` ASCII decimal digits, nothing else (no spaces,
 * signs or Unicode digits) — and returns its bytes. The shape is public (the digit count is a
 * protocol parameter), so returning early here leaks nothing. `reuse` selects a shared buffer
 * (valid until the next call) for single-code checks.
 */
export function codeBytes(code: unknown, digits: number, reuse: boolean): Uint8Array | undefined {
  if (typeof code !== 'string' || code.length !== digits) return undefined;
  const out = reuse ? (submittedBuffers[digits] as Uint8Array) : new Uint8Array(digits);
  for (let i = 0; i < digits; i++) {
    const c = code.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    out[i] = c;
  }
  return out;
}

/** Writes HOTP(counter) (RFC 4226 §5.3: value mod 10^Digit, left-padded with zeros) as ASCII. */
function writeCandidate(key: OtpKey, counter: number, digits: number, out: Uint8Array): void {
  let v = key.truncatedValue(counter) % (POW10[digits] as number);
  for (let i = digits - 1; i >= 0; i--) {
    const q = Math.floor(v / 10);
    out[i] = 0x30 + (v - q * 10);
    v = q;
  }
}

/** HOTP(counter) as a zero-padded decimal string. */
export function otpString(key: OtpKey, counter: number, digits: number): string {
  return String(key.truncatedValue(counter) % (POW10[digits] as number)).padStart(digits, '0');
}

/** Outcome of a window scan. `value` is the chosen counter/step (meaningful when `found`). */
export interface ScanResult {
  readonly found: boolean;
  readonly value: number;
  /** A match exists at or below `lastUsed` (a replay), whether or not a fresh match was found. */
  readonly stale: boolean;
}

// Larger than any score (windows are at most 2·10^4 wide) and an int32, so `score - bestScore`
// never overflows and its sign bit is the comparison — no branch on where a match was found.
const NO_SCORE = 0x3fff_ffff;

/** 1 when a < b, else 0, for 0 ≤ a, b < 2^30, from the sign bit (no compare-and-branch). */
function lessThan(a: number, b: number): number {
  return ((a - b) >>> 31) & 1;
}

/**
 * Evaluates EVERY candidate counter in `[from, to]` and compares each with the submitted code
 * through @factorkit/ct; nothing exits early, so the running time does not depend on which
 * candidate (if any) matched (security catalog OTP-7: early-exit window searches leak).
 *
 * A match is fresh when its counter is above `lastUsed` (-1 = nothing used yet). Among fresh
 * matches the one closest to `center` wins (ties: the earlier one); the selection is arithmetic,
 * not a branch on the comparison result.
 */
export function scanWindow(
  key: OtpKey,
  digits: number,
  submitted: Uint8Array,
  from: number,
  to: number,
  center: number,
  lastUsed: number,
): ScanResult {
  const candidate = candidateBuffers[digits] as Uint8Array;
  let found = 0;
  let stale = 0;
  let best = 0;
  let bestScore = NO_SCORE;
  for (let c = from; c <= to; c++) {
    writeCandidate(key, c, digits, candidate);
    const eq = timingSafeEqual(candidate, submitted) ? 1 : 0;
    // Freshness and score depend only on public positions, never on the secret or the code.
    const fresh = c > lastUsed ? 1 : 0;
    const score = c >= center ? (c - center) * 2 + (c > center ? 1 : 0) : (center - c) * 2;
    const take = eq & fresh & lessThan(score, bestScore);
    best = take * c + (1 - take) * best;
    bestScore = take * score + (1 - take) * bestScore;
    found |= take;
    stale |= eq & (1 - fresh);
  }
  return { found: found === 1, value: best, stale: stale === 1 };
}

/**
 * Searches `[from, lastStart]` for a start counter `i` with `codes[k] == HOTP(i + k)` for every
 * k (RFC 4226 §7.4 resynchronisation; Symantec VIP passCode + nextPassCode; Duo code1..code3).
 * Every value in `[from, lastStart + n - 1]` is computed and compared against every submitted
 * code before anything is decided — no early exit.
 */
export function scanSequence(
  key: OtpKey,
  digits: number,
  codes: readonly Uint8Array[],
  from: number,
  lastStart: number,
  center: number,
  lastUsed: number,
): ScanResult {
  const n = codes.length;
  const total = lastStart - from + n;
  const hits = new Uint8Array(n * total);
  const candidate = candidateBuffers[digits] as Uint8Array;
  for (let j = 0; j < total; j++) {
    writeCandidate(key, from + j, digits, candidate);
    for (let k = 0; k < n; k++)
      hits[k * total + j] = timingSafeEqual(candidate, codes[k] as Uint8Array) ? 1 : 0;
  }
  let found = 0;
  let stale = 0;
  let best = 0;
  let bestScore = NO_SCORE;
  for (let s = 0; s <= lastStart - from; s++) {
    let all = 1;
    for (let k = 0; k < n; k++) all &= hits[k * total + s + k] as number;
    const c = from + s;
    const fresh = c > lastUsed ? 1 : 0;
    const score = c >= center ? (c - center) * 2 + (c > center ? 1 : 0) : (center - c) * 2;
    const take = all & fresh & lessThan(score, bestScore);
    best = take * c + (1 - take) * best;
    bestScore = take * score + (1 - take) * bestScore;
    found |= take;
    stale |= all & (1 - fresh);
  }
  return { found: found === 1, value: best, stale: stale === 1 };
}
