/**
 * The store boundary: rows read back from a database are parsed here once into typed
 * records, so nothing above the store re-checks their members. A row that does not parse is
 * `ERR_STORE_CORRUPT` (a hand-edited or foreign database), never a half-typed record.
 * Shared by every store that serialises records (SQLite, Postgres, Redis).
 */
import { isOtpAlgorithm } from '@factorkit/otp';
import { StoreError } from './errors.ts';
import type { CredentialData, JsonValue, OtpParams } from './types.ts';

type Members = { [member: string]: JsonValue | undefined };
type Kind = 'string' | 'number' | 'boolean' | 'string[]';

const corrupt = (what: string): StoreError =>
  new StoreError('ERR_STORE_CORRUPT', `stored ${what} does not have the expected shape`);

function isKind(value: unknown, kind: Kind): boolean {
  if (kind === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === kind;
}

/** Object check plus the type of each named member (absent members are fine). */
function parseMembers(value: unknown, shape: Readonly<Record<string, Kind>>, what: string): Members {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(what);
  const out = value as Members;
  for (const [member, kind] of Object.entries(shape)) {
    const v = out[member];
    if (v !== undefined && !isKind(v, kind)) throw corrupt(what);
  }
  return out;
}

const CREDENTIAL_DATA: Readonly<Record<keyof CredentialData & string, Kind>> = {
  alg: 'number',
  aaguid: 'string',
  aaguidAttested: 'boolean',
  fmt: 'string',
  attestationType: 'string',
  trusted: 'boolean',
  transports: 'string[]',
  backupEligible: 'boolean',
  backupState: 'boolean',
  uvInitialized: 'boolean',
  userHandle: 'string',
  appId: 'string',
  attestationCertificate: 'string',
  credProtect: 'number',
};

const OTP_PARAMS: Readonly<Record<keyof OtpParams & string, Kind>> = {
  algorithm: 'string',
  digits: 'number',
  period: 'number',
  t0: 'number',
  driftSteps: 'number',
  credentialId: 'string',
  mode: 'string',
};

/** Parses a credential's `data` (already JSON-decoded). */
export function parseCredentialData(value: unknown): CredentialData {
  return parseMembers(value, CREDENTIAL_DATA, 'credential data') as CredentialData;
}

/** Parses an OTP factor's `params` (already JSON-decoded). */
export function parseOtpParams(value: unknown): OtpParams {
  const p = parseMembers(value, OTP_PARAMS, 'OTP parameters');
  if (p['algorithm'] !== undefined && !isOtpAlgorithm(p['algorithm'])) throw corrupt('OTP parameters');
  if (p['mode'] !== undefined && p['mode'] !== 'hotp' && p['mode'] !== 'totp')
    throw corrupt('OTP parameters');
  return p as OtpParams;
}

/** `JSON.parse` of a stored text column; a syntax error is `ERR_STORE_CORRUPT`. */
export function parseJsonText(text: unknown, what: string): JsonValue {
  if (typeof text !== 'string') throw corrupt(what);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw corrupt(what);
  }
}

/** A stored integer column (BIGINT may arrive as a string); `null` stays `null`. */
export function intOrNull(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw corrupt(what);
  return n;
}

/** A stored integer column that may not be null. */
export function int(value: unknown, what: string): number {
  const n = intOrNull(value, what);
  if (n === null) throw corrupt(what);
  return n;
}

/** A stored text column that may not be null. */
export function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw corrupt(what);
  return value;
}

/** A stored text column; `null` stays `null`. */
export function textOrNull(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : text(value, what);
}

/** A stored binary column, copied (never a view of a driver buffer). */
export function blob(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw corrupt(what);
  return Uint8Array.from(value);
}
