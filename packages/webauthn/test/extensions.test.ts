import { inspect } from 'node:util';
import {
  type RegistrationResponseJSON,
  VirtualAuthenticator,
  type VirtualAuthenticatorOptions,
} from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { SecretBytes } from '../src/extensions.ts';
import { generateRegistrationOptions } from '../src/options.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE, expectRejected, ORIGIN, RP_ID, USER_ID } from './helpers/ceremony.ts';

// Extension outputs against the requested inputs (§7.1 step 28, §7.2 step 23): each rule with a
// positive and a negative case, through the virtual authenticator's extension processing.

const REG = '7.1 step 28';
const AUTH = '7.2 step 23';
const ceremony = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID } as const;
const SALT1 = encodeBase64url(new Uint8Array(32).fill(1));
const SALT2 = encodeBase64url(new Uint8Array(32).fill(2));

type Create = Parameters<VirtualAuthenticator['createCredential']>[0];
type Get = Parameters<VirtualAuthenticator['getAssertion']>[0];

function create(
  extensions: Record<string, unknown>,
  vaOptions: VirtualAuthenticatorOptions = {},
  client: Partial<Omit<Create, 'publicKey'>> = {},
): { va: VirtualAuthenticator; response: RegistrationResponseJSON } {
  const va = new VirtualAuthenticator({ seed: 'factorkit extension tests', ...vaOptions });
  const response = va.createCredential({
    origin: ORIGIN,
    ...client,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
      challenge: CHALLENGE,
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required' },
      extensions,
    },
  });
  return { va, response };
}

function get(
  va: VirtualAuthenticator,
  id: string,
  extensions: Record<string, unknown>,
  client: Partial<Omit<Get, 'publicKey'>> = {},
) {
  return va.getAssertion({
    origin: ORIGIN,
    ...client,
    publicKey: {
      challenge: CHALLENGE,
      rpId: RP_ID,
      allowCredentials: [{ type: 'public-key', id: decodeBase64url(id) }],
      extensions,
    },
  });
}

describe.each(BACKENDS)('extension outputs (%s backend)', (_b, crypto) => {
  const register = (response: unknown, extensions: Record<string, unknown>, extra: object = {}) =>
    verifyRegistration(response, { ...ceremony, crypto, extensions, ...extra });

  async function registered(
    extensions: Record<string, unknown>,
    vaOptions: VirtualAuthenticatorOptions = {},
  ) {
    const r = create(extensions, vaOptions);
    const result = await register(r.response, extensions);
    if (!result.verified) throw new Error(`${result.code}: ${result.message}`);
    return { ...r, result };
  }
  const login = (
    reg: Awaited<ReturnType<typeof registered>>,
    response: unknown,
    extensions: Record<string, unknown>,
    extra: object = {},
  ) =>
    verifyAuthenticationAsync(response, {
      ...ceremony,
      crypto,
      extensions,
      credential: { id: reg.response.id, publicKey: reg.result.publicKey, signCount: 0 },
      ...extra,
    });

  describe('unsolicited outputs', () => {
    it('an authenticator output nobody requested is rejected at registration; tolerated by name', async () => {
      const { response } = create({}, {}, { authenticatorExtensions: new Map([['credProtect', 2]]) });
      expectRejected(await register(response, {}), 'ERR_EXTENSION_NOT_REQUESTED', REG);
      const tolerated = await register(response, {}, { allowUnsolicitedExtensions: ['credProtect'] });
      expect(tolerated).toMatchObject({ verified: true, extensions: { credProtect: 2 } });
      // Without `extensions` the outputs are passed through unchecked (as before).
      expect(await verifyRegistration(response, { ...ceremony, crypto })).toMatchObject({ verified: true });
    });

    it('an authenticator output nobody requested is rejected at authentication (after the signature)', async () => {
      const reg = await registered({});
      const assertion = get(
        reg.va,
        reg.response.id,
        {},
        {
          authenticatorExtensions: new Map([['hmac-secret', new Uint8Array(48)]]),
        },
      );
      expectRejected(await login(reg, assertion, {}), 'ERR_EXTENSION_NOT_REQUESTED', AUTH);
      expect(await login(reg, assertion, {}, { allowUnsolicitedExtensions: ['hmac-secret'] })).toMatchObject({
        verified: true,
      });
      // A bad signature still reports step 21, not the extension problem.
      const forged = {
        ...assertion,
        response: { ...assertion.response, signature: encodeBase64url(new Uint8Array(70)) },
      };
      expectRejected(await login(reg, forged, {}), 'ERR_INVALID_SIGNATURE', '7.2 step 21');
    });

    it('an unrequested client output is dropped from the results, never reported', async () => {
      const { response } = create({ credProps: true });
      const result = await register(response, {});
      expect(result).toMatchObject({ verified: true, extensions: {}, clientExtensionResults: {} });
    });
  });

  describe('credProps', () => {
    it('reports rk when requested', async () => {
      const { result } = await registered({ credProps: true });
      expect(result.extensions).toEqual({ credProps: { rk: true } });
    });
    it('rejects a malformed credProps output', async () => {
      const { response } = create(
        { credProps: true },
        {},
        { clientExtensionResults: { credProps: { rk: 'yes' } } },
      );
      expectRejected(await register(response, { credProps: true }), 'ERR_EXTENSION_OUTPUT_INVALID', REG);
    });
  });

  describe('credProtect', () => {
    const input = {
      credentialProtectionPolicy: 'userVerificationRequired',
      enforceCredentialProtectionPolicy: true,
    };
    it('reports the signed level the authenticator applied', async () => {
      const { result } = await registered(input);
      expect(result.extensions?.credProtect).toBe(3);
    });
    it('rejects a level other than the requested policy', async () => {
      const { response } = create(input, {}, { authenticatorExtensions: new Map([['credProtect', 1]]) });
      expectRejected(await register(response, input), 'ERR_EXTENSION_POLICY_NOT_MET', REG);
    });
    it('enforceCredentialProtectionPolicy: no credProtect output is a failure; without enforcement it is not', async () => {
      const lax = { credentialProtectionPolicy: 'userVerificationRequired' };
      const { response } = create(lax, { extensionSupport: { credProtect: false } });
      expect(await register(response, lax)).toMatchObject({ verified: true, extensions: {} });
      expectRejected(await register(response, input), 'ERR_EXTENSION_POLICY_NOT_MET', REG);
    });
    it('a credProtect output outside 1..3 is malformed', async () => {
      const { response } = create(input, {}, { authenticatorExtensions: new Map([['credProtect', 4]]) });
      expectRejected(await register(response, input), 'ERR_EXTENSION_OUTPUT_INVALID', REG);
    });
  });

  describe('largeBlob', () => {
    it('registration: supported; required but unsupported is refused', async () => {
      const required = { largeBlob: { support: 'required' } };
      const { result } = await registered(required);
      expect(result.extensions?.largeBlob).toEqual({ supported: true });
      const { response } = create(required, { extensionSupport: { largeBlob: false } });
      expectRejected(await register(response, required), 'ERR_EXTENSION_POLICY_NOT_MET', REG);
    });
    it('registration: blob/written members are refused', async () => {
      const preferred = { largeBlob: { support: 'preferred' } };
      const { response } = create(
        preferred,
        {},
        { clientExtensionResults: { largeBlob: { written: true } } },
      );
      expectRejected(await register(response, preferred), 'ERR_EXTENSION_OUTPUT_INVALID', REG);
    });
    it('authentication: write then read returns the blob; each output only for its request', async () => {
      const reg = await registered({ largeBlob: { support: 'preferred' } });
      const blob = encodeBase64url(new TextEncoder().encode('hello blob'));
      const write = { largeBlob: { write: blob } };
      const written = await login(reg, get(reg.va, reg.response.id, write), write);
      expect(written).toMatchObject({ verified: true, extensions: { largeBlob: { written: true } } });
      const read = { largeBlob: { read: true } };
      const readBack = await login(reg, get(reg.va, reg.response.id, read), read);
      if (!readBack.verified) throw new Error(readBack.message);
      expect(encodeBase64url(readBack.extensions?.largeBlob?.blob as Uint8Array)).toBe(blob);
      // A blob answer to a write request (or vice versa) is refused.
      const wrong = get(reg.va, reg.response.id, write, { clientExtensionResults: { largeBlob: { blob } } });
      expectRejected(await login(reg, wrong, write), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
      const wrong2 = get(reg.va, reg.response.id, read, {
        clientExtensionResults: { largeBlob: { written: true } },
      });
      expectRejected(await login(reg, wrong2, read), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
    });
  });

  describe('prf (hmac-secret)', () => {
    it('registration: enabled + results at creation (hmac-secret-mc), secrets redacted', async () => {
      const input = { prf: { eval: { first: SALT1 } } };
      const { result } = await registered(input);
      expect(result.extensions?.prf?.enabled).toBe(true);
      const first = result.extensions?.prf?.results?.first;
      expect(first).toBeInstanceOf(SecretBytes);
      expect(first?.length).toBe(32);
      expect(result.extensions?.hmacSecret).toBe(true);
      // Never logged: not in JSON, not in inspect output, not in the returned client outputs.
      const hex = Buffer.from(first?.bytes() as Uint8Array).toString('hex');
      const b64 = encodeBase64url(first?.bytes() as Uint8Array);
      for (const text of [JSON.stringify(result), inspect(result, { depth: 10 })]) {
        expect(text).not.toContain(b64);
        expect(text).not.toContain(hex);
      }
      expect(result.clientExtensionResults).toEqual({ prf: { enabled: true } });
    });
    it('authentication: eval and evalByCredential give deterministic per-credential results', async () => {
      const reg = await registered({ prf: {} });
      const input = { prf: { eval: { first: SALT1, second: SALT2 } } };
      const a = await login(reg, get(reg.va, reg.response.id, input), input);
      if (!a.verified) throw new Error(a.message);
      expect(a.extensions?.prf?.results?.second?.length).toBe(32);
      const byCred = { prf: { evalByCredential: { [reg.response.id]: { first: SALT1, second: SALT2 } } } };
      const b = await login(reg, get(reg.va, reg.response.id, byCred), byCred);
      if (!b.verified) throw new Error(b.message);
      expect(b.extensions?.prf?.results?.first.bytes()).toEqual(a.extensions?.prf?.results?.first.bytes());
    });
    it('rejects results nobody asked for, a wrong length, and an unrequested second output', async () => {
      const reg = await registered({ prf: {} });
      const bogus = encodeBase64url(new Uint8Array(32).fill(9));
      const noEval = { prf: {} };
      const unasked = get(reg.va, reg.response.id, noEval, {
        clientExtensionResults: { prf: { results: { first: bogus } } },
      });
      expectRejected(await login(reg, unasked, noEval), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
      const one = { prf: { eval: { first: SALT1 } } };
      const short = get(reg.va, reg.response.id, one, {
        clientExtensionResults: { prf: { results: { first: encodeBase64url(new Uint8Array(31)) } } },
      });
      expectRejected(await login(reg, short, one), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
      const second = get(reg.va, reg.response.id, one, {
        clientExtensionResults: { prf: { results: { first: bogus, second: bogus } } },
      });
      expectRejected(await login(reg, second, one), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
    });
  });

  describe('hmac-secret (hmacCreateSecret / hmacGetSecret)', () => {
    it('registration true, assertion outputs of the protocol-2 size', async () => {
      const reg = await registered({ hmacCreateSecret: true });
      expect(reg.result.extensions).toMatchObject({ hmacSecret: true, hmacCreateSecret: true });
      const input = { hmacGetSecret: { salt1: SALT1 } };
      const a = await login(reg, get(reg.va, reg.response.id, input), input);
      expect(a).toMatchObject({
        verified: true,
        clientExtensionResults: { hmacGetSecret: { redacted: true } },
      });
    });
    it('rejects a non-boolean hmac-secret at registration and a wrong-size one at authentication', async () => {
      const input = { hmacCreateSecret: true };
      const { response } = create(input, {}, { authenticatorExtensions: new Map([['hmac-secret', 1]]) });
      expectRejected(await register(response, input), 'ERR_EXTENSION_OUTPUT_INVALID', REG);
      const reg = await registered(input);
      const get2 = { hmacGetSecret: { salt1: SALT1 } };
      const bad = get(reg.va, reg.response.id, get2, {
        authenticatorExtensions: new Map([['hmac-secret', new Uint8Array(33)]]),
      });
      expectRejected(await login(reg, bad, get2), 'ERR_EXTENSION_OUTPUT_INVALID', AUTH);
    });
  });

  describe('minPinLength', () => {
    it('reports the signed minimum PIN length when requested', async () => {
      const { result } = await registered({ minPinLength: true }, { extensionSupport: { minPinLength: 8 } });
      expect(result.extensions?.minPinLength).toBe(8);
    });
    it('rejects it unrequested, and outside 4..63', async () => {
      const { response } = create({ minPinLength: true });
      expectRejected(await register(response, {}), 'ERR_EXTENSION_NOT_REQUESTED', REG);
      const low = create(
        { minPinLength: true },
        {},
        { authenticatorExtensions: new Map([['minPinLength', 3]]) },
      );
      expectRejected(
        await register(low.response, { minPinLength: true }),
        'ERR_EXTENSION_OUTPUT_INVALID',
        REG,
      );
    });
  });
});

describe.each(BACKENDS)('attestationFormats (§5.4, %s backend)', (_b, crypto) => {
  it('is sent in the options and, when required, checked against fmt at step 21', async () => {
    const options = generateRegistrationOptions({
      rpName: 'Example',
      rpId: RP_ID,
      userName: 'alice',
      attestation: 'direct',
      attestationFormats: ['packed', 'tpm'],
    });
    expect(options.attestationFormats).toEqual(['packed', 'tpm']);
    expect(() =>
      generateRegistrationOptions({
        rpName: 'x',
        rpId: RP_ID,
        userName: 'a',
        attestationFormats: ['bad fmt'],
      }),
    ).toThrow(TypeError);
    const va = new VirtualAuthenticator({ seed: 'formats' });
    const packed = va.createCredential({
      origin: ORIGIN,
      publicKey: {
        rp: { id: RP_ID, name: 'Example' },
        user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
        challenge: CHALLENGE,
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        attestation: 'direct',
      },
    });
    expect(
      await verifyRegistration(packed, { ...ceremony, crypto, requiredAttestationFormats: ['packed'] }),
    ).toMatchObject({ verified: true });
    expectRejected(
      await verifyRegistration(packed, { ...ceremony, crypto, requiredAttestationFormats: ['tpm'] }),
      'ERR_ATTESTATION_FORMAT_NOT_REQUESTED',
      '7.1 step 21',
    );
  });
});
