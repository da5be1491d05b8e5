import { Bench } from 'tinybench';
import type { BenchCase, Group } from './model.ts';
import { median, type Summary, summarize } from './stats.ts';

export interface Budget {
  /** tinybench time budget per case per round, ms. */
  readonly time: number;
  readonly warmupTime: number;
  /**
   * Warm-up of the first round. JIT state carries over between rounds of one process, so only
   * the first round needs a long one; without it, JS-heavy code (factorkit's, the peers') would
   * be compared against native primitives before it reaches its optimized tier.
   */
  readonly firstWarmupTime: number;
  /** Rounds per group; ratios are the median of the per-round ratios. */
  readonly rounds: number;
  /** Calibration time per case, ms. */
  readonly calibrate: number;
}

export const FULL: Budget = { time: 1000, warmupTime: 250, firstWarmupTime: 500, rounds: 5, calibrate: 40 };
export const QUICK: Budget = { time: 60, warmupTime: 20, firstWarmupTime: 250, rounds: 6, calibrate: 15 };

/**
 * Operations faster than this are run in batches so that one tinybench sample spans at least
 * this long (the timer's own cost and resolution would otherwise dominate). Latency
 * percentiles of batched cases are percentiles of per-batch averages.
 */
const MIN_SAMPLE_MS = 0.05;
const MAX_BATCH = 4096;

export interface CaseResult {
  readonly key: string;
  readonly label: string;
  readonly role: BenchCase['role'];
  readonly batch: number;
  readonly summary: Summary;
  /** p50 per operation in each round. */
  readonly roundP50: readonly number[];
}

export interface ComparisonResult {
  readonly key: string;
  readonly subject: string;
  readonly baseline: string;
  /** Median over rounds of p50(subject) ÷ p50(baseline). */
  readonly ratio: number;
  readonly roundRatios: readonly number[];
}

export interface GroupResult {
  readonly id: string;
  readonly title: string;
  readonly input: string;
  readonly cases: readonly CaseResult[];
  readonly comparisons: readonly ComparisonResult[];
  readonly pending: readonly string[];
  readonly failed: readonly { readonly key: string; readonly label: string; readonly error: string }[];
  readonly notes: readonly string[];
}

// Results land here so no engine can prove a call's value unused.
let blackhole: unknown;
export function sink(): unknown {
  return blackhole;
}

/** CPU time of this process in ms: unlike wall time, it does not grow while other processes run. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function perOpEstimate(c: BenchCase, ms: number): Promise<number> {
  // Doubling chunks, so reading the clock does not inflate the estimate of fast calls; CPU time,
  // so a busy machine does not (the batch size only has to be about right).
  let n = 0;
  let chunk = 1;
  const start = cpuMs();
  let elapsed = 0;
  do {
    for (let i = 0; i < chunk; i++) {
      if (c.async) blackhole = await c.run();
      else blackhole = c.run();
    }
    n += chunk;
    chunk = Math.min(chunk * 2, 1024);
    elapsed = cpuMs() - start;
  } while (elapsed < ms || n < 3);
  return elapsed / n;
}

function loop(c: BenchCase, batch: number): () => unknown {
  const run = c.run;
  if (c.async) {
    return async () => {
      for (let i = 0; i < batch; i++) blackhole = await run();
    };
  }
  return () => {
    for (let i = 0; i < batch; i++) blackhole = run();
  };
}

/** Checks, calibrates and measures one group. Cases whose check fails are reported, not run. */
export async function measureGroup(
  group: Group,
  budget: Budget,
  log: (line: string) => void,
): Promise<GroupResult> {
  const ok: BenchCase[] = [];
  const failed: { key: string; label: string; error: string }[] = [];
  for (const c of group.cases) {
    try {
      await c.check();
      ok.push(c);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ key: c.key, label: c.label, error: message });
      log(`  ✗ ${group.id} / ${c.label}: ${message}`);
    }
  }

  const batches = new Map<string, number>();
  for (const c of ok) {
    await perOpEstimate(c, budget.calibrate); // cold: interpreter and JIT tier-up
    const perOp = await perOpEstimate(c, budget.calibrate);
    batches.set(c.key, Math.max(1, Math.min(MAX_BATCH, Math.round(MIN_SAMPLE_MS / perOp))));
  }

  const samples = new Map<string, number[]>(ok.map((c) => [c.key, []]));
  const roundP50 = new Map<string, number[]>(ok.map((c) => [c.key, []]));
  for (let round = 0; round < budget.rounds; round++) {
    const bench = new Bench({
      name: `${group.id} round ${round + 1}`,
      time: budget.time,
      warmupTime: round === 0 ? budget.firstWarmupTime : budget.warmupTime,
      iterations: 16,
      warmupIterations: 4,
      retainSamples: true,
      throws: true,
    });
    // Rotate the order each round so no case always runs first (JIT, thermal, GC debt).
    const order = ok.map((_, i) => ok[(i + round) % ok.length] as BenchCase);
    for (const c of order) {
      bench.add(c.key, loop(c, batches.get(c.key) ?? 1), { async: c.async });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed')
        throw new Error(`${group.id}/${task.name}: tinybench state ${result.state}`);
      const batch = batches.get(task.name) ?? 1;
      const perOp = (result.latency.samples ?? []).map((s) => s / batch);
      const all = samples.get(task.name);
      if (all !== undefined) for (const v of perOp) all.push(v);
      roundP50.get(task.name)?.push(median(perOp));
    }
  }

  const cases: CaseResult[] = ok.map((c) => ({
    key: c.key,
    label: c.label,
    role: c.role,
    batch: batches.get(c.key) ?? 1,
    summary: summarize(samples.get(c.key) ?? []),
    roundP50: roundP50.get(c.key) ?? [],
  }));

  const comparisons: ComparisonResult[] = [];
  for (const cmp of group.comparisons) {
    const s = roundP50.get(cmp.subject);
    const b = roundP50.get(cmp.baseline);
    if (s === undefined || b === undefined || s.length === 0) continue;
    const roundRatios = s.map((v, i) => v / (b[i] ?? Number.NaN));
    comparisons.push({
      key: cmp.key,
      subject: cmp.subject,
      baseline: cmp.baseline,
      ratio: median(roundRatios),
      roundRatios,
    });
  }

  return {
    id: group.id,
    title: group.title,
    input: group.input,
    cases,
    comparisons,
    pending: group.pending,
    failed,
    notes: group.notes,
  };
}
