import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  assessRegistration,
  DEFAULT_MAX_BLOB_BYTES,
  evaluateStatus,
  loadMetadata,
  type VerifyBlobOptions,
  verifyMetadataBlob,
} from '@factorkit/metadata';
import { verifyRegistration } from '@factorkit/webauthn';
import { loadCaseFile } from './cases.ts';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_ID = /^[0-9a-f]{40}$/i;

/**
 * `factorkit mds lookup <blob.jwt> (--aaguid <uuid> | --aki <hex>) [--root …] [--crl …]
 * [--now …] [--status-at <ISO-8601>] [--json]` — the entry's latest status under the default
 * status policy at `--status-at` (default `--now`). Exit 0 when the BLOB is valid and the
 * authenticator is found and allowed, 1 otherwise, 2 usage.
 */
async function lookup(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      ...COMMON,
      aaguid: { type: 'string' },
      aki: { type: 'string' },
      'status-at': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if ((values.aaguid === undefined) === (values.aki === undefined))
    throw new UsageError('mds lookup needs exactly one of --aaguid <uuid> or --aki <hex>');
  if (values.aaguid !== undefined && !UUID.test(values.aaguid))
    throw new UsageError('--aaguid must be a UUID');
  if (values.aki !== undefined && !KEY_ID.test(values.aki))
    throw new UsageError('--aki must be 40 hex digits');
  const c = common(io, positionals, values, 'lookup');
  const statusAt = isoDate(values['status-at'], 'status-at') ?? c.options.now;
  const loaded = await loadMetadata(c.blob, c.options);
  if (!loaded.ok) {
    print(
      io,
      c.json,
      { blobValid: false, found: false, latestStatus: null, allowed: false, description: null },
      `BLOB invalid: ${loaded.code} ${loaded.message}`,
    );
    return EXIT_FAIL;
  }
  const entry =
    values.aaguid !== undefined
      ? loaded.metadata.byAaguid(values.aaguid)
      : loaded.metadata.byAttestationCertificateKeyIdentifier(values.aki as string);
  if (entry === undefined) {
    print(
      io,
      c.json,
      { blobValid: true, found: false, latestStatus: null, allowed: false, description: null },
      'not found',
    );
    return EXIT_FAIL;
  }
  const status = evaluateStatus(entry, statusAt);
  const description = entry.metadataStatement?.description ?? null;
  print(
    io,
    c.json,
    { blobValid: true, found: true, latestStatus: status.latestStatus, allowed: status.allowed, description },
    `${description ?? '(no statement)'}: ${status.latestStatus ?? 'no status in force'} — ${status.allowed ? 'allowed' : `denied (${status.code})`}`,
  );
  return status.allowed ? EXIT_OK : EXIT_FAIL;
}

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * `factorkit mds assess <blob.jwt> --registration <case.json> [--root …] [--crl …] [--now …]
 * [--json]` — verifies a `webauthn.registration` case with the BLOB as the only source of trust
 * anchors and policy (the case's own trustAnchors are ignored). Exit 0 when the registration
 * verifies and the default policy allows the authenticator, 1 otherwise, 2 usage.
 */
async function assess(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...COMMON, registration: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.registration === undefined) throw new UsageError('mds assess needs --registration <case.json>');
  const c = common(io, positionals, values, 'assess');
  const caseFile = resolve(io.cwd, values.registration);
  readBytes(io, values.registration, 4 * 1024 * 1024, 'registration case');
  const loadedCase = loadCaseFile(caseFile, '.');
  if (!loadedCase.ok) throw new UsageError(`--registration: ${loadedCase.reason}`);
  if (loadedCase.case.kind !== 'webauthn.registration')
    throw new UsageError('--registration must be a webauthn.registration case');
  const kase = loadedCase.case;
  const fail = (code: string, verified: boolean, text: string): number => {
    print(
      io,
      c.json,
      { verified, trusted: false, aaguid: null, latestStatus: null, allowed: false, code },
      text,
    );
    return EXIT_FAIL;
  };
  const loaded = await loadMetadata(c.blob, c.options);
  if (!loaded.ok) return fail(loaded.code, false, `BLOB invalid: ${loaded.code} ${loaded.message}`);
  const ctx = kase.context;
  const o = (ctx['options'] ?? {}) as Record<string, unknown>;
  const origins =
    strings(o['allowedOrigins']).length > 0 ? strings(o['allowedOrigins']) : strings(ctx['origin']);
  const rpIds = strings(ctx['rpId']);
  const challenge = ctx['challenge'];
  if (origins.length === 0 || typeof challenge !== 'string')
    throw new UsageError('--registration case needs context.challenge and context.origin');
  const reg = await verifyRegistration(kase.response, {
    expectedChallenge: challenge,
    expectedOrigin: origins,
    expectedRpId: rpIds.length > 0 ? rpIds : [new URL(origins[0] as string).hostname],
    requireUserVerification: ctx['requireUserVerification'] === true,
    requireUserPresence: ctx['requireUserPresence'] !== false && o['mediation'] !== 'conditional',
    now: c.options.now,
  });
  if (!reg.verified) return fail(reg.code, false, `registration rejected: ${reg.code} (${reg.step})`);
  const { assessment, assurance } = await assessRegistration(reg, loaded.metadata, { now: c.options.now });
  const a = assessment;
  const out = {
    verified: true,
    trusted: a?.trusted === true,
    aaguid: assurance.aaguid,
    latestStatus: a?.latestStatus ?? null,
    allowed: a?.allowed === true,
    code: a?.code ?? null,
  };
  print(
    io,
    c.json,
    out,
    `verified; ${out.trusted ? `trusted through metadata (${a?.description})` : 'not trusted through metadata'}; ` +
      `AAGUID ${out.aaguid ?? 'unattested'}; status ${out.latestStatus ?? 'none'}; ` +
      `${out.allowed ? 'allowed' : `denied (${out.code})`}; ${assurance.aal} [${assurance.amr.join(' ')}]`,
  );
  return out.allowed ? EXIT_OK : EXIT_FAIL;
}

/** `factorkit mds verify|lookup|assess`. */
export async function runMds(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify':
      return verify(rest, io);
    case 'lookup':
      return lookup(rest, io);
    case 'assess':
      return assess(rest, io);
    default:
      throw new UsageError('mds needs a subcommand: verify, lookup or assess');
  }
}
