// One racing process (see store-race.test.ts): runs the sources through tsx.
import { register } from 'node:module';

const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register('../../bin/dev-resolve.js', import.meta.url);
await import('./race-worker.ts');
