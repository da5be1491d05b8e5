/** Request-level tests of `/api/v1/users/{userId}/factors…`: every refusal path. */
import { base32Encode } from '@factorkit/otp';
import { HotpToken, U2FToken, VirtualAuthenticator, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens, createFactorkitHandler, type FetchHandler } from '../src/http/index.ts';
import { aesGcmKeyEncryption, createFactorkit, type Factorkit, MemoryStore } from '../src/index.ts';

const TOKEN = 'factors-token-0123456789abcdef';
const ORIGIN = 'https://login.example.com';
const HOST = 'http://127.0.0.1:9';
const users = (path: string) => `${HOST}/api/v1/users/${path}`;

interface Setup {
  fk: Factorkit;
  h: FetchHandler;
  clock: { now: number };
}

function setup(options: { origin?: boolean; failingStore?: boolean } = {}): Setup {
  const clock = { now: Date.UTC(2026, 5, 1) };
  const fk = createFactorkit({
    rp: { id: 'login.example.com', name: 'Example' },
    origins: [ORIGIN],
    store: new MemoryStore(),
    keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(4)),
    clock: () => new Date(clock.now),
    policies: { otpAttempts: { maxAttempts: 3, windowSeconds: 600 } },
  });
  const h = createFactorkitHandler({
    factorkit: fk,
    okta: {
      apiTokens: new ApiTokens([{ token: TOKEN, scope: 'factors' }]),
      ...(options.origin === false ? {} : { origin: ORIGIN }),
      clock: () => new Date(clock.now),
      hotpProfiles: { sha256x8: { algorithm: 'SHA256', otpLength: 8, encoding: 'base32' } },
    },
  });
  return { fk, h, clock };
}

async function call(s: Setup, method: string, path: string, body?: unknown): Promise<Response> {
  return s.h(
    new Request(users(path), {
      method,
      headers: {
        authorization: `SSWS ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );
}

async function expectError(
  res: Response,
  status: number,
  code: string,
  location?: string,
): Promise<Record<string, unknown>> {
  const b = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(b)).toBe(status);
  expect(b['errorCode']).toBe(code);
  if (location !== undefined)
    expect((b['errorCauses'] as { location?: string }[]).map((c) => c.location)).toContain(location);
  return b;
}

describe('routing and enrollment validation', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('bad user ids and unknown sub-paths are 404; wrong methods 405', async () => {
    await expectError(await call(s, 'GET', `${encodeURIComponent('a b<c>')}/factors`), 404, 'E0000007');
    await expectError(await call(s, 'GET', 'alice/factors/otp_x/unknown'), 404, 'E0000007');
    await expectError(await call(s, 'GET', 'alice/profile'), 404, 'E0000007');
    await expectError(await call(s, 'PUT', 'alice/factors', {}), 405, 'E0000022');
    await expectError(await call(s, 'POST', 'alice/factors/catalog', {}), 405, 'E0000022');
    await expectError(await call(s, 'POST', 'alice/factors/otp_x', {}), 405, 'E0000022');
    await expectError(await call(s, 'GET', 'alice/factors/otp_x/verify'), 405, 'E0000022');
    await expectError(await call(s, 'GET', 'alice/factors/otp_x/lifecycle/activate'), 405, 'E0000022');
    await expectError(await call(s, 'GET', 'alice/factors/otp_unknown'), 404, 'E0000007');
    await expectError(await call(s, 'DELETE', 'alice/factors/fwaNope'), 404, 'E0000007');
  });

  it('an empty user has no factors, and a catalog with every supported type NOT_SETUP', async () => {
    const list = await call(s, 'GET', 'alice/factors');
    expect(await list.json()).toEqual([]);
    const catalog = (await (await call(s, 'GET', 'alice/factors/catalog')).json()) as {
      factorType: string;
      status: string;
    }[];
    expect(catalog.map((c) => c.factorType)).toEqual(
      expect.arrayContaining([
        'u2f',
        'webauthn',
        'token:hardware',
        'token',
        'token:hotp',
        'token:software:totp',
      ]),
    );
    expect(new Set(catalog.map((c) => c.status))).toEqual(new Set(['NOT_SETUP']));
  });

  it('enroll: body shape, factor type/provider, activate flag, profile/verify types', async () => {
    await expectError(await call(s, 'POST', 'alice/factors', '[1]'), 400, 'E0000003');
    await expectError(await call(s, 'POST', 'alice/factors', '{"factorType":'), 400, 'E0000003');
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'sms', provider: 'OKTA' }),
      400,
      'E0000001',
      'factorType',
    );
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'YUBICO' }),
      400,
      'E0000001',
    );
    await expectError(
      await call(s, 'POST', 'alice/factors?activate=maybe', { factorType: 'u2f', provider: 'FIDO' }),
      400,
      'E0000001',
      'activate',
    );
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'token:hotp', provider: 'CUSTOM', profile: 'x' }),
      400,
      'E0000001',
      'profile',
    );
    await expectError(
      await call(s, 'POST', 'alice/factors', {
        factorType: 'token:hardware',
        provider: 'YUBICO',
        verify: [],
      }),
      400,
      'E0000001',
      'verify',
    );
    const noType = await s.h(
      new Request(users('alice/factors'), {
        method: 'POST',
        headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'text/plain' },
        body: '{}',
      }),
    );
    await expectError(noType, 415, 'E0000019');
  });

  it('token:hardware: passCode required; unknown token 403; token of another user 400', async () => {
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'token:hardware', provider: 'YUBICO' }),
      400,
      'E0000001',
      'verify.passCode',
    );
    const key = new VirtualYubiKey({ seed: 'factors-yk' });
    await expectError(
      await call(s, 'POST', 'alice/factors', {
        factorType: 'token:hardware',
        provider: 'YUBICO',
        verify: { passCode: key.press() },
      }),
      403,
      'E0000068',
    );
    await s.fk.yubikey.uploadToken({ serialNumber: '9', ...key.secrets });
    const ok = await call(s, 'POST', 'alice/factors', {
      factorType: 'token:hardware',
      provider: 'YUBICO',
      verify: { passCode: key.press() },
    });
    expect(ok.status).toBe(200);
    const factor = (await ok.json()) as { id: string };
    await expectError(
      await call(s, 'POST', 'bob/factors', {
        factorType: 'token:hardware',
        provider: 'YUBICO',
        verify: { passCode: key.press() },
      }),
      400,
      'E0000001',
    );
    // Verify: passCode required, forged OTP 403, DELETE resets (UNASSIGNED), then 404.
    await expectError(
      await call(s, 'POST', `alice/factors/${factor.id}/verify`, {}),
      400,
      'E0000001',
      'passCode',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${factor.id}/verify`, {
        passCode: `${key.publicId}${'c'.repeat(32)}`,
      }),
      403,
      'E0000068',
    );
    expect((await call(s, 'DELETE', `alice/factors/${factor.id}`)).status).toBe(204);
    expect((await s.fk.yubikey.tokens.get(factor.id))?.status).toBe('UNASSIGNED');
    await expectError(await call(s, 'GET', `alice/factors/${factor.id}`), 404, 'E0000007');
  });

  it('a YubiKey factor verifies only with its own token, not another of the user', async () => {
    const a = new VirtualYubiKey({ seed: 'own-a' });
    const b = new VirtualYubiKey({ seed: 'own-b' });
    await s.fk.yubikey.uploadToken({ serialNumber: '1', ...a.secrets });
    await s.fk.yubikey.uploadToken({ serialNumber: '2', ...b.secrets });
    const fa = (await (
      await call(s, 'POST', 'alice/factors', {
        factorType: 'token:hardware',
        provider: 'YUBICO',
        verify: { passCode: a.press() },
      })
    ).json()) as { id: string };
    await call(s, 'POST', 'alice/factors', {
      factorType: 'token:hardware',
      provider: 'YUBICO',
      verify: { passCode: b.press() },
    });
    await expectError(
      await call(s, 'POST', `alice/factors/${fa.id}/verify`, { passCode: b.press() }),
      403,
      'E0000068',
    );
    expect((await call(s, 'POST', `alice/factors/${fa.id}/verify`, { passCode: a.press() })).status).toBe(
      200,
    );
  });

  it('token (SYMANTEC): missing fields listed together; no known secret; wrong codes 403', async () => {
    const b = await expectError(
      await call(s, 'POST', 'alice/factors', {
        factorType: 'token',
        provider: 'SYMANTEC',
        profile: {},
        verify: {},
      }),
      400,
      'E0000001',
    );
    expect((b['errorCauses'] as unknown[]).length).toBe(3);
    await expectError(
      await call(s, 'POST', 'alice/factors', {
        factorType: 'token',
        provider: 'SYMANTEC',
        profile: { credentialId: 'VSMT14393584' },
        verify: { passCode: '123456', nextPassCode: 654321 },
      }),
      400,
      'E0000001',
      'profile.credentialId',
    );
    // Not one byte repeated: such secrets are refused (ERR_SECRET_WEAK).
    const secret = base32Encode(Uint8Array.from({ length: 20 }, (_, i) => i * 7 + 1));
    const wrong = await call(s, 'POST', 'alice/factors', {
      factorType: 'token',
      provider: 'SYMANTEC',
      profile: { credentialId: 'VSMT14393584', sharedSecret: secret },
      verify: { passCode: '123456', nextPassCode: '654321' },
    });
    const body = await expectError(wrong, 403, 'E0000068');
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(JSON.stringify(body)).not.toContain('654321');
    expect(await (await call(s, 'GET', 'alice/factors')).json()).toEqual([]);
  });

  it('token:hotp: activate=true only; secret required and usable; profile ids; profile settings apply', async () => {
    const token = new HotpToken({ seed: 'hotp-profile', algorithm: 'SHA256', digits: 8 });
    const sharedSecret = base32Encode(Uint8Array.from(Buffer.from(token.secret, 'hex')));
    const enroll = (q: string, body: Record<string, unknown>) =>
      call(s, 'POST', `alice/factors${q}`, { factorType: 'token:hotp', provider: 'CUSTOM', ...body });
    await expectError(await enroll('', { profile: { sharedSecret } }), 400, 'E0000001', 'activate');
    await expectError(
      await enroll('?activate=true', { profile: {} }),
      400,
      'E0000001',
      'profile.sharedSecret',
    );
    await expectError(
      await enroll('?activate=true', { profile: { sharedSecret: '!!!' } }),
      400,
      'E0000001',
      'profile.sharedSecret',
    );
    await expectError(
      await enroll('?activate=true', { profile: { sharedSecret: 'AAAA' } }),
      400,
      'E0000001',
      'profile.sharedSecret',
    );
    await expectError(
      await enroll('?activate=true', { factorProfileId: 'nope', profile: { sharedSecret } }),
      400,
      'E0000001',
      'factorProfileId',
    );
    const ok = await enroll('?activate=true', { factorProfileId: 'sha256x8', profile: { sharedSecret } });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const f = (await ok.json()) as { id: string; status: string };
    expect(f.status).toBe('ACTIVE');
    expect((await call(s, 'POST', `alice/factors/${f.id}/verify`, { passCode: token.next() })).status).toBe(
      200,
    );
  });

  it('token:software:totp: verify before activation 400; activation needs passCode; activating twice 400', async () => {
    const r = await call(s, 'POST', 'alice/factors', {
      factorType: 'token:software:totp',
      provider: 'GOOGLE',
    });
    const f = (await r.json()) as { id: string; provider: string; _links: Record<string, unknown> };
    expect(f._links['activate']).toBeDefined();
    await expectError(
      await call(s, 'POST', `alice/factors/${f.id}/verify`, { passCode: '123456' }),
      400,
      'E0000001',
      'factorId',
    );
    const noCode = await call(s, 'POST', `alice/factors/${f.id}/lifecycle/activate`, {});
    expect(noCode.headers.get('x-rate-limit-limit')).toBe('5');
    expect(noCode.headers.get('x-rate-limit-remaining')).toBe('4');
    await expectError(noCode, 400, 'E0000001', 'passCode');
    await expectError(
      await call(s, 'POST', 'alice/factors/otp_nope/lifecycle/activate', { passCode: '1' }),
      404,
      'E0000007',
    );
    await expectError(
      await call(s, 'POST', `bob/factors/${f.id}/lifecycle/activate`, { passCode: '1' }),
      404,
      'E0000007',
    );
  });

  it('OTP lockout: 403 E0000069 with Retry-After', async () => {
    const token = new HotpToken({ seed: 'lockout' });
    const sharedSecret = base32Encode(Uint8Array.from(Buffer.from(token.secret, 'hex')));
    const f = (await (
      await call(s, 'POST', 'alice/factors?activate=true', {
        factorType: 'token:hotp',
        provider: 'CUSTOM',
        profile: { sharedSecret },
      })
    ).json()) as { id: string };
    let last: Response | undefined;
    for (let i = 0; i < 6; i++)
      last = await call(s, 'POST', `alice/factors/${f.id}/verify`, { passCode: '000000' });
    const b = await expectError(last as Response, 403, 'E0000069');
    expect(Number((last as Response).headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(b)).not.toContain('000000');
  });
});

describe('u2f and webauthn refusal paths', () => {
  it('without an origin configured, u2f/webauthn enrollment is 400 (other types still work)', async () => {
    const s = setup({ origin: false });
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'FIDO' }),
      400,
      'E0000001',
    );
    await expectError(
      await call(s, 'POST', 'alice/factors', { factorType: 'webauthn', provider: 'FIDO' }),
      400,
      'E0000001',
    );
    expect(
      (await call(s, 'POST', 'alice/factors', { factorType: 'token:software:totp', provider: 'OKTA' }))
        .status,
    ).toBe(200);
  });

  it('u2f activation: the clientData challenge must be this enrollment; malformed data is 403', async () => {
    const s = setup();
    const token = new U2FToken({ seed: 'refusals-u2f' });
    const a = (await (
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'FIDO' })
    ).json()) as {
      id: string;
      _embedded: { activation: { nonce: string; appId: string } };
    };
    const b = (await (
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'FIDO' })
    ).json()) as {
      id: string;
      _embedded: { activation: { nonce: string; appId: string } };
    };
    const reg = token.register({
      appId: a._embedded.activation.appId,
      challenge: a._embedded.activation.nonce,
      origin: ORIGIN,
    });
    // The response for enrollment A, posted to enrollment B.
    await expectError(
      await call(s, 'POST', `alice/factors/${b.id}/lifecycle/activate`, reg),
      404,
      'E0000007',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, {}),
      400,
      'E0000001',
      'clientData',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, {
        clientData: 'bm90IGpzb24',
        registrationData: 'x',
      }),
      403,
      'E0000068',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, { clientData: reg.clientData }),
      400,
      'E0000001',
      'registrationData',
    );
    // Another user cannot activate alice's enrollment (and the attempt spends it).
    const c = (await (
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'FIDO' })
    ).json()) as {
      id: string;
      _embedded: { activation: { nonce: string; appId: string } };
    };
    const regC = token.register({
      appId: c._embedded.activation.appId,
      challenge: c._embedded.activation.nonce,
      origin: ORIGIN,
    });
    await expectError(await call(s, 'POST', `bob/factors/${c.id}/lifecycle/activate`, regC), 403, 'E0000068');
    await expectError(
      await call(s, 'POST', `alice/factors/${c.id}/lifecycle/activate`, regC),
      403,
      'E0000068',
    );
    // Five activation attempts so far: the sixth within five minutes is 429.
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, reg),
      429,
      'E0000047',
    );
    s.clock.now += 200_000;
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, reg),
      429,
      'E0000047',
    );
    s.clock.now += 101_000;
    // The window is over, and so is enrollment A's challenge (5 minutes): 403, enroll again.
    await expectError(
      await call(s, 'POST', `alice/factors/${a.id}/lifecycle/activate`, reg),
      403,
      'E0000068',
    );
    const d = (await (
      await call(s, 'POST', 'alice/factors', { factorType: 'u2f', provider: 'FIDO' })
    ).json()) as {
      id: string;
      _embedded: { activation: { nonce: string; appId: string } };
    };
    const regD = token.register({
      appId: d._embedded.activation.appId,
      challenge: d._embedded.activation.nonce,
      origin: ORIGIN,
    });
    const ok = await call(s, 'POST', `alice/factors/${d.id}/lifecycle/activate`, regD);
    expect(ok.status).toBe(200);
    const f = (await ok.json()) as { id: string; profile: { credentialId: string } };
    // Verify: one of two fields is 400; a signature over another challenge is 403.
    const challenge = (await (await call(s, 'POST', `alice/factors/${f.id}/verify`)).json()) as {
      factorResult: string;
      _embedded: { challenge: { nonce: string; appId: string } };
    };
    expect(challenge.factorResult).toBe('CHALLENGE');
    await expectError(
      await call(s, 'POST', `alice/factors/${f.id}/verify`, { clientData: 'x' }),
      400,
      'E0000001',
      'signatureData',
    );
    const forged = token.sign({
      appId: challenge._embedded.challenge.appId,
      challenge: 'not-the-challenge',
      origin: ORIGIN,
      keyHandle: f.profile.credentialId,
    });
    await expectError(
      await call(s, 'POST', `alice/factors/${f.id}/verify`, {
        clientData: forged.clientData,
        signatureData: forged.signatureData,
      }),
      403,
      'E0000068',
    );
  });

  it('webauthn activation: attestation required and readable; verify fields required', async () => {
    const s = setup();
    const authenticator = new VirtualAuthenticator({ seed: 'refusals-webauthn' });
    const p = (await (
      await call(s, 'POST', 'alice/factors', { factorType: 'webauthn', provider: 'FIDO' })
    ).json()) as {
      id: string;
      _embedded: { activation: Record<string, unknown> };
    };
    const created = authenticator.createCredential({
      origin: ORIGIN,
      publicKey: p._embedded.activation as never,
    });
    await expectError(
      await call(s, 'POST', `alice/factors/${p.id}/lifecycle/activate`, {
        clientData: created.response.clientDataJSON,
      }),
      400,
      'E0000001',
      'attestation',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${p.id}/lifecycle/activate`, {
        clientData: created.response.clientDataJSON,
        attestation: 'oWFhAQ',
      }),
      403,
      'E0000068',
    );
    const ok = await call(s, 'POST', `alice/factors/${p.id}/lifecycle/activate`, {
      clientData: created.response.clientDataJSON,
      attestation: created.response.attestationObject,
    });
    expect(ok.status).toBe(200);
    const f = (await ok.json()) as { id: string };
    // The same attestation again: its challenge is spent.
    await expectError(
      await call(s, 'POST', `alice/factors/${p.id}/lifecycle/activate`, {
        clientData: created.response.clientDataJSON,
        attestation: created.response.attestationObject,
      }),
      403,
      'E0000068',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${f.id}/verify`, { clientData: 'eyJ9', authenticatorData: 'AA' }),
      400,
      'E0000001',
      'signatureData',
    );
    await expectError(
      await call(s, 'POST', `alice/factors/${f.id}/verify`, {
        clientData: 'eyJ9',
        authenticatorData: 'AA',
        signatureData: 'AA',
      }),
      403,
      'E0000068',
    );
  });
});

describe('store failure', () => {
  it('is a bare 500 with no detail', async () => {
    const s = setup();
    const broken = Object.create(s.fk) as Factorkit;
    Object.defineProperty(broken, 'store', {
      value: {
        ...s.fk.store,
        otp: { ...s.fk.store.otp, list: () => Promise.reject(new Error('db at /secret/path')) },
      },
    });
    const h = createFactorkitHandler({
      factorkit: broken,
      okta: { apiTokens: new ApiTokens([{ token: TOKEN, scope: 'factors' }]) },
    });
    const r = await h(new Request(users('alice/factors'), { headers: { authorization: `SSWS ${TOKEN}` } }));
    const b = await expectError(r, 500, 'E0000009');
    expect(JSON.stringify(b)).not.toContain('/secret/path');
  });
});
