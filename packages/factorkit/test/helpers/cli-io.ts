import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/main.ts';

/** A CliIo that captures stdout/stderr, rooted at `cwd`, with no repo root (no default inputs). */
export function captureIo(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (b: Buffer) => o.push(b));
  stderr.on('data', (b: Buffer) => e.push(b));
  return {
    stdout,
    stderr,
    env,
    cwd,
    stdin: new PassThrough(),
    repoRoot: null,
    out: () => Buffer.concat(o).toString('utf8'),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}
