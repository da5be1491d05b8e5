import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const probe = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'root-entry-probe.mjs');
const run = (...args: string[]): { addons: number; drivers: string[] } =>
  JSON.parse(execFileSync(process.execPath, [probe, ...args], { encoding: 'utf8' }));

describe("import 'factorkit' (root entry)", () => {
  it('loads no native addon and no store driver (stores live behind factorkit/sqlite, /postgres, /redis)', () => {
    expect(run()).toEqual({ addons: 0, drivers: [] });
  }, 30_000);

  it('the deprecated root SqliteStore loads better-sqlite3 and its addon only when a store is opened', () => {
    const opened = run('open-sqlite');
    expect(opened.drivers).toEqual(['better-sqlite3']);
    expect(opened.addons).toBeGreaterThan(0);
  }, 30_000);
});
