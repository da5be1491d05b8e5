// The endpoint conformance harness against the example over real HTTP: every verdict right;
// and against the deliberately broken sign-in route, it names exactly the challenge attacks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHarness } from '@factorkit/virtual-authenticator/harness';
import { describe, expect, it } from 'vitest';
import { exampleTarget } from '../scripts/harness-target.ts';
import { startServer } from '../src/server.ts';
import { withBrokenChallengeCheck } from './fixtures/broken-challenge.ts';

async function harnessRun(broken: boolean) {
  const dataDir = mkdtempSync(join(tmpdir(), 'factorkit-harness-test-'));
  const server = await startServer({
    dataDir,
    port: 0,
    ...(broken ? { wrap: withBrokenChallengeCheck } : {}),
  });
  try {
    return await runHarness(exampleTarget(server.url));
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('conformance harness against the example server', () => {
  it('every attack is refused and every control accepted', async () => {
    const report = await harnessRun(false);
    expect(report.rows.filter((r) => !r.pass)).toEqual([]);
    expect(report.counts).toMatchObject({ wrong: 0, skipped: 0 });
    expect(report.rows.length).toBeGreaterThanOrEqual(36);
    expect(report.ok).toBe(true);
  }, 60_000);

  it('a sign-in route that skips the challenge check is caught, and only there', async () => {
    const report = await harnessRun(true);
    expect(report.ok).toBe(false);
    expect(report.rows.filter((r) => !r.pass).map((r) => r.id)).toEqual([
      'challenge-reuse',
      'challenge-from-other-user',
    ]);
  }, 60_000);
});
