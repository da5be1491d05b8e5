import { failure, type YubikeyFailure } from './errors.ts';
import { YUBIKEY_TOKEN_STATUSES, type YubikeyTokenFilter, type YubikeyTokenStatus } from './store.ts';

const MAX_FILTER_LENGTH = 1024;
const MAX_TERMS = 8;
// field op "value"  (Okta filter expressions, joined with `and`)
const TERM =
  /^\s*(status|profile\.serial|user\.id|created|lastVerified|activated)\s+(eq|gt|lt)\s+"([^"\\]{0,200})"\s*$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;

/**
 * Parses an Okta-style filter expression for tokens, e.g.
 * `status eq "ACTIVE" and created gt "2026-01-01T00:00:00.000Z"`. Supported: `status`,
 * `profile.serial`, `user.id` with `eq`; `created`, `lastVerified`, `activated` with `gt`/`lt`
 * (ISO-8601 UTC); terms joined by `and`. Anything else is `ERR_INVALID_FILTER`.
 */
export function parseTokenFilter(expression: string): YubikeyTokenFilter | YubikeyFailure {
  if (typeof expression !== 'string') throw new TypeError('filter must be a string');
  if (expression.length > MAX_FILTER_LENGTH) return failure('ERR_INVALID_FILTER', 'filter is too long');
  const terms = expression.split(/\s+and\s+/);
  if (terms.length > MAX_TERMS) return failure('ERR_INVALID_FILTER', 'filter has too many terms');
  const out: {
    status?: YubikeyTokenStatus[];
    serial?: string;
    userId?: string;
    created?: { after?: string; before?: string };
    lastVerified?: { after?: string; before?: string };
    activated?: { after?: string; before?: string };
  } = {};
  for (const term of terms) {
    const m = TERM.exec(term);
    if (m === null) return failure('ERR_INVALID_FILTER', 'unsupported filter term');
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (field === 'status' || field === 'profile.serial' || field === 'user.id') {
      if (op !== 'eq') return failure('ERR_INVALID_FILTER', `${field} supports only eq`);
      if (field === 'status') {
        if (out.status !== undefined || !YUBIKEY_TOKEN_STATUSES.includes(value as YubikeyTokenStatus)) {
          return failure('ERR_INVALID_FILTER', 'invalid status filter');
        }
        out.status = [value as YubikeyTokenStatus];
      } else if (field === 'profile.serial') {
        if (out.serial !== undefined || !/^\d{1,12}$/.test(value))
          return failure('ERR_INVALID_FILTER', 'invalid serial filter');
        out.serial = value.padStart(12, '0');
      } else {
        if (out.userId !== undefined) return failure('ERR_INVALID_FILTER', 'user.id given twice');
        out.userId = value;
      }
      continue;
    }
    if (op === 'eq' || !ISO.test(value) || Number.isNaN(Date.parse(value))) {
      return failure('ERR_INVALID_FILTER', `${field} supports gt/lt with an ISO-8601 UTC time`);
    }
    const key = field as 'created' | 'lastVerified' | 'activated';
    const range = out[key] ?? {};
    out[key] = range;
    const iso = new Date(value).toISOString();
    if (op === 'gt') range.after = iso;
    else range.before = iso;
  }
  return out;
}
