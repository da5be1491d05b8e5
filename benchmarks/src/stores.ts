/**
 * Store benchmark (not part of the CI gate): the compare-and-set at the heart of every
 * verification, and whole façade verifications, on each store — memory, SQLite (one file,
 * WAL), PostgreSQL and Redis on local servers — with 1 and 8 concurrent callers.
 *
 *   npx turbo run build && eval "$(.ci/db-servers start)" && npm run bench:stores --workspace=benchmarks
 *
 * Postgres/Redis are measured when FACTORKIT_TEST_POSTGRES_URL / FACTORKIT_TEST_REDIS_URL are
 * set (else listed as skipped). Each caller works on its own factor, as users do; every CAS
 * must succeed and every verification must be SUCCESS, or the run fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHotp } from '@factorkit/otp';
import { aesGcmKeyEncryption, createFactorkit, type FactorkitStore, MemoryStore } from 'factorkit';
import { quantile } from './stats.ts';

const DURATION_MS = Number(process.env['FACTORKIT_BENCH_STORE_MS'] ?? 2000);
const CALLERS = [1, 8] as const;
// Not one byte repeated: such secrets are refused (ERR_SECRET_WEAK).
const SECRET = Uint8Array.from({ length: 20 }, (_, i) => 0x42 + i);

interface Opened {
  readonly name: string;
  readonly store: FactorkitStore;
  close(): Promise<void>;
}

async function openStores(dir: string): Promise<(Opened | string)[]> {
  const out: (Opened | string)[] = [];
  out.push({ name: 'memory', store: new MemoryStore(), close: async () => {} });
  const { SqliteStore } = await import('factorkit/sqlite');
  const sqlite = new SqliteStore(join(dir, 'bench.sqlite'));
  out.push({ name: 'sqlite (WAL file)', store: sqlite, close: () => sqlite.close() });
  const pgUrl = process.env['FACTORKIT_TEST_POSTGRES_URL'];
  if (pgUrl) {
    const { default: pg } = await import('pg');
    const { PostgresStore } = await import('factorkit/postgres');
    const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
    const schema = `fk_bench_${process.pid}`;
    const store = await PostgresStore.open(pool, { schema });
    out.push({
      name: 'postgres (local)',
      store,
      async close() {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    });
  } else out.push('postgres: skipped (set FACTORKIT_TEST_POSTGRES_URL)');
  const redisUrl = process.env['FACTORKIT_TEST_REDIS_URL'];
  if (redisUrl) {
    const { Redis } = await import('ioredis');
    const { RedisStore } = await import('factorkit/redis');
    const client = new Redis(redisUrl);
    const prefix = `fk_bench_${process.pid}`;
    const store = await RedisStore.open(client, { prefix });
    out.push({
      name: 'redis (local, AOF)',
      store,
      async close() {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
          if (keys.length > 0) await client.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        client.disconnect();
      },
    });
  } else out.push('redis: skipped (set FACTORKIT_TEST_REDIS_URL)');
  return out;
}

interface Cell {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

/** Runs `op(caller, i)` in `callers` concurrent loops for DURATION_MS; per-op latencies in ms. */
async function measure(callers: number, op: (caller: number, i: number) => Promise<void>): Promise<Cell> {
  const latencies: number[] = [];
  const end = performance.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await op(caller, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    perSecond: (latencies.length / elapsed) * 1000,
  };
}

async function bench(o: Opened): Promise<Record<string, Cell>> {
  const fk = createFactorkit({
    rp: { id: 'example.com', name: 'Example' },
    origins: ['https://example.com'],
    store: o.store,
    keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(1)),
  });
  const result: Record<string, Cell> = {};
  for (const callers of CALLERS) {
    // CAS: otp.advanceCounter to the next value (always wins: each caller owns its factor).
    const ids: string[] = [];
    for (let c = 0; c < callers; c++) {
      const { factorId } = await fk.otp.enrollHotp({ userId: `cas-${callers}-${c}`, secret: SECRET });
      ids.push(factorId);
    }
    const next = ids.map(() => 0);
    await measure(callers, async (c) => {
      // warm-up
      next[c] = (next[c] ?? 0) + 1;
      if (!(await o.store.otp.advanceCounter(ids[c] as string, next[c] as number, 1)))
        throw new Error('CAS lost');
    });
    result[`cas/${callers}`] = await measure(callers, async (c) => {
      next[c] = (next[c] ?? 0) + 1;
      if (!(await o.store.otp.advanceCounter(ids[c] as string, next[c] as number, 1)))
        throw new Error('CAS lost');
    });
    // Whole façade HOTP verification: load + open the sealed secret, attempt window, HMAC, CAS.
    const users: { userId: string; factorId: string; counter: number }[] = [];
    for (let c = 0; c < callers; c++) {
      const userId = `verify-${callers}-${c}`;
      const { factorId } = await fk.otp.enrollHotp({ userId, secret: SECRET });
      users.push({ userId, factorId, counter: 0 });
    }
    const verify = async (c: number): Promise<void> => {
      const u = users[c] as (typeof users)[number];
      const passCode = generateHotp({ secret: SECRET, counter: u.counter++ });
      const r = await fk.otp.verify({ userId: u.userId, factorId: u.factorId, passCode });
      if (r.factorResult !== 'SUCCESS') throw new Error(`verification failed: ${r.code}`);
    };
    await measure(callers, verify);
    result[`verify/${callers}`] = await measure(callers, verify);
  }
  return result;
}

const dir = mkdtempSync(join(tmpdir(), 'factorkit-bench-stores-'));
try {
  const stores = await openStores(dir);
  const rows: [string, Record<string, Cell>][] = [];
  for (const o of stores) {
    if (typeof o === 'string') {
      console.log(o);
      continue;
    }
    rows.push([o.name, await bench(o)]);
    await o.close();
  }
  const memory = rows[0]?.[1];
  const f = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));
  console.log(
    `\nstore benchmark: ${DURATION_MS} ms per cell, Node ${process.version}; ratios are to memory in this run`,
  );
  console.log(
    '| store | callers | CAS p50 ms | CAS p99 ms | CAS/s | verify p50 ms | verify p99 ms | verifications/s | verify/s vs memory |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const [name, r] of rows) {
    for (const callers of CALLERS) {
      const cas = r[`cas/${callers}`] as Cell;
      const v = r[`verify/${callers}`] as Cell;
      const base = memory?.[`verify/${callers}`]?.perSecond ?? Number.NaN;
      console.log(
        `| ${name} | ${callers} | ${f(cas.p50)} | ${f(cas.p99)} | ${f(cas.perSecond)} | ${f(v.p50)} | ${f(v.p99)} | ${f(v.perSecond)} | ${(v.perSecond / base).toFixed(2)}× |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
