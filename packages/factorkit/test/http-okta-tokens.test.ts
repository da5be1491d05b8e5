/** Request-level tests of the Okta seed/token endpoints and the API's shared refusal paths. */
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens, createFactorkitHandler, type FetchHandler } from '../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit, MemoryStore } from '../src/index.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const FACTORS = 'factors-token-0123456789abcdef';
const BASE = 'http://127.0.0.1:9/api/v1/org/factors/yubikey_token/tokens';

function make(fk?: Factorkit): { fk: Factorkit; handler: FetchHandler } {
  const f =
    fk ??
    createFactorkit({
      rp: { id: 'localhost', name: 't' },
      origins: ['https://localhost'],
      store: new MemoryStore(),
      keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(1)),
    });
  const handler = createFactorkitHandler({
    factorkit: f,
    okta: {
      apiTokens: new ApiTokens([
        { token: ADMIN, scope: 'admin' },
        { token: FACTORS, scope: 'factors' },
      ]),
      maxJsonBytes: 1024,
      maxSeedFileBytes: 4096,
    },
  });
  return { fk: f, handler };
}

function req(
  path: string,
  init: {
    method?: string;
    body?: string;
    type?: string | null;
    token?: string | null;
    headers?: Record<string, string>;
  } = {},
): Request {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token !== null) headers['authorization'] = `SSWS ${init.token ?? ADMIN}`;
  if (init.body !== undefined && init.type !== null)
    headers['content-type'] = init.type ?? 'application/json';
  return new Request(path.startsWith('http') ? path : `${BASE}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

async function err(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ errorCode: code, errorLink: code });
  expect(body['errorId']).toMatch(/^oae[A-Za-z0-9]{19}$/);
  expect(Array.isArray(body['errorCauses'])).toBe(true);
  expect(typeof body['errorSummary']).toBe('string');
  return body;
}

const key = new VirtualYubiKey({ seed: 'okta-tokens' });
const seed = { serialNumber: '7886622', ...key.secrets };

describe('authentication and scopes', () => {
  let h: FetchHandler;
  beforeEach(() => {
    h = make().handler;
  });

  it('no Authorization: 401 E0000005; another scheme: 401; a wrong token: 401 E0000011 — nothing stored', async () => {
    const { fk, handler } = make();
    await err(await handler(req('', { body: JSON.stringify(seed), token: null })), 401, 'E0000005');
    await err(
      await handler(
        req('', { body: JSON.stringify(seed), token: null, headers: { authorization: `Bearer ${ADMIN}` } }),
      ),
      401,
      'E0000005',
    );
    const r = await handler(req('', { body: JSON.stringify(seed), token: `${ADMIN}x` }));
    expect(r.headers.get('www-authenticate')).toBe('SSWS');
    await err(r, 401, 'E0000011');
    const listed = await fk.yubikey.tokens.list();
    expect(listed.ok && listed.tokens.length).toBe(0);
  });

  it('a factors token cannot reach seed management (403 E0000006)', async () => {
    await err(await h(req('', { token: FACTORS })), 403, 'E0000006');
  });

  it('no token configured: every request is 401', async () => {
    const fk = createFactorkit({ rp: { id: 'localhost', name: 't' }, origins: ['https://localhost'] });
    const handler = createFactorkitHandler({ factorkit: fk, okta: { apiTokens: new ApiTokens([]) } });
    await err(await handler(req('')), 401, 'E0000011');
  });

  it('tokens are validated at configuration and parsed from a file', () => {
    expect(() => new ApiTokens([{ token: 'short', scope: 'admin' }])).toThrow(RangeError);
    expect(() => new ApiTokens([{ token: ADMIN, scope: 'root' as 'admin' }])).toThrow(TypeError);
    const parsed = ApiTokens.parse(`# comment\nadmin:${ADMIN}\n\nfactors:${FACTORS}\n`);
    expect(parsed.size).toBe(2);
    expect(parsed.authenticate(ADMIN)).toBe('admin');
    expect(parsed.authenticate(FACTORS)).toBe('factors');
    expect(parsed.authenticate('nope')).toBeUndefined();
    expect(() => ApiTokens.parse(`root:${ADMIN}`)).toThrow(/line 1/);
    expect(() => ApiTokens.parse(`root:${ADMIN}`)).not.toThrow(new RegExp(ADMIN));
  });

  it('unknown paths are 404 E0000007, wrong methods 405 E0000022', async () => {
    await err(await h(req('http://127.0.0.1:9/api/v1/nothing')), 404, 'E0000007');
    await err(await h(req('', { method: 'PUT', body: '{}' })), 405, 'E0000022');
    await err(await h(req('/ykk1', { method: 'PATCH', body: '{}' })), 405, 'E0000022');
    await err(await h(req('/import', { method: 'GET' })), 405, 'E0000022');
  });
});

describe('POST …/tokens (seed upload)', () => {
  let h: FetchHandler;
  beforeEach(() => {
    h = make().handler;
  });

  it('uploads: Okta token object, no secret in the response', async () => {
    const res = await h(req('', { body: JSON.stringify(seed) }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(seed.aesKey);
    expect(text).not.toContain(seed.privateId);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ status: 'UNASSIGNED', profile: { serial: '000007886622' } });
    expect(body._links.self.href).toBe(
      `http://127.0.0.1:9/api/v1/org/factors/yubikey_token/tokens/${body.id}`,
    );
  });

  it('body limits come before parsing: a declared or streamed body over the limit is 413', async () => {
    await err(
      await h(req('', { body: JSON.stringify({ ...seed, pad: 'x'.repeat(2000) }) })),
      413,
      'E0000093',
    );
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(200).fill(0x20));
        c.close();
      },
    });
    const streamed = new Request(BASE, {
      method: 'POST',
      headers: { authorization: `SSWS ${ADMIN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await err(await h(streamed), 413, 'E0000093');
  });

  it('Content-Type must be application/json (415 E0000019)', async () => {
    await err(await h(req('', { body: JSON.stringify(seed), type: 'text/plain' })), 415, 'E0000019');
    await err(await h(req('', { body: JSON.stringify(seed), type: null })), 415, 'E0000019');
  });

  it('malformed bodies are 400 with causes, never 500', async () => {
    for (const body of [
      '{',
      '[1,2]',
      '"x"',
      'null',
      '\u00ff{}',
      '[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]',
    ]) {
      const r = await h(req('', { body }));
      const b = await err(r, 400, 'E0000003');
      expect((b['errorCauses'] as unknown[]).length).toBeGreaterThan(0);
    }
    const invalidUtf8 = new Request(BASE, {
      method: 'POST',
      headers: { authorization: `SSWS ${ADMIN}`, 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    await err(await h(invalidUtf8), 400, 'E0000003');
  });

  it('missing, mistyped and unknown fields: 400 E0000001 naming each field, echoing no value', async () => {
    const b = await err(
      await h(
        req('', { body: JSON.stringify({ serialNumber: 1, publicId: '', aesKey: seed.aesKey, extra: 'x' }) }),
      ),
      400,
      'E0000001',
    );
    const where = (b['errorCauses'] as { location: string }[]).map((c) => c.location);
    expect(where).toEqual(expect.arrayContaining(['serialNumber', 'publicId', 'privateId', 'extra']));
    expect(JSON.stringify(b)).not.toContain(seed.aesKey);
    expect(b['errorSummary']).toBe('Api validation failed: serialNumber');
  });

  it('seed validation failures: E0000001 with factorkit codes; duplicates refused', async () => {
    const bad = await err(
      await h(req('', { body: JSON.stringify({ ...seed, aesKey: 'zz' }) })),
      400,
      'E0000001',
    );
    expect(JSON.stringify(bad)).toContain('ERR_SEED_AES_KEY');
    expect((await h(req('', { body: JSON.stringify(seed) }))).status).toBe(200);
    const dup = await err(await h(req('', { body: JSON.stringify(seed) })), 400, 'E0000001');
    expect(JSON.stringify(dup)).toContain('ERR_SEED_PUBLIC_ID_EXISTS');
  });
});

describe('GET …/tokens (listing), GET/DELETE …/tokens/{id}', () => {
  let fk: Factorkit;
  let h: FetchHandler;
  beforeEach(async () => {
    ({ fk, handler: h } = make());
    for (let i = 0; i < 5; i++) {
      const k = new VirtualYubiKey({ seed: `list-${i}` });
      expect((await fk.yubikey.uploadToken({ serialNumber: String(100 + i), ...k.secrets })).ok).toBe(true);
    }
  });

  it('limit + after: Link rel="next" keeps the query; the last page has only rel="self"', async () => {
    const first = await h(req('?limit=2&sortBy=profile.serial&sortOrder=DESC'));
    expect(first.status).toBe(200);
    const link = first.headers.get('link') as string;
    expect(link).toContain('rel="self"');
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] as string;
    expect(next).toContain('sortBy=profile.serial');
    expect(next).toContain('after=');
    const page1 = (await first.json()) as { profile: { serial: string } }[];
    expect(page1.map((t) => t.profile.serial)).toEqual(['000000000104', '000000000103']);
    const second = await h(req(next));
    const page2 = (await second.json()) as { profile: { serial: string } }[];
    expect(page2.map((t) => t.profile.serial)).toEqual(['000000000102', '000000000101']);
    const third = await h(
      req(/<([^>]+)>; rel="next"/.exec(second.headers.get('link') as string)?.[1] as string),
    );
    expect(((await third.json()) as unknown[]).length).toBe(1);
    expect(third.headers.get('link')).not.toContain('rel="next"');
  });

  it('publicUrl fixes the links (a Host header cannot steer them)', async () => {
    const handler = createFactorkitHandler({
      factorkit: fk,
      okta: {
        apiTokens: new ApiTokens([{ token: ADMIN, scope: 'admin' }]),
        publicUrl: 'https://mfa.example.com/',
      },
    });
    const r = await handler(req('http://evil.example/api/v1/org/factors/yubikey_token/tokens?limit=1'));
    expect(r.headers.get('link')).toMatch(/^<https:\/\/mfa\.example\.com\/api\/v1\//);
    const [t] = (await r.json()) as { _links: { self: { href: string } } }[];
    expect(t?._links.self.href.startsWith('https://mfa.example.com/')).toBe(true);
  });

  it('forDownload=true: CSV with a header line, paged by Link, no secrets', async () => {
    const r = await h(req('?forDownload=true&limit=3'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect(r.headers.get('link')).toContain('rel="next"');
    const csv = await r.text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,serial,publicId,status,userId,created,lastUpdated,lastVerified,activated');
    expect(lines).toHaveLength(4);
    expect(csv).not.toContain(new VirtualYubiKey({ seed: 'list-0' }).secrets.aesKey);
  });

  it('bad query parameters: 400 E0000031 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=abc', 'limit'],
      ['?sortBy=secret', 'sortBy'],
      ['?sortBy=profile.email', 'sortBy'],
      ['?sortOrder=UP', 'sortOrder'],
      ['?expand=everything', 'expand'],
      ['?forDownload=yes', 'forDownload'],
      ['?filter=status%20eq%20%22NOPE%22', 'filter'],
      ['?filter=aesKey%20eq%20%22x%22', 'filter'],
      ['?after=garbage', 'after'],
      ['?after=garbage&forDownload=true', 'after'],
    ];
    for (const [q, where] of cases) {
      const b = await err(await h(req(q)), 400, 'E0000031');
      expect((b['errorCauses'] as { location: string }[])[0]?.location, q).toBe(where);
    }
  });

  it('GET by id, 404 for unknown (an odd id is not echoed), DELETE 204 then the token is a tombstone', async () => {
    const list = (await (await h(req('?limit=1'))).json()) as { id: string }[];
    const id = list[0]?.id as string;
    const one = await h(req(`/${id}`));
    expect(((await one.json()) as { id: string }).id).toBe(id);
    await err(await h(req('/ykkUnknown')), 404, 'E0000007');
    const odd = await err(await h(req('/%3Cscript%3E')), 404, 'E0000007');
    expect(JSON.stringify(odd)).not.toContain('<script>');
    await err(await h(req('/%E0%A4%A')), 404, 'E0000007');
    expect((await h(req(`/${id}`, { method: 'DELETE' }))).status).toBe(204);
    expect(((await (await h(req(`/${id}`))).json()) as { status: string }).status).toBe('DELETED');
    await err(await h(req(`/${id}`, { method: 'DELETE' })), 400, 'E0000001');
    await err(await h(req('/ykkUnknown', { method: 'DELETE' })), 404, 'E0000007');
  });

  it('a store failure is a bare 500 E0000009 with no detail', async () => {
    const broken = Object.create(fk) as Factorkit;
    Object.defineProperty(broken, 'yubikey', {
      value: {
        ...fk.yubikey,
        tokens: { ...fk.yubikey.tokens, list: () => Promise.reject(new Error('secret-ish detail')) },
      },
    });
    const { handler } = make(broken);
    const b = await err(await handler(req('')), 500, 'E0000009');
    expect(JSON.stringify(b)).not.toContain('secret-ish');
  });
});

describe('POST …/tokens/import (seed file)', () => {
  const a = new VirtualYubiKey({ seed: 'import-a' }).secrets;
  const b = new VirtualYubiKey({ seed: 'import-b' }).secrets;
  const row = (serial: number, s: typeof a) =>
    `${serial},${s.publicId},${s.privateId},${s.aesKey},000000000000,2026-01-01T00:00:00,`;

  it('a good Yubico-format file imports every row', async () => {
    const { fk, handler } = make();
    const r = await handler(req('/import', { body: `${row(1, a)}\n${row(2, b)}\n`, type: 'text/csv' }));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ format: 'yubico', imported: 2, rejectedRows: 0, errors: [] });
    const listed = await fk.yubikey.tokens.list();
    expect(listed.ok && listed.tokens.length).toBe(2);
  });

  it('all-or-nothing: one bad line and nothing is imported; per-line causes without values', async () => {
    const { fk, handler } = make();
    const bad = row(2, { ...b, aesKey: 'x'.repeat(32) });
    const r = await handler(req('/import', { body: `${row(1, a)}\n${bad}\n`, type: 'text/csv' }));
    const body = await err(r, 400, 'E0000001');
    const causes = body['errorCauses'] as { location: string; reason: string }[];
    expect(causes[0]).toMatchObject({ reason: 'ERR_SEED_AES_KEY' });
    expect(JSON.stringify(body)).not.toContain(a.aesKey);
    expect(body['_embedded']).toMatchObject({ report: { imported: 0, rejectedRows: 1 } });
    const listed = await fk.yubikey.tokens.list();
    expect(listed.ok && listed.tokens.length).toBe(0);
    // importGoodRows=true keeps the good row and reports the bad one.
    const r2 = await handler(
      req('/import?importGoodRows=true', { body: `${row(1, a)}\n${bad}\n`, type: 'text/csv' }),
    );
    expect(r2.status).toBe(200);
    expect(await r2.json()).toMatchObject({ imported: 1, rejectedRows: 1 });
  });

  it('content type, size limit, bad flag', async () => {
    const { handler } = make();
    await err(await handler(req('/import', { body: row(1, a), type: 'image/png' })), 415, 'E0000019');
    await err(await handler(req('/import', { body: 'x'.repeat(5000), type: 'text/csv' })), 413, 'E0000093');
    await err(
      await handler(req('/import?importGoodRows=maybe', { body: row(1, a), type: 'text/csv' })),
      400,
      'E0000001',
    );
    await err(await handler(req('/import', { body: '', type: 'text/csv' })), 400, 'E0000001');
  });
});
