import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres, POSTGRES_SCHEMA_VERSION, PostgresStore } from '../src/store/postgres/index.ts';
import type { StoreOptions } from '../src/store/types.ts';
import { POSTGRES_URL, skipMessage, uniqueName } from './helpers/servers.ts';
import { credential, describeStoreContract, otpFactor, token } from './store-contract.ts';

if (POSTGRES_URL === undefined) {
  describe('PostgresStore', () => {
    it.skip(
      skipMessage('FACTORKIT_TEST_POSTGRES_URL', 'PostgresStore contract, migrations and faults'),
      () => {},
    );
  });
  console.warn(skipMessage('FACTORKIT_TEST_POSTGRES_URL', 'PostgresStore suites'));
} else {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 8 });
  pool.on('error', () => {}); // an idle client whose backend was terminated by a fault test
  const schemas: string[] = [];
  const schema = (): string => {
    const s = uniqueName('fk');
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  });
  const open = (options: StoreOptions = {}): Promise<PostgresStore> =>
    PostgresStore.open(pool, { ...options, schema: schema() });

  describeStoreContract('PostgresStore', open);

  describe('PostgresStore specifics', () => {
    it('migrations: versioned, idempotent, concurrent first connects migrate once; prefix and schema options', async () => {
      const s = schema();
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: POSTGRES_URL, max: 1 }));
      const versions = await Promise.all(
        pools.map((p) => migratePostgres(p, { schema: s, tablePrefix: 'app_' })),
      );
      expect(versions).toEqual(pools.map(() => POSTGRES_SCHEMA_VERSION));
      expect(await migratePostgres(pool, { schema: s, tablePrefix: 'app_' })).toBe(POSTGRES_SCHEMA_VERSION);
      for (const p of pools) await p.end();
      const tables = await pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [s],
      );
      expect(tables.rows.map((r) => r['table_name'])).toEqual([
        'app_attempts',
        'app_challenges',
        'app_credentials',
        'app_otp_factors',
        'app_schema_version',
        'app_yubikey_tokens',
      ]);
      const store = await PostgresStore.open(pool, { schema: s, tablePrefix: 'app_', migrate: false });
      expect(store.schemaVersion).toBe(POSTGRES_SCHEMA_VERSION);
      await store.credentials.put(credential('a'));
      expect(await store.credentials.get('a')).toEqual(credential('a'));
    });

    it('migrate: false refuses an unmigrated or newer schema with ERR_STORE_SCHEMA', async () => {
      const s = schema();
      await expect(PostgresStore.open(pool, { schema: s, migrate: false })).rejects.toMatchObject({
        code: 'ERR_STORE_SCHEMA',
      });
      await migratePostgres(pool, { schema: s });
      await pool.query(`UPDATE "${s}".factorkit_schema_version SET version = version + 1`);
      await expect(PostgresStore.open(pool, { schema: s })).rejects.toMatchObject({
        code: 'ERR_STORE_SCHEMA',
      });
      await expect(PostgresStore.open(pool, { schema: s, migrate: false })).rejects.toMatchObject({
        code: 'ERR_STORE_SCHEMA',
      });
    });

    it('naming options are identifiers only (they are spliced into SQL)', async () => {
      await expect(PostgresStore.open(pool, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(TypeError);
      await expect(PostgresStore.open(pool, { tablePrefix: 'A-' })).rejects.toThrow(TypeError);
    });

    it('secrets are stored as sealed bytes only; a mistyped stored member is ERR_STORE_CORRUPT', async () => {
      const s = schema();
      const store = await PostgresStore.open(pool, { schema: s });
      await store.otp.put(otpFactor('o1'));
      await store.credentials.put(credential('c1'));
      const raw = await pool.query(`SELECT secret FROM "${s}".factorkit_otp_factors`);
      expect(Uint8Array.from(raw.rows[0]?.['secret'] as Buffer)).toEqual(otpFactor('o1').secret);
      await pool.query(`UPDATE "${s}".factorkit_credentials SET data = '{"backupEligible": "yes"}'`);
      await expect(store.credentials.get('c1')).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    });

    it('an unreachable server is ERR_STORE_UNAVAILABLE, without the connection string in the message', async () => {
      const dead = new pg.Pool({
        connectionString: 'postgres://u:hunter2@127.0.0.1:1/x',
        connectionTimeoutMillis: 2000,
      });
      const error = await PostgresStore.open(dead).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StoreError', code: 'ERR_STORE_UNAVAILABLE' });
      expect(String((error as Error).message)).not.toContain('hunter2');
      await dead.end();
    });

    it('a connection dropped mid-operation is ERR_STORE_UNAVAILABLE and nothing is half-applied', async () => {
      let kill: string | undefined;
      const s = schema();
      // The hook runs after the statements are staged, before COMMIT: terminate our own backend there.
      const store = await PostgresStore.open(pool, {
        schema: s,
        beforeCommit: async (op) => {
          if (op !== kill) return;
          await pool.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
          );
        },
      });
      await store.otp.put(otpFactor('o1', 5));
      const batch = Array.from({ length: 50 }, (_, i) => token(i));
      kill = 'yubikey.insertMany';
      await expect(store.yubikey.insertMany(batch)).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
      kill = 'otp.advanceCounter';
      await expect(store.otp.advanceCounter('o1', 6, 1, { driftSteps: 1 })).rejects.toMatchObject({
        code: 'ERR_STORE_UNAVAILABLE',
      });
      kill = undefined;
      expect(
        await store.yubikey.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 100 }),
      ).toEqual([]);
      expect(await store.otp.get('o1')).toEqual(otpFactor('o1', 5));
      // The pool recovered: the same operations now apply.
      expect((await store.yubikey.insertMany(batch)).ok).toBe(true);
      expect(await store.otp.advanceCounter('o1', 6, 1)).toBe(true);
    });

    it('import in bounded batches: 1,234 rows with importBatchSize 100 land together', async () => {
      const store = await PostgresStore.open(pool, { schema: schema(), importBatchSize: 100 });
      const rows = Array.from({ length: 1234 }, (_, i) => token(i));
      expect(await store.yubikey.insertMany(rows)).toEqual({ ok: true, inserted: 1234 });
      expect(await store.yubikey.insertMany([token(5000), token(7, { id: 'again' })])).toEqual({
        ok: false,
        conflicts: [token(7).publicId],
      });
    });

    it('close() stops the store but leaves the caller’s pool open', async () => {
      const store = await open();
      await store.close();
      await expect(store.credentials.get('a')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
      expect((await pool.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    });
  });
}
