import { createPublicKey, verify } from 'node:crypto';
import { U2FToken, VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import {
  ec2UncompressedPoint,
  parseCoseKey,
  verifyAuthenticationAsync as verifyWebAuthnAssertion,
} from '@factorkit/webauthn';
import { describe, expect, it } from 'vitest';
import {
  coseKeyFromU2fPublicKey,
  createRegisterRequest,
  createSignRequest,
  finishRegistration,
  finishSign,
  MemoryU2fChallengeStore,
  type U2fRegistration,
  u2fToWebAuthnCredential,
  verifyAuthentication,
  verifyRegistration,
} from '../src/index.ts';

const appId = 'https://example.com/u2f/app-id.json';
const origin = 'https://example.com';
const userId = 'alice';
const codeOf = (r: { verified: boolean }) => (r as { code?: string }).code;

async function registerWithVirtualToken(
  token: U2FToken,
  store = new MemoryU2fChallengeStore(),
): Promise<U2fRegistration> {
  const request = await createRegisterRequest({ store, appId, facetId: origin, userId });
  const response = token.register({ appId, challenge: request.registerRequests[0].challenge, origin });
  const result = await finishRegistration({ store, response, userId });
  if (!result.verified) throw new Error(`registration failed: ${result.code}`);
  return result.registration;
}

describe('COSE key from the raw U2F point', () => {
  it('is the canonical ES256 EC2 map and round-trips to the same point', async () => {
    const token = new U2FToken({ seed: 'bridge-cose' });
    const reg = await registerWithVirtualToken(token);
    const cose = coseKeyFromU2fPublicKey(reg.publicKey);
    expect(cose).toHaveLength(77);
    const parsed = parseCoseKey(cose);
    expect(parsed.alg).toBe(-7);
    // {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y} in canonical order.
    expect(Buffer.from(cose.subarray(0, 10)).toString('hex')).toBe('a50102032620012158' + '20');
    expect(Buffer.from(cose.subarray(42, 45)).toString('hex')).toBe('225820');
    expect(ec2UncompressedPoint(parsed as Parameters<typeof ec2UncompressedPoint>[0])).toEqual(reg.publicKey);
  });

  it('verifies a U2F signature made by the registered key (same key, not just same bytes)', async () => {
    const token = new U2FToken({ seed: 'bridge-cose-2' });
    const reg = await registerWithVirtualToken(token);
    const parsed = parseCoseKey(coseKeyFromU2fPublicKey(reg.publicKey)) as { x: Uint8Array; y: Uint8Array };
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(parsed.x).toString('base64url'),
      y: Buffer.from(parsed.y).toString('base64url'),
    };
    const data = Buffer.from('bridge');
    const sig = token.signWith(reg.keyHandle, data);
    expect(verify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), sig)).toBe(true);
  });

  it('rejects a point that is not on the curve', () => {
    const bad = new Uint8Array(65);
    bad[0] = 4;
    expect(() => coseKeyFromU2fPublicKey(bad)).toThrow(
      expect.objectContaining({ code: 'ERR_PUBLIC_KEY_INVALID' }),
    );
  });

  it('maps transports and carries the counter and appId', () => {
    const point = new U2FToken({ seed: 'p' });
    const raw = point.register({ appId, challenge: 'c', origin });
    const pk = Buffer.from(raw.registrationData, 'base64url').subarray(1, 66);
    const cred = u2fToWebAuthnCredential({
      appId,
      keyHandle: 'AQID',
      publicKey: pk,
      counter: 7,
      transports: ['bt', 'ble', 'usb', 'usb-internal', 'nfc'],
    });
    expect(cred).toMatchObject({
      id: 'AQID',
      counter: 7,
      appId,
      transports: ['ble', 'usb', 'nfc'],
      backupEligible: false,
    });
  });
});

describe('U2F → WebAuthn migration (appid extension)', () => {
  it('register with the U2F virtual token, then authenticate through @factorkit/webauthn with appid', async () => {
    const store = new MemoryU2fChallengeStore();
    const token = new U2FToken({ seed: 'bridge-e2e' });
    const reg = await registerWithVirtualToken(token, store);

    // One legacy U2F sign-in first, so the stored counter is non-zero.
    const signRequest = await createSignRequest({
      store,
      appId,
      facetId: origin,
      userId,
      registeredKeys: [reg],
    });
    const u2fSign = token.sign({ appId, challenge: signRequest.challenge, origin, keyHandle: reg.keyHandle });
    const u2fResult = await finishSign({ store, response: u2fSign, userId, credentials: [reg] });
    expect(u2fResult.verified).toBe(true);
    const storedCounter = u2fResult.verified ? u2fResult.counter : 0;

    // Migration: the stored U2F row becomes a WebAuthn credential record.
    const credential = u2fToWebAuthnCredential({ ...reg, counter: storedCounter });
    const authenticator = new VirtualAuthenticator({ seed: 'bridge-e2e-va' });
    authenticator.importCredential(token.exportCredential(reg.keyHandle));

    const challenge = new Uint8Array(32).fill(9);
    const assertion = authenticator.getAssertion({
      origin,
      publicKey: {
        rpId: 'example.com',
        challenge,
        allowCredentials: [{ type: 'public-key', id: Buffer.from(credential.id, 'base64url') }],
        extensions: { appid: credential.appId },
      },
    });
    expect(assertion.clientExtensionResults['appid']).toBe(true);
    const ceremony = {
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRpId: 'example.com',
      allowCredentials: [credential.id],
    };
    const stored = { id: credential.id, publicKey: credential.publicKey, signCount: credential.counter };
    // The async entry point runs on either default backend (node:crypto or WebCrypto).
    const result = await verifyWebAuthnAssertion(assertion, {
      ...ceremony,
      credential: stored,
      appid: credential.appId,
    });
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(result.appidUsed).toBe(true);
    expect(result.rpId).toBe(appId);
    expect(result.newSignCount).toBeGreaterThan(storedCounter);

    // Without the appid, or with another one, the same assertion fails.
    expect((await verifyWebAuthnAssertion(assertion, { ...ceremony, credential: stored })).verified).toBe(
      false,
    );
    expect(
      (
        await verifyWebAuthnAssertion(assertion, {
          ...ceremony,
          credential: stored,
          appid: 'https://example.com/other',
        })
      ).verified,
    ).toBe(false);
    // The clone rule carries over: a stored counter at/above the token's fails.
    expect(
      (
        await verifyWebAuthnAssertion(assertion, {
          ...ceremony,
          credential: { ...stored, signCount: result.newSignCount },
          appid: credential.appId,
        })
      ).verified,
    ).toBe(false);
  });
});

describe('virtual-authenticator U2FToken round trips', () => {
  const challenge = 'cm91bmQtdHJpcC1jaGFsbGVuZ2UtMzItYnl0ZXMtbG9uZyEh';
  const setup = async () => {
    const token = new U2FToken({ seed: 'roundtrip' });
    const registration = token.register({ appId, challenge, origin });
    const reg = await verifyRegistration({
      response: registration,
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
    });
    if (!reg.verified) throw new Error(reg.code);
    const credential = {
      keyHandle: reg.registration.keyHandle,
      publicKey: reg.registration.publicKey,
      counter: 0,
    };
    const check = (response: Parameters<typeof verifyAuthentication>[0]['response'], counter = 0) =>
      verifyAuthentication({
        response,
        appId,
        expectedChallenge: challenge,
        expectedFacetIds: origin,
        credential: { ...credential, counter },
      });
    return { token, reg: reg.registration, check };
  };

  it('register + sign verify; counters increase', async () => {
    const { token, reg, check } = await setup();
    const r1 = await check(token.sign({ appId, challenge, origin, keyHandle: reg.keyHandle }));
    const r2 = await check(
      token.sign({ appId, challenge, origin, keyHandle: reg.keyHandle }),
      r1.verified ? r1.counter : 0,
    );
    expect(r1.verified && r2.verified && r2.counter > r1.counter).toBe(true);
  });

  it('negatives: wrong typ, wrong origin, counter not increasing, UP 0, other key, truncated', async () => {
    const { token, reg, check } = await setup();
    expect(
      codeOf(
        await check(
          token.sign({
            appId,
            challenge,
            origin,
            keyHandle: reg.keyHandle,
            typ: 'navigator.id.finishEnrollment',
          }),
        ),
      ),
    ).toBe('ERR_CLIENT_DATA_TYP');
    expect(
      codeOf(
        await check(
          token.sign({ appId, challenge, origin: 'https://evil.example', keyHandle: reg.keyHandle }),
        ),
      ),
    ).toBe('ERR_ORIGIN_MISMATCH');
    expect(
      codeOf(await check(token.sign({ appId, challenge, origin, keyHandle: reg.keyHandle }), 0xffff)),
    ).toBe('ERR_COUNTER_NOT_INCREASED');
    expect(
      codeOf(await check(token.sign({ appId, challenge, origin, keyHandle: reg.keyHandle, control: 0x08 }))),
    ).toBe('ERR_USER_PRESENCE_REQUIRED');
    // Other key: a second registration's signature presented under the first key handle.
    const second = token.register({ appId, challenge, origin });
    const secondHandle = Buffer.from(second.registrationData, 'base64url');
    const kh2 = secondHandle.subarray(67, 67 + (secondHandle[66] as number)).toString('base64url');
    const other = token.sign({ appId, challenge, origin, keyHandle: kh2 });
    expect(codeOf(await check({ ...other, keyHandle: reg.keyHandle }))).toBe('ERR_SIGNATURE_INVALID');
    const good = token.sign({ appId, challenge, origin, keyHandle: reg.keyHandle });
    const truncated = Buffer.from(good.signatureData, 'base64url').subarray(0, 20).toString('base64url');
    expect(codeOf(await check({ ...good, signatureData: truncated }))).toBe('ERR_MESSAGE_TRUNCATED');
    const regTruncated = token.register({ appId, challenge, origin });
    const cut = Buffer.from(regTruncated.registrationData, 'base64url')
      .subarray(0, 100)
      .toString('base64url');
    const r = await verifyRegistration({
      response: { ...regTruncated, registrationData: cut },
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
    });
    expect(codeOf(r)).toBe('ERR_MESSAGE_TRUNCATED');
  });

  it('trust: the issuing root as anchor → trusted; an unrelated CA → verified but not trusted', async () => {
    const token = new U2FToken({ seed: 'anchor' });
    const response = token.register({ appId, challenge, origin });
    const base = { response, appId, expectedChallenge: challenge, expectedFacetIds: origin };
    const issuing = await verifyRegistration({ ...base, trustAnchors: [token.ca.root.certificate] });
    expect(issuing.verified && issuing.attestation.trusted).toBe(true);
    const other = await verifyRegistration({ ...base, trustAnchors: [token.ca.intermediate.certificate] });
    expect(other.verified).toBe(true);
    expect(other.verified && other.attestation.trusted).toBe(false);
  });
});
