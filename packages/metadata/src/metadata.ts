import { readFile, stat } from 'node:fs/promises';
import {
  type BlobVerification,
  DEFAULT_MAX_BLOB_BYTES,
  type VerifyBlobOptions,
  verifyMetadataBlob,
} from './blob.ts';
import { cacheKey, conditionalFetch, type FetchLike, type MetadataCache } from './cache.ts';
import { MetadataError, type MetadataErrorCode } from './errors.ts';
import type { MetadataBlobPayload, MetadataEntry } from './payload.ts';

/**
 * A verified BLOB, indexed: O(1) lookup by AAGUID (FIDO2) and by attestation certificate key
 * identifier (U2F: SHA-1 of the attestation public key, as in §3.1.1
 * attestationCertificateKeyIdentifiers). Immutable; a refresh produces a new one.
 */
export interface Metadata {
  readonly no: number;
  readonly nextUpdate: string;
  readonly legalHeader: string;
  readonly entries: readonly MetadataEntry[];
  /** Entry for an AAGUID (any case, with dashes). */
  byAaguid(aaguid: string): MetadataEntry | undefined;
  /** Entry for a key identifier (40 hex digits, any case). */
  byAttestationCertificateKeyIdentifier(keyIdentifier: string): MetadataEntry | undefined;
}

/** Indexes a verified payload. Duplicate AAGUIDs or key identifiers make the payload invalid. */
export function indexMetadata(payload: MetadataBlobPayload): Metadata {
  const byAaguid = new Map<string, MetadataEntry>();
  const byKeyId = new Map<string, MetadataEntry>();
  for (const entry of payload.entries) {
    const aaguid = entry.aaguid ?? entry.metadataStatement?.aaguid;
    if (aaguid !== undefined) {
      if (byAaguid.has(aaguid))
        throw new MetadataError('ERR_MDS_PAYLOAD_INVALID', `duplicate AAGUID ${aaguid}`);
      byAaguid.set(aaguid, entry);
    }
    const ids = new Set([
      ...entry.attestationCertificateKeyIdentifiers,
      ...(entry.metadataStatement?.attestationCertificateKeyIdentifiers ?? []),
    ]);
    for (const id of ids) {
      if (byKeyId.has(id))
        throw new MetadataError('ERR_MDS_PAYLOAD_INVALID', `duplicate key identifier ${id}`);
      byKeyId.set(id, entry);
    }
  }
  return Object.freeze({
    no: payload.no,
    nextUpdate: payload.nextUpdate,
    legalHeader: payload.legalHeader,
    entries: payload.entries,
    byAaguid(aaguid: string): MetadataEntry | undefined {
      if (typeof aaguid !== 'string') return undefined;
      // Fast path: already lowercase (what verifiers produce).
      return byAaguid.get(aaguid) ?? byAaguid.get(aaguid.toLowerCase());
    },
    byAttestationCertificateKeyIdentifier(keyIdentifier: string): MetadataEntry | undefined {
      if (typeof keyIdentifier !== 'string') return undefined;
      return byKeyId.get(keyIdentifier) ?? byKeyId.get(keyIdentifier.toLowerCase());
    },
  });
}

export type LoadResult =
  | {
      readonly ok: true;
      readonly metadata: Metadata;
      readonly verification: BlobVerification & { valid: true };
    }
  | { readonly ok: false; readonly code: MetadataErrorCode; readonly message: string };

/** Verifies BLOB bytes (or text) and indexes them. */
export async function loadMetadata(
  blob: Uint8Array | string,
  options: VerifyBlobOptions,
): Promise<LoadResult> {
  const v = await verifyMetadataBlob(blob, options);
  if (!v.valid) return { ok: false, code: v.code, message: v.message };
  try {
    return { ok: true, metadata: indexMetadata(v.payload), verification: v };
  } catch (e) {
    if (e instanceof MetadataError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** Reads a BLOB file (size-checked before reading) and loads it. */
export async function loadMetadataFile(path: string, options: VerifyBlobOptions): Promise<LoadResult> {
  const max = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const info = await stat(path);
  if (info.size > max)
    return { ok: false, code: 'ERR_MDS_BLOB_TOO_LARGE', message: 'BLOB file is too large' };
  return loadMetadata(new Uint8Array(await readFile(path)), options);
}

export interface MetadataSourceOptions extends Omit<VerifyBlobOptions, 'now' | 'previousNo'> {
  /** The BLOB URL (e.g. https://mds3.fidoalliance.org/). Needed for fetch and cache. */
  readonly url?: string;
  /** Injected fetch; without it nothing goes to the network. */
  readonly fetch?: FetchLike;
  /** The store seam for the last good BLOB and its HTTP validators. */
  readonly cache?: MetadataCache;
  /** Clock. Required: no hidden clock. */
  readonly clock: () => Date;
}

export type RefreshOutcome =
  | {
      readonly status: 'updated' | 'unchanged' | 'not-modified' | 'loaded-from-cache';
      readonly metadata: Metadata;
    }
  | {
      readonly status: 'rejected' | 'fetch-failed' | 'unavailable';
      readonly code: MetadataErrorCode;
      readonly message: string;
      /** The metadata still in use (the last good one), if any. */
      readonly metadata: Metadata | undefined;
    };

/**
 * Offline-first metadata: start from bytes or a file, or from the cache; refresh only through
 * the injected fetch (conditional GET with If-None-Match / If-Modified-Since). A new BLOB
 * replaces the current one only when it verifies and its `no` is not smaller; a failed
 * refresh keeps the last good BLOB.
 */
export class MetadataSource {
  readonly #options: MetadataSourceOptions;
  #current: Metadata | undefined;

  constructor(options: MetadataSourceOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    if (typeof options.clock !== 'function') throw new TypeError('clock must be a function returning a Date');
    if (options.fetch !== undefined && typeof options.url !== 'string')
      throw new TypeError('url is required with fetch');
    this.#options = options;
  }

  /** The metadata in use, or undefined before the first successful load. */
  get current(): Metadata | undefined {
    return this.#current;
  }

  #verifyOptions(): VerifyBlobOptions {
    const { url: _u, fetch: _f, cache: _c, clock, ...rest } = this.#options;
    return {
      ...rest,
      now: clock(),
      ...(this.#current === undefined ? {} : { previousNo: this.#current.no }),
    };
  }

  /** Loads BLOB bytes given by the caller (e.g. read from disk at deploy time). */
  async load(blob: Uint8Array | string): Promise<RefreshOutcome> {
    const r = await loadMetadata(blob, this.#verifyOptions());
    if (!r.ok) return { status: 'rejected', code: r.code, message: r.message, metadata: this.#current };
    const unchanged = this.#current !== undefined && r.metadata.no === this.#current.no;
    if (!unchanged) this.#current = r.metadata;
    return { status: unchanged ? 'unchanged' : 'updated', metadata: this.#current as Metadata };
  }

  /**
   * Refreshes: when nothing is loaded yet, first from the cache; then, with a fetch, a
   * conditional GET. Returns what happened; never throws for network or BLOB problems.
   */
  async refresh(): Promise<RefreshOutcome> {
    const { url, fetch, cache, clock } = this.#options;
    const key = url === undefined ? undefined : cacheKey.blob(url);
    const cached = cache === undefined || key === undefined ? undefined : await cache.get(key);
    if (this.#current === undefined && cached !== undefined) {
      const r = await loadMetadata(cached.body, this.#verifyOptions());
      if (r.ok) {
        this.#current = r.metadata;
        if (fetch === undefined) return { status: 'loaded-from-cache', metadata: r.metadata };
      }
    }
    if (fetch === undefined || url === undefined) {
      if (this.#current !== undefined) return { status: 'unchanged', metadata: this.#current };
      return {
        status: 'unavailable',
        code: 'ERR_MDS_FETCH_FAILED',
        message: 'no BLOB and no fetch',
        metadata: undefined,
      };
    }
    const max = this.#options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    const got = await conditionalFetch(
      fetch,
      url,
      this.#current === undefined ? undefined : cached,
      max,
      clock().getTime(),
    );
    if (got.kind === 'failed')
      return {
        status: 'fetch-failed',
        code: 'ERR_MDS_FETCH_FAILED',
        message: got.message,
        metadata: this.#current,
      };
    if (got.kind === 'not-modified' && this.#current !== undefined)
      return { status: 'not-modified', metadata: this.#current };
    const r = await loadMetadata(got.record.body, this.#verifyOptions());
    if (!r.ok) return { status: 'rejected', code: r.code, message: r.message, metadata: this.#current };
    const unchanged = this.#current !== undefined && r.metadata.no === this.#current.no;
    if (!unchanged) this.#current = r.metadata;
    if (cache !== undefined && key !== undefined) await cache.put(key, got.record);
    return { status: unchanged ? 'unchanged' : 'updated', metadata: this.#current as Metadata };
  }

  /** When to refresh next: the current BLOB's nextUpdate (MDS3 §3.1.6), or now when none. */
  nextRefreshAt(): Date {
    if (this.#current === undefined) return this.#options.clock();
    return new Date(`${this.#current.nextUpdate}T00:00:00Z`);
  }
}
