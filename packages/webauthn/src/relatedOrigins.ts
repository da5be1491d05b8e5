import { parseStrictJson } from '@factorkit/core';
import { getDomain, getDomainWithoutSuffix } from 'tldts';

/**
 * Related Origin Requests (WebAuthn L3 §5.11): an RP lets other origins use its RP ID by serving
 * `https://<rpId>/.well-known/webauthn` as `{"origins": [...]}`. A client accepts a caller origin
 * when it appears in the list before the list names more than {@link MAX_RELATED_ORIGIN_LABELS}
 * distinct registrable origin labels (the label of `example.co.uk` is `example`): the "5-label
 * rule" of §5.11.1. The registrable domain comes from the Public Suffix List (tldts, bundled: no
 * network). Fetching the document is the caller's: pass `fetch` (nothing here opens a connection).
 */

/** §5.11.1: clients honour at least this many distinct labels; origins past them are ignored. */
export const MAX_RELATED_ORIGIN_LABELS: number = 5;
/** The well-known path (§5.11). */
export const RELATED_ORIGINS_PATH: string = '/.well-known/webauthn';
/** Bound on a fetched document (bytes) and on its origins list. */
export const MAX_RELATED_ORIGINS_DOCUMENT_BYTES: number = 64 * 1024;
export const MAX_RELATED_ORIGINS: number = 256;

export interface RelatedOriginsDocument {
  readonly origins: readonly string[];
}

/** The registrable origin label of an origin (`https://login.example.co.uk` → `example`), or undefined. */
export function registrableOriginLabel(origin: string): string | undefined {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return undefined;
  }
  if (getDomain(host, { allowPrivateDomains: true }) === null) return undefined;
  const label = getDomainWithoutSuffix(host, { allowPrivateDomains: true });
  return label === null || label === '' ? undefined : label;
}

/** `origin` is a serialized https origin (scheme, host, optional port; no path, query or user). */
function isSerializedHttpsOrigin(origin: unknown): origin is string {
  if (typeof origin !== 'string') return false;
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * The origins of `document` a client would accept, in order (§5.11.1 applied to every entry):
 * entries that are not URLs or have no registrable domain are skipped, and once five distinct
 * labels have been seen, entries with a new label are skipped.
 */
export function acceptedRelatedOrigins(document: RelatedOriginsDocument): string[] {
  const labelsSeen = new Set<string>();
  const accepted: string[] = [];
  for (const item of document.origins) {
    let origin: string;
    try {
      origin = new URL(item).origin;
    } catch {
      continue;
    }
    if (origin === 'null') continue;
    const label = registrableOriginLabel(origin);
    if (label === undefined) continue;
    if (labelsSeen.size >= MAX_RELATED_ORIGIN_LABELS && !labelsSeen.has(label)) continue;
    if (!accepted.includes(origin)) accepted.push(origin);
    labelsSeen.add(label);
  }
  return accepted;
}

/** Whether a client would accept `callerOrigin` for the RP ID that serves `document` (§5.11.1). */
export function isRelatedOrigin(callerOrigin: string, document: RelatedOriginsDocument): boolean {
  return acceptedRelatedOrigins(document).includes(callerOrigin);
}

export interface BuiltRelatedOriginsDocument {
  readonly document: RelatedOriginsDocument;
  /** The response body to serve at {@link RELATED_ORIGINS_PATH}. */
  readonly body: string;
  readonly contentType: 'application/json';
}

/**
 * Builds the document to serve from configuration. Throws `RangeError` for anything a client
 * would silently ignore — an entry that is not a serialized https origin, has no registrable
 * domain, repeats, or would be the sixth distinct label — so a misconfiguration fails at start-up,
 * not as logins that never work.
 */
export function buildRelatedOriginsDocument(input: {
  readonly rpId: string;
  readonly origins: readonly string[];
}): BuiltRelatedOriginsDocument {
  if (typeof input?.rpId !== 'string' || input.rpId === '')
    throw new TypeError('rpId must be a non-empty string');
  if (!Array.isArray(input.origins) || input.origins.length === 0)
    throw new TypeError('origins must be a non-empty array');
  if (input.origins.length > MAX_RELATED_ORIGINS)
    throw new RangeError(`at most ${MAX_RELATED_ORIGINS} origins`);
  const labels = new Set<string>();
  const seen = new Set<string>();
  for (const origin of input.origins) {
    if (!isSerializedHttpsOrigin(origin))
      throw new RangeError(`${String(origin)} is not a serialized https origin`);
    if (seen.has(origin)) throw new RangeError(`${origin} is listed twice`);
    seen.add(origin);
    const label = registrableOriginLabel(origin);
    if (label === undefined) throw new RangeError(`${origin} has no registrable domain`);
    labels.add(label);
    if (labels.size > MAX_RELATED_ORIGIN_LABELS) {
      throw new RangeError(
        `${origin} brings a sixth registrable origin label (${label}): clients ignore origins past ${MAX_RELATED_ORIGIN_LABELS} labels`,
      );
    }
  }
  const document = { origins: [...input.origins] };
  return { document, body: JSON.stringify(document), contentType: 'application/json' };
}

export type RelatedOriginsValidation =
  | { readonly ok: true; readonly document: RelatedOriginsDocument; readonly accepted: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Validates a document's JSON text as a client would read it (strict JSON, `origins` array of strings). */
export function validateRelatedOriginsDocument(text: unknown): RelatedOriginsValidation {
  if (typeof text !== 'string') return { ok: false, reason: 'document must be text' };
  if (text.length > MAX_RELATED_ORIGINS_DOCUMENT_BYTES) return { ok: false, reason: 'document too large' };
  let value: unknown;
  try {
    value = parseStrictJson(text, { maxDepth: 3, maxEntries: MAX_RELATED_ORIGINS });
  } catch {
    return { ok: false, reason: 'document is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'document must be a JSON object' };
  const origins = (value as Record<string, unknown>)['origins'];
  if (!Array.isArray(origins) || origins.some((o) => typeof o !== 'string'))
    return { ok: false, reason: 'origins must be an array of strings' };
  const document = { origins: origins as string[] };
  return { ok: true, document, accepted: acceptedRelatedOrigins(document) };
}

/** The subset of `fetch` used here (WHATWG fetch or any compatible function). */
export type FetchLike = (
  url: string,
  init: {
    readonly redirect: 'error';
    readonly credentials: 'omit';
    readonly headers: Record<string, string>;
  },
) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/**
 * Fetches and validates `https://<rpId>/.well-known/webauthn` through the injected `fetch`, the
 * way §5.11.1 has clients do it: no credentials, no redirects, status 200, JSON content type.
 */
export async function fetchRelatedOrigins(
  rpId: string,
  options: { readonly fetch: FetchLike },
): Promise<RelatedOriginsValidation> {
  if (typeof rpId !== 'string' || rpId === '') throw new TypeError('rpId must be a non-empty string');
  if (typeof options?.fetch !== 'function')
    throw new TypeError('options.fetch is required (no hidden network)');
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await options.fetch(`https://${rpId}${RELATED_ORIGINS_PATH}`, {
      redirect: 'error',
      credentials: 'omit',
      headers: { accept: 'application/json' },
    });
  } catch {
    return { ok: false, reason: 'fetch failed' };
  }
  if (response.status !== 200) return { ok: false, reason: `status ${response.status}` };
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, reason: 'content type is not application/json' };
  return validateRelatedOriginsDocument(await response.text());
}
