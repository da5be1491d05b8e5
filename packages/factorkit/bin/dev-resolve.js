// Module resolution hook for running from sources (see factorkit.js): maps `@factorkit/<pkg>`
// and its subpaths to `packages/<pkg>/src/*.ts`, following each package's `exports` map the
// same way the vitest aliases do. Used only when the package has not been built.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

function sourceFor(name, subpath) {
  const manifestPath = `${packagesDir}${name}/package.json`;
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = manifest.exports?.[subpath === undefined ? '.' : `.${subpath}`];
  const target = typeof entry === 'string' ? entry : (entry?.default ?? entry?.import);
  if (typeof target !== 'string' || !target.startsWith('./dist/')) return undefined;
  const file = `${packagesDir}${name}/${target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`;
  return existsSync(file) ? file : undefined;
}

export async function resolve(specifier, context, next) {
  const m = /^@factorkit\/([a-z0-9-]+)(\/.+)?$/.exec(specifier);
  if (m !== null) {
    const file = sourceFor(m[1], m[2]);
    if (file !== undefined) return { url: pathToFileURL(file).href, shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}
