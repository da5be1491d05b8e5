import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { aesGcmKeyEncryption } from '@factorkit/yubikey';
import { createFactorkit } from '../facade/create.ts';
import { MemoryStore } from '../store/memory.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import type { FactorkitStore } from '../store/types.ts';
import { type CliIo, EXIT_FAIL, EXIT_OK, UsageError } from './main.ts';

/** Reads a 32-byte key-encryption key (64 hex characters) from a file or `$FACTORKIT_KEK`. */
export function readKek(file: string | undefined, io: CliIo): Uint8Array | undefined {
  const text = file === undefined ? io.env['FACTORKIT_KEK'] : readFileSync(resolve(io.cwd, file), 'utf8');
  if (text === undefined || text === '') return undefined;
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new UsageError('the key-encryption key must be 64 hex characters (32 bytes)');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * `factorkit import-yubikey <seed.csv|-> [--db file.sqlite]`: imports a YubiKey Personalization
 * Tool seed file (Yubico or Traditional format) or an Okta JSON body into a SQLite store, and
 * reports per line. Without `--db` it validates only (nothing is kept). Seeds are sealed with the
 * key-encryption key from `--kek-file` or `$FACTORKIT_KEK` (required with `--db`).
 */
export async function runImportYubikey(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      db: { type: 'string' },
      'kek-file': { type: 'string' },
      'import-good-rows': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1)
    throw new UsageError('import-yubikey needs exactly one seed file (or - for stdin)');
  const path = positionals[0] as string;
  if (path !== '-' && !existsSync(resolve(io.cwd, path))) throw new UsageError(`no such file: ${path}`);
  const kek = readKek(values['kek-file'], io);
  if (values.db !== undefined && kek === undefined) {
    throw new UsageError(
      '--db needs a key-encryption key: --kek-file FILE or $FACTORKIT_KEK (64 hex characters)',
    );
  }
  const store: FactorkitStore =
    values.db === undefined ? new MemoryStore() : new SqliteStore(resolve(io.cwd, values.db));
  try {
    const fk = createFactorkit({
      rp: { id: 'localhost', name: 'factorkit import-yubikey' },
      origins: ['https://localhost'],
      store,
      keyEncryption: aesGcmKeyEncryption(kek ?? crypto.getRandomValues(new Uint8Array(32))),
    });
    // Streamed: a 100 000-row file is read in chunks, not held whole.
    const input = path === '-' ? io.stdin : createReadStream(resolve(io.cwd, path));
    const report = await fk.yubikey.importSeeds(input as AsyncIterable<Uint8Array>, {
      importGoodRows: values['import-good-rows'],
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      for (const e of report.errors) {
        const where = [
          e.line === undefined ? undefined : `line ${e.line}`,
          e.column === undefined ? undefined : `column ${e.column}`,
        ]
          .filter((x) => x !== undefined)
          .join(', ');
        io.stdout.write(`${where === '' ? '-' : where}: ${e.code} ${e.message}\n`);
      }
      if (report.errorsTruncated) io.stdout.write('… more errors not shown\n');
      io.stdout.write(
        `format ${report.format ?? 'unknown'}: ${report.imported} imported, ${report.rejectedRows} rejected, ` +
          `${report.skippedRows} skipped${values.db === undefined ? ' (validation only: no --db given, nothing kept)' : ` into ${values.db}`}\n`,
      );
    }
    return report.ok ? EXIT_OK : EXIT_FAIL;
  } finally {
    await store.close();
  }
}
