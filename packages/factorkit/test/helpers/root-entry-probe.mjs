// Imports the root entry (from source) in a fresh process and reports which native addons and
// store drivers got loaded. With `open-sqlite` it also opens a SqliteStore, so the probe is
// shown to see a load when one happens.
import { createRequire, register } from 'node:module';

const addons = [];
const dlopen = process.dlopen;
process.dlopen = (module, filename, ...rest) => {
  addons.push(filename);
  return dlopen.call(process, module, filename, ...rest);
};
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register('../../bin/dev-resolve.js', import.meta.url);
const root = await import('../../src/index.ts');
const fk = root.createFactorkit({ rp: { id: 'example.com', name: 'x' }, origins: ['https://example.com'] });
await fk.otp.enrollTotp({ userId: 'alice' });
if (process.argv[2] === 'open-sqlite') await new root.SqliteStore(':memory:').close();
const cache = Object.keys(createRequire(import.meta.url).cache);
const drivers = ['better-sqlite3', 'pg', 'ioredis'].filter((d) =>
  cache.some((k) => k.includes(`/node_modules/${d}/`)),
);
// cbor-x's optional accelerator (cbor-extract) is the webauthn package's business; this probe
// reports the store drivers' addons.
const storeAddons = addons.filter((f) => !f.includes('cbor-extract'));
process.stdout.write(JSON.stringify({ addons: storeAddons.length, drivers }));
