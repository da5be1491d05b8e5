// A separate process racing other processes on one SQLite file (see store-sqlite.test.ts).
// Runs the store from source: tsx for TypeScript, the bin's resolver for workspace packages.
import { register } from 'node:module';

const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
register('../../bin/dev-resolve.js', import.meta.url);
const { SqliteStore } = await import('../../src/store/sqlite/index.ts');

const [file, countText, tokenId, goFile, offsetText] = process.argv.slice(2);
const offset = Number(offsetText);
const count = Number(countText);
const store = new SqliteStore(file);
const { existsSync } = await import('node:fs');
// Start together: say ready, then wait until the parent creates the go file.
process.stdout.write('R');
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
const challenges = [];
const otps = [];
for (let i = 0; i < count; i++) {
  // Yield the write lock now and then, so the processes really interleave (SQLite's busy
  // handler would otherwise let one process run to the end while the others back off).
  await new Promise((r) => setTimeout(r, Math.random() < 0.5 ? 0 : 1));
  // Each process walks the challenges from its own offset, so they meet in the middle.
  const c = (i + offset) % count;
  if ((await store.challenges.consume(`c${c}`)) !== undefined) challenges.push(c);
  const r = await store.yubikey.compareAndSetCounter({
    id: tokenId,
    next: { usageCounter: 1, sessionCounter: i, timestamp: i, at: new Date(0).toISOString() },
    expectStatus: 'ACTIVE',
    expectUserId: 'alice',
  });
  if (r.ok) otps.push(i);
}
await store.close();
process.stdout.write(`\n${JSON.stringify({ challenges, otps })}`);
