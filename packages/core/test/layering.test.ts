import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The import direction of the tree (README "Which package may import which"), checked over
// every shipped source file: base ← factor packages ← façade; test tools stand on the base.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  '@factorkit/ct': [],
  '@factorkit/core': ['@factorkit/ct'],
  '@factorkit/webauthn': ['@factorkit/core', '@factorkit/ct'],
  '@factorkit/u2f': ['@factorkit/core', '@factorkit/ct'],
  '@factorkit/yubikey': ['@factorkit/core', '@factorkit/ct'],
  '@factorkit/otp': ['@factorkit/core', '@factorkit/ct'],
  '@factorkit/metadata': ['@factorkit/core', '@factorkit/ct', '@factorkit/webauthn'],
  '@factorkit/virtual-authenticator': ['@factorkit/core', '@factorkit/testkit'],
  '@factorkit/testkit': [],
  factorkit: [
    '@factorkit/core',
    '@factorkit/ct',
    '@factorkit/webauthn',
    '@factorkit/u2f',
    '@factorkit/yubikey',
    '@factorkit/otp',
    '@factorkit/metadata',
    '@factorkit/testkit',
  ],
  // Adversarial testing (private): drives every public entry point from the top of the tree.
  '@factorkit/fuzz': [
    '@factorkit/core',
    '@factorkit/ct',
    '@factorkit/webauthn',
    '@factorkit/u2f',
    '@factorkit/yubikey',
    '@factorkit/otp',
    '@factorkit/metadata',
    '@factorkit/testkit',
    '@factorkit/virtual-authenticator',
    'factorkit',
  ],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function workspacePackages(): { name: string; dir: string }[] {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n, 'package.json'), { throwIfNoEntry: false }) !== undefined)
    .map((n) => ({
      name: (JSON.parse(readFileSync(join(dir, n, 'package.json'), 'utf8')) as { name: string }).name,
      dir: join(dir, n),
    }));
}

// `from '…'` and `import('…')` specifiers naming a workspace package.
const SPECIFIER = /(?:from\s+|import\s*\(\s*)'((?:@factorkit\/[a-z0-9-]+)|factorkit)(?:\/[^']*)?'/g;

describe('package layering', () => {
  it('every workspace package has a row in the table', () => {
    for (const { name } of workspacePackages()) expect(Object.keys(MAY_IMPORT), name).toContain(name);
  });
  it('shipped sources import only the packages below them', () => {
    const violations: string[] = [];
    let seen = 0;
    for (const { name, dir } of workspacePackages()) {
      const allowed = MAY_IMPORT[name] ?? [];
      for (const file of sourceFiles(join(dir, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
          const target = m[1] as string;
          seen++;
          if (target !== name && !allowed.includes(target)) {
            violations.push(`${relative(root, file)} imports ${target}`);
          }
        }
      }
    }
    expect(seen, 'the scan sees the workspace imports').toBeGreaterThan(20);
    expect(violations).toEqual([]);
  });
});
