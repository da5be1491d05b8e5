import { VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import {
  acceptedRelatedOrigins,
  buildRelatedOriginsDocument,
  type FetchLike,
  fetchRelatedOrigins,
  isRelatedOrigin,
  registrableOriginLabel,
  validateRelatedOriginsDocument,
} from '../src/relatedOrigins.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { CHALLENGE, expectRejected, RP_ID, USER_ID } from './helpers/ceremony.ts';

// Related Origin Requests (L3 §5.11): the /.well-known/webauthn document, the 5-label rule, and
// verification that accepts an origin only when the RP ID's document lists it.

// Six distinct registrable origin labels: example, example-brand, other, third, fourth, fifth.
const SIX = [
  'https://example.co.uk',
  'https://shop.example-brand.com',
  'https://login.other.net',
  'https://third.org',
  'https://fourth.io',
  'https://fifth.dev',
];

/** A fetch that serves `body` at exactly https://<rpId>/.well-known/webauthn. */
function serving(
  body: string,
  init: { status?: number; type?: string } = {},
): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (url: string, options: Parameters<FetchLike>[1]) => {
    calls.push(url);
    expect(options).toMatchObject({ redirect: 'error', credentials: 'omit' });
    if (url !== `https://${RP_ID}/.well-known/webauthn`) return new Response('', { status: 404 });
    return new Response(body, {
      status: init.status ?? 200,
      headers: { 'content-type': init.type ?? 'application/json; charset=utf-8' },
    });
  }) as unknown as FetchLike & { calls: string[] };
  fn.calls = calls;
  return fn;
}

describe('registrable origin labels (Public Suffix List)', () => {
  it.each([
    ['https://login.example.co.uk', 'example'],
    ['https://example.com:8443', 'example'],
    ['https://a.b.example-brand.com', 'example-brand'],
    ['https://user.github.io', 'user'],
  ])('%s → %s', (origin, label) => {
    expect(registrableOriginLabel(origin)).toBe(label);
  });
  it('no registrable domain: public suffixes, IPs, bad URLs', () => {
    for (const o of ['https://co.uk', 'https://127.0.0.1', 'not a url', 'https://localhost'])
      expect(registrableOriginLabel(o)).toBeUndefined();
  });
});

describe('buildRelatedOriginsDocument', () => {
  it('builds the JSON body to serve', () => {
    const built = buildRelatedOriginsDocument({ rpId: RP_ID, origins: SIX.slice(0, 5) });
    expect(built.contentType).toBe('application/json');
    expect(JSON.parse(built.body)).toEqual({ origins: SIX.slice(0, 5) });
  });
  it('allows many origins under five labels (example.co.uk and example.de share the label "example")', () => {
    const origins = [
      'https://example.co.uk',
      'https://example.de',
      'https://www.example.de',
      'https://example.fr',
    ];
    expect(() => buildRelatedOriginsDocument({ rpId: RP_ID, origins })).not.toThrow();
  });
  it('refuses a sixth label, non-https or non-serialized origins, duplicates, and no registrable domain', () => {
    expect(() => buildRelatedOriginsDocument({ rpId: RP_ID, origins: SIX })).toThrow(/sixth/);
    for (const bad of [
      ['http://example.de'],
      ['https://example.de/path'],
      ['https://example.de/'],
      ['https://co.uk'],
    ])
      expect(() => buildRelatedOriginsDocument({ rpId: RP_ID, origins: bad })).toThrow(RangeError);
    expect(() =>
      buildRelatedOriginsDocument({ rpId: RP_ID, origins: ['https://example.de', 'https://example.de'] }),
    ).toThrow(/twice/);
    expect(() => buildRelatedOriginsDocument({ rpId: RP_ID, origins: [] })).toThrow(TypeError);
  });
});

describe('validating a served document as a client does (§5.11.1)', () => {
  it('the sixth label is ignored; origins of already-seen labels still count', () => {
    const doc = { origins: [...SIX, 'https://www.example.de'] };
    expect(acceptedRelatedOrigins(doc)).toEqual([...SIX.slice(0, 5), 'https://www.example.de']);
    expect(isRelatedOrigin('https://fifth.dev', doc)).toBe(false);
    expect(isRelatedOrigin('https://www.example.de', doc)).toBe(true);
  });
  it('entries that are not URLs or lack a registrable domain are skipped without using a label', () => {
    const doc = { origins: ['nope', 'https://co.uk', ...SIX] };
    expect(acceptedRelatedOrigins(doc)).toEqual(SIX.slice(0, 5));
  });
  it('rejects malformed documents', () => {
    for (const text of [
      '',
      '[]',
      '{"origins":"x"}',
      '{"origins":[1]}',
      '{"origins":[],"origins":[]}',
      '{"origins":[]} x',
    ])
      expect(validateRelatedOriginsDocument(text).ok).toBe(false);
  });
});

describe('fetchRelatedOrigins through an injected fetch', () => {
  it('fetches the well-known URL of the RP ID and returns what a client would accept', async () => {
    const built = buildRelatedOriginsDocument({ rpId: RP_ID, origins: ['https://example.co.uk'] });
    const fetch = serving(built.body);
    const result = await fetchRelatedOrigins(RP_ID, { fetch });
    expect(fetch.calls).toEqual(['https://example.com/.well-known/webauthn']);
    expect(result).toMatchObject({ ok: true, accepted: ['https://example.co.uk'] });
  });
  it('refuses a non-200 status, a wrong content type, a failing fetch, and needs fetch', async () => {
    expect(
      await fetchRelatedOrigins(RP_ID, { fetch: serving('{"origins":[]}', { status: 302 }) }),
    ).toMatchObject({ ok: false });
    expect(
      await fetchRelatedOrigins(RP_ID, { fetch: serving('{"origins":[]}', { type: 'text/html' }) }),
    ).toMatchObject({ ok: false });
    const failing: FetchLike = async () => {
      throw new Error('offline');
    };
    expect(await fetchRelatedOrigins(RP_ID, { fetch: failing })).toMatchObject({
      ok: false,
      reason: 'fetch failed',
    });
    await expect(fetchRelatedOrigins(RP_ID, {} as never)).rejects.toThrow(TypeError);
  });

  it('a ceremony from a listed related origin verifies; an unlisted or sixth-label one does not', async () => {
    const fetched = await fetchRelatedOrigins(RP_ID, { fetch: serving(JSON.stringify({ origins: SIX })) });
    if (!fetched.ok) throw new Error(fetched.reason);
    const fromOrigin = (origin: string) =>
      new VirtualAuthenticator({ seed: `ror ${origin}` }).createCredential({
        origin,
        skipRpIdCheck: true, // the client's related-origins check, done by the browser
        publicKey: {
          rp: { id: RP_ID, name: 'Example' },
          user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
          challenge: CHALLENGE,
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        },
      });
    const options = {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ['https://example.com', ...fetched.accepted],
      expectedRpId: RP_ID,
    };
    expect(await verifyRegistration(fromOrigin('https://example.co.uk'), options)).toMatchObject({
      verified: true,
      origin: 'https://example.co.uk',
    });
    expectRejected(
      await verifyRegistration(fromOrigin('https://fifth.dev'), options),
      'ERR_ORIGIN_MISMATCH',
      '7.1 step 9',
    );
    expectRejected(
      await verifyRegistration(fromOrigin('https://evil.example'), options),
      'ERR_ORIGIN_MISMATCH',
      '7.1 step 9',
    );
  });
});
