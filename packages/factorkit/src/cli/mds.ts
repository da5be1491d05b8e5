import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_BLOB_BYTES, type VerifyBlobOptions, verifyMetadataBlob } from '@factorkit/metadata';
import { type CliIo, EXIT_FAIL, EXIT_OK, UsageError } from './main.ts';

const COMMON = {
  root: { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const MAX_CERT_FILE_BYTES = 1024 * 1024;
const MAX_CRL_FILE_BYTES = 4 * 1024 * 1024;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function readBytes(io: CliIo, path: string, max: number, what: string): Buffer {
  const file = resolve(io.cwd, path);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`no such ${what} file: ${path}`);
  }
  if (size > max) throw new UsageError(`${what} file is too large: ${path}`);
  return readFileSync(file);
}

/** `--now` / `--status-at`: an ISO-8601 date or date-time (a date alone means 00:00 UTC). */
function isoDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const normalized = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const d = new Date(normalized);
  if (!ISO_8601.test(value) || Number.isNaN(d.getTime()))
    throw new UsageError(`--${name} must be an ISO-8601 date`);
  return d;
}

/** PEM files may hold several certificates; DER files hold one. */
function readRoots(io: CliIo, paths: readonly string[] | undefined): (string | Uint8Array)[] | undefined {
  if (paths === undefined || paths.length === 0) return undefined;
  const roots: (string | Uint8Array)[] = [];
  for (const p of paths) {
    const bytes = readBytes(io, p, MAX_CERT_FILE_BYTES, 'root');
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      roots.push(...blocks);
    } else {
      roots.push(new Uint8Array(bytes));
    }
  }
  return roots;
}

function readCrls(io: CliIo, paths: readonly string[] | undefined): (string | Uint8Array)[] {
  const crls: (string | Uint8Array)[] = [];
  for (const p of paths ?? []) {
    const bytes = readBytes(io, p, MAX_CRL_FILE_BYTES, 'CRL');
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN X509 CRL-----')) {
      crls.push(...(text.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? []));
    } else {
      crls.push(new Uint8Array(bytes));
    }
  }
  return crls;
}

interface Common {
  readonly blob: Buffer;
  readonly options: VerifyBlobOptions;
  readonly json: boolean;
}

function common(
  io: CliIo,
  positionals: readonly string[],
  values: { root?: string[]; crl?: string[]; now?: string; json?: boolean },
  command: string,
): Common {
  if (positionals.length !== 1) throw new UsageError(`mds ${command} needs one BLOB file`);
  const blob = readBytes(io, positionals[0] as string, DEFAULT_MAX_BLOB_BYTES, 'BLOB');
  const roots = readRoots(io, values.root);
  const crls = readCrls(io, values.crl);
  const now = isoDate(values.now, 'now') ?? new Date();
  return {
    blob,
    json: values.json === true,
    options: { now, ...(roots === undefined ? {} : { roots }), revocation: { crls } },
  };
}

function print(io: CliIo, json: boolean, object: Record<string, unknown>, text: string): void {
  io.stdout.write(json ? `${JSON.stringify(object)}\n` : `${text}\n`);
}

/**
 * `factorkit mds verify <blob.jwt> [--root <pem>]… [--crl <der|pem>]… [--now <ISO-8601>]
 * [--previous <blob.jwt>] [--json]` — exit 0 valid, 1 invalid, 2 usage.
 */
async function verify(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...COMMON, previous: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const c = common(io, positionals, values, 'verify');
  let previousNo: number | undefined;
  if (values.previous !== undefined) {
    const prev = await verifyMetadataBlob(
      readBytes(io, values.previous, DEFAULT_MAX_BLOB_BYTES, 'previous BLOB'),
      c.options,
    );
    if (!prev.valid) throw new UsageError(`--previous BLOB does not verify (${prev.code}: ${prev.message})`);
    previousNo = prev.no;
  }
  const v = await verifyMetadataBlob(c.blob, {
    ...c.options,
    ...(previousNo === undefined ? {} : { previousNo }),
  });
  const out = v.valid
    ? { valid: true, code: null, no: v.no, nextUpdate: v.nextUpdate, entries: v.payload.entries.length }
    : { valid: false, code: v.code, no: v.no, nextUpdate: v.nextUpdate, entries: v.entries };
  print(
    io,
    c.json,
    out,
    v.valid
      ? `valid: no ${v.no}, nextUpdate ${v.nextUpdate}${v.stale ? ' (past: a newer BLOB should exist)' : ''}, ${v.payload.entries.length} entries`
      : `invalid: ${v.code} ${v.message}`,
  );
  return v.valid ? EXIT_OK : EXIT_FAIL;
}

/** `factorkit mds verify|lookup|assess`. */
export async function runMds(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify':
      return verify(rest, io);
    default:
      throw new UsageError('mds needs a subcommand: verify, lookup or assess');
  }
}
