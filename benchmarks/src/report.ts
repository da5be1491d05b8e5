import type { GroupResult } from './measure.ts';
import type { ExtraMeasurement, Target } from './model.ts';
import { formatDuration, formatOps, formatRatio } from './stats.ts';

export type TargetStatus = 'met' | 'not met' | 'not evaluated';

export interface TargetResult {
  readonly id: string;
  readonly description: string;
  readonly gate: boolean;
  readonly value: number | undefined;
  readonly max: number;
  readonly unit: string;
  readonly status: TargetStatus;
  readonly reason?: string;
}

export function evaluateTargets(
  targets: readonly Target[],
  groups: readonly GroupResult[],
  extras: readonly ExtraMeasurement[],
): TargetResult[] {
  return targets.map((t): TargetResult => {
    if (t.kind === 'ratio') {
      const g = groups.find((x) => x.id === t.group);
      const cmp = g?.comparisons.find((c) => c.key === t.comparison);
      if (cmp === undefined || !Number.isFinite(cmp.ratio)) {
        const why =
          g === undefined
            ? `group ${t.group} not run`
            : (g.pending[0] ?? g.failed[0]?.error ?? 'case missing');
        return { ...base(t), value: undefined, unit: '×', status: 'not evaluated', reason: why };
      }
      return { ...base(t), value: cmp.ratio, unit: '×', status: cmp.ratio <= t.max ? 'met' : 'not met' };
    }
    const m = extras.find((x) => x.key === t.measurement);
    const v = m?.values[t.field];
    if (v === undefined || !Number.isFinite(v)) {
      return {
        ...base(t),
        value: undefined,
        unit: t.unit,
        status: 'not evaluated',
        reason: m?.notes[0] ?? 'not measured',
      };
    }
    return { ...base(t), value: v, unit: t.unit, status: v <= t.max ? 'met' : 'not met' };
  });
}

function base(t: Target): { id: string; description: string; gate: boolean; max: number } {
  return { id: t.id, description: t.description, gate: t.gate, max: t.max };
}

function roleTag(role: string): string {
  return role === 'factorkit' ? '**factorkit**' : role;
}

export function groupMarkdown(g: GroupResult, rounds: number): string {
  const lines: string[] = [`### ${g.title}`, '', `Input: ${g.input}`, ''];
  if (g.cases.length > 0) {
    lines.push('| case | role | ops/s | p50 | p99 | rme |', '| --- | --- | ---: | ---: | ---: | ---: |');
    for (const c of g.cases) {
      const s = c.summary;
      const label = c.batch > 1 ? `${c.label} ⁽ᵇ${c.batch}⁾` : c.label;
      lines.push(
        `| ${label} | ${roleTag(c.role)} | ${formatOps(s.opsPerSecond)} | ${formatDuration(s.p50)} | ${formatDuration(s.p99)} | ±${s.rme.toFixed(2)} % |`,
      );
    }
    lines.push('');
  }
  if (g.comparisons.length > 0) {
    const label = (key: string): string => g.cases.find((c) => c.key === key)?.label ?? key;
    lines.push(
      `| ratio (p50 time, median of ${rounds} rounds) | ÷ | value |`,
      '| --- | --- | ---: |',
      ...g.comparisons.map((c) => `| ${label(c.subject)} | ${label(c.baseline)} | ${formatRatio(c.ratio)} |`),
      '',
    );
  }
  for (const f of g.failed) lines.push(`- **FAILED CHECK** ${f.label}: ${f.error}`);
  for (const p of g.pending) lines.push(`- ${p}`);
  for (const n of g.notes) lines.push(`- ${n}`);
  if (g.failed.length + g.pending.length + g.notes.length > 0) lines.push('');
  return lines.join('\n');
}

export function extraMarkdown(m: ExtraMeasurement): string {
  const lines = [`### ${m.title}`, ''];
  if (m.error !== undefined) lines.push(`- **FAILED**: ${m.error}`, '');
  if (Object.keys(m.values).length > 0) lines.push('| measure | value |', '| --- | ---: |');
  for (const [k, v] of Object.entries(m.values)) {
    const unit = m.units[k] ?? '';
    lines.push(`| ${k} | ${Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2)} ${unit} |`);
  }
  if (Object.keys(m.values).length > 0) lines.push('');
  for (const n of m.notes) lines.push(`- ${n}`);
  if (m.notes.length > 0) lines.push('');
  return lines.join('\n');
}

export function targetsMarkdown(results: readonly TargetResult[]): string {
  const lines = [
    '### Targets',
    '',
    '| target | gated | measured | limit | status |',
    '| --- | :---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const measured =
      r.value === undefined ? '—' : r.unit === '×' ? formatRatio(r.value) : `${r.value.toFixed(2)} ${r.unit}`;
    const limit =
      r.unit === '×' ? `≤ ${r.max < 1 ? r.max.toFixed(3) : r.max.toFixed(2)}×` : `≤ ${r.max} ${r.unit}`;
    const status =
      r.status === 'met'
        ? 'met'
        : r.status === 'not met'
          ? '**NOT MET**'
          : `not evaluated (${r.reason ?? ''})`;
    lines.push(`| ${r.description} | ${r.gate ? 'yes' : 'no'} | ${measured} | ${limit} | ${status} |`);
  }
  lines.push('');
  return lines.join('\n');
}
