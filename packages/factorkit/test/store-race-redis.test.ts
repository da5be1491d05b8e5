import { afterAll } from 'vitest';
import { dropEngine, type EngineDescriptor } from './helpers/engines.ts';
import { describeRace } from './helpers/race-suite.ts';
import { REDIS_URL, skipMessage, uniqueName } from './helpers/servers.ts';

let created: EngineDescriptor | undefined;
afterAll(async () => {
  if (created !== undefined) await dropEngine(created);
});

describeRace(
  'Redis',
  REDIS_URL === undefined
    ? skipMessage('FACTORKIT_TEST_REDIS_URL', 'Redis race')
    : async () => {
        created = { engine: 'redis', url: REDIS_URL as string, prefix: uniqueName('fkrace') };
        return created;
      },
);
