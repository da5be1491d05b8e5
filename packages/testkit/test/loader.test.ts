import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases, loadSharedCases, sharedFixturesDir, sharedFixturesSkipMessage } from '../src/index.ts';

const sample = (id: string, kind = 'hotp') =>
  JSON.stringify({ id, kind, response: { code: '1' }, context: {}, expect: { verified: true } });

describe('loadCases', () => {
  it('walks folders, skips manifests, partial/mds/roots and vectors/collections, filters kinds', () => {
    const root = mkdtempSync(join(tmpdir(), 'fk-cases-'));
    mkdirSync(join(root, 'real', 'x', 'partial'), { recursive: true });
    mkdirSync(join(root, 'vectors', 'collections'), { recursive: true });
    writeFileSync(join(root, 'real', 'x', 'a.json'), sample('x/a'));
    writeFileSync(join(root, 'real', 'x', 'b.json'), sample('x/b', 'totp'));
    writeFileSync(join(root, 'real', 'x', 'MANIFEST.json'), '{}');
    writeFileSync(join(root, 'real', 'x', 'partial', 'c.json'), sample('x/c'));
    writeFileSync(join(root, 'vectors', 'collections', 'd.json'), sample('d'));
    const all = loadCases(root);
    expect(all.map((c) => c.case.id)).toEqual(['x/a', 'x/b']);
    expect(all[0]?.folder).toBe('real/x');
    expect(loadCases(root, { kinds: ['totp'] }).map((c) => c.case.id)).toEqual(['x/b']);
  });

  it('rejects a file that is not a case', () => {
    const root = mkdtempSync(join(tmpdir(), 'fk-cases-'));
    writeFileSync(join(root, 'bad.json'), '{"id": 1}');
    expect(() => loadCases(root)).toThrow(/not a case file/);
  });
});

describe.skipIf(sharedFixturesDir() === undefined)('shared corpus', () => {
  it('loads every case of the shared corpus', () => {
    const cases = loadSharedCases() ?? [];
    expect(cases.length).toBeGreaterThan(100);
    expect(new Set(cases.map((c) => c.case.id)).size).toBe(cases.length);
  });
});

if (sharedFixturesDir() === undefined) console.warn(sharedFixturesSkipMessage('shared corpus loader tests'));
