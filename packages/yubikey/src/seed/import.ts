import { toHex } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import type { NewYubikeyTokenRecord, YubikeyStore } from '../store.ts';
import { TOMBSTONE_STATUSES } from '../store.ts';
import { detectFormat, parseCsvRow, parseOktaJson, type RowOutcome, type SeedFormat } from './formats.ts';
import { ImportAbort, type Line, readLines, type SeedInput } from './lines.ts';
import { type RawSeed, type SeedRowError, type ValidSeed, validateSeed } from './validate.ts';

export interface ImportSeedsOptions {
  /** Input format; `'auto'` (default) detects it from the first non-blank line. */
  readonly format?: SeedFormat | 'auto';
  /**
   * Default `false`: all-or-nothing — one bad row and nothing is imported (every bad row is
   * reported). `true`: import the good rows and report the rest.
   */
  readonly importGoodRows?: boolean;
  /** Total input size limit in bytes. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Seed rows limit. Default 100 000. */
  readonly maxRows?: number;
  /** CSV line length limit in characters. Default 1024 (a seed line is ~100). */
  readonly maxLineLength?: number;
  /** JSON body size limit in bytes (JSON is parsed whole). Default 1 MiB. */
  readonly maxJsonBytes?: number;
  /** At most this many row errors are listed (all are counted). Default 1000. */
  readonly maxReportedErrors?: number;
}

export interface SeedImportReport {
  /** True when every seed row was imported and nothing was rejected. */
  readonly ok: boolean;
  readonly format: SeedFormat | null;
  readonly imported: number;
  /** Seed rows that failed validation or collided. */
  readonly rejectedRows: number;
  /** Lines that carry no seed (blank, comments, LOGGING START, non-OTP events). */
  readonly skippedRows: number;
  readonly errors: readonly SeedRowError[];
  readonly errorsTruncated: boolean;
}

/** What the importer needs from the registry. */
export interface ImportContext {
  readonly store: YubikeyStore;
  /** Seals the seed's secrets and builds the record to insert. */
  buildRecord(seed: ValidSeed): Promise<NewYubikeyTokenRecord>;
}

const DEFAULTS = {
  maxBytes: 16 * 1024 * 1024,
  maxRows: 100_000,
  maxLineLength: 1024,
  maxJsonBytes: 1024 * 1024,
  maxReportedErrors: 1000,
};

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * Streams a seed file into the store (protocols §5.6). Memory is bounded by one line plus the
 * validated rows (compact, at most `maxRows`): the file text is never held whole,
 * except for JSON bodies (≤ `maxJsonBytes`).
 */
export async function importSeeds(
  ctx: ImportContext,
  input: SeedInput,
  options: ImportSeedsOptions = {},
): Promise<SeedImportReport> {
  const limits = {
    maxBytes: positiveInt(options.maxBytes, DEFAULTS.maxBytes, 'maxBytes'),
    maxRows: positiveInt(options.maxRows, DEFAULTS.maxRows, 'maxRows'),
    maxLineLength: positiveInt(options.maxLineLength, DEFAULTS.maxLineLength, 'maxLineLength'),
    maxJsonBytes: positiveInt(options.maxJsonBytes, DEFAULTS.maxJsonBytes, 'maxJsonBytes'),
    maxReportedErrors: positiveInt(
      options.maxReportedErrors,
      DEFAULTS.maxReportedErrors,
      'maxReportedErrors',
    ),
  };
  const partial = options.importGoodRows === true;
  const run = new ImportRun(ctx, limits.maxReportedErrors, partial);
  let format: SeedFormat | null =
    options.format === undefined || options.format === 'auto' ? null : options.format;
  try {
    const lines = readLines(input, {
      maxBytes: limits.maxBytes,
      maxLineLength: limits.maxLineLength,
      jsonMaxLineLength: limits.maxJsonBytes,
    });
    let json: string[] | undefined;
    let jsonChars = 0;
    for await (const line of lines) {
      if (format === null) {
        if ('tooLong' in line)
          throw new ImportAbort('ERR_SEED_FORMAT_UNKNOWN', 'first line is too long for a seed file', line.no);
        if (line.text.trim() === '') {
          run.skipped++;
          continue;
        }
        const detected = detectFormat(line.text);
        if (detected === undefined) {
          throw new ImportAbort(
            'ERR_SEED_FORMAT_UNKNOWN',
            'not a seed file this importer reads: expected the Personalization Tool "Yubico format" or "Traditional format" log, or Okta JSON',
            line.no,
          );
        }
        format = detected;
      }
      if (format === 'okta-json') {
        json ??= [];
        // JSON is parsed whole: lines may be as long as the body limit (see readLines).
        if ('tooLong' in line) {
          throw new ImportAbort(
            'ERR_SEED_FILE_TOO_LARGE',
            `JSON body exceeds ${limits.maxJsonBytes} bytes`,
            line.no,
          );
        }
        jsonChars += line.text.length + 1;
        if (jsonChars > limits.maxJsonBytes) {
          throw new ImportAbort(
            'ERR_SEED_FILE_TOO_LARGE',
            `JSON body exceeds ${limits.maxJsonBytes} bytes`,
            line.no,
          );
        }
        json.push(line.text);
        continue;
      }
      await run.csvLine(format, line, limits.maxRows);
    }
    if (format === 'okta-json') {
      const parsed = parseOktaJson((json ?? []).join('\n'));
      if ('error' in parsed) throw new ImportAbort(parsed.error.code, parsed.error.message);
      if (parsed.rows.length > limits.maxRows) {
        throw new ImportAbort('ERR_SEED_TOO_MANY_ROWS', `more than ${limits.maxRows} seeds`);
      }
      for (const [i, row] of parsed.rows.entries()) {
        if (Array.isArray(row)) run.reject(row);
        else await run.seed(row, { record: i + 1 });
      }
    }
  } catch (e) {
    run.discard();
    if (!(e instanceof ImportAbort)) throw e;
    const error: SeedRowError =
      e.line === undefined
        ? { code: e.code, message: e.message }
        : { code: e.code, message: e.message, line: e.line };
    return {
      ok: false,
      format,
      imported: 0,
      rejectedRows: run.rejected,
      skippedRows: run.skipped,
      errors: [error],
      errorsTruncated: false,
    };
  }
  if (format === null || run.seedRows === 0) {
    if (run.rejected === 0) {
      return {
        ok: false,
        format,
        imported: 0,
        rejectedRows: 0,
        skippedRows: run.skipped,
        errors: [{ code: 'ERR_SEED_EMPTY', message: 'the file contains no seed rows' }],
        errorsTruncated: false,
      };
    }
  }
  return run.commit(format);
}

type Where = { readonly line: number } | { readonly record: number };

class ImportRun {
  skipped = 0;
  rejected = 0;
  seedRows = 0;
  readonly #errors: SeedRowError[] = [];
  #errorCount = 0;
  // Validated seeds wait here (secrets as bytes, wiped after sealing or on failure): sealing is
  // deferred to the commit so that a failing all-or-nothing import does no crypto work at all.
  readonly #pending: ValidSeed[] = [];
  // publicId → where it was first seen: line number (CSV) or −record number (JSON); numbers, not
  // objects, to keep 100 000 entries small.
  readonly #publicIds = new Map<string, number>();
  readonly #serials = new Set<string>();
  readonly #keyPrints = new Set<string>();
  // Duplicate AES keys are found by keyed fingerprints — one AES block under a random per-import
  // key (a PRP, so equal fingerprints ⇔ equal keys) — so no key is kept or compared in the clear.
  readonly #printKey: Uint8Array = defaultBackend.randomBytes(16);

  readonly ctx: ImportContext;
  readonly maxErrors: number;
  readonly partial: boolean;

  constructor(ctx: ImportContext, maxErrors: number, partial: boolean) {
    this.ctx = ctx;
    this.maxErrors = maxErrors;
    this.partial = partial;
  }

  reject(errors: readonly SeedRowError[]): void {
    this.rejected++;
    for (const e of errors) {
      this.#errorCount++;
      if (this.#errors.length < this.maxErrors) this.#errors.push(e);
    }
  }

  async csvLine(format: 'yubico' | 'traditional', line: Line, maxRows: number): Promise<void> {
    if ('tooLong' in line) {
      this.#countRow(maxRows, line.no);
      this.reject([
        { line: line.no, code: 'ERR_SEED_LINE_TOO_LONG', message: 'line exceeds the line length limit' },
      ]);
      return;
    }
    const outcome: RowOutcome = parseCsvRow(format, line.no, line.text);
    if (outcome.kind === 'skip') {
      this.skipped++;
      return;
    }
    this.#countRow(maxRows, line.no);
    if (outcome.kind === 'error') this.reject(outcome.errors);
    else await this.seed(outcome.raw, { line: line.no });
  }

  #countRow(maxRows: number, line: number): void {
    if (this.seedRows + this.rejected >= maxRows) {
      throw new ImportAbort('ERR_SEED_TOO_MANY_ROWS', `more than ${maxRows} seed rows`, line);
    }
  }

  async seed(raw: RawSeed, where: Where): Promise<void> {
    const at = (field: keyof NonNullable<RawSeed['columns']>): { column?: number } => {
      const c = raw.columns?.[field];
      return c === undefined ? {} : { column: c };
    };
    const v = validateSeed(raw);
    if ('problems' in v) {
      this.reject(
        v.problems.map((p) => ({
          ...where,
          ...at(p.field),
          field: p.field,
          code: p.code,
          message: p.message,
        })),
      );
      return;
    }
    const seed = v.seed;
    let kept = false;
    try {
      const errors: SeedRowError[] = [];
      const firstAt = this.#publicIds.get(seed.publicId);
      const first = firstAt === undefined ? undefined : whereOf(firstAt);
      if (first !== undefined) {
        errors.push({
          ...where,
          ...at('publicId'),
          field: 'publicId',
          code: 'ERR_SEED_DUPLICATE_PUBLIC_ID',
          message: `publicId repeats ${'line' in first ? `line ${first.line}` : `record ${first.record}`}`,
        });
      }
      if (seed.serial !== null && this.#serials.has(seed.serial)) {
        errors.push({
          ...where,
          ...at('serialNumber'),
          field: 'serialNumber',
          code: 'ERR_SEED_DUPLICATE_SERIAL',
          message: 'serial repeats an earlier row',
        });
      }
      const print = toHex(defaultBackend.aesEncryptBlock(this.#printKey, seed.aesKey));
      if (this.#keyPrints.has(print)) {
        // YK-7: two keys with one AES key are clones of each other.
        errors.push({
          ...where,
          ...at('aesKey'),
          field: 'aesKey',
          code: 'ERR_SEED_DUPLICATE_AES_KEY',
          message: 'aesKey repeats an earlier row',
        });
      }
      if (first === undefined) {
        const existing = await this.ctx.store.getByPublicId(seed.publicId);
        if (existing !== undefined && !TOMBSTONE_STATUSES.includes(existing.status)) {
          errors.push({
            ...where,
            ...at('publicId'),
            field: 'publicId',
            code: 'ERR_SEED_PUBLIC_ID_EXISTS',
            message: 'a token with this publicId is already registered',
          });
        }
      }
      if (first === undefined)
        this.#publicIds.set(seed.publicId, 'line' in where ? where.line : -where.record);
      if (seed.serial !== null) this.#serials.add(seed.serial);
      this.#keyPrints.add(print);
      if (errors.length > 0) {
        this.reject(errors);
        return;
      }
      this.seedRows++;
      // All-or-nothing with errors already found: nothing will be written, keep nothing.
      if (!this.partial && this.rejected > 0) {
        this.discard();
        return;
      }
      this.#pending.push(seed);
      kept = true;
    } finally {
      if (!kept) wipe(seed);
    }
  }

  /** Wipes and drops every pending seed. */
  discard(): void {
    for (const seed of this.#pending) wipe(seed);
    this.#pending.length = 0;
  }

  async commit(format: SeedFormat | null): Promise<SeedImportReport> {
    let records: NewYubikeyTokenRecord[] = [];
    let imported = 0;
    if (this.partial || this.rejected === 0) {
      try {
        for (let i = 0; i < this.#pending.length; i++) {
          const seed = this.#pending[i] as ValidSeed;
          records.push(await this.ctx.buildRecord(seed));
          wipe(seed);
        }
      } finally {
        this.discard();
      }
      // A concurrent upload can take a publicId between our check and the insert: report those
      // rows (all-or-nothing: abort; partial: drop them and retry).
      for (let attempt = 0; attempt < 3 && records.length > 0; attempt++) {
        const result = await this.ctx.store.insertMany(records);
        if (result.ok) {
          imported = result.inserted;
          break;
        }
        const clash = new Set(result.conflicts);
        const kept: NewYubikeyTokenRecord[] = [];
        for (const r of records) {
          if (clash.has(r.publicId) || clash.has(r.id)) {
            const at = this.#publicIds.get(r.publicId);
            const where = at === undefined ? { line: 0 } : whereOf(at);
            this.reject([
              {
                ...where,
                field: 'publicId',
                code: 'ERR_SEED_PUBLIC_ID_EXISTS',
                message: 'a token with this publicId is already registered',
              },
            ]);
            this.seedRows--;
          } else kept.push(r);
        }
        if (!this.partial) break;
        records = kept;
      }
    }
    this.discard();
    return {
      ok: this.rejected === 0 && imported > 0,
      format,
      imported,
      rejectedRows: this.rejected,
      skippedRows: this.skipped,
      errors: this.#errors,
      errorsTruncated: this.#errorCount > this.#errors.length,
    };
  }
}

function whereOf(at: number): Where {
  return at >= 0 ? { line: at } : { record: -at };
}

function wipe(seed: ValidSeed): void {
  seed.aesKey.fill(0);
  seed.privateId.fill(0);
}
