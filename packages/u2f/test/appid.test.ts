import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  authorizedFacetIds,
  type FacetsFetch,
  fetchTrustedFacets,
  isFacetIdAuthorized,
  isPublicSuffix,
  isValidAppId,
  normalizeFacetId,
  parseTrustedFacets,
  registrableDomain,
  U2fError,
  verifyAppIdForOrigin,
} from '../src/index.ts';

const dir = sharedFixturesDir();
if (dir === undefined) console.warn(sharedFixturesSkipMessage('AppID/facet collection'));

interface Collection {
  sameEtldPlusOneCases: { cases: { function: string; appId?: string; origin: string; expected: boolean }[] };
  appIdSyntaxCases: { cases: { appId: string; expectedValid: boolean }[] };
  trustedFacetsListExample: { json: unknown; appIdUrl: string; expectedAuthorizedWebFacets: string[] };
}

describe.skipIf(dir === undefined)('shared AppID/facet collection', () => {
  // Collected even when skipped: read the file only when the corpus exists.
  const collection: Collection =
    dir === undefined
      ? {
          sameEtldPlusOneCases: { cases: [] },
          appIdSyntaxCases: { cases: [] },
          trustedFacetsListExample: { json: [], appIdUrl: '', expectedAuthorizedWebFacets: [] },
        }
      : (JSON.parse(
          readFileSync(join(dir, 'vectors', 'collections', 'u2f-appid-facets.json'), 'utf8'),
        ) as Collection);
  const appIdCases = collection.sameEtldPlusOneCases.cases.filter((c) => c.function === 'verify_app_id');

  it.each(appIdCases.map((c) => [c.appId, c.origin, c.expected] as const))(
    'verifyAppIdForOrigin(%s, %s) = %s',
    (appId, origin, expected) => {
      expect(verifyAppIdForOrigin(appId ?? '', origin)).toBe(expected);
    },
  );

  it.each(collection.appIdSyntaxCases.cases.map((c) => [c.appId, c.expectedValid] as const))(
    'isValidAppId(%s) = %s',
    (appId, expected) => {
      expect(isValidAppId(appId)).toBe(expected);
    },
  );

  it('trusted facets example: reduced to the expected web facets (+ app facets)', () => {
    const ex = collection.trustedFacetsListExample;
    const ids = parseTrustedFacets(JSON.stringify(ex.json));
    const allowed = authorizedFacetIds(ex.appIdUrl, ids);
    expect(allowed.filter((id) => id.startsWith('https://'))).toEqual(ex.expectedAuthorizedWebFacets);
    expect(allowed).toContain('android:apk-key-hash:585215fd5153209a7e246f53286035838a0be227');
    expect(allowed).not.toContain('http://www.example.com');
    expect(allowed).not.toContain('https://example-test.com');
    console.log(
      `AppID collection: ${appIdCases.length} verify_app_id + ${collection.appIdSyntaxCases.cases.length} syntax cases + facets example agree`,
    );
  });
});

describe('isFacetIdAuthorized (AppID & Facet spec §3.1.2)', () => {
  it('step: empty AppID → the facet is its own AppID', () => {
    expect(isFacetIdAuthorized('', 'https://a.example.com')).toEqual({
      authorized: true,
      rule: 'empty-appid',
    });
  });

  it('step: a non-https AppID only for the identical facetId', () => {
    expect(isFacetIdAuthorized('http://example.com', 'http://example.com')).toMatchObject({
      authorized: true,
    });
    expect(isFacetIdAuthorized('http://example.com', 'https://example.com')).toMatchObject({
      authorized: false,
    });
    const android = 'android:apk-key-hash:585215fd5153209a7e246f53286035838a0be227';
    expect(isFacetIdAuthorized(android, android)).toMatchObject({ authorized: true, rule: 'equal-to-appid' });
    expect(isFacetIdAuthorized(android, 'https://example.com')).toMatchObject({ authorized: false });
  });

  it('step: same host as the https AppID needs no list; ports may differ', () => {
    const appId = 'https://fido.example.com/myAppId';
    expect(isFacetIdAuthorized(appId, 'https://fido.example.com')).toEqual({
      authorized: true,
      rule: 'same-host',
    });
    expect(isFacetIdAuthorized(appId, 'https://fido.example.com:8443')).toMatchObject({ authorized: true });
    expect(isFacetIdAuthorized(appId, 'http://fido.example.com')).toMatchObject({ authorized: false });
  });

  it('step: other facets need the trusted list; a missing list denies (fail closed)', () => {
    const appId = 'https://example.com/app-id.json';
    expect(isFacetIdAuthorized(appId, 'https://register.example.com')).toMatchObject({
      authorized: false,
      code: 'ERR_FACET_NOT_AUTHORIZED',
    });
    const list = ['https://register.example.com', 'https://evil-example.com', 'https://example.com.evil.com'];
    expect(isFacetIdAuthorized(appId, 'https://register.example.com', { trustedFacetIds: list })).toEqual({
      authorized: true,
      rule: 'trusted-facets',
    });
    // Listed, but outside the AppID's eTLD+1: discarded (dot-boundary, not a suffix match).
    for (const f of ['https://evil-example.com', 'https://example.com.evil.com']) {
      expect(isFacetIdAuthorized(appId, f, { trustedFacetIds: list }), f).toMatchObject({
        authorized: false,
      });
    }
  });

  it('facetIds that are not exact origins are refused', () => {
    const appId = 'https://example.com/app-id.json';
    for (const f of [
      'https://example.com/',
      'https://example.com/path',
      'https://user@example.com',
      'null',
      '',
      'example.com',
    ]) {
      expect(isFacetIdAuthorized(appId, f, { trustedFacetIds: ['https://example.com'] }), f).toMatchObject({
        authorized: false,
      });
    }
  });

  it('an invalid https AppID is reported as such', () => {
    expect(isFacetIdAuthorized('https://127.0.0.1/x', 'https://127.0.0.1')).toMatchObject({
      code: 'ERR_APPID_INVALID',
    });
  });

  it('the eTLD+1 resolver is injectable', () => {
    // A resolver that knows `hosting.example` is a public suffix: tenants do not share a site.
    const publicSuffix = (h: string) =>
      h.endsWith('.hosting.example') ? 'hosting.example' : h.split('.').pop();
    const appId = 'https://a.hosting.example/app-id.json';
    const ids = ['https://login.a.hosting.example', 'https://b.hosting.example'];
    expect(authorizedFacetIds(appId, ids, publicSuffix)).toEqual(['https://login.a.hosting.example']);
    expect(authorizedFacetIds(appId, ids)).toEqual(ids); // the built-in list does not know it
  });
});

describe('verifyAppIdForOrigin: subdomain at a dot boundary only', () => {
  it.each([
    ['https://evilexample.com', false],
    ['https://example.com.evil.com', false],
    ['https://evil-example.com', false],
    ['https://sub.example.com', true],
    ['http://localhost', false],
  ])('%s → %s', (origin, expected) => {
    expect(verifyAppIdForOrigin('https://example.com', origin)).toBe(expected);
  });

  it('http://localhost is accepted for a localhost AppID', () => {
    expect(verifyAppIdForOrigin('https://localhost/app-id.json', 'http://localhost')).toBe(true);
  });
});

describe('registrableDomain / isPublicSuffix', () => {
  it.each([
    ['example.com', 'example.com'],
    ['a.b.example.com', 'example.com'],
    ['www.example.co.uk', 'example.co.uk'],
    ['foo.appspot.com', 'foo.appspot.com'],
    ['EXAMPLE.COM.', 'example.com'],
    ['co.uk', undefined],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['[::1]', undefined],
  ])('%s → %s', (host, expected) => {
    expect(registrableDomain(host)).toBe(expected);
  });

  it('public suffixes', () => {
    expect(isPublicSuffix('co.uk')).toBe(true);
    expect(isPublicSuffix('appspot.com')).toBe(true);
    expect(isPublicSuffix('com')).toBe(true);
    expect(isPublicSuffix('example.com')).toBe(false);
    expect(isPublicSuffix('localhost')).toBe(false);
  });
});

describe('parseTrustedFacets', () => {
  const doc = (entries: unknown) => JSON.stringify({ trustedFacets: entries });
  it('picks the version 1.0 entry; accepts a bare array', () => {
    expect(
      parseTrustedFacets(
        doc([
          { version: { major: 1, minor: 1 }, ids: ['https://other.example.com'] },
          { version: { major: 1, minor: 0 }, ids: ['https://a.example.com'] },
        ]),
      ),
    ).toEqual(['https://a.example.com']);
    expect(parseTrustedFacets('["https://a.example.com"]')).toEqual(['https://a.example.com']);
  });

  it.each([
    ['not JSON', 'nope'],
    ['no entry for 1.0', doc([{ version: { major: 2, minor: 0 }, ids: [] }])],
    [
      'two 1.0 entries',
      doc([
        { version: { major: 1, minor: 0 }, ids: [] },
        { version: { major: 1, minor: 0 }, ids: [] },
      ]),
    ],
    ['ids not an array', doc([{ version: { major: 1, minor: 0 }, ids: 'https://a' }])],
    ['id not a string', doc([{ version: { major: 1, minor: 0 }, ids: [1] }])],
    ['entry without version', doc([{ ids: [] }])],
    ['trustedFacets not an array', '{"trustedFacets":{}}'],
    ['duplicate member', '{"trustedFacets":[],"trustedFacets":[]}'],
    ['too large', `["${'a'.repeat(70_000)}"]`],
    ['too many ids', `[${'"https://a.example.com",'.repeat(3000)}"x"]`],
  ])('rejects %s', (_name, text) => {
    try {
      parseTrustedFacets(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(U2fError);
      expect((e as U2fError).code).toBe('ERR_TRUSTED_FACETS_INVALID');
    }
  });
});

describe('fetchTrustedFacets (injected fetch)', () => {
  const appId = 'https://example.com/app-id.json';
  const body = JSON.stringify({
    trustedFacets: [
      { version: { major: 1, minor: 0 }, ids: ['https://register.example.com', 'https://other.test'] },
    ],
  });
  type Reply = { status: number; headers?: Record<string, string>; body?: string };
  const fake =
    (replies: Record<string, Reply>, seen: { url: string; init: unknown }[] = []): FacetsFetch =>
    async (url, init) => {
      seen.push({ url, init });
      const r = replies[url];
      if (r === undefined) throw new Error('network');
      const headers = new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      return {
        status: r.status,
        headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null },
        text: async () => r.body ?? '',
      };
    };
  const ok: Reply = {
    status: 200,
    headers: { 'content-type': 'application/fido.trusted-apps+json; charset=utf-8' },
    body,
  };
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return undefined;
    } catch (e) {
      return (e as U2fError).code;
    }
  };

  it('anonymous GET; returns the reduced list', async () => {
    const seen: { url: string; init: unknown }[] = [];
    expect(await fetchTrustedFacets(appId, { fetch: fake({ [appId]: ok }, seen) })).toEqual([
      'https://register.example.com',
    ]);
    expect(seen[0]?.init).toMatchObject({
      method: 'GET',
      redirect: 'manual',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  });

  it('wrong Content-Type, non-200, network failure → ERR_TRUSTED_FACETS_FETCH', async () => {
    expect(
      await code(
        fetchTrustedFacets(appId, {
          fetch: fake({ [appId]: { ...ok, headers: { 'content-type': 'application/json' } } }),
        }),
      ),
    ).toBe('ERR_TRUSTED_FACETS_FETCH');
    expect(await code(fetchTrustedFacets(appId, { fetch: fake({ [appId]: { ...ok, status: 404 } }) }))).toBe(
      'ERR_TRUSTED_FACETS_FETCH',
    );
    expect(await code(fetchTrustedFacets(appId, { fetch: fake({}) }))).toBe('ERR_TRUSTED_FACETS_FETCH');
  });

  it('redirects: only with FIDO-AppID-Redirect-Authorized: true, only to https; eTLD+1 of the original AppID', async () => {
    const moved = 'https://cdn.example.net/facets.json';
    const unauthorized = fake({ [appId]: { status: 302, headers: { location: moved } }, [moved]: ok });
    expect(await code(fetchTrustedFacets(appId, { fetch: unauthorized }))).toBe('ERR_TRUSTED_FACETS_FETCH');
    const authorized = fake({
      [appId]: { status: 302, headers: { location: moved, 'FIDO-AppID-Redirect-Authorized': 'true' } },
      [moved]: ok,
    });
    // The facets are filtered against example.com (the original AppID), not example.net.
    expect(await fetchTrustedFacets(appId, { fetch: authorized })).toEqual(['https://register.example.com']);
    const toHttp = fake({
      [appId]: {
        status: 302,
        headers: { location: 'http://example.com/f', 'FIDO-AppID-Redirect-Authorized': 'true' },
      },
      'http://example.com/f': ok,
    });
    expect(await code(fetchTrustedFacets(appId, { fetch: toHttp }))).toBe('ERR_TRUSTED_FACETS_FETCH');
    const loop = fake({
      [appId]: { status: 302, headers: { location: appId, 'FIDO-AppID-Redirect-Authorized': 'true' } },
    });
    expect(await code(fetchTrustedFacets(appId, { fetch: loop }))).toBe('ERR_TRUSTED_FACETS_FETCH');
  });

  it('http AppIDs are never fetched; bodies are size-limited', async () => {
    expect(await code(fetchTrustedFacets('http://example.com/a', { fetch: fake({}) }))).toBe(
      'ERR_APPID_INVALID',
    );
    const huge = fake({ [appId]: { ...ok, body: `["${'a'.repeat(70_000)}"]` } });
    expect(await code(fetchTrustedFacets(appId, { fetch: huge }))).toBe('ERR_TRUSTED_FACETS_INVALID');
    // A declared Content-Length over the limit is refused before the body is read.
    const declared = fake({
      [appId]: {
        ...ok,
        headers: { ...ok.headers, 'content-length': '1000000' },
        body: '["https://a.example.com"]',
      },
    });
    expect(await code(fetchTrustedFacets(appId, { fetch: declared }))).toBe('ERR_TRUSTED_FACETS_INVALID');
  });

  it('normalizeFacetId cuts to the origin', () => {
    expect(normalizeFacetId('https://Fido.Example.com:443/path?q#f')).toBe('https://fido.example.com');
    expect(normalizeFacetId('http://fido.example.com')).toBeUndefined();
    expect(normalizeFacetId('ios:bundle-id:com.example.Example')).toBe('ios:bundle-id:com.example.Example');
  });
});
