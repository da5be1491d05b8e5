// Runs the endpoint conformance harness against the example server over real HTTP.
//   tsx scripts/harness.ts [--url <base url>] [--broken-fixture] [--out <dir>]
// Without --url it starts the example (SQLite in a temp dir, a free port). --broken-fixture
// puts a sign-in route that skips the challenge check in front of it. Writes the report as
// markdown and JSON (default e2e-artifacts/), prints the table, exits 1 on any wrong verdict.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatJson, formatMarkdown, runHarness } from '@factorkit/virtual-authenticator/harness';
import { type RunningServer, startServer } from '../src/server.ts';
import { withBrokenChallengeCheck } from '../test/fixtures/broken-challenge.ts';
import { exampleTarget } from './harness-target.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const broken = args.includes('--broken-fixture');
const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(flag('--out') ?? join(here, '..', '..', '..', 'e2e-artifacts'));

let server: RunningServer | undefined;
let dataDir: string | undefined;
let baseUrl = flag('--url');
if (baseUrl === undefined) {
  dataDir = mkdtempSync(join(tmpdir(), 'factorkit-harness-'));
  server = await startServer({ dataDir, port: 0, ...(broken ? { wrap: withBrokenChallengeCheck } : {}) });
  baseUrl = server.url;
}
try {
  const report = await runHarness(exampleTarget(baseUrl), {
    onRow: (r) => process.stderr.write(r.pass ? '.' : r.got === 'skipped' ? 's' : 'X'),
  });
  process.stderr.write('\n');
  const name = broken ? 'harness-broken-challenge' : 'harness-example';
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.md`), formatMarkdown(report));
  writeFileSync(join(outDir, `${name}.json`), formatJson(report));
  process.stdout.write(formatMarkdown(report));
  process.stdout.write(`\nreport: ${join(outDir, `${name}.md`)} (.json beside it)\n`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await server?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
