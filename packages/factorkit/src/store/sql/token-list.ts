/**
 * The `YubikeyStore.list` query for SQL stores: filter, order by (`tokenSortKey`, id) and
 * keyset position, as one SELECT. Dialects differ only in placeholders (`?` vs `$n`); text
 * columns must compare bytewise (SQLite's default; Postgres columns are `COLLATE "C"`), which
 * is the order of `tokenSortKey` strings in JavaScript.
 */
import type { StoreListQuery, YubikeyTokenSortField } from '@factorkit/yubikey';

/** SQL for `tokenSortKey` of @factorkit/yubikey: the same strings, null as ''. */
const TOKEN_SORT_SQL: Record<YubikeyTokenSortField, string> = {
  created: 'created',
  lastUpdated: 'last_updated',
  lastVerified: "COALESCE(last_verified, '')",
  activated: "COALESCE(activated, '')",
  status: 'status',
  'profile.serial': "COALESCE(serial, '')",
  'user.id': "COALESCE(user_id, '')",
};

export interface SqlQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/** Builds the page query; `placeholder(n)` renders the n-th (1-based) parameter. */
export function tokenListQuery(
  table: string,
  query: StoreListQuery,
  placeholder: (n: number) => string,
): SqlQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const f = query.filter;
  if (f.status !== undefined) {
    where.push(f.status.length === 0 ? '1 = 0' : `status IN (${f.status.map((s) => p(s)).join(', ')})`);
  }
  if (f.serial !== undefined) where.push(`serial = ${p(f.serial)}`);
  if (f.userId !== undefined) where.push(f.userId === null ? 'user_id IS NULL' : `user_id = ${p(f.userId)}`);
  // Exclusive ranges; a NULL column never matches a range (as in matchesFilter).
  for (const [column, range] of [
    ['created', f.created],
    ['last_verified', f.lastVerified],
    ['activated', f.activated],
  ] as const) {
    if (range === undefined) continue;
    where.push(`${column} IS NOT NULL`);
    if (range.after !== undefined) where.push(`${column} > ${p(range.after)}`);
    if (range.before !== undefined) where.push(`${column} < ${p(range.before)}`);
  }
  const key = TOKEN_SORT_SQL[query.sortBy];
  if (key === undefined) throw new TypeError('unknown sortBy');
  const dir = query.sortOrder === 'DESC' ? 'DESC' : 'ASC';
  if (query.after !== undefined) {
    const op = dir === 'ASC' ? '>' : '<';
    where.push(`(${key}, id) ${op} (${p(query.after.key)}, ${p(query.after.id)})`);
  }
  const sql = `SELECT * FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY ${key} ${dir}, id ${dir} LIMIT ${p(query.limit)}`;
  return { sql, params };
}
