/**
 * The store seam for fetched material (MDS BLOBs and CRLs): a small key → record map. A
 * record is bytes plus the HTTP validators needed for a conditional refresh (RFC 9110
 * §13.1: If-None-Match / If-Modified-Since), so it fits any key-value store (SQL row, Redis
 * hash, file). Writes replace the whole record; readers never see half a record.
 */
export interface CachedResource {
  /** The body exactly as fetched. */
  readonly body: Uint8Array;
  /** The response's ETag, when it sent one. */
  readonly etag?: string;
  /** The response's Last-Modified, when it sent one. */
  readonly lastModified?: string;
  /** When it was fetched (ms since the epoch, from the injected clock). */
  readonly fetchedAt: number;
}

export interface MetadataCache {
  get(key: string): Promise<CachedResource | undefined>;
  put(key: string, record: CachedResource): Promise<void>;
}

/** An in-process cache (the default when none is given). Records are copied in and out. */
export class MemoryMetadataCache implements MetadataCache {
  readonly #records = new Map<string, CachedResource>();

  async get(key: string): Promise<CachedResource | undefined> {
    const r = this.#records.get(key);
    return r === undefined ? undefined : { ...r, body: r.body.slice() };
  }

  async put(key: string, record: CachedResource): Promise<void> {
    this.#records.set(key, { ...record, body: record.body.slice() });
  }
}

/** What an injected `fetch` must provide: the WHATWG fetch subset used here. */
export type FetchLike = (
  url: string,
  init: { readonly method: 'GET'; readonly headers: Readonly<Record<string, string>> },
) => Promise<FetchResponseLike>;

export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Cache keys, namespaced so one store can hold both kinds. */
export const cacheKey = {
  blob: (url: string): string => `mds:blob:${url}`,
  crl: (url: string): string => `mds:crl:${url}`,
};

export type FetchOutcome =
  | { readonly kind: 'fresh'; readonly record: CachedResource }
  | { readonly kind: 'not-modified'; readonly record: CachedResource }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * GET `url` through the injected fetch, conditional on `cached` (ETag / Last-Modified).
 * 304 keeps the cached record; 200 with a body ≤ `maxBytes` is a new record; anything else
 * (other status, oversize body, network error) is a failure the caller maps to its mode.
 */
export async function conditionalFetch(
  fetch: FetchLike,
  url: string,
  cached: CachedResource | undefined,
  maxBytes: number,
  now: number,
): Promise<FetchOutcome> {
  const headers: Record<string, string> = {};
  if (cached?.etag !== undefined) headers['if-none-match'] = cached.etag;
  if (cached?.lastModified !== undefined) headers['if-modified-since'] = cached.lastModified;
  let response: FetchResponseLike;
  try {
    response = await fetch(url, { method: 'GET', headers });
  } catch {
    return { kind: 'failed', message: `fetching ${url} failed` };
  }
  if (response.status === 304 && cached !== undefined) return { kind: 'not-modified', record: cached };
  if (response.status !== 200) return { kind: 'failed', message: `${url} answered HTTP ${response.status}` };
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes)
    return { kind: 'failed', message: `${url} is too large` };
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch {
    return { kind: 'failed', message: `reading ${url} failed` };
  }
  if (body.length > maxBytes) return { kind: 'failed', message: `${url} is too large` };
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  return {
    kind: 'fresh',
    record: {
      body,
      ...(etag === null ? {} : { etag }),
      ...(lastModified === null ? {} : { lastModified }),
      fetchedAt: now,
    },
  };
}
