import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DISPUTED_VERDICTS_FILE } from './disputes.ts';

/** The case kinds of the corpus format (fixtures README). Anything else is ERR_BAD_CASE. */
export const CASE_KINDS = [
  'webauthn.registration',
  'webauthn.authentication',
  'u2f.register',
  'u2f.sign',
  'hotp',
  'totp',
  'yubico-otp',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** One case file, validated to the shape the runner relies on. */
export interface Case {
  readonly id: string;
  readonly kind: CaseKind;
  readonly format: string | null;
  readonly response: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  readonly expect: { readonly verified: boolean | null; readonly [key: string]: unknown };
}

export type LoadedFile =
  | { readonly ok: true; readonly file: string; readonly folder: string; readonly case: Case }
  | {
      readonly ok: false;
      readonly file: string;
      readonly folder: string;
      readonly id: string;
      readonly kind: string;
      readonly expected: boolean | null;
      readonly reason: string;
    };

/** Larger case files are refused (the corpus's largest is far smaller). */
export const MAX_CASE_BYTES: number = 4 * 1024 * 1024;
const MAX_DEPTH = 12;
// Not cases (fixtures README): indexes, manifests, partial captures, metadata, roots, and the
// per-source collections that regroup the same vectors. The disputed-verdicts file is data
// about cases, not a case.
const SKIP_DIRS = new Set(['partial', 'mds', 'roots', 'node_modules', '.git']);
const SKIP_FILE = /^(INDEX|MANIFEST)/i;

/** An input root: where files were found and how its folders are labelled. */
export interface InputRoot {
  readonly path: string;
  readonly label: string;
}

/** Every case file below the roots (a root may be a single file), sorted per root. */
export function findCaseFiles(roots: readonly InputRoot[]): { file: string; folder: string }[] {
  const out: { file: string; folder: string }[] = [];
  for (const root of roots) {
    const abs = resolve(root.path);
    const st = statSync(abs);
    if (st.isFile()) {
      out.push({ file: abs, folder: root.label });
      continue;
    }
    const files: string[] = [];
    walk(abs, 0, files);
    files.sort();
    for (const file of files) {
      const rel = relative(abs, dirname(file)).split(sep).join('/');
      out.push({ file, folder: rel === '' ? root.label : `${root.label}/${rel}` });
    }
  }
  return out;
}

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name)) continue;
      if (entry.name === 'collections' && basename(dir) === 'vectors') continue;
      walk(full, depth + 1, out);
    } else if (
      entry.isFile() &&
      entry.name.endsWith('.json') &&
      !SKIP_FILE.test(entry.name) &&
      entry.name !== DISPUTED_VERDICTS_FILE
    ) {
      out.push(full);
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates one case file; never throws for bad content. */
export function loadCaseFile(file: string, folder: string): LoadedFile {
  const fallbackId = basename(file, '.json');
  const bad = (reason: string, raw?: Record<string, unknown>): LoadedFile => ({
    ok: false,
    file,
    folder,
    id: typeof raw?.['id'] === 'string' ? raw['id'] : fallbackId,
    kind: typeof raw?.['kind'] === 'string' ? raw['kind'] : '',
    expected:
      isObject(raw?.['expect']) && typeof raw['expect']['verified'] === 'boolean'
        ? raw['expect']['verified']
        : null,
    reason,
  });
  let text: string;
  try {
    if (statSync(file).size > MAX_CASE_BYTES) return bad(`larger than ${MAX_CASE_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return bad(`unreadable: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad('not valid JSON');
  }
  if (!isObject(raw)) return bad('not a JSON object');
  if (typeof raw['id'] !== 'string' || raw['id'] === '') return bad('missing string "id"', raw);
  if (typeof raw['kind'] !== 'string') return bad('missing string "kind"', raw);
  if (!(CASE_KINDS as readonly string[]).includes(raw['kind']))
    return bad(`unknown kind "${raw['kind'].slice(0, 40)}"`, raw);
  if (!isObject(raw['response'])) return bad('"response" must be an object', raw);
  if (!isObject(raw['context'])) return bad('"context" must be an object', raw);
  const expect = raw['expect'];
  if (!isObject(expect)) return bad('"expect" must be an object', raw);
  const verified = expect['verified'];
  if (verified !== true && verified !== false && verified !== null)
    return bad('"expect.verified" must be true, false or null', raw);
  const format = raw['format'];
  if (format !== undefined && format !== null && typeof format !== 'string')
    return bad('"format" must be a string or null', raw);
  return {
    ok: true,
    file,
    folder,
    case: {
      id: raw['id'],
      kind: raw['kind'] as CaseKind,
      format: typeof format === 'string' ? format : null,
      response: raw['response'],
      context: raw['context'],
      expect: { ...expect, verified },
    },
  };
}

/** The monorepo root (nearest ancestor of `from` with `turbo.json`), if any. */
export function findRepoRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Environment variable naming the shared corpus folder (same as the test kit's). */
export const SHARED_FIXTURES_ENV = 'FACTORKIT_SHARED_FIXTURES';

/**
 * Default inputs: the repo's `fixtures/` and the shared corpus (`$FACTORKIT_SHARED_FIXTURES`,
 * else `../shared/fixtures` beside the repo), each only when present.
 */
export function defaultRoots(repoRoot: string | undefined, env: NodeJS.ProcessEnv): InputRoot[] {
  const roots: InputRoot[] = [];
  if (repoRoot !== undefined) {
    const fixtures = join(repoRoot, 'fixtures');
    if (existsSync(fixtures) && statSync(fixtures).isDirectory())
      roots.push({ path: fixtures, label: 'fixtures' });
  }
  const fromEnv = env[SHARED_FIXTURES_ENV];
  const shared =
    fromEnv !== undefined && fromEnv !== ''
      ? resolve(fromEnv)
      : repoRoot === undefined
        ? undefined
        : resolve(repoRoot, '..', 'shared', 'fixtures');
  if (shared !== undefined && existsSync(shared) && statSync(shared).isDirectory()) {
    roots.push({ path: shared, label: 'shared' });
  }
  return roots;
}
