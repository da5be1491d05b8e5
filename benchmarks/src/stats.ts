/** Small statistics helpers over per-operation latencies (milliseconds). */

export interface Summary {
  readonly samples: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  /** Relative margin of error of the mean, percent (95 %). */
  readonly rme: number;
  readonly opsPerSecond: number;
}

/** Linear-interpolated quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((x, y) => x - y),
    0.5,
  );
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((x, y) => x - y);
  const n = sorted.length;
  let sum = 0;
  for (const s of sorted) sum += s;
  const mean = sum / n;
  let sq = 0;
  for (const s of sorted) sq += (s - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
  // 1.96: normal approximation; every case keeps well over 30 samples.
  const rme = mean > 0 ? ((1.96 * sd) / Math.sqrt(n) / mean) * 100 : 0;
  return {
    samples: n,
    mean,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    rme,
    opsPerSecond: mean > 0 ? 1000 / mean : 0,
  };
}

/** `12.3 µs`, `1.20 ms`, `85 ns`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const ns = ms * 1e6;
  if (ns < 1000) return `${ns.toFixed(ns < 10 ? 1 : 0)} ns`;
  const us = ns / 1000;
  if (us < 1000) return `${us.toFixed(us < 10 ? 2 : us < 100 ? 1 : 0)} µs`;
  const msv = us / 1000;
  if (msv < 1000) return `${msv.toFixed(msv < 10 ? 2 : 1)} ms`;
  return `${(msv / 1000).toFixed(2)} s`;
}

export function formatOps(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e4) return `${Math.round(ops / 1e3).toLocaleString('en-US')} k`;
  return Math.round(ops).toLocaleString('en-US');
}

/** A time ratio as `0.11× (9.4× faster)` / `1.05×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const base = `${ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2)}×`;
  if (ratio < 0.95) return `${base} (${(1 / ratio).toFixed(1)}× faster)`;
  if (ratio > 1.05) return `${base} (${ratio.toFixed(2)}× slower)`;
  return base;
}
