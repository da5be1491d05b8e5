import { type AuthenticationResponseJSON, mutate } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { nodeBackend } from '../src/crypto/node.ts';
import { portableBackend } from '../src/crypto/portable.ts';
import { prepareCredentialKey } from '../src/prepareCredentialKey.ts';
import {
  type AuthenticationResult,
  type VerifyAuthenticationOptions,
  verifyAuthentication,
  verifyAuthenticationAsync,
} from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import {
  authenticate,
  CHALLENGE,
  expectRejected,
  fromUtf8,
  ORIGIN,
  type Registered,
  RP_ID,
  register,
  USER_ID,
  utf8,
  withMember,
} from './helpers/ceremony.ts';

// One test per WebAuthn L3 §7.2 step the server performs, positive and negative.

describe.each(BACKENDS)('§7.2 authentication on the %s backend', (_name, crypto) => {
  const reg: Registered = register();
  const cose = async (r: Registered): Promise<Uint8Array> => {
    const v = await verifyRegistration(r.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: r === appidReg ? ORIGIN : ORIGIN,
      expectedRpId: [RP_ID, APPID],
      crypto,
    });
    if (!v.verified) throw new Error(`registration failed: ${v.code}`);
    return v.publicKey;
  };
  const APPID = 'https://example.com/u2f-appid.json';
  const appidReg: Registered = register({}, { rpId: APPID, skipRpIdCheck: true });

  const options = async (
    over: Partial<Omit<VerifyAuthenticationOptions, 'credential'>> & {
      credential?: Partial<VerifyAuthenticationOptions['credential']>;
    } = {},
    r: Registered = reg,
  ): Promise<VerifyAuthenticationOptions> => {
    const { credential, ...rest } = over;
    return {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
      ...rest,
      credential: { id: r.response.id, publicKey: await cose(r), signCount: 0, ...credential },
    };
  };
  const verify = async (
    response: unknown,
    opts: VerifyAuthenticationOptions,
  ): Promise<AuthenticationResult> => verifyAuthenticationAsync(response, opts);
  const fresh = (): AuthenticationResponseJSON => authenticate(reg);

  it('verifies an assertion and returns what the server updates', async () => {
    const a = fresh();
    const r = await verify(a, await options());
    expect(r).toMatchObject({
      verified: true,
      rpId: RP_ID,
      origin: ORIGIN,
      appidUsed: false,
      userPresent: true,
    });
    if (r.verified) expect(r.newSignCount).toBeGreaterThan(0);
  });

  it('7.2 step 3: a response that is not a public-key AuthenticatorAssertionResponse is rejected', async () => {
    const a = fresh();
    expectRejected(await verify(undefined, await options()), 'ERR_MALFORMED_RESPONSE', '7.2 step 3');
    expectRejected(
      await verify({ ...a, type: 'x' }, await options()),
      'ERR_MALFORMED_RESPONSE',
      '7.2 step 3',
    );
    expectRejected(
      await verify({ ...a, response: { ...a.response, signature: 42 } }, await options()),
      'ERR_MALFORMED_RESPONSE',
      '7.2 step 3',
    );
    expectRejected(
      await verify({ ...a, rawId: 'AAAA' }, await options()),
      'ERR_MALFORMED_RESPONSE',
      '7.2 step 3',
    );
    const padded = {
      ...a,
      response: { ...a.response, authenticatorData: `${a.response.authenticatorData}==` },
    };
    expectRejected(await verify(padded, await options()), 'ERR_MALFORMED_RESPONSE', '7.2 step 3');
  });

  it('7.2 step 4: clientExtensionResults must be an object with well-typed members', async () => {
    const a = fresh();
    expectRejected(
      await verify({ ...a, clientExtensionResults: [] }, await options()),
      'ERR_EXTENSION_OUTPUT_INVALID',
      '7.2 step 4',
    );
    expectRejected(
      await verify({ ...a, clientExtensionResults: { appid: 'true' } }, await options()),
      'ERR_EXTENSION_OUTPUT_INVALID',
      '7.2 step 4',
    );
  });

  it('7.2 step 5: the credential must be in allowCredentials when the list is non-empty', async () => {
    const a = fresh();
    expect((await verify(a, await options({ allowCredentials: [reg.response.id] }))).verified).toBe(true);
    expectRejected(
      await verify(a, await options({ allowCredentials: [new Uint8Array([1, 2, 3])] })),
      'ERR_CREDENTIAL_NOT_ALLOWED',
      '7.2 step 5',
    );
  });

  it('7.2 step 6: the credential record must be the one for rawId, and userHandle its owner', async () => {
    const a = fresh();
    expect(a.response.userHandle).toBe(encodeBase64url(USER_ID));
    expect((await verify(a, await options({ credential: { userHandle: USER_ID } }))).verified).toBe(true);
    expectRejected(
      await verify(a, await options({ credential: { userHandle: new Uint8Array([9, 9]) } })),
      'ERR_USER_HANDLE_MISMATCH',
      '7.2 step 6',
    );
    expectRejected(
      await verify(a, await options({ credential: { id: encodeBase64url(new Uint8Array(16)) } })),
      'ERR_CREDENTIAL_MISMATCH',
      '7.2 step 6',
    );
  });

  it('7.2 step 6: a username-less ceremony (userIdentified: false) requires the userHandle', async () => {
    const a = fresh();
    const usernameless = await options({ userIdentified: false, credential: { userHandle: USER_ID } });
    expect((await verify(a, usernameless)).verified).toBe(true);
    for (const userHandle of [null, undefined, '']) {
      const stripped = { ...a, response: { ...a.response, userHandle } };
      expectRejected(await verify(stripped as never, usernameless), 'ERR_USER_HANDLE_REQUIRED', '7.2 step 6');
      // The user was identified first: the handle is optional.
      expect(
        (await verify(stripped as never, await options({ credential: { userHandle: USER_ID } }))).verified,
      ).toBe(true);
    }
    // Without the owner's handle there is nothing to compare with: misuse.
    await expect(async () => verify(a, await options({ userIdentified: false }))).rejects.toThrow(TypeError);
  });

  it('7.2 step 7: authenticatorData must parse strictly and carry no attested credential data', async () => {
    const a = fresh();
    const ad = decodeBase64url(a.response.authenticatorData);
    expectRejected(
      await verify(withMember(a, 'authenticatorData', new Uint8Array([...ad, 0])), await options()),
      'ERR_AUTHENTICATOR_DATA_INVALID',
      '7.2 step 7',
    );
    expectRejected(
      await verify(withMember(a, 'authenticatorData', ad.slice(0, 36)), await options()),
      'ERR_AUTHENTICATOR_DATA_INVALID',
      '7.2 step 7',
    );
    const at = mutate.setFlag(a, 'AT', true);
    expectRejected(await verify(at, await options()), 'ERR_AUTHENTICATOR_DATA_INVALID', '7.2 step 7');
    const ed = mutate.setFlag(a, 'ED', true);
    expectRejected(await verify(ed, await options()), 'ERR_AUTHENTICATOR_DATA_INVALID', '7.2 step 7');
  });

  it('7.2 step 8-9: clientDataJSON must be UTF-8 JSON with well-typed members', async () => {
    const a = fresh();
    for (const bytes of [utf8('{'), new Uint8Array([0xc3, 0x28]), utf8('{"type":"webauthn.get"}')]) {
      expectRejected(
        await verify(withMember(a, 'clientDataJSON', bytes), await options()),
        'ERR_CLIENT_DATA_INVALID',
        '7.2 step 8',
      );
    }
  });

  it('7.2 step 10: clientData.type must be webauthn.get', async () => {
    const a = mutate.setType(fresh(), 'webauthn.create', { resign: reg.va });
    expectRejected(await verify(a, await options()), 'ERR_TYPE_MISMATCH', '7.2 step 10');
    const p = mutate.setType(fresh(), 'payment.get', { resign: reg.va });
    expectRejected(await verify(p, await options()), 'ERR_TYPE_MISMATCH', '7.2 step 10');
    expect((await verify(p, await options({ expectedType: 'payment.get' }))).verified).toBe(true);
  });

  it('7.2 step 11: clientData.challenge must equal the issued challenge', async () => {
    const a = fresh();
    expectRejected(
      await verify(a, await options({ expectedChallenge: new Uint8Array(32).fill(1) })),
      'ERR_CHALLENGE_MISMATCH',
      '7.2 step 11',
    );
    expectRejected(
      await verify(a, await options({ expectedChallenge: CHALLENGE.slice(0, 16) })),
      'ERR_CHALLENGE_MISMATCH',
      '7.2 step 11',
    );
  });

  it('7.2 step 12: clientData.origin must be expected', async () => {
    const a = mutate.setOrigin(fresh(), 'https://evil.example', { resign: reg.va });
    expectRejected(await verify(a, await options()), 'ERR_ORIGIN_MISMATCH', '7.2 step 12');
    expect(
      (await verify(a, await options({ expectedOrigin: [ORIGIN, 'https://evil.example'] }))).verified,
    ).toBe(true);
    const apk = 'android:apk-key-hash:2jmj7l5rSw0yVb-vlWAYkK-YBwk';
    const android = mutate.setOrigin(fresh(), apk, { resign: reg.va });
    expect((await verify(android, await options({ expectedOrigin: [ORIGIN, apk] }))).verified).toBe(true);
    expectRejected(await verify(android, await options()), 'ERR_ORIGIN_MISMATCH', '7.2 step 12');
  });

  it('7.2 step 13: crossOrigin=true needs the RP to allow it', async () => {
    const a = authenticate(reg, { crossOrigin: true });
    expectRejected(await verify(a, await options()), 'ERR_CROSS_ORIGIN_NOT_ALLOWED', '7.2 step 13');
    expect((await verify(a, await options({ allowCrossOrigin: true }))).verified).toBe(true);
  });

  it('7.2 step 14: topOrigin must be an allowed top-level origin', async () => {
    const a = authenticate(reg, { crossOrigin: true, topOrigin: 'https://top.test' });
    expect((await verify(a, await options({ expectedTopOrigin: ['https://top.test'] }))).verified).toBe(true);
    expectRejected(
      await verify(a, await options({ allowCrossOrigin: true })),
      'ERR_TOP_ORIGIN_MISMATCH',
      '7.2 step 14',
    );
    const noCross = mutate.patchClientData(a, { crossOrigin: false }, { resign: reg.va });
    expectRejected(
      await verify(noCross, await options({ expectedTopOrigin: ['https://top.test'] })),
      'ERR_TOP_ORIGIN_MISMATCH',
      '7.2 step 14',
    );
  });

  it('7.2 step 15: rpIdHash must match the RP ID, or SHA-256(appid) once the client reports appid', async () => {
    const wrong = mutate.setRpIdHash(fresh(), 'evil.com', { resign: reg.va });
    expectRejected(await verify(wrong, await options()), 'ERR_RP_ID_HASH_MISMATCH', '7.2 step 15');
    // A U2F-era credential scoped to the AppID, used through the appid extension.
    const u2fStyle = {
      ...authenticate(appidReg, { rpId: APPID, skipRpIdCheck: true }),
      clientExtensionResults: { appid: true },
    };
    const appidOpts = await options({ appid: APPID }, appidReg);
    expect(await verify(u2fStyle, appidOpts)).toMatchObject({ verified: true, appidUsed: true, rpId: APPID });
    // appid reported but authData scoped to the RP ID: no fallback (go-webauthn's rule).
    const scopedToRp = { ...authenticate(reg), clientExtensionResults: { appid: true } };
    expectRejected(
      await verify(scopedToRp, await options({ appid: APPID })),
      'ERR_RP_ID_HASH_MISMATCH',
      '7.2 step 15',
    );
    // appid reported though the RP never asked for it.
    expectRejected(await verify(scopedToRp, await options()), 'ERR_EXTENSION_OUTPUT_INVALID', '7.2 step 15');
    // Without the client reporting appid, the AppID hash is not accepted.
    const notReported = authenticate(appidReg, { rpId: APPID, skipRpIdCheck: true });
    expectRejected(await verify(notReported, appidOpts), 'ERR_RP_ID_HASH_MISMATCH', '7.2 step 15');
  });

  it('7.2 step 16: UP must be set', async () => {
    const a = authenticate(reg, { flags: { up: false } });
    expectRejected(await verify(a, await options()), 'ERR_USER_PRESENCE_REQUIRED', '7.2 step 16');
  });

  it('7.2 step 17: UV must be set when required', async () => {
    const a = authenticate(reg, { flags: { uv: false } });
    expect((await verify(a, await options())).verified).toBe(true);
    expectRejected(
      await verify(a, await options({ requireUserVerification: true })),
      'ERR_USER_VERIFICATION_REQUIRED',
      '7.2 step 17',
    );
  });

  it('7.2 step 18: BS must not be set without BE', async () => {
    const ok = authenticate(reg, { flags: { be: true, bs: true } });
    expect((await verify(ok, await options())).verified).toBe(true);
    const a = authenticate(reg, { flags: { be: false, bs: true } });
    expectRejected(await verify(a, await options()), 'ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY', '7.2 step 18');
  });

  it('7.2 step 19: BE must not change since registration', async () => {
    const a = authenticate(reg, { flags: { be: true } });
    expect((await verify(a, await options({ credential: { backupEligible: true } }))).verified).toBe(true);
    expectRejected(
      await verify(a, await options({ credential: { backupEligible: false } })),
      'ERR_BACKUP_ELIGIBILITY_CHANGED',
      '7.2 step 19',
    );
  });

  it('7.2 step 20-21: the signature must verify over authenticatorData ‖ SHA-256(clientDataJSON)', async () => {
    // A clientDataJSON change without re-signing: only the hash binds it.
    const cd = mutate.patchClientData(fresh(), { extra: 'x' });
    expectRejected(await verify(cd, await options()), 'ERR_INVALID_SIGNATURE', '7.2 step 21');
    const resigned = mutate.patchClientData(fresh(), { extra: 'x' }, { resign: reg.va });
    expect((await verify(resigned, await options())).verified).toBe(true);
    // An authenticatorData change without re-signing (UV bit).
    const ad = mutate.flipFlag(fresh(), 'UV');
    expectRejected(await verify(ad, await options()), 'ERR_INVALID_SIGNATURE', '7.2 step 21');
    expectRejected(
      await verify(mutate.resignWithOtherKey(fresh()), await options()),
      'ERR_INVALID_SIGNATURE',
      '7.2 step 21',
    );
    for (const how of ['der-length', 'der-integer', 'flip-bit'] as const) {
      expectRejected(
        await verify(mutate.corruptSignature(fresh(), how), await options()),
        'ERR_INVALID_SIGNATURE',
        '7.2 step 21',
      );
    }
    // DER with a trailing byte (SIG-1) and a raw 64-byte r‖s signature (SIG-3).
    const a = fresh();
    const sig = decodeBase64url(a.response.signature);
    expectRejected(
      await verify(withMember(a, 'signature', new Uint8Array([...sig, 0])), await options()),
      'ERR_INVALID_SIGNATURE',
      '7.2 step 21',
    );
    expectRejected(
      await verify(withMember(a, 'signature', new Uint8Array(64).fill(1)), await options()),
      'ERR_INVALID_SIGNATURE',
      '7.2 step 21',
    );
    // A stored key that is not a usable key fails here too.
    const garbage = {
      ...(await options()),
      credential: { id: reg.response.id, publicKey: new Uint8Array([0xa0]), signCount: 0 },
    };
    expectRejected(await verify(fresh(), garbage), 'ERR_INVALID_PUBLIC_KEY', '7.2 step 21');
  });

  it('7.2 step 22: a non-increasing counter is rejected unless both are zero', async () => {
    const a = authenticate(reg, { signCount: 5 });
    expect(await verify(a, await options({ credential: { signCount: 4 } }))).toMatchObject({
      verified: true,
      newSignCount: 5,
    });
    expectRejected(
      await verify(a, await options({ credential: { signCount: 5 } })),
      'ERR_COUNTER_ROLLBACK',
      '7.2 step 22',
    );
    expectRejected(
      await verify(a, await options({ credential: { signCount: 9 } })),
      'ERR_COUNTER_ROLLBACK',
      '7.2 step 22',
    );
    const zero = authenticate(reg, { signCount: 0 });
    expect((await verify(zero, await options({ credential: { signCount: 0 } }))).verified).toBe(true);
    expectRejected(
      await verify(zero, await options({ credential: { signCount: 3 } })),
      'ERR_COUNTER_ROLLBACK',
      '7.2 step 22',
    );
    // The counter is only judged after the signature: a forged response reports the signature.
    expectRejected(
      await verify(mutate.resignWithOtherKey(a), await options({ credential: { signCount: 9 } })),
      'ERR_INVALID_SIGNATURE',
      '7.2 step 21',
    );
  });

  it('7.2 step 24: the result carries the values to store', async () => {
    const a = authenticate(reg, { signCount: 77, flags: { be: true, bs: true } });
    expect(await verify(a, await options())).toMatchObject({
      verified: true,
      newSignCount: 77,
      backupEligible: true,
      backupState: true,
      userHandle: USER_ID,
    });
  });

  it('misuse of options throws TypeError', async () => {
    const a = fresh();
    const base = await options();
    await expect(verify(a, { ...base, credential: { ...base.credential, signCount: -1 } })).rejects.toThrow(
      TypeError,
    );
    await expect(verify(a, { ...base, credential: { ...base.credential, id: 'a+b' } })).rejects.toThrow(
      TypeError,
    );
    await expect(verify(a, { ...base, expectedOrigin: 5 as unknown as string })).rejects.toThrow(TypeError);
  });

  it('fromUtf8 helper round-trips', () => {
    expect(fromUtf8(utf8('x'))).toBe('x');
  });
});

describe('hot path: prepareCredentialKey and the synchronous API', () => {
  const reg = register();
  it('verifies synchronously on the Node backend with a prepared, reusable key', async () => {
    const v = await verifyRegistration(reg.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
    });
    if (!v.verified) throw new Error('registration failed');
    const key = prepareCredentialKey(v.publicKey, { crypto: nodeBackend });
    let stored = 0;
    for (let i = 0; i < 3; i++) {
      const a = authenticate(reg);
      const r = verifyAuthentication(a, {
        expectedChallenge: CHALLENGE,
        expectedOrigin: ORIGIN,
        expectedRpId: RP_ID,
        credential: { id: reg.response.id, publicKey: key, signCount: stored },
      });
      expect(r.verified).toBe(true);
      if (r.verified) stored = r.newSignCount;
    }
    // Replaying the last assertion fails on the counter.
    const a = authenticate(reg, { signCount: stored });
    const replay = verifyAuthentication(a, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      credential: { id: reg.response.id, publicKey: key, signCount: stored },
    });
    expectRejected(replay, 'ERR_COUNTER_ROLLBACK', '7.2 step 22');
  });

  it('the sync API refuses an asynchronous backend with a TypeError; the async API accepts it', async () => {
    const v = await verifyRegistration(reg.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
    });
    if (!v.verified) throw new Error('registration failed');
    const key = prepareCredentialKey(v.publicKey, { crypto: portableBackend });
    const opts: VerifyAuthenticationOptions = {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      credential: { id: reg.response.id, publicKey: key, signCount: 0 },
    };
    expect(() => verifyAuthentication(authenticate(reg), opts)).toThrow(TypeError);
    expect((await verifyAuthenticationAsync(authenticate(reg), opts)).verified).toBe(true);
    expect(nodeBackend.verifySync).toBeTypeOf('function');
  });
});
