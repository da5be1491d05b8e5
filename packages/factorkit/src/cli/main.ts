import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultRoots, findRepoRoot, type InputRoot } from './cases.ts';
import {
  formatDisputed,
  formatProblems,
  formatSummaryLine,
  formatTable,
  runCheck,
  toReport,
} from './check.ts';
import { DISPUTED_VERDICTS_FILE, type DisputedVerdict, DisputesFileError, loadDisputes } from './disputes.ts';
import { runImportYubikey } from './import-yubikey.ts';
import { runInspect } from './inspect.ts';
import { runMds } from './mds.ts';
import { runOtp } from './otp.ts';
import { createProgress } from './progress.ts';
import { runServe } from './serve.ts';

/** Where the CLI writes and what it reads (injectable for tests). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: NodeJS.ReadableStream;
  /** Override of the repo root used for default inputs (`null`: none). Default: found from the CLI's location. */
  readonly repoRoot?: string | null;
}

/** Exit statuses: 0 ok, 1 verification disagreement/failure, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** A usage error: printed with the usage text, exit 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

const USAGE = `usage: factorkit <command> [options]

commands:
  check [paths…] [--json] [--disputes file]
                                 replay case files (default: the repo's fixtures/ and the shared corpus);
                                 documented disputes: the repo's fixtures/disputed-verdicts.json
  inspect <file|->               decode a WebAuthn response or U2F message and explain it
  import-yubikey <seed.csv> [--db file.sqlite] [--kek-file file] [--import-good-rows]
                                 import YubiKey seeds (Yubico/Traditional CSV or Okta JSON)
  serve [--db file.sqlite] [--kek-file file] [--host 127.0.0.1] [--port n, 0 = any free port]
        [--api-tokens-file file] [--yubico-clients-file file]
                                 serve the Okta-compatible Factors API (/api/v1/) and the Yubico
                                 validation protocol (/wsapi/2.0/verify); first stdout line:
                                 listening on http://<host>:<port>; exits 0 on SIGTERM
  otp uri --secret B32 --account NAME [--issuer I] [--type totp|hotp] [--qr]
  otp code --secret B32 [--type totp|hotp] [--counter N] [--time UNIX]
  otp verify --secret B32 --code CODE [--type totp|hotp] [--counter N] [--time UNIX] [--window N]
  mds verify <blob.jwt> [--root <pem>]… [--crl <der|pem>]… [--now <ISO-8601>] [--previous <blob.jwt>] [--json]
                                 verify a FIDO MDS3 BLOB (default root: the FIDO MDS root; CRLs hard-fail)
  mds lookup <blob.jwt> (--aaguid <uuid> | --aki <hex>) [--root …] [--crl …] [--now …] [--status-at <ISO-8601>] [--json]
  mds assess <blob.jwt> --registration <case.json> [--root …] [--crl …] [--now …] [--json]

exit status: 0 ok, 1 disagreement or rejected, 2 usage error`;

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs the CLI; resolves the exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'inspect':
        return await runInspect(rest, io);
      case 'import-yubikey':
        return await runImportYubikey(rest, io);
      case 'otp':
        return await runOtp(rest, io);
      case 'serve':
        return await runServe(rest, io);
      case 'mds':
        return await runMds(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        write(command === undefined ? io.stderr : io.stdout, USAGE);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS') === true
    ) {
      write(io.stderr, `factorkit: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    write(io.stderr, `factorkit: ${(error as Error)?.message ?? String(error)}`);
    return EXIT_FAIL;
  }
}

/** The repo root: from the CLI's own location (a checkout), else from the working directory. */
function repoRootFor(io: CliIo): string | undefined {
  if (io.repoRoot !== undefined) return io.repoRoot ?? undefined;
  const here = dirname(fileURLToPath(import.meta.url));
  return findRepoRoot(here) ?? findRepoRoot(io.cwd);
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      'no-progress': { type: 'boolean', default: false },
      disputes: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  let roots: InputRoot[];
  if (positionals.length > 0) {
    roots = positionals.map((p) => {
      const abs = resolve(io.cwd, p);
      if (!existsSync(abs)) throw new UsageError(`no such file or folder: ${p}`);
      return { path: abs, label: p.replace(/\/+$/, '') };
    });
  } else {
    roots = defaultRoots(repoRootFor(io), io.env);
    if (roots.length === 0)
      write(io.stderr, 'factorkit check: no fixtures/ folder and no shared corpus found');
  }
  const disputes = readDisputes(values.disputes, io);
  const progress =
    io.stderr.isTTY === true && values['no-progress'] !== true ? createProgress(io.stderr) : undefined;
  const summary = await runCheck(roots, {
    disputes,
    ...(progress === undefined ? {} : { onProgress: progress.update }),
    ...(values.json ? { onOutcome: (o) => write(io.stdout, JSON.stringify(toReport(o))) } : {}),
  });
  progress?.done();
  write(io.stderr, formatTable(summary));
  const problems = formatProblems(summary);
  const disputed = formatDisputed(summary);
  if (disputed !== '' && values.quiet !== true) write(io.stderr, `\n${disputed}`);
  if (problems !== '' && values.quiet !== true) write(io.stderr, `\n${problems}`);
  write(io.stderr, formatSummaryLine(summary));
  return summary.ok ? EXIT_OK : EXIT_FAIL;
}

/**
 * The documented disputes: `--disputes file`, else the repo's `fixtures/disputed-verdicts.json`
 * when present, else none. A file that cannot be used is a usage error (exit 2).
 */
function readDisputes(option: string | undefined, io: CliIo): ReadonlyMap<string, DisputedVerdict> {
  let file: string | undefined;
  if (option !== undefined) {
    file = resolve(io.cwd, option);
    if (!existsSync(file)) throw new UsageError(`no such disputes file: ${option}`);
  } else {
    const root = repoRootFor(io);
    const candidate = root === undefined ? undefined : join(root, 'fixtures', DISPUTED_VERDICTS_FILE);
    if (candidate !== undefined && existsSync(candidate)) file = candidate;
  }
  if (file === undefined) return new Map();
  try {
    return loadDisputes(file);
  } catch (error) {
    if (error instanceof DisputesFileError) throw new UsageError(error.message);
    throw error;
  }
}
