/**
 * factorkit benchmarks: the hot verification paths against peers and the crypto limit, with
 * ratios computed within the same run.
 *
 *   npm run bench                      full run: markdown tables, ratios, targets
 *   npm run bench -- --quick           short time budgets (CI)
 *   npm run bench -- --gate            exit 1 when a gated ratio is not met (or cannot be measured)
 *   npm run bench -- --json[=file]     machine-readable results (stdout, or a file)
 *   npm run bench -- --only=totp,hotp  only groups whose id starts with one of these
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fixtureSource } from './fixtures.ts';
import { ctGroups } from './groups/ct.ts';
import { extraMeasurements } from './groups/extras.ts';
import { otpGroups } from './groups/otp.ts';
import { u2fGroups } from './groups/u2f.ts';
import { assertionGroups } from './groups/webauthn-assertion.ts';
import { registrationGroups } from './groups/webauthn-registration.ts';
import { yubikeyGroups } from './groups/yubikey.ts';
import { FULL, type GroupResult, measureGroup, QUICK } from './measure.ts';
import type { ExtraMeasurement, Group } from './model.ts';
import { evaluateTargets, extraMarkdown, groupMarkdown, targetsMarkdown } from './report.ts';
import { TARGETS } from './targets.ts';

interface Args {
  readonly quick: boolean;
  readonly gate: boolean;
  readonly json: string | boolean;
  readonly only: readonly string[] | undefined;
  readonly allowPending: boolean;
  readonly extras: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let gate = false;
  let json: string | boolean = false;
  let only: string[] | undefined;
  let allowPending = false;
  let extras = true;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--gate') gate = true;
    else if (a === '--json') json = true;
    else if (a.startsWith('--json=')) json = a.slice('--json='.length);
    else if (a.startsWith('--only=')) only = a.slice('--only='.length).split(',').filter(Boolean);
    else if (a === '--allow-pending') allowPending = true;
    else if (a === '--no-extras') extras = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: tsx src/run.ts [--quick] [--gate] [--json[=file]] [--only=id,...] [--allow-pending] [--no-extras]\n',
      );
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument: ${a}\n`);
      process.exit(2);
    }
  }
  return { quick, gate, json, only, allowPending, extras };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const budget = args.quick ? QUICK : FULL;
  const started = performance.now();
  const selected = (id: string): boolean =>
    args.only === undefined || args.only.some((p) => id.startsWith(p));

  const builders: readonly (() => Promise<Group[]>)[] = [
    assertionGroups,
    registrationGroups,
    u2fGroups,
    otpGroups,
    yubikeyGroups,
    ctGroups,
  ];
  const groups: Group[] = [];
  for (const build of builders) groups.push(...(await build()));

  const results: GroupResult[] = [];
  for (const g of groups) {
    if (!selected(g.id)) continue;
    const t0 = performance.now();
    log(`▶ ${g.id} (${g.cases.length} cases)`);
    results.push(await measureGroup(g, budget, log));
    log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const extras: ExtraMeasurement[] = [];
  if (args.extras) {
    for (const m of await extraMeasurements({ quick: args.quick, selected, log })) extras.push(m);
  }

  const targets = evaluateTargets(TARGETS, results, extras);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const header = [
    `## factorkit benchmarks (${args.quick ? 'quick' : 'full'})`,
    '',
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpu}; fixtures: ${fixtureSource()}; ` +
      `${budget.rounds} rounds × ${budget.time} ms per case; total ${elapsed.toFixed(1)} s.`,
    '',
    'Ratios are p50 time ÷ p50 time within this run (median over rounds): below 1 means faster. ' +
      'Absolute times are informative only. ⁽ᵇᴺ⁾ marks a case timed in batches of N calls per sample.',
    '',
  ].join('\n');
  const markdown = [
    header,
    ...results.map((r) => groupMarkdown(r, budget.rounds)),
    ...extras.map(extraMarkdown),
    targetsMarkdown(targets),
  ].join('\n');

  const failedChecks = [
    ...results.flatMap((r) => r.failed.map((f) => `${r.id}/${f.key}: ${f.error}`)),
    ...extras.flatMap((m) => (m.error === undefined ? [] : [`${m.key}: ${m.error}`])),
  ];
  const gateFailures = targets.filter(
    (t) => t.gate && (t.status === 'not met' || (t.status === 'not evaluated' && !args.allowPending)),
  );

  const json = {
    mode: args.quick ? 'quick' : 'full',
    units: {
      latency: 'ms per operation',
      opsPerSecond: 'operations per second',
      ratio: 'p50 time ÷ p50 time',
    },
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: cpus().length,
    cpu,
    fixtures: fixtureSource(),
    budget,
    seconds: elapsed,
    groups: results,
    extras,
    targets,
    failedChecks,
  };
  if (args.json === true) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    process.stderr.write(`${markdown}\n`);
  } else {
    if (typeof args.json === 'string') writeFileSync(args.json, `${JSON.stringify(json, null, 2)}\n`);
    process.stdout.write(`${markdown}\n`);
  }

  let code = 0;
  if (failedChecks.length > 0) {
    log(`\n✗ ${failedChecks.length} case(s) failed their correctness check:`);
    for (const f of failedChecks) log(`  ${f}`);
    code = 1;
  }
  if (args.gate) {
    if (gateFailures.length > 0) {
      log('\n✗ ratio gate failed:');
      for (const t of gateFailures) log(`  ${t.description}: ${t.status}${t.reason ? ` (${t.reason})` : ''}`);
      code = 1;
    } else {
      log('\n✓ ratio gate passed');
    }
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `benchmark run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
