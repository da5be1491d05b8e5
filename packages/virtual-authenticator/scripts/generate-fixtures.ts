// npm run fixtures: rewrites the repo's fixtures/virtual/ folder from the generator.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFixtures } from './fixtures-lib.ts';

const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');
const files = generateFixtures();
// Only the generated subtree is replaced; anything else under fixtures/ is left alone.
rmSync(join(fixturesDir, 'virtual'), { recursive: true, force: true });
for (const file of files) {
  const target = join(fixturesDir, ...file.path.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}
console.log(`wrote ${files.length} files to fixtures/virtual`);
