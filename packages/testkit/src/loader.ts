import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FixtureCase, LoadedCase } from './cases.ts';

/** Environment variable that overrides where the shared corpus lives. */
export const SHARED_FIXTURES_ENV = 'FACTORKIT_SHARED_FIXTURES';

/** Case files larger than this are refused (the corpus's largest is far smaller). */
const MAX_CASE_BYTES = 4 * 1024 * 1024;
/** Folder depth beyond which the walk stops (guards against link loops). */
const MAX_DEPTH = 12;

// Not cases: indexes, manifests, partial captures, metadata blobs, root certificates,
// and the per-source collections (the same vectors grouped differently).
const SKIP_DIRS = new Set(['partial', 'mds', 'roots', 'node_modules']);
const SKIP_FILE = /^(INDEX|MANIFEST)/i;

/** The monorepo root: the nearest ancestor holding `turbo.json`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'turbo.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('factorkit repo root (turbo.json) not found');
    dir = parent;
  }
}

/** The repo's own generated fixtures folder. */
export function repoFixturesDir(): string {
  return join(repoRoot(), 'fixtures');
}

/**
 * The shared corpus folder: `$FACTORKIT_SHARED_FIXTURES`, else `../shared/fixtures`
 * beside the repo. `undefined` when it is absent.
 */
export function sharedFixturesDir(): string | undefined {
  const fromEnv = process.env[SHARED_FIXTURES_ENV];
  const dir =
    fromEnv !== undefined && fromEnv !== ''
      ? resolve(fromEnv)
      : resolve(repoRoot(), '..', 'shared', 'fixtures');
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
}

/** The message tests print when they skip for want of the shared corpus. */
export function sharedFixturesSkipMessage(what: string): string {
  return `skipped ${what}: shared fixture corpus not found (set ${SHARED_FIXTURES_ENV} or place it at ../shared/fixtures)`;
}

export interface LoadOptions {
  /** Sub-folder of the corpus to read, e.g. `real/webauthn` (default: all). */
  readonly under?: string;
  /** Keep only these kinds (default: all). */
  readonly kinds?: readonly string[];
}

/** Reads every case below `root` (recursively, sorted by path). */
export function loadCases(root: string, options: LoadOptions = {}): LoadedCase[] {
  const start = options.under === undefined ? root : join(root, options.under);
  if (!existsSync(start)) return [];
  const files: string[] = [];
  walk(start, 0, files);
  files.sort();
  const out: LoadedCase[] = [];
  for (const file of files) {
    const parsed = readCase(file);
    if (options.kinds !== undefined && !options.kinds.includes(parsed.kind)) continue;
    const folder = relative(root, dirname(file)).split(sep).join('/');
    out.push({ file, folder, case: parsed });
  }
  return out;
}

/** Cases of the shared corpus, or `undefined` when the corpus is absent. */
export function loadSharedCases(options: LoadOptions = {}): LoadedCase[] | undefined {
  const dir = sharedFixturesDir();
  return dir === undefined ? undefined : loadCases(dir, options);
}

/** Reads one case file; throws when it is not a case. */
export function readCase(file: string): FixtureCase {
  const size = statSync(file).size;
  if (size > MAX_CASE_BYTES) throw new Error(`case file too large: ${file}`);
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCase(value)) throw new Error(`not a case file: ${file}`);
  return value;
}

export function isCase(value: unknown): value is FixtureCase {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' &&
    typeof v['kind'] === 'string' &&
    typeof v['response'] === 'object' &&
    v['response'] !== null &&
    typeof v['context'] === 'object' &&
    v['context'] !== null &&
    typeof v['expect'] === 'object' &&
    v['expect'] !== null
  );
}

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name)) continue;
      // vectors/collections groups the same vectors per source: not separate cases.
      if (entry.name === 'collections' && dir.endsWith(`${sep}vectors`)) continue;
      walk(full, depth + 1, out);
    } else if (entry.isFile() && entry.name.endsWith('.json') && !SKIP_FILE.test(entry.name)) {
      out.push(full);
    }
  }
}
