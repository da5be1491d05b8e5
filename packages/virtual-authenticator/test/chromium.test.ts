// Browser realism: Chromium's own CDP virtual authenticator registers and logs in on a
// localhost page, and its responses must satisfy the same structural invariants as ours.
import { type ChromiumPage, chromiumAvailable, openChromiumPage } from '@factorkit/testkit/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCborMap, VirtualAuthenticator } from '../src/index.ts';
import { b64u, checkAssertion, checkRegistration, sha256 } from './independent.ts';

const available = chromiumAvailable('Chromium realism test');

interface Json {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment?: string | null;
  clientExtensionResults: Record<string, unknown>;
  response: Record<string, unknown>;
}

describe.skipIf(!available)('Chromium CDP virtual authenticator vs VirtualAuthenticator', () => {
  let browser: ChromiumPage;
  let origin: string;

  beforeAll(async () => {
    browser = await openChromiumPage();
    origin = browser.origin;
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
  });

  function withChromiumAuthenticator<T>(protocol: 'ctap2' | 'u2f', fn: () => Promise<T>): Promise<T> {
    return browser.withAuthenticator(
      {
        protocol,
        transport: 'usb',
        hasResidentKey: protocol === 'ctap2',
        hasUserVerification: protocol === 'ctap2',
        isUserVerified: protocol === 'ctap2',
        automaticPresenceSimulation: true,
      },
      fn,
    );
  }

  const creation = (challenge: string) => ({
    rp: { id: 'localhost', name: 'factorkit' },
    user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
    challenge,
    pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }],
    attestation: 'direct' as const,
    authenticatorSelection: { userVerification: 'preferred' as const },
  });

  /** The invariants both implementations must satisfy. */
  function invariants(
    reg: Json,
    assertions: Json[],
    expected: { fmt: string; uv: boolean; u2f: boolean },
    challenge: string,
  ) {
    expect(reg.id).toBe(reg.rawId);
    expect(reg.type).toBe('public-key');
    for (const field of [
      'clientDataJSON',
      'attestationObject',
      'authenticatorData',
      'transports',
      'publicKeyAlgorithm',
      'publicKey',
    ]) {
      expect(reg.response, field).toHaveProperty(field);
    }
    expect(reg.response['publicKeyAlgorithm']).toBe(-7);
    const cd = JSON.parse(b64u(reg.response['clientDataJSON'] as string).toString()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(cd).slice(0, 4)).toEqual(['type', 'challenge', 'origin', 'crossOrigin']);
    expect(cd).toMatchObject({ type: 'webauthn.create', challenge, origin, crossOrigin: false });
    const ao = decodeCborMap(b64u(reg.response['attestationObject'] as string));
    expect([...ao.keys()]).toEqual(['fmt', 'attStmt', 'authData']);
    expect(ao.get('fmt')).toBe(expected.fmt);
    const checked = checkRegistration(
      reg as never,
      { challenge, origin, rpId: 'localhost' },
      { requireAaguidExtension: false },
    );
    const ad = checked.authData;
    expect(ad.rpIdHash.equals(sha256('localhost'))).toBe(true);
    expect(ad.flags & 0x41).toBe(0x41); // UP + AT
    expect(Boolean(ad.flags & 0x04)).toBe(expected.uv);
    expect(ad.flags & 0x18).toBe(0); // neither BE nor BS
    expect(ad.rest).toBe(0);
    if (expected.u2f) expect(ad.aaguid?.equals(Buffer.alloc(16))).toBe(true);
    expect(
      b64u(reg.response['authenticatorData'] as string).equals(Buffer.from(ao.get('authData') as Uint8Array)),
    ).toBe(true);
    let last = ad.signCount;
    for (const a of assertions) {
      expect(a.id).toBe(reg.id);
      for (const field of ['clientDataJSON', 'authenticatorData', 'signature'])
        expect(a.response, field).toHaveProperty(field);
      const acd = JSON.parse(b64u(a.response['clientDataJSON'] as string).toString()) as Record<
        string,
        unknown
      >;
      const p = checkAssertion(a as never, {
        challenge: acd['challenge'] as string,
        origin,
        rpId: 'localhost',
        publicKey: checked.credentialPublicKey,
      });
      expect(Boolean(p.flags & 0x04)).toBe(expected.uv);
      expect(p.flags & 0x40).toBe(0);
      // Counter behaviour: strictly increasing across logins (Chromium's U2F device also
      // counts its check-only probe, so the step is not always 1).
      expect(p.signCount).toBeGreaterThan(last);
      last = p.signCount;
    }
    return {
      credentialIdLength: checked.credentialId.length,
      x5cLength: ((ao.get('attStmt') as Map<string, unknown>).get('x5c') as unknown[] | undefined)?.length,
    };
  }

  async function ceremonies(
    create: (o: ReturnType<typeof creation>) => Promise<Json>,
    get: (o: object) => Promise<Json>,
  ) {
    const challenge = 'cmVhbGlzbS1jaGFsbGVuZ2UtMDEyMzQ1Njc4OWFi';
    const reg = await create(creation(challenge));
    const assertions = [];
    for (const c of ['Z2V0LTE', 'Z2V0LTI']) {
      assertions.push(
        await get({
          challenge: c,
          rpId: 'localhost',
          userVerification: 'preferred',
          allowCredentials: [{ type: 'public-key', id: reg.id }],
        }),
      );
    }
    return { reg, assertions, challenge };
  }

  it('ctap2 → packed: same structure, flags and counter behaviour', async () => {
    const chrome = await withChromiumAuthenticator('ctap2', () =>
      ceremonies(
        (o) => browser.create<Json>(o),
        (o) => browser.get<Json>(o),
      ),
    );
    const va = new VirtualAuthenticator({ seed: 'realism-ctap2', attestationFormat: 'packed' });
    const ours = await ceremonies(
      async (o) => va.createCredential({ origin, publicKey: o }) as unknown as Json,
      async (o) => va.getAssertion({ origin, publicKey: o as never }) as unknown as Json,
    );
    const c = invariants(
      chrome.reg,
      chrome.assertions,
      { fmt: 'packed', uv: true, u2f: false },
      chrome.challenge,
    );
    const v = invariants(ours.reg, ours.assertions, { fmt: 'packed', uv: true, u2f: false }, ours.challenge);
    expect(v.x5cLength !== undefined).toBe(c.x5cLength !== undefined);
    console.info(
      `chromium ctap2 credentialId ${c.credentialIdLength} bytes, x5c ${c.x5cLength}; ours ${v.credentialIdLength} bytes, x5c ${v.x5cLength}`,
    );
  }, 20_000);

  it('u2f → fido-u2f: same structure, no UV, zero AAGUID, counters', async () => {
    const chrome = await withChromiumAuthenticator('u2f', () =>
      ceremonies(
        (o) => browser.create<Json>(o),
        (o) => browser.get<Json>(o),
      ),
    );
    const va = new VirtualAuthenticator({ seed: 'realism-u2f', attestationFormat: 'fido-u2f' });
    const ours = await ceremonies(
      async (o) => va.createCredential({ origin, publicKey: o }) as unknown as Json,
      async (o) => va.getAssertion({ origin, publicKey: o as never }) as unknown as Json,
    );
    const c = invariants(
      chrome.reg,
      chrome.assertions,
      { fmt: 'fido-u2f', uv: false, u2f: true },
      chrome.challenge,
    );
    const v = invariants(
      ours.reg,
      ours.assertions,
      { fmt: 'fido-u2f', uv: false, u2f: true },
      ours.challenge,
    );
    expect(c.x5cLength).toBe(1);
    expect(v.x5cLength).toBe(1);
  }, 20_000);
});
