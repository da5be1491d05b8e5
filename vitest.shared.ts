// Shared vitest settings: every workspace package name (and each subpath of its
// `exports` map) is aliased to its TypeScript source, so a test run needs no build.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

interface ExportEntry {
  readonly node?: string;
  readonly default?: string;
  readonly import?: string;
}

// Tests run as Node does (the `node` export condition). FACTORKIT_CRYPTO=portable resolves the
// default crypto backend (`@factorkit/core/crypto/default`) as a browser would, so the whole
// suite of every package that verifies signatures or MACs runs on the portable backend too.
const portableDefault = process.env['FACTORKIT_CRYPTO'] === 'portable';

function sourceFor(pkgDir: string, target: string): string {
  // ./dist/foo/bar.js -> ./src/foo/bar.ts
  const rel = target.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
  return resolve(pkgDir, rel);
}

export function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const out: { find: RegExp; replacement: string }[] = [];
  const pkgsDir = join(root, 'packages');
  for (const name of readdirSync(pkgsDir)) {
    const pkgDir = join(pkgsDir, name);
    const manifestPath = join(pkgDir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string;
      exports?: Record<string, ExportEntry | string>;
    };
    for (const [sub, entry] of Object.entries(manifest.exports ?? {})) {
      if (sub === './package.json') continue;
      const target =
        typeof entry === 'string'
          ? entry
          : portableDefault && sub === './crypto/default'
            ? entry.default
            : (entry.node ?? entry.default ?? entry.import);
      if (target === undefined || !target.startsWith('./dist/')) continue;
      const spec = sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`;
      const escaped = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      out.push({ find: new RegExp(`^${escaped}$`), replacement: sourceFor(pkgDir, target) });
    }
  }
  return out;
}

export const sharedTestOptions = {
  restoreMocks: true,
  testTimeout: 30_000,
  include: ['test/**/*.test.ts'],
} as const;
