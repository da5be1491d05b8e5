import { getHeapStatistics } from 'node:v8';
import { mutateBytesStacked } from './mutate.ts';
import { Rng } from './rng.ts';

/** Inputs up to this size must finish within the time and memory bounds. */
export const MAX_BOUNDED_INPUT_BYTES: number = 64 * 1024;
/** Per-input time bound, CPU milliseconds (catalog G2). */
export const MAX_INPUT_MS: number = 50;
/** Per-input heap + external memory growth bound (catalog G2). */
export const MAX_INPUT_MEMORY_BYTES: number = 8 * 1024 * 1024;

/**
 * One fuzz target: a public entry point, a corpus of valid inputs and how to mutate them.
 * `run` returns the entry point's result; whether it may throw is `throws`:
 * - `'typed'`: a standalone parser whose contract is to throw its package's coded error
 *   (WebAuthnError, U2fError, YubikeyError, OtpError, CodecError, CryptoError) — anything else is a failure;
 * - `'never'`: a verification function or façade method: it must answer, never throw.
 */
export interface Target<I> {
  readonly name: string;
  /** The public entry point(s), for the report. */
  readonly entry: string;
  readonly throws: 'typed' | 'never';
  /** Relative cost per input (default 1), to spread targets evenly over processes. */
  readonly weight?: number;
  /** Builds the corpus (valid inputs) once. */
  setup(): Promise<TargetCorpus<I>> | TargetCorpus<I>;
}

export interface TargetCorpus<I> {
  /** Next input to try (a mutation of the corpus). */
  generate(rng: Rng): I;
  run(input: I): unknown;
  /** Size in bytes (for the 64 KiB bound). */
  size(input: I): number;
  /**
   * `true` when the input changes a byte of the data a signature or MAC covers: then a verified
   * result is a failure. Absent: the target has no signed data.
   */
  changesSignedData?(input: I): boolean;
  /** Smaller variants of a failing input, most aggressive first (for minimisation). */
  shrink?(input: I): Iterable<I>;
  show(input: I): string;
}

export type FailureKind = 'untyped-throw' | 'throw' | 'slow' | 'memory' | 'forged-verified';

export interface Failure {
  readonly target: string;
  readonly seed: number;
  readonly iteration: number;
  readonly kind: FailureKind;
  readonly detail: string;
  /** The minimised input, printable. */
  readonly input: string;
}

export interface TargetStats {
  readonly target: string;
  readonly entry: string;
  readonly seed: number;
  readonly inputs: number;
  readonly seconds: number;
  readonly inputsPerSecond: number;
  /** Inputs the entry point answered (returned) / refused with a typed error. */
  readonly answered: number;
  readonly typedErrors: number;
  /** Answers that verified (only unmutated or signature-neutral inputs may). */
  readonly verified: number;
  readonly slowestMs: number;
  /** CPU time the entry point used over all inputs (what an idle machine's wall time would be). */
  readonly cpuSeconds: number;
  readonly maxMemoryBytes: number;
  readonly failure: Failure | undefined;
  /** The time box ended the target before `inputs` reached the requested count. */
  readonly timedOut: boolean;
}

const UNTYPED = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

/** A coded error of one of our packages: an Error subclass with an `ERR_*` code, not a built-in. */
export function isTypedError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (UNTYPED.some((C) => e instanceof C) || e.constructor === Error) return false;
  // @factorkit/core's CodecError and CryptoError (a backend refusing a key) carry a `kind`; each
  // package maps it to its own code at its edge.
  if (e.name === 'CodecError' || e.name === 'CryptoError')
    return typeof (e as { kind?: unknown }).kind === 'string';
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^ERR_[A-Z0-9_]+$/.test(code);
}

export function isVerified(result: unknown): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const r = result as { verified?: unknown; factorResult?: unknown };
  return r.verified === true || r.factorResult === 'SUCCESS';
}

const memoryNow = (): number => {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
};

interface Observation {
  readonly ms: number;
  readonly memory: number;
  readonly threw: boolean;
  readonly error?: unknown;
  readonly result?: unknown;
}

// The time bound is on CPU time (user + system, all threads of the process), not wall time: on
// a shared, loaded machine wall time measures the neighbours; CPU time measures the input.
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function observe<I>(corpus: TargetCorpus<I>, input: I): Promise<Observation> {
  const m0 = memoryNow();
  const c0 = process.cpuUsage();
  try {
    let result = corpus.run(input);
    if (result instanceof Promise) result = await result;
    return { ms: cpuMs(c0), memory: memoryNow() - m0, threw: false, result };
  } catch (error) {
    return { ms: cpuMs(c0), memory: memoryNow() - m0, threw: true, error };
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.constructor.name}${typeof code === 'string' ? ` ${code}` : ''}: ${e.message.slice(0, 200)}`;
  }
  return `non-Error thrown: ${String(e).slice(0, 200)}`;
}

/** The property violated by one observation, if any (timing/memory are re-checked by the caller). */
function violation<I>(
  target: Target<I>,
  corpus: TargetCorpus<I>,
  input: I,
  o: Observation,
): { kind: FailureKind; detail: string } | undefined {
  if (o.threw) {
    if (!isTypedError(o.error)) return { kind: 'untyped-throw', detail: describeError(o.error) };
    if (target.throws === 'never') return { kind: 'throw', detail: describeError(o.error) };
    return undefined;
  }
  if (isVerified(o.result) && corpus.changesSignedData?.(input) === true) {
    return { kind: 'forged-verified', detail: 'verified although a byte of the signed data changed' };
  }
  return undefined;
}

/** Re-runs a slow or memory-hungry input: a real blow-up reproduces, a GC pause does not. */
async function confirmBound<I>(corpus: TargetCorpus<I>, input: I, kind: 'slow' | 'memory'): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    const o = await observe(corpus, input);
    if (kind === 'slow' ? o.ms <= MAX_INPUT_MS : o.memory <= MAX_INPUT_MEMORY_BYTES) return false;
  }
  return true;
}

async function stillFails<I>(
  target: Target<I>,
  corpus: TargetCorpus<I>,
  input: I,
  kind: FailureKind,
): Promise<boolean> {
  const o = await observe(corpus, input);
  if (kind === 'slow' || kind === 'memory') {
    if (corpus.size(input) > MAX_BOUNDED_INPUT_BYTES) return false;
    return confirmBound(corpus, input, kind);
  }
  return violation(target, corpus, input, o)?.kind === kind;
}

/** Greedy minimisation: take the first smaller variant that still fails the same way. */
async function minimise<I>(
  target: Target<I>,
  corpus: TargetCorpus<I>,
  input: I,
  kind: FailureKind,
): Promise<I> {
  if (corpus.shrink === undefined) return input;
  let best = input;
  let budget = 400;
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (const candidate of corpus.shrink(best)) {
      if (--budget <= 0) break;
      if (await stillFails(target, corpus, candidate, kind)) {
        best = candidate;
        progress = true;
        break;
      }
    }
  }
  return best;
}

export interface RunOptions {
  readonly seed: number;
  readonly count: number;
  /** Stop this target after this many seconds even if `count` is not reached. */
  readonly maxSeconds: number;
}

/** Runs one target for `count` inputs (or until its time box ends, or the first failure). */
export async function runTarget<I>(target: Target<I>, options: RunOptions): Promise<TargetStats> {
  const corpus = await target.setup();
  const rng = new Rng(options.seed);
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  let answered = 0;
  let typedErrors = 0;
  let verified = 0;
  let slowestMs = 0;
  let cpuMs = 0;
  let maxMemoryBytes = 0;
  let failure: Failure | undefined;
  let i = 0;
  for (; i < options.count; i++) {
    if ((i & 255) === 0 && performance.now() > deadline) break;
    const input = corpus.generate(rng);
    const o = await observe(corpus, input);
    cpuMs += o.ms;
    if (o.threw) typedErrors++;
    else {
      answered++;
      if (isVerified(o.result)) verified++;
    }
    let v = violation(target, corpus, input, o);
    const bounded = corpus.size(input) <= MAX_BOUNDED_INPUT_BYTES;
    if (v === undefined && bounded && o.ms > MAX_INPUT_MS && (await confirmBound(corpus, input, 'slow'))) {
      v = {
        kind: 'slow',
        detail: `took more than ${MAX_INPUT_MS} ms on every re-run (first ${o.ms.toFixed(1)} ms)`,
      };
    }
    if (
      v === undefined &&
      bounded &&
      o.memory > MAX_INPUT_MEMORY_BYTES &&
      (await confirmBound(corpus, input, 'memory'))
    ) {
      v = { kind: 'memory', detail: `grew heap+external by ${(o.memory / 2 ** 20).toFixed(1)} MiB` };
    }
    if (bounded) {
      if (o.ms > slowestMs) slowestMs = o.ms;
      if (o.memory > maxMemoryBytes) maxMemoryBytes = o.memory;
    }
    if (v !== undefined) {
      const small = await minimise(target, corpus, input, v.kind);
      failure = {
        target: target.name,
        seed: options.seed,
        iteration: i,
        kind: v.kind,
        detail: v.detail,
        input: corpus.show(small).slice(0, 4096),
      };
      i++;
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    target: target.name,
    entry: target.entry,
    seed: options.seed,
    inputs: i,
    seconds,
    inputsPerSecond: i / Math.max(seconds, 1e-9),
    answered,
    typedErrors,
    verified,
    slowestMs,
    cpuSeconds: cpuMs / 1000,
    maxMemoryBytes,
    failure,
    timedOut: failure === undefined && i < options.count,
  };
}

// ---- helpers for byte- and string-shaped targets ----

export const toHexString = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Smaller byte strings: halves, then chunk deletions, then zeroed bytes. */
export function* shrinkBytes(input: Uint8Array): Iterable<Uint8Array> {
  const n = input.length;
  if (n === 0) return;
  yield input.subarray(0, n >> 1);
  yield input.subarray(n >> 1);
  for (let size = Math.max(1, n >> 2); size >= 1; size >>= 1) {
    for (let at = 0; at + size <= n; at += size) {
      const out = new Uint8Array(n - size);
      out.set(input.subarray(0, at));
      out.set(input.subarray(at + size), at);
      yield out;
    }
    if (size === 1) break;
  }
}

export function* shrinkString(input: string): Iterable<string> {
  const n = input.length;
  if (n === 0) return;
  yield input.slice(0, n >> 1);
  yield input.slice(n >> 1);
  for (let size = Math.max(1, n >> 2); size >= 1; size >>= 1) {
    for (let at = 0; at + size <= n; at += size) yield input.slice(0, at) + input.slice(at + size);
    if (size === 1) break;
  }
}

/** A corpus of byte strings run through `run`, mutated with the byte mutators. */
export function bytesCorpus(
  seeds: readonly Uint8Array[],
  run: (b: Uint8Array) => unknown,
): TargetCorpus<Uint8Array> {
  return {
    generate: (rng) =>
      rng.int(50) === 0
        ? (rng.pick(seeds) as Uint8Array).slice()
        : mutateBytesStacked(rng, rng.pick(seeds), seeds),
    run,
    size: (b) => b.length,
    shrink: shrinkBytes,
    show: (b) => `hex:${toHexString(b)}`,
  };
}
