import { type JsonValue, parseStrictJson } from '@factorkit/core';
import { U2fError, u2fErrorFrom } from './errors.ts';
import { isPublicSuffix, type PublicSuffixResolver, registrableDomain } from './etld.ts';

/**
 * AppID and FacetID rules (FIDO AppID and Facet Specification v1.2; digest §2.7). Pure
 * functions: fetching the trusted facets document is {@link fetchTrustedFacets}, with the
 * caller's `fetch`.
 */

const ANDROID_PREFIX = 'android:apk-key-hash:';
const IOS_PREFIX = 'ios:bundle-id:';

export interface AppIdOptions {
  /**
   * Accept `http:` AppIDs. Default `false`: the spec and every browser require https. Only for
   * test vectors and local development (the U2F spec examples use `http://example.com`).
   */
  readonly allowHttp?: boolean;
}

function isAppFacet(value: string): boolean {
  return (
    (value.startsWith(ANDROID_PREFIX) && value.length > ANDROID_PREFIX.length) ||
    (value.startsWith(IOS_PREFIX) && value.length > IOS_PREFIX.length)
  );
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Whether `appId` is a valid AppID (the rules Chrome-era clients and Yubico's server
 * library enforce): an `android:apk-key-hash:`/`ios:bundle-id:` facet URI, or an https URL
 * with a host name (no IP literal, no user info) whose path is not exactly `/`.
 */
export function isValidAppId(appId: string, options: AppIdOptions = {}): boolean {
  if (typeof appId !== 'string' || appId.length === 0 || appId.length > 2048) return false;
  if (isAppFacet(appId)) return true;
  const url = parseUrl(appId);
  if (url === undefined) return false;
  if (url.protocol !== 'https:' && !(options.allowHttp === true && url.protocol === 'http:')) return false;
  if (url.hostname === '' || isIpLiteral(url.hostname) || url.username !== '' || url.password !== '')
    return false;
  // `https://host/`: a bare "/" path is refused (WHATWG URL normalises the empty path to "/", so look at the text).
  if (/^https?:\/\/[^/?#]*\/$/i.test(appId)) return false;
  return true;
}

/**
 * The facetId of a web origin string: `https://host[:port]`, lowercased host, no default port,
 * no path, query, fragment or user info. `undefined` if `value` is not such an origin. App
 * facets (`android:`/`ios:`) are returned unchanged.
 */
export function normalizeFacetId(value: string, options: AppIdOptions = {}): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (isAppFacet(value)) return value;
  const url = parseUrl(value);
  if (url === undefined || url.hostname === '') return undefined;
  if (url.protocol !== 'https:' && !(options.allowHttp === true && url.protocol === 'http:'))
    return undefined;
  return url.origin;
}

/** Which rule of the AppID & Facet spec §3.1.2 (digest §2.7) authorized the facet. */
export type FacetRule = 'empty-appid' | 'equal-to-appid' | 'same-host' | 'trusted-facets';

export type FacetDecision =
  | { readonly authorized: true; readonly rule: FacetRule }
  | {
      readonly authorized: false;
      readonly code: 'ERR_APPID_INVALID' | 'ERR_FACET_NOT_AUTHORIZED';
      readonly message: string;
    };

export interface FacetOptions {
  /**
   * The AppID's trusted facet list, already fetched and parsed ({@link fetchTrustedFacets} or
   * {@link parseTrustedFacets}). Absent means "no list": only the rules that need none apply
   * — a missing list never authorizes anything (fail closed).
   */
  readonly trustedFacetIds?: readonly string[];
  /** Public-suffix resolver for the eTLD+1 rule (see `registrableDomain`). */
  readonly publicSuffix?: PublicSuffixResolver;
}

const deny = (code: 'ERR_APPID_INVALID' | 'ERR_FACET_NOT_AUTHORIZED', message: string): FacetDecision => ({
  authorized: false,
  code,
  message,
});

/**
 * Decides whether the caller `facetId` may use `appId` (AppID & Facet spec §3.1.2):
 * 1. empty AppID: the facetId becomes the AppID — authorized;
 * 2. an AppID that is not an https URL is authorized only for a facetId equal to it;
 * 3. an https facetId with the same host as the https AppID — authorized without fetching;
 * 4. otherwise the facetId must be in the AppID's trusted facet list, after that list is
 *    reduced to https origins (and app facets) sharing the AppID host's eTLD+1.
 */
export function isFacetIdAuthorized(
  appId: string,
  facetId: string,
  options: FacetOptions = {},
): FacetDecision {
  if (typeof appId !== 'string' || typeof facetId !== 'string')
    throw new TypeError('appId and facetId must be strings');
  if (appId === '') return { authorized: true, rule: 'empty-appid' };
  const appUrl = parseUrl(appId);
  if (appUrl === undefined || appUrl.protocol !== 'https:') {
    // Spec §3.1.2 step 1: a non-https AppID (an app facet, or e.g. `http://example.com` in the
    // U2F examples) needs no processing when it *is* the caller's facetId; nothing else may use it.
    return appId === facetId
      ? { authorized: true, rule: 'equal-to-appid' }
      : deny('ERR_FACET_NOT_AUTHORIZED', 'a non-https AppID is usable only by the identical facetId');
  }
  if (!isValidAppId(appId)) return deny('ERR_APPID_INVALID', 'AppID is not a valid https AppID');
  const facet = normalizeFacetId(facetId);
  // The facetId a client reports is an exact origin: a path, trailing slash or default port
  // written out means it is not one.
  const isExactOrigin = facet !== undefined && (isAppFacet(facetId) || facet === facetId.toLowerCase());
  if (!isExactOrigin) return deny('ERR_FACET_NOT_AUTHORIZED', 'facetId is not an https origin or app facet');
  if (!isAppFacet(facet) && new URL(facet).hostname === appUrl.hostname) {
    return { authorized: true, rule: 'same-host' };
  }
  if (options.trustedFacetIds === undefined) {
    return deny('ERR_FACET_NOT_AUTHORIZED', 'facetId needs the AppID trusted facet list, none was given');
  }
  const allowed = authorizedFacetIds(appId, options.trustedFacetIds, options.publicSuffix);
  return allowed.includes(facet)
    ? { authorized: true, rule: 'trusted-facets' }
    : deny('ERR_FACET_NOT_AUTHORIZED', 'facetId is not in the AppID trusted facet list');
}

/**
 * Reduces a trusted facet list (spec §3.1.2 steps 8–9): app facets are kept as they are;
 * other ids must be https URLs and are cut to their origin; an id whose eTLD+1 differs from
 * that of the (original, pre-redirect) AppID host is discarded, as are `http:` ids and
 * malformed ones. No eTLD+1 for the AppID host (IP, single label) keeps only its own host.
 */
export function authorizedFacetIds(
  appId: string,
  ids: readonly string[],
  publicSuffix?: PublicSuffixResolver,
): readonly string[] {
  const appUrl = parseUrl(appId);
  if (appUrl === undefined || appUrl.protocol !== 'https:') return [];
  const appDomain = registrableDomain(appUrl.hostname, publicSuffix);
  const out: string[] = [];
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    if (isAppFacet(id)) {
      out.push(id);
      continue;
    }
    const origin = normalizeFacetId(id);
    if (origin === undefined) continue;
    const host = new URL(origin).hostname;
    const sameSite =
      appDomain === undefined
        ? host === appUrl.hostname
        : registrableDomain(host, publicSuffix) === appDomain;
    if (sameSite && !out.includes(origin)) out.push(origin);
  }
  return out;
}

/** The U2F protocol version whose facets apply (spec §3.1.2 step 7). */
export const U2F_FACETS_VERSION: { readonly major: 1; readonly minor: 0 } = { major: 1, minor: 0 };
/** Largest trusted facets document accepted, in characters. */
export const MAX_TRUSTED_FACETS_LENGTH = 65_536;

/**
 * Parses a trusted facets document (`{"trustedFacets":[{"version":{"major":1,"minor":0},"ids":[…]}]}`)
 * and returns the ids of the entry for version 1.0. A bare JSON array of ids (accepted by
 * Chrome's U2F extension) is accepted too. Throws `U2fError` `ERR_TRUSTED_FACETS_INVALID`:
 * too large, not strict JSON (duplicate names included), wrong shapes, no 1.0 entry, or two.
 * The ids are returned as listed; reduce them with {@link authorizedFacetIds}.
 */
export function parseTrustedFacets(document: string): readonly string[] {
  const code = 'ERR_TRUSTED_FACETS_INVALID';
  if (typeof document !== 'string') throw new TypeError('document must be a string');
  if (document.length > MAX_TRUSTED_FACETS_LENGTH)
    throw new U2fError(code, 'trusted facets document is too large');
  let json: JsonValue;
  try {
    json = parseStrictJson(document, { maxDepth: 5, maxEntries: 1024 });
  } catch (error) {
    throw u2fErrorFrom(error, code);
  }
  const idsOf = (value: JsonValue | undefined): readonly string[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new U2fError(code, 'trusted facets ids must be an array of strings');
    }
    return value as string[];
  };
  if (Array.isArray(json)) return idsOf(json);
  if (typeof json !== 'object' || json === null)
    throw new U2fError(code, 'trusted facets document is not an object');
  const entries = (json as { readonly [k: string]: JsonValue })['trustedFacets'];
  if (!Array.isArray(entries)) throw new U2fError(code, 'trustedFacets is not an array');
  const matching = entries.filter((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new U2fError(code, 'trustedFacets entry is not an object');
    }
    const version = (entry as { readonly [k: string]: JsonValue })['version'];
    if (typeof version !== 'object' || version === null || Array.isArray(version)) {
      throw new U2fError(code, 'trustedFacets entry has no version');
    }
    const v = version as { readonly [k: string]: JsonValue };
    return v['major'] === U2F_FACETS_VERSION.major && v['minor'] === U2F_FACETS_VERSION.minor;
  });
  if (matching.length !== 1)
    throw new U2fError(code, 'trusted facets document needs exactly one version 1.0 entry');
  return idsOf((matching[0] as { readonly [k: string]: JsonValue })['ids']);
}

/** The subset of WHATWG `fetch` used here (global `fetch` fits). */
export type FacetsFetch = (
  url: string,
  init: {
    readonly method: 'GET';
    readonly redirect: 'manual';
    readonly credentials: 'omit';
    readonly referrerPolicy: 'no-referrer';
    readonly headers: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
  },
) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface FetchTrustedFacetsOptions {
  readonly fetch: FacetsFetch;
  /** Redirects followed at most (each needs `FIDO-AppID-Redirect-Authorized: true`). Default 3. */
  readonly maxRedirects?: number;
  readonly signal?: AbortSignal;
  readonly publicSuffix?: PublicSuffixResolver;
}

/**
 * Fetches and reduces the trusted facet list of an https AppID (spec §3.1.2 steps 4–10):
 * anonymous GET (no cookies, no referrer); `Content-Type: application/fido.trusted-apps+json`;
 * a 3xx followed only with `FIDO-AppID-Redirect-Authorized: true` and only to https; body at
 * most {@link MAX_TRUSTED_FACETS_LENGTH}; the eTLD+1 filter uses the original AppID host.
 * Any failure throws `U2fError` (`ERR_APPID_INVALID`, `ERR_TRUSTED_FACETS_FETCH`,
 * `ERR_TRUSTED_FACETS_INVALID`): the caller must then refuse the operation (step 10).
 * Caching by the response's headers is left to the injected `fetch`.
 */
export async function fetchTrustedFacets(
  appId: string,
  options: FetchTrustedFacetsOptions,
): Promise<readonly string[]> {
  if (typeof options?.fetch !== 'function') throw new TypeError('options.fetch must be a function');
  if (!isValidAppId(appId) || isAppFacet(appId))
    throw new U2fError('ERR_APPID_INVALID', 'AppID is not an https URL');
  const maxRedirects = options.maxRedirects ?? 3;
  let url = appId;
  for (let hop = 0; ; hop++) {
    let response: Awaited<ReturnType<FacetsFetch>>;
    try {
      response = await options.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        headers: { accept: 'application/fido.trusted-apps+json' },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch {
      throw new U2fError('ERR_TRUSTED_FACETS_FETCH', 'trusted facets request failed');
    }
    if (response.status >= 300 && response.status < 400) {
      if (response.headers.get('FIDO-AppID-Redirect-Authorized')?.trim().toLowerCase() !== 'true') {
        throw new U2fError(
          'ERR_TRUSTED_FACETS_FETCH',
          'redirect without FIDO-AppID-Redirect-Authorized: true',
        );
      }
      const location = response.headers.get('location');
      const next = location === null ? undefined : parseUrl(new URL(location, url).href);
      if (next === undefined || next.protocol !== 'https:') {
        throw new U2fError('ERR_TRUSTED_FACETS_FETCH', 'redirect target is not https');
      }
      if (hop + 1 > maxRedirects) throw new U2fError('ERR_TRUSTED_FACETS_FETCH', 'too many redirects');
      url = next.href;
      continue;
    }
    if (response.status !== 200)
      throw new U2fError('ERR_TRUSTED_FACETS_FETCH', 'trusted facets request did not return 200');
    const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/fido.trusted-apps+json') {
      throw new U2fError('ERR_TRUSTED_FACETS_FETCH', 'trusted facets response has the wrong Content-Type');
    }
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_TRUSTED_FACETS_LENGTH)
      throw new U2fError('ERR_TRUSTED_FACETS_INVALID', 'trusted facets document is too large');
    const body = await response.text();
    return authorizedFacetIds(appId, parseTrustedFacets(body), options.publicSuffix);
  }
}

export interface VerifyAppIdForOriginOptions {
  readonly publicSuffix?: PublicSuffixResolver;
}

/**
 * The simplified server-side rule many U2F servers (and python-fido2's `verify_app_id`)
 * apply without fetching facets: the AppID is an https URL; the origin is https (or
 * `http://localhost`); the origin host equals the AppID host or is a subdomain of it at a
 * dot boundary; and the AppID host is not itself a public suffix. Ports do not matter.
 */
export function verifyAppIdForOrigin(
  appId: string,
  origin: string,
  options: VerifyAppIdForOriginOptions = {},
): boolean {
  if (typeof appId !== 'string' || typeof origin !== 'string') return false;
  const appUrl = parseUrl(appId);
  const originUrl = parseUrl(origin);
  if (appUrl === undefined || originUrl === undefined || appUrl.protocol !== 'https:') return false;
  if (!isValidAppId(appId)) return false;
  const localhost = originUrl.protocol === 'http:' && originUrl.hostname === 'localhost';
  if (originUrl.protocol !== 'https:' && !localhost) return false;
  const appHost = appUrl.hostname;
  const host = originUrl.hostname;
  if (host === appHost) return true;
  return host.endsWith(`.${appHost}`) && !isPublicSuffix(appHost, options.publicSuffix);
}
