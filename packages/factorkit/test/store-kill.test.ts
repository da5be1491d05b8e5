/**
 * kill -9 of a process in the middle of a 10,000-row seed import leaves 0 or 10,000 rows,
 * never a part: once with the kill exactly between staging and COMMIT, then at random moments.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/store/postgres/index.ts';
import { dropEngine, type EngineDescriptor, openEngine } from './helpers/engines.ts';
import { POSTGRES_URL, REDIS_URL, skipMessage, uniqueName } from './helpers/servers.ts';

const ROWS = 10_000;
const RANDOM_KILLS = 3;
const worker = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'import-worker.mjs');
const dir = mkdtempSync(join(tmpdir(), 'factorkit-kill-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  rmSync(dir, { recursive: true, force: true });
});

const pgPool =
  POSTGRES_URL === undefined ? undefined : new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
if (pgPool !== undefined) cleanups.push(() => pgPool.end());

const engines: [string, (() => Promise<EngineDescriptor>) | string][] = [
  ['SQLite', async () => ({ engine: 'sqlite', file: join(dir, `${uniqueName('kill')}.sqlite`) })],
  [
    'PostgreSQL',
    pgPool === undefined
      ? skipMessage('FACTORKIT_TEST_POSTGRES_URL', 'PostgreSQL kill -9')
      : async () => {
          const schema = uniqueName('fk_kill');
          await (await PostgresStore.open(pgPool, { schema })).close();
          cleanups.unshift(async () => {
            await pgPool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          });
          return { engine: 'postgres', url: POSTGRES_URL as string, schema };
        },
  ],
  [
    'Redis',
    REDIS_URL === undefined
      ? skipMessage('FACTORKIT_TEST_REDIS_URL', 'Redis kill -9')
      : async () => {
          const d: EngineDescriptor = {
            engine: 'redis',
            url: REDIS_URL as string,
            prefix: uniqueName('fkkill'),
          };
          cleanups.unshift(() => dropEngine(d));
          return d;
        },
  ],
];

/** Runs the importer; SIGKILL once staged (`hook`) or `killAfterMs` after the import started. */
function run(
  descriptor: EngineDescriptor,
  mode: 'hook' | 'free',
  killAfterMs?: number,
): Promise<{ out: string; killed: boolean; importMs: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, JSON.stringify(descriptor), mode, String(ROWS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let killed = false;
    let importing = 0;
    const kill = (): void => {
      killed = child.kill('SIGKILL');
    };
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (importing === 0 && out.includes('importing')) importing = Date.now();
      if (mode === 'hook' && out.includes('staged')) kill();
      if (mode === 'free' && killAfterMs !== undefined && out.includes('importing'))
        setTimeout(kill, killAfterMs);
    });
    child.on('exit', () => resolve({ out, killed, importMs: Date.now() - importing }));
  });
}

async function count(descriptor: EngineDescriptor): Promise<number> {
  const opened = await openEngine(descriptor);
  try {
    const rows = await opened.store.yubikey.list({
      filter: {},
      sortBy: 'created',
      sortOrder: 'ASC',
      limit: 2 * ROWS,
    });
    return rows.length;
  } finally {
    await opened.close();
  }
}

describe.each(engines)('kill -9 mid-import on %s', (_name, prepare) => {
  if (typeof prepare === 'string') {
    it.skip(prepare, () => {});
    return;
  }
  it(`killed between staging and COMMIT: 0 of ${ROWS} rows`, async () => {
    const d = await prepare();
    const { out, killed } = await run(d, 'hook');
    expect(out).toContain('staged');
    expect(killed).toBe(true);
    expect(await count(d)).toBe(0);
  }, 120_000);

  it(`killed at random moments: 0 or ${ROWS} rows, never a part (${RANDOM_KILLS} kills; an unkilled run imports all)`, async () => {
    const complete = await prepare();
    const { out, importMs: duration } = await run(complete, 'free');
    expect(out).toContain('done {"ok":true');
    expect(await count(complete)).toBe(ROWS);
    const seen: number[] = [];
    for (let i = 0; i < RANDOM_KILLS; i++) {
      const d = await prepare();
      // Somewhere inside the import (measured from its start in the unkilled run).
      await run(d, 'free', Math.floor(Math.random() * duration));
      const n = await count(d);
      seen.push(n);
      expect([0, ROWS]).toContain(n);
    }
    console.log(
      `kill -9 at random moments (${_name}): rows after each kill ${seen.join(', ')} (unkilled import ${duration} ms)`,
    );
  }, 180_000);
});
