import { StoreError } from './errors.ts';
import type {
  SortOrder,
  YubikeyTokenFilter,
  YubikeyTokenInfo,
  YubikeyTokenQuery,
  YubikeyTokenStatus,
} from './types.ts';

/** Okta's page-size defaults for the token listing. */
export const DEFAULT_TOKEN_PAGE = 20;
export const MAX_TOKEN_PAGE = 200;
const MAX_CURSOR_CHARS = 1024;

export type TokenSortField = NonNullable<YubikeyTokenQuery['sortBy']>;
const SORT_FIELDS: readonly TokenSortField[] = ['created', 'serial', 'status', 'lastVerified', 'userId'];

/** A normalised query: validated limit and sort, decoded cursor. */
export interface NormalizedTokenQuery {
  readonly filter: YubikeyTokenFilter;
  readonly sortBy: TokenSortField;
  readonly sortOrder: SortOrder;
  readonly limit: number;
  readonly after: { readonly key: string | number; readonly id: string } | undefined;
}

/** Validates a listing query (misuse throws `TypeError`/`RangeError`; a bad cursor is a StoreError). */
export function normalizeTokenQuery(query: YubikeyTokenQuery = {}): NormalizedTokenQuery {
  const sortBy = query.sortBy ?? 'created';
  if (!SORT_FIELDS.includes(sortBy)) throw new TypeError(`sortBy must be one of ${SORT_FIELDS.join(', ')}`);
  const sortOrder = query.sortOrder ?? 'ASC';
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw new TypeError('sortOrder must be ASC or DESC');
  const limit = query.limit ?? DEFAULT_TOKEN_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOKEN_PAGE) {
    throw new RangeError(`limit must be an integer in 1..${MAX_TOKEN_PAGE}`);
  }
  const after = query.after === undefined ? undefined : decodeCursor(query.after, sortBy, sortOrder);
  return { filter: query.filter ?? {}, sortBy, sortOrder, limit, after };
}

/** The value a token sorts by; nulls sort first (as '' or -1). */
export function sortKey(token: YubikeyTokenInfo, sortBy: TokenSortField): string | number {
  switch (sortBy) {
    case 'created':
      return token.created;
    case 'lastVerified':
      return token.lastVerified ?? -1;
    case 'serial':
      return token.serial ?? '';
    case 'status':
      return token.status;
    case 'userId':
      return token.userId ?? '';
  }
}

export function encodeCursor(q: NormalizedTokenQuery, key: string | number, id: string): string {
  return Buffer.from(JSON.stringify([q.sortBy, q.sortOrder, key, id]), 'utf8').toString('base64url');
}

function decodeCursor(
  cursor: string,
  sortBy: TokenSortField,
  sortOrder: SortOrder,
): { key: string | number; id: string } {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS) {
    throw new StoreError('ERR_STORE_QUERY', 'malformed cursor');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreError('ERR_STORE_QUERY', 'malformed cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== sortBy ||
    parsed[1] !== sortOrder ||
    (typeof parsed[2] !== 'string' && typeof parsed[2] !== 'number') ||
    typeof parsed[3] !== 'string'
  ) {
    throw new StoreError(
      'ERR_STORE_QUERY',
      'cursor does not belong to this query (sortBy/sortOrder changed?)',
    );
  }
  return { key: parsed[2] as string | number, id: parsed[3] };
}

export function statusList(
  status: YubikeyTokenStatus | readonly YubikeyTokenStatus[] | undefined,
): readonly YubikeyTokenStatus[] | undefined {
  if (status === undefined) return undefined;
  return typeof status === 'string' ? [status] : status;
}

/** In-memory evaluation of a filter (the SQLite store compiles the same filter to SQL). */
export function matchesFilter(token: YubikeyTokenInfo, filter: YubikeyTokenFilter): boolean {
  const statuses = statusList(filter.status);
  if (statuses !== undefined && !statuses.includes(token.status)) return false;
  if (filter.serial !== undefined && token.serial !== filter.serial) return false;
  if (filter.userId !== undefined && token.userId !== filter.userId) return false;
  if (filter.createdFrom !== undefined && token.created < filter.createdFrom) return false;
  if (filter.createdTo !== undefined && token.created >= filter.createdTo) return false;
  if (filter.lastVerifiedFrom !== undefined && (token.lastVerified ?? -1) < filter.lastVerifiedFrom)
    return false;
  if (
    filter.lastVerifiedTo !== undefined &&
    (token.lastVerified === null || token.lastVerified >= filter.lastVerifiedTo)
  ) {
    return false;
  }
  return true;
}

/** Compares (key, id) pairs in the query's order. */
export function compareKeys(a: string | number, aId: string, b: string | number, bId: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/** Strips secrets from a token record. */
export function tokenInfo(t: YubikeyTokenInfo): YubikeyTokenInfo {
  return {
    id: t.id,
    publicId: t.publicId,
    serial: t.serial,
    status: t.status,
    userId: t.userId,
    created: t.created,
    lastUpdated: t.lastUpdated,
    lastVerified: t.lastVerified,
    usageCounter: t.usageCounter,
    sessionCounter: t.sessionCounter,
    timestamp: t.timestamp,
  };
}

/** Lexicographic (usageCounter, sessionCounter) > comparison — yubikey-val's replay rule. */
export function countersAdvance(
  storedUsage: number | null,
  storedSession: number | null,
  usage: number,
  session: number,
): boolean {
  if (storedUsage === null || storedSession === null) return true;
  return usage > storedUsage || (usage === storedUsage && session > storedSession);
}
