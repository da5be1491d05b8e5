#!/usr/bin/env node
// The factorkit CLI. Runs the built package; in a source checkout that has not been built yet,
// it runs the TypeScript sources through tsx instead (so `npm start` works on a fresh clone).
// FACTORKIT_CLI_FROM_SOURCE=1 forces the sources (the package's own tests use it).
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/cli/main.js', import.meta.url);
let entry = built;
const fromSource = process.env.FACTORKIT_CLI_FROM_SOURCE === '1' || !existsSync(built);
if (fromSource && existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  // Workspace packages resolve to their sources too (their dist/ may not exist either).
  register('./dev-resolve.js', import.meta.url);
  entry = new URL('../src/cli/main.ts', import.meta.url);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
});
