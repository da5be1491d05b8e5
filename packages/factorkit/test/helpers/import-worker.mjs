// A process that imports 10,000 seed rows and gets killed (see store-kill.test.ts).
import { register } from 'node:module';

const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register('../../bin/dev-resolve.js', import.meta.url);
await import('./import-worker.ts');
