import pg from 'pg';
import { afterAll } from 'vitest';
import { PostgresStore } from '../src/store/postgres/index.ts';
import { dropEngine, type EngineDescriptor } from './helpers/engines.ts';
import { describeRace } from './helpers/race-suite.ts';
import { POSTGRES_URL, skipMessage, uniqueName } from './helpers/servers.ts';

let created: EngineDescriptor | undefined;
afterAll(async () => {
  if (created !== undefined) await dropEngine(created);
});

describeRace(
  'PostgreSQL',
  POSTGRES_URL === undefined
    ? skipMessage('FACTORKIT_TEST_POSTGRES_URL', 'PostgreSQL race')
    : async () => {
        const schema = uniqueName('fk_race');
        const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
        await (await PostgresStore.open(pool, { schema })).close();
        await pool.end();
        created = { engine: 'postgres', url: POSTGRES_URL as string, schema };
        return created;
      },
);
