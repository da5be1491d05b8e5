// The harness report as a markdown table and as JSON.
import type { HarnessReport } from './types.ts';

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A markdown table: one row per attack, with the verdict the RP gave and whether it was right. */
export function formatMarkdown(report: HarnessReport): string {
  const lines = [
    `Endpoint conformance: ${report.target} — ${report.counts.pass} right, ${report.counts.wrong} wrong, ${report.counts.skipped} skipped`,
    '',
    '| # | group | attack | expected | RP answered | code | verdict |',
    '| --: | --- | --- | --- | --- | --- | --- |',
  ];
  report.rows.forEach((r, i) => {
    const verdict = r.got === 'skipped' ? 'skipped' : r.pass ? 'ok' : '**WRONG**';
    const code = r.code ?? (r.note === undefined ? '' : r.note);
    lines.push(
      `| ${i + 1} | ${r.group} | ${cell(r.attack)} | ${r.expected} | ${r.got} | ${cell(code ? `\`${code}\``.replace('``', '') : '')} | ${verdict} |`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The report as pretty-printed JSON (stable field order). */
export function formatJson(report: HarnessReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
