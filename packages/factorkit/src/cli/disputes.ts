import { readFileSync, statSync } from 'node:fs';

/**
 * Documented disputes: corpus cases whose source verdict we believe is wrong, with our verdict,
 * our code and why. Kept as one checked-in data file (`fixtures/disputed-verdicts.json`) that
 * `factorkit check` and the webauthn corpus test both read, so there is a single list.
 */
export interface DisputedVerdict {
  /** Our verdict (the opposite of the case's `expect.verified`). */
  readonly verified: boolean;
  /** Our code: `null` when we verify, else the rejection code we return. */
  readonly code: string | null;
  readonly reason: string;
}

/** The file's name; the case walker skips it (it is not a case). */
export const DISPUTED_VERDICTS_FILE = 'disputed-verdicts.json';

/** The file is small (a handful of entries); anything larger is refused. */
export const MAX_DISPUTES_BYTES: number = 256 * 1024;

/** A disputes file that cannot be used (unreadable, not JSON, wrong shape). */
export class DisputesFileError extends Error {
  override readonly name: string = 'DisputesFileError';
  readonly code: 'ERR_BAD_DISPUTES_FILE' = 'ERR_BAD_DISPUTES_FILE';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates parsed JSON: `{ "<case id>": { verified, code, reason }, … }`. */
export function parseDisputes(raw: unknown): ReadonlyMap<string, DisputedVerdict> {
  if (!isObject(raw)) throw new DisputesFileError('disputed verdicts must be a JSON object keyed by case id');
  const out = new Map<string, DisputedVerdict>();
  for (const [id, entry] of Object.entries(raw)) {
    const where = `disputed verdict "${id.slice(0, 80)}"`;
    if (id === '') throw new DisputesFileError('disputed verdicts: empty case id');
    if (!isObject(entry)) throw new DisputesFileError(`${where} must be an object`);
    const { verified, code, reason } = entry;
    if (typeof verified !== 'boolean') throw new DisputesFileError(`${where}: "verified" must be a boolean`);
    if (code !== null && (typeof code !== 'string' || code === ''))
      throw new DisputesFileError(`${where}: "code" must be a non-empty string or null`);
    if (verified && code !== null) throw new DisputesFileError(`${where}: a verified verdict has code null`);
    if (!verified && code === null) throw new DisputesFileError(`${where}: a rejection needs its code`);
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new DisputesFileError(`${where}: "reason" must say why`);
    out.set(id, { verified, code, reason });
  }
  return out;
}

/** Reads and validates a disputes file; throws {@link DisputesFileError}. */
export function loadDisputes(file: string): ReadonlyMap<string, DisputedVerdict> {
  let text: string;
  try {
    if (statSync(file).size > MAX_DISPUTES_BYTES)
      throw new DisputesFileError(`${file}: larger than ${MAX_DISPUTES_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof DisputesFileError) throw error;
    throw new DisputesFileError(`${file}: unreadable (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DisputesFileError(`${file}: not valid JSON`);
  }
  try {
    return parseDisputes(raw);
  } catch (error) {
    throw new DisputesFileError(`${file}: ${(error as Error).message}`);
  }
}
