import { VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { createFactorkit, type Factorkit } from '../src/index.ts';

// WebAuthn Level 3 through the façade: extensions stored with the challenge and checked,
// conditional create per challenge, related origins, Signal API payloads from the store, and
// decoy allowCredentials for users without credentials.

const ORIGIN = 'https://login.example.com';
const RP = { id: 'example.com', name: 'Example' };
const SECRET = new Uint8Array(32).fill(5);

function make(policies: Parameters<typeof createFactorkit>[0]['policies'] = {}): Factorkit {
  return createFactorkit({
    rp: RP,
    origins: [ORIGIN],
    policies: { webauthn: { decoySecret: SECRET }, ...policies },
  } as never);
}

async function registerWith(
  fk: Factorkit,
  va: VirtualAuthenticator,
  input: { extensions?: Record<string, unknown>; mediation?: 'conditional' } = {},
  client: Record<string, unknown> = {},
) {
  const options = await fk.webauthn.startRegistration({
    userId: 'alice',
    userName: 'alice',
    origin: ORIGIN,
    ...input,
  });
  const response = va.createCredential({ origin: ORIGIN, ...client, publicKey: options as never });
  return fk.webauthn.finishRegistration({ userId: 'alice', response });
}

describe('façade: extensions are stored with the challenge and checked', () => {
  it('requested credProps/credProtect verify and are reported; credProtect is stored', async () => {
    const fk = make();
    const extensions = {
      credProps: true,
      credentialProtectionPolicy: 'userVerificationRequired',
      enforceCredentialProtectionPolicy: true,
    };
    const r = await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-1' }), { extensions });
    expect(r).toMatchObject({
      factorResult: 'SUCCESS',
      details: { extensions: { credProps: { rk: true }, credProtect: 3 } },
    });
    const stored = await fk.store.credentials.get(r.details?.credentialId as string);
    expect(stored?.data['credProtect']).toBe(3);
  });

  it('an authenticator output nobody requested fails registration; tolerated by policy', async () => {
    const unsolicited = { authenticatorExtensions: new Map([['credProtect', 2]]) };
    const strict = await registerWith(make(), new VirtualAuthenticator({ seed: 'fx-2' }), {}, unsolicited);
    expect(strict).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_EXTENSION_NOT_REQUESTED',
      step: '7.1 step 28',
    });
    const lax = make({ webauthn: { decoySecret: SECRET, allowUnsolicitedExtensions: ['credProtect'] } });
    expect(
      await registerWith(lax, new VirtualAuthenticator({ seed: 'fx-2' }), {}, unsolicited),
    ).toMatchObject({
      factorResult: 'SUCCESS',
    });
  });

  it('authentication: prf results are checked against the stored request and never serialised', async () => {
    const fk = make();
    const va = new VirtualAuthenticator({ seed: 'fx-3' });
    await registerWith(fk, va, { extensions: { prf: {} } });
    const salt = Buffer.alloc(32, 1).toString('base64url');
    const options = await fk.webauthn.startAuthentication({
      userId: 'alice',
      origin: ORIGIN,
      extensions: { prf: { eval: { first: salt } } },
    });
    const response = va.getAssertion({ origin: ORIGIN, publicKey: options as never });
    const result = await fk.webauthn.finishAuthentication({ userId: 'alice', response });
    expect(result.factorResult).toBe('SUCCESS');
    const first = result.details?.extensions.prf?.results?.first;
    expect(first?.length).toBe(32);
    expect(JSON.stringify(result)).not.toContain(
      Buffer.from(first?.bytes() as Uint8Array).toString('base64url'),
    );
    // The same response answering a challenge that did not ask for prf: its outputs are dropped,
    // and its signed hmac-secret output is unrequested.
    const plain = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
    const withPrf = va.getAssertion({
      origin: ORIGIN,
      publicKey: { ...(plain as object), extensions: { prf: { eval: { first: salt } } } } as never,
    });
    expect(await fk.webauthn.finishAuthentication({ userId: 'alice', response: withPrf })).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_EXTENSION_NOT_REQUESTED',
    });
  });
});

describe('façade: conditional create is a property of one challenge', () => {
  it('UP clear passes only for the conditional challenge', async () => {
    const fk = make();
    const noUp = { flags: { up: false } };
    expect(
      await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-4' }), { mediation: 'conditional' }, noUp),
    ).toMatchObject({ factorResult: 'SUCCESS' });
    expect(await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-5' }), {}, noUp)).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_USER_PRESENCE_REQUIRED',
      step: '7.1 step 15',
    });
    await expect(
      fk.webauthn.startRegistration({
        userId: 'a',
        userName: 'a',
        origin: ORIGIN,
        mediation: 'silent' as never,
      }),
    ).rejects.toThrow(TypeError);
  });
});

describe('façade: related origins', () => {
  it('serves the document, and accepts ceremonies from a listed origin only', async () => {
    const fk = make({ webauthn: { decoySecret: SECRET, relatedOrigins: ['https://example.co.uk'] } });
    expect(JSON.parse(fk.webauthn.relatedOriginsDocument()?.body ?? '')).toEqual({
      origins: ['https://example.co.uk'],
    });
    const options = await fk.webauthn.startRegistration({
      userId: 'alice',
      userName: 'alice',
      origin: 'https://example.co.uk',
    });
    const response = new VirtualAuthenticator({ seed: 'fx-6' }).createCredential({
      origin: 'https://example.co.uk',
      skipRpIdCheck: true,
      publicKey: options as never,
    });
    expect(await fk.webauthn.finishRegistration({ userId: 'alice', response })).toMatchObject({
      factorResult: 'SUCCESS',
    });
    await expect(
      fk.webauthn.startRegistration({ userId: 'alice', userName: 'alice', origin: 'https://example.de' }),
    ).rejects.toThrow(TypeError);
    expect(make().webauthn.relatedOriginsDocument()).toBeUndefined();
    const six = [
      'https://a1.com',
      'https://a2.com',
      'https://a3.com',
      'https://a4.com',
      'https://a5.com',
      'https://a6.com',
    ];
    expect(() => make({ webauthn: { relatedOrigins: six } })).toThrow(RangeError);
  });
});

describe('façade: Signal API payloads from the store', () => {
  it('deleting a credential yields the unknown id and the remaining accepted ids', async () => {
    const fk = make();
    const a = await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-7' }));
    const b = await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-8' }));
    const idA = a.details?.credentialId as string;
    const idB = b.details?.credentialId as string;
    const userHandle = Buffer.from('alice').toString('base64url');
    expect(await fk.webauthn.signalAllAcceptedCredentials('alice')).toEqual({
      rpId: RP.id,
      userId: userHandle,
      allAcceptedCredentialIds: expect.arrayContaining([idA, idB]),
    });
    const out = await fk.webauthn.deleteCredential({ userId: 'alice', credentialId: idA });
    expect(out).toEqual({
      deleted: true,
      unknownCredential: { rpId: RP.id, credentialId: idA },
      allAcceptedCredentials: { rpId: RP.id, userId: userHandle, allAcceptedCredentialIds: [idB] },
    });
    // Another user's credential is not deleted through alice.
    expect((await fk.webauthn.deleteCredential({ userId: 'mallory', credentialId: idB })).deleted).toBe(
      false,
    );
    expect(await fk.store.credentials.get(idB)).toBeDefined();
    expect(
      fk.webauthn.signalCurrentUserDetails({
        userId: 'alice',
        name: 'alice@example.com',
        displayName: 'Alice',
      }),
    ).toEqual({
      rpId: RP.id,
      userId: userHandle,
      name: 'alice@example.com',
      displayName: 'Alice',
    });
    expect(fk.webauthn.signalUnknownCredential(idA)).toEqual({ rpId: RP.id, credentialId: idA });
  });
});

describe('façade: username-enumeration defence', () => {
  it('an unknown user gets decoy allowCredentials: deterministic, per user, real-shaped', async () => {
    const fk = make();
    await registerWith(fk, new VirtualAuthenticator({ seed: 'fx-9' }));
    const real = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
    const ghost1 = await fk.webauthn.startAuthentication({ userId: 'ghost', origin: ORIGIN });
    const ghost2 = await fk.webauthn.startAuthentication({ userId: 'ghost', origin: ORIGIN });
    const other = await fk.webauthn.startAuthentication({ userId: 'nobody', origin: ORIGIN });
    expect(ghost1.allowCredentials.length).toBeGreaterThan(0);
    expect(ghost1.allowCredentials).toEqual(ghost2.allowCredentials);
    expect(other.allowCredentials).not.toEqual(ghost1.allowCredentials);
    const shape = (o: typeof real) => ({
      keys: Object.keys(o).sort(),
      descriptor: o.allowCredentials.map((d) => Object.keys(d).sort()),
    });
    expect(shape(ghost1).keys).toEqual(shape(real).keys);
    expect(shape(ghost1).descriptor[0]).toEqual(shape(real).descriptor[0]);
    // A different server secret gives different decoys (nobody can compute them without it).
    const fk2 = make({ webauthn: { decoySecret: new Uint8Array(32).fill(6) } });
    expect(
      (await fk2.webauthn.startAuthentication({ userId: 'ghost', origin: ORIGIN })).allowCredentials,
    ).not.toEqual(ghost1.allowCredentials);
    expect(() => make({ webauthn: { decoySecret: new Uint8Array(8) } })).toThrow(TypeError);
  });
});
