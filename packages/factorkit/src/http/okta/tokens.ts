import type { ListTokensQuery, SeedRowError, YubikeyToken, YubikeyTokenSortField } from '@factorkit/yubikey';
import { readBodyText } from '../body.ts';
import { isRecord, readJson } from './body.ts';
import type { OktaContext } from './context.ts';
import { cause, json, type OktaErrorCause, oktaError, oktaErrorBody } from './errors.ts';

/** Okta's seed endpoints (protocols §5.4). */
export const TOKENS_PATH = '/api/v1/org/factors/yubikey_token/tokens';
/** factorkit's bulk seed-file upload (the admin console's "Upload YubiKey Seed File"). */
export const TOKENS_IMPORT_PATH: string = `${TOKENS_PATH}/import`;

const UPLOAD_FIELDS = ['serialNumber', 'publicId', 'privateId', 'aesKey'] as const;
const SORT_FIELDS: readonly string[] = [
  'created',
  'lastUpdated',
  'lastVerified',
  'activated',
  'status',
  'profile.serial',
  'user.id',
];

/** Okta's token object with `_links` (and `_embedded.user` for `expand=user`). Never a secret. */
export function tokenJson(t: YubikeyToken, base: string, expandUser: boolean): Record<string, unknown> {
  const self = `${base}${TOKENS_PATH}/${encodeURIComponent(t.id)}`;
  const user = t.userId === null ? undefined : `${base}/api/v1/users/${encodeURIComponent(t.userId)}`;
  return {
    id: t.id,
    created: t.created,
    lastUpdated: t.lastUpdated,
    ...(t.lastVerified === null ? {} : { lastVerified: t.lastVerified }),
    ...(t.activated === null ? {} : { activated: t.activated }),
    status: t.status,
    profile: {
      ...(t.profile.serial === null ? {} : { serial: t.profile.serial }),
      publicId: t.profile.publicId,
    },
    ...(expandUser && t.userId !== null
      ? { _embedded: { user: { id: t.userId, _links: { self: { href: user } } } } }
      : {}),
    _links: {
      self: { href: self, hints: { allow: ['GET', 'DELETE'] } },
      ...(user === undefined ? {} : { user: { href: user, hints: { allow: ['GET'] } } }),
    },
  };
}

/** Seed validation errors as Okta causes (field or line, factorkit code; never the value). */
export function seedCauses(errors: readonly SeedRowError[]): OktaErrorCause[] {
  return errors.map((e) => {
    const where = [
      e.line === undefined ? undefined : `line ${e.line}`,
      e.column === undefined ? undefined : `column ${e.column}`,
    ]
      .filter((x) => x !== undefined)
      .join(', ');
    return cause(e.message, e.field ?? (where === '' ? undefined : where), e.code);
  });
}

async function upload(ctx: OktaContext, request: Request): Promise<Response> {
  const body = await readJson(request, ctx.maxJsonBytes);
  if (!body.ok) return body.response;
  if (!isRecord(body.value)) return oktaError('E0000003', [cause('the body must be a JSON object', 'body')]);
  const v = body.value;
  const causes: OktaErrorCause[] = [];
  for (const f of UPLOAD_FIELDS) {
    if (typeof v[f] !== 'string' || v[f] === '')
      causes.push(cause(`${f}: a non-empty string is required`, f));
  }
  for (const k of Object.keys(v)) {
    if (!(UPLOAD_FIELDS as readonly string[]).includes(k))
      causes.push(cause(`${k}: unknown property`, k, 'ERR_SEED_FIELD_UNKNOWN'));
  }
  if (causes.length > 0) return oktaError('E0000001', causes);
  const result = await ctx.fk.yubikey.uploadToken({
    serialNumber: v['serialNumber'] as string,
    publicId: v['publicId'] as string,
    privateId: v['privateId'] as string,
    aesKey: v['aesKey'] as string,
  });
  if (!result.ok) return oktaError('E0000001', seedCauses(result.errors));
  return json(tokenJson(result.token, ctx.baseUrl(request), false));
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

function listQuery(url: URL): Parsed<ListTokensQuery & { expandUser: boolean; forDownload: boolean }> {
  const q = url.searchParams;
  const bad = (summary: string, location: string) => ({
    ok: false as const,
    response: oktaError('E0000031', [cause(summary, location)]),
  });
  const limitText = q.get('limit');
  let limit: number | undefined;
  if (limitText !== null) {
    if (!/^[0-9]{1,6}$/.test(limitText) || Number(limitText) < 1)
      return bad('limit must be a positive integer', 'limit');
    limit = Number(limitText);
  }
  const sortBy = q.get('sortBy');
  if (sortBy !== null && !SORT_FIELDS.includes(sortBy)) {
    return bad(
      sortBy === 'profile.email'
        ? 'profile.email: factorkit keeps no user profiles; sort by user.id'
        : `sortBy must be one of ${SORT_FIELDS.join(', ')}`,
      'sortBy',
    );
  }
  const sortOrder = q.get('sortOrder');
  if (sortOrder !== null && sortOrder !== 'ASC' && sortOrder !== 'DESC')
    return bad('sortOrder must be ASC or DESC', 'sortOrder');
  const expand = q.get('expand');
  if (expand !== null && expand !== 'user') return bad('expand supports only user', 'expand');
  const forDownload = q.get('forDownload');
  if (forDownload !== null && forDownload !== 'true' && forDownload !== 'false')
    return bad('forDownload must be true or false', 'forDownload');
  const filter = q.get('filter');
  const after = q.get('after');
  return {
    ok: true,
    value: {
      ...(filter === null || filter === '' ? {} : { filter }),
      ...(sortBy === null ? {} : { sortBy: sortBy as YubikeyTokenSortField }),
      ...(sortOrder === null ? {} : { sortOrder }),
      ...(limit === undefined ? {} : { limit }),
      ...(after === null ? {} : { after }),
      expandUser: expand === 'user',
      forDownload: forDownload === 'true',
    },
  };
}

/** RFC 8288 `Link` header: `self`, and `next` (same query, the page's `after`) when there is one. */
function linkHeader(base: string, url: URL, after: string | undefined): string {
  const self = `<${base}${url.pathname}${url.search}>; rel="self"`;
  if (after === undefined) return self;
  const next = new URLSearchParams(url.searchParams);
  next.set('after', after);
  return `${self}, <${base}${url.pathname}?${next.toString()}>; rel="next"`;
}

async function list(ctx: OktaContext, request: Request, url: URL): Promise<Response> {
  const parsed = listQuery(url);
  if (!parsed.ok) return parsed.response;
  const { expandUser, forDownload, ...query } = parsed.value;
  const base = ctx.baseUrl(request);
  if (forDownload) {
    const r = await ctx.fk.yubikey.tokens.downloadCsv(query);
    if (!r.ok)
      return oktaError('E0000031', [
        cause(r.message, r.code === 'ERR_INVALID_CURSOR' ? 'after' : 'filter', r.code),
      ]);
    return new Response(r.csv, {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="yubikey_tokens.csv"',
        'cache-control': 'no-store',
        link: linkHeader(base, url, r.after),
      },
    });
  }
  const r = await ctx.fk.yubikey.tokens.list(query);
  if (!r.ok)
    return oktaError('E0000031', [
      cause(r.message, r.code === 'ERR_INVALID_CURSOR' ? 'after' : 'filter', r.code),
    ]);
  return json(
    r.tokens.map((t) => tokenJson(t, base, expandUser)),
    200,
    { link: linkHeader(base, url, r.after) },
  );
}

/** Bulk seed file: Personalization Tool CSV (`text/csv`) or Okta JSON, all-or-nothing by default. */
async function importFile(ctx: OktaContext, request: Request, url: URL): Promise<Response> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'text/csv' && type !== 'text/plain' && type !== 'application/json') {
    return oktaError('E0000019', [
      cause('Content-Type must be text/csv (or application/json for Okta JSON)', 'Content-Type'),
    ]);
  }
  const good = url.searchParams.get('importGoodRows');
  if (good !== null && good !== 'true' && good !== 'false')
    return oktaError('E0000001', [cause('importGoodRows must be true or false', 'importGoodRows')]);
  const text = await readBodyText(request, ctx.maxSeedFileBytes);
  if (!text.ok) {
    return text.reason === 'TOO_LARGE'
      ? oktaError('E0000093', [cause(`the seed file exceeds ${ctx.maxSeedFileBytes} bytes`, 'body')])
      : oktaError('E0000003', [cause('the seed file is not valid UTF-8', 'body')]);
  }
  const report = await ctx.fk.yubikey.importSeeds(text.text, {
    importGoodRows: good === 'true',
    maxBytes: ctx.maxSeedFileBytes,
    ...(type === 'application/json' ? { format: 'okta-json' as const } : {}),
  });
  const summary = {
    format: report.format,
    imported: report.imported,
    rejectedRows: report.rejectedRows,
    skippedRows: report.skippedRows,
    errorsTruncated: report.errorsTruncated,
  };
  if (!report.ok && report.imported === 0) {
    // All-or-nothing: nothing was imported; every bad line is a cause.
    return json(
      { ...oktaErrorBody('E0000001', seedCauses(report.errors)), _embedded: { report: summary } },
      400,
    );
  }
  return json({ ...summary, errors: seedCauses(report.errors) });
}

async function getOne(ctx: OktaContext, request: Request, id: string, url: URL): Promise<Response> {
  const t = await ctx.fk.yubikey.tokens.get(id);
  if (t === undefined)
    return oktaError('E0000007', [cause(`Resource not found: ${safeId(id)} (YubikeyToken)`, 'tokenId')]);
  return json(tokenJson(t, ctx.baseUrl(request), url.searchParams.get('expand') === 'user'));
}

async function deleteOne(ctx: OktaContext, id: string): Promise<Response> {
  const r = await ctx.fk.yubikey.tokens.delete(id);
  if (r.ok) return new Response(null, { status: 204 });
  if (r.code === 'ERR_TOKEN_NOT_FOUND')
    return oktaError('E0000007', [cause(`Resource not found: ${safeId(id)} (YubikeyToken)`, 'tokenId')]);
  return oktaError('E0000001', [cause(r.message, 'status', r.code)]);
}

/** An id is echoed only when it looks like one (no markup, no control characters). */
export function safeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : '(id)';
}

/** Routes `/api/v1/org/factors/yubikey_token/tokens…`; `undefined` when the path is not one of them. */
export async function routeTokens(
  ctx: OktaContext,
  request: Request,
  url: URL,
): Promise<Response | undefined> {
  const path = url.pathname;
  if (path === TOKENS_PATH) {
    if (request.method === 'POST') return upload(ctx, request);
    if (request.method === 'GET') return list(ctx, request, url);
    return oktaError('E0000022', [], { allow: 'GET, POST' });
  }
  if (path === TOKENS_IMPORT_PATH) {
    if (request.method === 'POST') return importFile(ctx, request, url);
    return oktaError('E0000022', [], { allow: 'POST' });
  }
  if (path.startsWith(`${TOKENS_PATH}/`)) {
    const rest = path.slice(TOKENS_PATH.length + 1);
    if (rest === '' || rest.includes('/')) return undefined;
    let id: string;
    try {
      id = decodeURIComponent(rest);
    } catch {
      return oktaError('E0000007', [cause('Resource not found (YubikeyToken)', 'tokenId')]);
    }
    if (request.method === 'GET') return getOne(ctx, request, id, url);
    if (request.method === 'DELETE') return deleteOne(ctx, id);
    return oktaError('E0000022', [], { allow: 'GET, DELETE' });
  }
  return undefined;
}
