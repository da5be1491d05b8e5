/**
 * The real Okta client, `@okta/okta-sdk-nodejs` 8.x, unmodified, driving the user factor
 * lifecycle against the handler on 127.0.0.1 over SQLite, with virtual authenticators and
 * tokens producing the responses: enrollFactor / activateFactor / verifyFactor / listFactors /
 * getFactor / listSupportedFactors / unenrollFactor for u2f, webauthn, token:hardware (YUBICO),
 * token (SYMANTEC), token:hotp (CUSTOM) and token:software:totp (OKTA).
 */
import { base32Decode, base32Encode, hexEncode } from '@factorkit/otp';
import {
  HotpToken,
  TotpToken,
  U2FToken,
  VipCredential,
  VirtualAuthenticator,
  VirtualYubiKey,
} from '@factorkit/virtual-authenticator';
import {
  Client,
  DefaultRequestExecutor,
  type UserFactorToken,
  type UserFactorTokenHardware,
  type UserFactorTokenHOTP,
} from '@okta/okta-sdk-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  FACTORS_TOKEN,
  HTTP_TEST_BACKENDS,
  ORIGIN,
  startTestServer,
  type TestServer,
} from './helpers/http-server.ts';

type Rec = Record<string, unknown>;
const asRec = (v: unknown): Rec => v as Rec;

describe.each(HTTP_TEST_BACKENDS)('Okta SDK: user factors (%s store)', (backend) => {
  let s: TestServer;
  // Symantec holds VIP secrets; the server looks them up by credential id (Okta's shape has none).
  const vip = new VipCredential({ seed: 'sdk-vip', clock: () => s.clock.now });
  const vipSecrets = new Map([
    [vip.credentialId, base32Encode(Uint8Array.from(Buffer.from(vip.secret, 'hex')))],
  ]);
  let admin: Client;
  let client: Client;
  const nowSeconds = () => s.clock.now / 1000;

  beforeAll(async () => {
    s = await startTestServer({ clockStart: Date.UTC(2026, 11, 4, 12, 0, 0), vipSecrets, backend });
    admin = new Client({ orgUrl: s.orgUrl, token: ADMIN_TOKEN });
    client = new Client({ orgUrl: s.orgUrl, token: FACTORS_TOKEN });
  });
  afterAll(async () => s?.close());

  async function rejected(p: Promise<unknown>): Promise<Rec> {
    const e = await p.then(
      () => {
        throw new Error('expected the SDK call to fail');
      },
      (error: unknown) => error,
    );
    return asRec(e);
  }

  it('token:hardware (YUBICO): seed uploaded by admin, enrolled by first touch, verified, replay refused', async () => {
    const key = new VirtualYubiKey({ seed: 'sdk-factor-yubikey' });
    await admin.userFactorApi.uploadYubikeyOtpTokenSeed({
      uploadYubikeyOtpTokenSeedRequest: { serialNumber: '7886622', ...key.secrets },
    });
    const factor = await client.userFactorApi.enrollFactor({
      userId: 'alice',
      body: {
        factorType: 'token:hardware',
        provider: 'YUBICO',
        verify: { passCode: key.press() },
      } as UserFactorTokenHardware,
    });
    expect(factor).toMatchObject({ factorType: 'token:hardware', provider: 'YUBICO', status: 'ACTIVE' });
    expect(asRec(factor.profile)['credentialId']).toBe('000007886622');
    const otp = key.press();
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'alice',
      factorId: factor.id as string,
      body: { passCode: otp },
    });
    expect(ok.factorResult).toBe('SUCCESS');
    const replay = await rejected(
      client.userFactorApi.verifyFactor({
        userId: 'alice',
        factorId: factor.id as string,
        body: { passCode: otp },
      }),
    );
    expect(replay).toMatchObject({ status: 403, errorCode: 'E0000068' });
    // Another user cannot verify with alice's token.
    const other = await rejected(
      client.userFactorApi.verifyFactor({
        userId: 'mallory',
        factorId: factor.id as string,
        body: { passCode: key.press() },
      }),
    );
    expect(other).toMatchObject({ status: 404, errorCode: 'E0000007' });
  });

  it('token:software:totp (OKTA): enroll → PENDING_ACTIVATION with the shared secret once → activate → verify', async () => {
    const factor = await client.userFactorApi.enrollFactor({
      userId: 'alice',
      body: { factorType: 'token:software:totp', provider: 'OKTA' },
    });
    expect(factor.status).toBe('PENDING_ACTIVATION');
    const activation = asRec(asRec(factor._embedded)['activation']);
    expect(activation).toMatchObject({ timeStep: 30, encoding: 'base32', keyLength: 6 });
    expect(String(asRec(asRec(activation['_links'])['qrcode'])['href'])).toMatch(/^data:image\/png;base64,/);
    const totp = new TotpToken({
      secret: hexEncode(base32Decode(activation['sharedSecret'] as string)),
      clock: () => s.clock.now,
    });
    const wrong = await rejected(
      client.userFactorApi.activateFactor({
        userId: 'alice',
        factorId: factor.id as string,
        body: { passCode: totp.code(nowSeconds() + 600) },
      }),
    );
    expect(wrong).toMatchObject({ status: 403, errorCode: 'E0000068' });
    const activated = await client.userFactorApi.activateFactor({
      userId: 'alice',
      factorId: factor.id as string,
      body: { passCode: totp.code() },
    });
    expect(asRec(activated)['status']).toBe('ACTIVE');
    // The secret is never shown again.
    const again = await client.userFactorApi.getFactor({ userId: 'alice', factorId: factor.id as string });
    expect(JSON.stringify(again)).not.toContain(activation['sharedSecret'] as string);
    s.clock.now += 30_000;
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'alice',
      factorId: factor.id as string,
      body: { passCode: totp.code() },
    });
    expect(ok.factorResult).toBe('SUCCESS');
  });

  it('token (SYMANTEC): passCode + nextPassCode at enrollment → ACTIVE; verify', async () => {
    const codes = vip.securityCodes();
    const factor = await client.userFactorApi.enrollFactor({
      userId: 'alice',
      body: {
        factorType: 'token',
        provider: 'SYMANTEC',
        profile: { credentialId: vip.credentialId },
        verify: codes,
      } as UserFactorToken,
    });
    expect(factor).toMatchObject({ factorType: 'token', provider: 'SYMANTEC', status: 'ACTIVE' });
    expect(asRec(factor.profile)).toEqual({ credentialId: vip.credentialId });
    s.clock.now += 60_000;
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'alice',
      factorId: factor.id as string,
      body: { passCode: vip.code() },
    });
    expect(ok.factorResult).toBe('SUCCESS');
  });

  it('token:hotp (CUSTOM, activate=true): ACTIVE at once; verify; a reused code is refused', async () => {
    const token = new HotpToken({ seed: 'sdk-hotp' });
    const sharedSecret = base32Encode(Uint8Array.from(Buffer.from(token.secret, 'hex')));
    const factor = await client.userFactorApi.enrollFactor({
      userId: 'alice',
      activate: true,
      body: {
        factorType: 'token:hotp',
        provider: 'CUSTOM',
        profile: { sharedSecret },
      } as UserFactorTokenHOTP,
    });
    expect(factor).toMatchObject({ factorType: 'token:hotp', provider: 'CUSTOM', status: 'ACTIVE' });
    expect(JSON.stringify(factor)).not.toContain(sharedSecret);
    const code = token.next();
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'alice',
      factorId: factor.id as string,
      body: { passCode: code },
    });
    expect(ok.factorResult).toBe('SUCCESS');
    const replay = await rejected(
      client.userFactorApi.verifyFactor({
        userId: 'alice',
        factorId: factor.id as string,
        body: { passCode: code },
      }),
    );
    expect(replay).toMatchObject({ status: 403, errorCode: 'E0000068' });
  });

  it('u2f (FIDO): enroll → activation nonce → activate with registrationData/clientData → verify challenge → sign', async () => {
    const token = new U2FToken({ seed: 'sdk-u2f' });
    const pending = await client.userFactorApi.enrollFactor({
      userId: 'bob',
      body: { factorType: 'u2f', provider: 'FIDO' },
    });
    expect(pending.status).toBe('PENDING_ACTIVATION');
    const activation = asRec(asRec(pending._embedded)['activation']);
    expect(activation['version']).toBe('U2F_V2');
    const appId = activation['appId'] as string;
    const registration = token.register({ appId, challenge: activation['nonce'] as string, origin: ORIGIN });
    const activated = asRec(
      await client.userFactorApi.activateFactor({
        userId: 'bob',
        factorId: pending.id as string,
        body: { registrationData: registration.registrationData, clientData: registration.clientData },
      }),
    );
    expect(activated).toMatchObject({ status: 'ACTIVE', factorType: 'u2f' });
    const factorId = activated['id'] as string;
    const keyHandle = asRec(activated['profile'])['credentialId'] as string;
    const challenge = await client.userFactorApi.verifyFactor({ userId: 'bob', factorId });
    expect(challenge.factorResult).toBe('CHALLENGE');
    const nonce = asRec(asRec(challenge._embedded)['challenge'])['nonce'] as string;
    const signed = token.sign({ appId, challenge: nonce, origin: ORIGIN, keyHandle });
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'bob',
      factorId,
      body: { clientData: signed.clientData, signatureData: signed.signatureData },
    });
    expect(ok.factorResult).toBe('SUCCESS');
    // The same signature again: its challenge is spent.
    const replay = await rejected(
      client.userFactorApi.verifyFactor({
        userId: 'bob',
        factorId,
        body: { clientData: signed.clientData, signatureData: signed.signatureData },
      }),
    );
    expect(replay).toMatchObject({ status: 403, errorCode: 'E0000068' });
  });

  it('webauthn (FIDO): enroll → creation options → activate with attestation/clientData → verify challenge → assertion', async () => {
    const authenticator = new VirtualAuthenticator({ seed: 'sdk-webauthn' });
    const pending = await client.userFactorApi.enrollFactor({
      userId: 'bob',
      body: { factorType: 'webauthn', provider: 'FIDO' },
    });
    expect(pending.status).toBe('PENDING_ACTIVATION');
    const options = asRec(asRec(pending._embedded)['activation']);
    expect(options['challenge']).toBeTypeOf('string');
    const created = authenticator.createCredential({ origin: ORIGIN, publicKey: options as never });
    const activated = asRec(
      await client.userFactorApi.activateFactor({
        userId: 'bob',
        factorId: pending.id as string,
        body: {
          attestation: created.response.attestationObject,
          clientData: created.response.clientDataJSON,
        },
      }),
    );
    expect(activated).toMatchObject({ status: 'ACTIVE', factorType: 'webauthn', provider: 'FIDO' });
    const factorId = activated['id'] as string;
    const challenge = await client.userFactorApi.verifyFactor({ userId: 'bob', factorId });
    expect(challenge.factorResult).toBe('CHALLENGE');
    const request = asRec(asRec(challenge._embedded)['challenge']);
    const assertion = authenticator.getAssertion({ origin: ORIGIN, publicKey: request as never });
    const ok = await client.userFactorApi.verifyFactor({
      userId: 'bob',
      factorId,
      body: {
        clientData: assertion.response.clientDataJSON,
        authenticatorData: assertion.response.authenticatorData,
        signatureData: assertion.response.signature,
      },
    });
    expect(ok.factorResult).toBe('SUCCESS');
  });

  it('listFactors / getFactor / listSupportedFactors / unenrollFactor', async () => {
    const types: string[] = [];
    for await (const f of await client.userFactorApi.listFactors({ userId: 'alice' }))
      types.push(f?.factorType as string);
    expect(types.sort()).toEqual(['token', 'token:hardware', 'token:hotp', 'token:software:totp']);
    const bob: { id: string; factorType: string }[] = [];
    for await (const f of await client.userFactorApi.listFactors({ userId: 'bob' }))
      bob.push({ id: f?.id as string, factorType: f?.factorType as string });
    expect(bob.map((f) => f.factorType).sort()).toEqual(['u2f', 'webauthn']);
    const one = await client.userFactorApi.getFactor({ userId: 'bob', factorId: bob[0]?.id as string });
    expect(one.id).toBe(bob[0]?.id);
    const catalog: string[] = [];
    for await (const c of await client.userFactorApi.listSupportedFactors({ userId: 'bob' }))
      catalog.push(`${c?.factorType}/${c?.provider}/${c?.status}`);
    expect(catalog).toContain('u2f/FIDO/ACTIVE');
    expect(catalog).toContain('token:hardware/YUBICO/NOT_SETUP');
    for (const f of bob) await client.userFactorApi.unenrollFactor({ userId: 'bob', factorId: f.id });
    const left: unknown[] = [];
    for await (const f of await client.userFactorApi.listFactors({ userId: 'bob' })) left.push(f);
    expect(left).toHaveLength(0);
    const gone = await rejected(
      client.userFactorApi.getFactor({ userId: 'bob', factorId: bob[0]?.id as string }),
    );
    expect(gone).toMatchObject({ status: 404, errorCode: 'E0000007' });
  });

  it('activation is rate limited: the sixth attempt within five minutes is 429 with X-Rate-Limit-*', async () => {
    // The SDK's default executor waits for X-Rate-Limit-Reset and retries; here the 429 is the point.
    const client = new Client({
      orgUrl: s.orgUrl,
      token: FACTORS_TOKEN,
      requestExecutor: new DefaultRequestExecutor({ maxRetries: 0, requestTimeout: 0 }),
    });
    const factor = await client.userFactorApi.enrollFactor({
      userId: 'carol',
      body: { factorType: 'token:software:totp', provider: 'OKTA' },
    });
    for (let i = 0; i < 5; i++) {
      const e = await rejected(
        client.userFactorApi.activateFactor({
          userId: 'carol',
          factorId: factor.id as string,
          body: { passCode: '000000' },
        }),
      );
      expect(e['status']).toBe(403);
    }
    const limited = await rejected(
      client.userFactorApi.activateFactor({
        userId: 'carol',
        factorId: factor.id as string,
        body: { passCode: '000000' },
      }),
    );
    expect(limited).toMatchObject({ status: 429, errorCode: 'E0000047' });
    const headers = asRec(limited['headers']);
    const get = (k: string) =>
      typeof headers['get'] === 'function' ? (headers['get'] as (k: string) => string)(k) : headers[k];
    expect(get('x-rate-limit-limit')).toBe('5');
    expect(get('x-rate-limit-remaining')).toBe('0');
    expect(Number(get('x-rate-limit-reset'))).toBeGreaterThan(nowSeconds());
    // After the window, activation works again.
    s.clock.now += 301_000;
    const e = await rejected(
      client.userFactorApi.activateFactor({
        userId: 'carol',
        factorId: factor.id as string,
        body: { passCode: '000000' },
      }),
    );
    expect(e['status']).toBe(403);
  });
});
