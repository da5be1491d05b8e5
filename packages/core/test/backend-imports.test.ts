import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Only the crypto backend files reach node:crypto; every other shipped source file goes through
// `@factorkit/core/crypto` (issue: one crypto seam). Type-only imports count too: they tie a file's
// types to Node's.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The backend files. */
const BACKEND_FILES: readonly string[] = ['packages/core/src/crypto/node.ts', 'packages/ct/src/native.ts'];

/**
 * Test tooling, not verification code: software authenticators and test PKI that generate keys and
 * sign (with node:crypto on purpose, an implementation independent of the verifiers' backends).
 */
const TOOL_PACKAGES: readonly string[] = ['packages/virtual-authenticator/', 'packages/testkit/'];

/**
 * Certificate, CRL and metadata-BLOB signature code still on node:crypto directly, until the one
 * X.509 stack (verifying through the backend) replaces it.
 */
const PENDING_X509: readonly string[] = [
  'packages/factorkit/src/cli/inspect.ts',
  'packages/metadata/src/blob.ts',
  'packages/u2f/src/attestation.ts',
  'packages/webauthn/src/crl.ts',
  'packages/webauthn/src/trust.ts',
];

const NODE_CRYPTO = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:node:)?crypto['"]/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importers(): string[] {
  const out: string[] = [];
  const pkgs = join(root, 'packages');
  for (const name of readdirSync(pkgs)) {
    const src = join(pkgs, name, 'src');
    if (statSync(src, { throwIfNoEntry: false }) === undefined) continue;
    for (const file of sourceFiles(src)) {
      if (NODE_CRYPTO.test(readFileSync(file, 'utf8'))) out.push(relative(root, file).split('\\').join('/'));
    }
  }
  return out.sort();
}

describe('node:crypto stays behind the backend seam', () => {
  it('no shipped source file imports node:crypto except the backends (and the listed pending X.509 users)', () => {
    const found = importers();
    expect(found, 'the scan finds the backend itself').toContain('packages/core/src/crypto/node.ts');
    const outside = found.filter(
      (f) =>
        !BACKEND_FILES.includes(f) &&
        !TOOL_PACKAGES.some((p) => f.startsWith(p)) &&
        !PENDING_X509.includes(f),
    );
    expect(outside).toEqual([]);
  });
  it('the pending list only shrinks: every entry still imports node:crypto', () => {
    const found = importers();
    for (const f of PENDING_X509) expect(found, `${f} no longer needs its exemption: remove it`).toContain(f);
  });
  it('the portable backend and the default-condition entries carry no Node import at all', () => {
    for (const f of ['portable.ts', 'default.ts', 'node-unavailable.ts', 'types.ts', 'index.ts']) {
      const text = readFileSync(join(root, 'packages/core/src/crypto', f), 'utf8');
      expect(/from\s+['"]node:/.test(text), f).toBe(false);
    }
  });
});
