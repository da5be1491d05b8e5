import { type Case, findCaseFiles, type InputRoot, loadCaseFile } from './cases.ts';
import type { DisputedVerdict } from './disputes.ts';
import { type CaseVerifier, VERIFIERS, type Verdict } from './verifiers.ts';

/** One line of `check --json` — a public contract: exactly these keys, in this order. */
export interface CaseReport {
  readonly id: string;
  readonly kind: string;
  readonly verified: boolean | null;
  readonly code: string | null;
  readonly expected: boolean | null;
  readonly agree: boolean | null;
}

export interface CaseOutcome extends CaseReport {
  readonly folder: string;
  readonly file: string;
  /**
   * `agree` | `disagree` | `unsupported` | `error` | `no-verdict`, or `disputed`: the case is in
   * the disputed-verdicts list and our verdict and code are exactly the documented ones.
   */
  readonly status: 'agree' | 'disagree' | 'disputed' | 'unsupported' | 'error' | 'no-verdict';
  readonly detail?: string;
}

export interface FolderRow {
  readonly folder: string;
  cases: number;
  agree: number;
  disagree: number;
  disputed: number;
  unsupported: number;
  errors: number;
}

export interface CheckSummary {
  readonly outcomes: readonly CaseOutcome[];
  readonly folders: readonly FolderRow[];
  readonly total: FolderRow;
  /**
   * Exit status: 0 when every supported case with an expected verdict agrees or is a documented
   * dispute whose verdict and code are unchanged.
   */
  readonly ok: boolean;
}

export function toReport(o: CaseOutcome): CaseReport {
  return { id: o.id, kind: o.kind, verified: o.verified, code: o.code, expected: o.expected, agree: o.agree };
}

async function replay(
  c: Case,
  verifiers: Readonly<Record<string, CaseVerifier>>,
): Promise<Verdict & { error?: boolean }> {
  const verifier = verifiers[c.kind];
  if (verifier === undefined) return { verified: null, code: 'ERR_UNSUPPORTED', detail: `kind ${c.kind}` };
  try {
    return await verifier(c);
  } catch (error) {
    // A misuse error while replaying means the case's context is not something the API
    // accepts: the case is malformed. Anything else is an internal error (a bug).
    const misuse = error instanceof TypeError || error instanceof RangeError;
    const code = misuse
      ? 'ERR_BAD_CASE'
      : typeof (error as { code?: unknown })?.code === 'string' &&
          /^ERR_/.test((error as { code: string }).code)
        ? (error as { code: string }).code
        : 'ERR_INTERNAL';
    return { verified: null, code, detail: (error as Error)?.message ?? String(error), error: true };
  }
}

export interface RunOptions {
  readonly verifiers?: Readonly<Record<string, CaseVerifier>>;
  /** Called after each case (progress). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with each outcome as soon as it is known (streams `--json`). */
  readonly onOutcome?: (o: CaseOutcome) => void;
  /** Documented disputes by case id (see `loadDisputes`). Default none. */
  readonly disputes?: ReadonlyMap<string, DisputedVerdict>;
}

type Status = CaseOutcome['status'];

/**
 * A documented dispute holds while our verdict and code are exactly the documented ones; any
 * change (even towards the corpus verdict) is a disagreement, so the list cannot go stale.
 */
function disputeStatus(
  dispute: DisputedVerdict,
  verified: boolean | null,
  code: string | null,
): { status: Status; detail?: string } {
  if (verified === dispute.verified && code === dispute.code) return { status: 'disputed' };
  return {
    status: 'disagree',
    detail:
      `documented dispute no longer holds: documented ${String(dispute.verified)}` +
      `${dispute.code === null ? '' : ` ${dispute.code}`}, got ${String(verified)}${code === null ? '' : ` ${code}`}`,
  };
}

/** Replays every case below `roots`; never throws for bad case files. */
export async function runCheck(roots: readonly InputRoot[], options: RunOptions = {}): Promise<CheckSummary> {
  const verifiers = options.verifiers ?? VERIFIERS;
  const disputes = options.disputes ?? new Map<string, DisputedVerdict>();
  const files = findCaseFiles(roots);
  const outcomes: CaseOutcome[] = [];
  const byFolder = new Map<string, FolderRow>();
  const row = (folder: string): FolderRow => {
    let r = byFolder.get(folder);
    if (r === undefined) {
      r = { folder, cases: 0, agree: 0, disagree: 0, disputed: 0, unsupported: 0, errors: 0 };
      byFolder.set(folder, r);
    }
    return r;
  };
  let done = 0;
  for (const { file, folder } of files) {
    const loaded = loadCaseFile(file, folder);
    let outcome: CaseOutcome;
    if (!loaded.ok) {
      outcome = {
        id: loaded.id,
        kind: loaded.kind,
        verified: null,
        code: 'ERR_BAD_CASE',
        expected: loaded.expected,
        agree: null,
        folder,
        file,
        status: 'error',
        detail: loaded.reason,
      };
    } else {
      const c = loaded.case;
      const v = await replay(c, verifiers);
      const expected = c.expect.verified;
      const agree = v.verified === null || expected === null ? null : v.verified === expected;
      const failed = 'error' in v && v.error === true;
      let status: Status = failed
        ? 'error'
        : v.verified === null
          ? 'unsupported'
          : agree === null
            ? 'no-verdict'
            : agree
              ? 'agree'
              : 'disagree';
      let detail = v.detail;
      const dispute = disputes.get(c.id);
      if (dispute !== undefined && !failed) {
        const d = disputeStatus(dispute, v.verified, v.code);
        status = d.status;
        if (d.detail !== undefined) detail = detail === undefined ? d.detail : `${d.detail} — ${detail}`;
      }
      outcome = {
        id: c.id,
        kind: c.kind,
        verified: v.verified,
        code: v.code,
        expected,
        agree,
        folder,
        file,
        status,
        ...(detail === undefined ? {} : { detail }),
      };
    }
    const r = row(folder);
    r.cases += 1;
    if (outcome.status === 'agree') r.agree += 1;
    else if (outcome.status === 'disagree') r.disagree += 1;
    else if (outcome.status === 'disputed') r.disputed += 1;
    else if (outcome.status === 'unsupported') r.unsupported += 1;
    else if (outcome.status === 'error') r.errors += 1;
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
    done += 1;
    options.onProgress?.(done, files.length);
  }
  const folders = [...byFolder.values()];
  const total: FolderRow = {
    folder: 'total',
    cases: 0,
    agree: 0,
    disagree: 0,
    disputed: 0,
    unsupported: 0,
    errors: 0,
  };
  for (const f of folders) {
    total.cases += f.cases;
    total.agree += f.agree;
    total.disagree += f.disagree;
    total.disputed += f.disputed;
    total.unsupported += f.unsupported;
    total.errors += f.errors;
  }
  return { outcomes, folders, total, ok: total.disagree === 0 && total.errors === 0 };
}

/** The per-folder agreement table (for stderr). */
export function formatTable(summary: CheckSummary): string {
  const headers = ['folder', 'cases', 'agree', 'disagree', 'disputed', 'unsupported', 'errors'] as const;
  const rows = [...summary.folders, summary.total].map((r) => [
    r.folder,
    String(r.cases),
    String(r.agree),
    String(r.disagree),
    String(r.disputed),
    String(r.unsupported),
    String(r.errors),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const body = rows.map(line);
  const last = body.pop() as string;
  return [line(headers), rule, ...body, rule, last].join('\n');
}

export function formatSummaryLine(summary: CheckSummary): string {
  const t = summary.total;
  const noVerdict = summary.outcomes.filter((o) => o.status === 'no-verdict').length;
  return (
    `factorkit check: ${t.cases} cases, ${t.agree} agree, ${t.disagree} disagree, ${t.disputed} disputed, ` +
    `${t.unsupported} unsupported, ` +
    `${t.errors} errors${noVerdict > 0 ? `, ${noVerdict} without an expected verdict` : ''} — ${summary.ok ? 'OK' : 'FAIL'}`
  );
}

/** The cases a human should look at: disagreements and errors, with their code and detail. */
export function formatProblems(summary: CheckSummary): string {
  return summary.outcomes
    .filter((o) => o.status === 'disagree' || o.status === 'error')
    .map(
      (o) =>
        `  ${o.status === 'error' ? 'error   ' : 'disagree'} ${o.id} (${o.kind}): expected ${String(o.expected)}, got ${String(o.verified)}` +
        `${o.code === null ? '' : ` ${o.code}`}${o.detail === undefined || o.detail === '' ? '' : ` — ${o.detail}`}`,
    )
    .join('\n');
}

/** Documented disputes that held (one line each; the reasons live in the disputes file). */
export function formatDisputed(summary: CheckSummary): string {
  return summary.outcomes
    .filter((o) => o.status === 'disputed')
    .map(
      (o) =>
        `  disputed ${o.id} (${o.kind}): corpus ${String(o.expected)}, ours ${String(o.verified)}` +
        `${o.code === null ? '' : ` ${o.code}`} (documented)`,
    )
    .join('\n');
}
