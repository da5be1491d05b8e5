/**
 * The case registry's types. A group is one question ("how fast is an ES256 assertion?")
 * answered by several cases measured in the same process run: factorkit's variants,
 * the peers, and the limit (the raw primitive the operation cannot be faster than).
 */

/** factorkit's code, a peer library, or the raw primitive (the floor). */
export type Role = 'factorkit' | 'peer' | 'limit';

export interface BenchCase {
  /** Stable key within its group, used by comparisons and targets. */
  readonly key: string;
  /** Row label in the table. */
  readonly label: string;
  readonly role: Role;
  /** One operation. May return a promise (then `async` must be true). */
  readonly run: () => unknown;
  readonly async: boolean;
  /**
   * Runs the operation once and throws when its result is not the expected one
   * (a benchmark of a failing verification measures nothing).
   */
  readonly check: () => void | Promise<void>;
}

/** A time ratio `subject ÷ baseline` (p50 per operation), computed within one run. */
export interface Comparison {
  readonly key: string;
  readonly subject: string;
  readonly baseline: string;
}

export interface Group {
  readonly id: string;
  readonly title: string;
  /** Where the input came from (fixture id, vector id, synthetic). */
  readonly input: string;
  readonly cases: readonly BenchCase[];
  readonly comparisons: readonly Comparison[];
  /** Cases left out, with the reason (e.g. `pending: package not landed`). */
  readonly pending: readonly string[];
  readonly notes: readonly string[];
}

/**
 * A target on a ratio: `ratio <= max`. `gate: true` makes `--gate` fail when it is not met;
 * other targets are reported as met / not met.
 */
export interface RatioTarget {
  readonly kind: 'ratio';
  readonly id: string;
  readonly description: string;
  readonly group: string;
  readonly comparison: string;
  readonly max: number;
  readonly gate: boolean;
}

/** A target on a value measured outside tinybench (heap growth, time, RSS). */
export interface ValueTarget {
  readonly kind: 'value';
  readonly id: string;
  readonly description: string;
  /** Key of the extra measurement. */
  readonly measurement: string;
  /** Field of the measurement's `values` to compare. */
  readonly field: string;
  readonly max: number;
  readonly unit: string;
  readonly gate: false;
}

export type Target = RatioTarget | ValueTarget;

/** A measurement that is not a tinybench loop (seed import, heap growth). */
export interface ExtraMeasurement {
  readonly key: string;
  readonly title: string;
  readonly values: Readonly<Record<string, number>>;
  readonly units: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
  /** Set when the measurement could not be made or its correctness check failed. */
  readonly error?: string;
}

/** A builder's answer: its groups, or why a case cannot be measured yet. */
export interface GroupSource {
  readonly id: string;
  build: () => Promise<Group>;
}

/** Throws with a message naming the case when `condition` is false. */
export function expect(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}
