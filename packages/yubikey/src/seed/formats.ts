import { splitCsvLine } from './csv.ts';
import type { RawSeed, SeedRowError } from './validate.ts';

/**
 * Seed file formats (protocols §5.6):
 * - `yubico`: the Personalization Tool's "Yubico format" log, one key per line, no header,
 *   `serial,publicId,privateId,aesKey,accessCode,timestamp,` (trailing comma). What Okta asks for.
 * - `traditional`: the tool's "Traditional format": `LOGGING START,<time>` lines, then
 *   `eventType,time,slot,publicId,privateId,aesKey,…` (18 columns, no serial). Only
 *   `Yubico OTP` events carry seeds; other events are skipped.
 * - `okta-json`: Okta's upload body `{serialNumber, publicId, privateId, aesKey}`, or an array of them.
 */
export type SeedFormat = 'yubico' | 'traditional' | 'okta-json';

export type RowOutcome =
  | { readonly kind: 'skip' }
  | { readonly kind: 'seed'; readonly raw: RawSeed }
  | { readonly kind: 'error'; readonly errors: SeedRowError[] };

const SKIP: RowOutcome = { kind: 'skip' };
// Control characters other than TAB (NUL, lone CR, …) are never part of a seed line.
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}
const LOGGING_START = 'LOGGING START';
const TRADITIONAL_COLUMNS = 18;
/** Columns after the (locale-formatted, possibly comma-containing) timestamp of a Traditional row. */
const TRADITIONAL_TAIL = 16;

/** Detects the format from the first non-blank line; undefined when it is none of ours. */
export function detectFormat(firstLine: string): SeedFormat | undefined {
  const t = firstLine.trim();
  if (t.startsWith('{') || t.startsWith('[')) return 'okta-json';
  if (t.startsWith(`${LOGGING_START},`) || t === LOGGING_START) return 'traditional';
  if (t.startsWith('#')) return undefined; // e.g. "# ykksm 1": a KSM provisioning file, not ours
  const split = splitCsvLine(t);
  if ('fields' in split) {
    const n = split.fields.length;
    if (n === 6 || (n === 7 && split.fields[6]?.trim() === '')) return 'yubico';
  }
  return undefined;
}

function lineError(line: number, error: Omit<SeedRowError, 'line'>): RowOutcome {
  return { kind: 'error', errors: [{ line, ...error }] };
}

/** Parses one line of a CSV format into raw seed fields (validation is separate). */
export function parseCsvRow(format: 'yubico' | 'traditional', line: number, text: string): RowOutcome {
  if (text.trim() === '' || text.trimStart().startsWith('#')) return SKIP;
  if (hasControl(text)) {
    return lineError(line, { code: 'ERR_SEED_ENCODING', message: 'line contains control characters' });
  }
  const split = splitCsvLine(text);
  if ('badField' in split) {
    return lineError(line, {
      column: split.badField + 1,
      code: 'ERR_SEED_CSV_QUOTE',
      message: 'malformed quoted field',
    });
  }
  const f = split.fields.map((v) => v.trim());
  if (format === 'yubico') {
    if (!(f.length === 6 || (f.length === 7 && f[6] === ''))) {
      return lineError(line, {
        code: 'ERR_SEED_COLUMN_COUNT',
        message: `expected 6 columns (serial,publicId,privateId,aesKey,accessCode,timestamp,), got ${f.length}`,
      });
    }
    return {
      kind: 'seed',
      raw: {
        serialNumber: f[0] as string,
        publicId: f[1] as string,
        privateId: f[2] as string,
        aesKey: f[3] as string,
        accessCode: f[4] as string,
        columns: { serialNumber: 1, publicId: 2, privateId: 3, aesKey: 4, accessCode: 5 },
      },
    };
  }
  if (f[0] === LOGGING_START) return SKIP;
  if (f.length < TRADITIONAL_COLUMNS) {
    return lineError(line, {
      code: 'ERR_SEED_COLUMN_COUNT',
      message: `expected ${TRADITIONAL_COLUMNS} columns in a Traditional-format event row, got ${f.length}`,
    });
  }
  if (f[0] !== 'Yubico OTP') return SKIP; // other configuration modes carry no Yubico OTP seed
  // The timestamp is locale-formatted and may itself contain commas: count from the right.
  const base = f.length - TRADITIONAL_TAIL; // index of configSlot
  return {
    kind: 'seed',
    raw: {
      serialNumber: null,
      publicId: f[base + 1] as string,
      privateId: f[base + 2] as string,
      aesKey: f[base + 3] as string,
      columns: { publicId: base + 2, privateId: base + 3, aesKey: base + 4 },
    },
  };
}

const OKTA_FIELDS = new Set(['serialNumber', 'publicId', 'privateId', 'aesKey']);

/** Parses Okta's JSON upload body (one object or an array of objects) into raw seeds. */
export function parseOktaJson(
  text: string,
): { rows: (RawSeed | SeedRowError[])[] } | { error: SeedRowError } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: { code: 'ERR_SEED_JSON', message: 'body is not valid JSON' } };
  }
  const list = Array.isArray(value) ? value : [value];
  const rows: (RawSeed | SeedRowError[])[] = [];
  list.forEach((item: unknown, index) => {
    const record = index + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      rows.push([{ record, code: 'ERR_SEED_JSON', message: 'each seed must be a JSON object' }]);
      return;
    }
    const errors: SeedRowError[] = [];
    for (const key of Object.keys(item)) {
      if (!OKTA_FIELDS.has(key)) {
        errors.push({ record, code: 'ERR_SEED_FIELD_UNKNOWN', message: 'unknown field in seed object' });
      }
    }
    const get = (k: 'serialNumber' | 'publicId' | 'privateId' | 'aesKey'): string => {
      const v: unknown = Object.hasOwn(item, k) ? (item as Record<string, unknown>)[k] : undefined;
      if (typeof v !== 'string') {
        errors.push({ record, field: k, code: 'ERR_SEED_FIELD_MISSING', message: `${k} must be a string` });
        return '';
      }
      return v;
    };
    const raw: RawSeed = {
      serialNumber: get('serialNumber'),
      publicId: get('publicId'),
      privateId: get('privateId'),
      aesKey: get('aesKey'),
    };
    rows.push(errors.length > 0 ? errors : raw);
  });
  return { rows };
}
