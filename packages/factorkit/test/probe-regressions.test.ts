import { base32Decode, generateTotp, NIST_800_63B_ATTEMPT_POLICY } from '@factorkit/otp';
import { VirtualAuthenticator, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { createFactorkit, type Factorkit, MemoryStore, NIST_800_63B_POLICIES } from '../src/index.ts';

// Regressions for the findings of an adversarial probe of the façade: each test failed before
// its fix. Request fields are untrusted JSON; results never carry secrets the caller has.

const ORIGIN = 'https://login.example.com';
const RP = { id: 'login.example.com', name: 'Example' };
const T0 = Date.UTC(2026, 0, 1);
const secretOf = (n: number, length = 20): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (n * 31 + i * 7 + 1) & 0xff);

function make(policies: Parameters<typeof createFactorkit>[0]['policies'] = {}): {
  fk: Factorkit;
  clock: { now: number };
} {
  const clock = { now: T0 };
  const fk = createFactorkit({ rp: RP, origins: [ORIGIN], clock: () => new Date(clock.now), policies });
  return { fk, clock };
}

/** JSON values a hostile client can put where a string belongs. */
const HOSTILE: readonly unknown[] = [
  42,
  null,
  [],
  ['x'],
  {},
  { length: 44 },
  true,
  false,
  1e308,
  'x'.repeat(70_000),
];

describe('secrets are never echoed in results (probe item 2)', () => {
  it('a caller-supplied TOTP/HOTP secret is not in the result; a generated one is, once, named as a secret', async () => {
    const { fk } = make();
    const secret = secretOf(1);
    for (const r of [
      await fk.otp.enrollTotp({ userId: 'alice', secret }),
      await fk.otp.enrollHotp({ userId: 'alice', secret }),
      await fk.otp.enrollTotp({
        userId: 'alice',
        secret: Buffer.from(secret).toString('hex'),
        encoding: 'hex',
      }),
    ]) {
      expect(r).not.toHaveProperty('secretBase32');
      expect(r).not.toHaveProperty('generatedSecretBase32');
      expect(JSON.stringify(r)).not.toContain(Buffer.from(secret).toString('hex'));
    }
    const generated = await fk.otp.enrollTotp({ userId: 'alice' });
    expect(generated.generatedSecretBase32).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(generated.generatedSecretBase32 as string)).toHaveLength(20);
  });

  it('enrollVip (the caller always has the secret) never returns it', async () => {
    const { fk } = make();
    const secret = secretOf(2);
    const r = await fk.otp.enrollVip({
      userId: 'alice',
      credentialId: 'VSMT14393584',
      secret,
      passCode: generateTotp({ secret, now: T0 }),
      nextPassCode: generateTotp({ secret, now: T0 + 30_000 }),
    });
    expect(r.factorResult).toBe('SUCCESS');
    expect(r.details).not.toHaveProperty('secretBase32');
    expect(r.details).not.toHaveProperty('generatedSecretBase32');
  });
});

describe('hostile JSON in request fields is REJECTED, never a TypeError (probe item 3)', () => {
  it('yubikey.enroll / yubikey.verify / yubikey.verifyOtp', async () => {
    const { fk } = make();
    const key = new VirtualYubiKey({ seed: 'probe-yk' });
    for (const passCode of HOSTILE) {
      for (const call of [
        () => fk.yubikey.enroll({ userId: 'alice', passCode: passCode as string }),
        () => fk.yubikey.verify({ userId: 'alice', passCode: passCode as string }),
        async () =>
          fk.yubikey.verifyOtp({
            otp: passCode as string,
            token: { ...key.secrets, publicId: key.secrets.publicId },
          }),
      ]) {
        const r = await call();
        expect(r.factorResult).toBe('REJECTED');
        expect(typeof r.code).toBe('string');
      }
    }
  });

  it('otp.verify / otp.resync / otp.enrollVip', async () => {
    const { fk } = make();
    const { factorId } = await fk.otp.enrollTotp({ userId: 'alice', secret: secretOf(3) });
    for (const v of HOSTILE) {
      expect(
        await fk.otp.verify({ userId: 'alice', factorId: v as string, passCode: '123456' }),
      ).toMatchObject({
        factorResult: 'REJECTED',
      });
      expect(await fk.otp.verify({ userId: 'alice', factorId, passCode: v as string })).toMatchObject({
        factorResult: 'REJECTED',
      });
      expect(await fk.otp.resync({ userId: 'alice', factorId, passCodes: v as string[] })).toMatchObject({
        factorResult: 'REJECTED',
      });
      expect(
        await fk.otp.resync({ userId: 'alice', factorId: v as string, passCodes: ['1', '2'] }),
      ).toMatchObject({
        factorResult: 'REJECTED',
      });
      for (const field of ['credentialId', 'passCode', 'nextPassCode'] as const) {
        const input = {
          userId: 'alice',
          credentialId: 'VSMT14393584',
          secret: secretOf(4),
          passCode: '1',
          nextPassCode: '2',
        };
        expect(await fk.otp.enrollVip({ ...input, [field]: v as string })).toMatchObject({
          factorResult: 'REJECTED',
        });
      }
    }
    expect(await fk.otp.verify({ userId: 'alice', factorId: 42 as never, passCode: '123456' })).toMatchObject(
      { code: 'ERR_MALFORMED_REQUEST' },
    );
    expect(await fk.yubikey.verify({ userId: 'alice', passCode: 42 as never })).toMatchObject({
      code: 'ERR_MALFORMED_REQUEST',
    });
  });

  it('webauthn.finish* / u2f.finish* with hostile responses', async () => {
    const { fk } = make();
    for (const response of HOSTILE) {
      for (const r of [
        await fk.webauthn.finishRegistration({ userId: 'alice', response }),
        await fk.webauthn.finishAuthentication({ userId: 'alice', response }),
        await fk.webauthn.finishAuthentication({ response }),
        await fk.u2f.finishRegistration({ userId: 'alice', response: response as never }),
        await fk.u2f.finishSign({ userId: 'alice', response: response as never }),
      ]) {
        expect(r.factorResult).toBe('REJECTED');
      }
    }
  });
});

describe('size limits apply before the first decode (probe item 4)', () => {
  it('a 50 MiB clientDataJSON costs no decode and no memory', async () => {
    const { fk } = make();
    const huge = 'eyJ0'.repeat((50 * 1024 * 1024) / 4);
    const response = { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: huge } };
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const r = await fk.webauthn.finishAuthentication({ userId: 'alice', response });
    const elapsed = performance.now() - started;
    expect(r).toMatchObject({ factorResult: 'REJECTED', code: 'ERR_CLIENT_DATA_MALFORMED' });
    // Decoding would allocate ~37 MiB of bytes; the length check allocates nothing.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('username-less login requires the userHandle (probe item 6, §7.2 step 6)', () => {
  it('an assertion without userHandle is rejected when no user was identified; with it, SUCCESS', async () => {
    const { fk } = make();
    const authenticator = new VirtualAuthenticator({ seed: 'probe-wa' });
    const regOptions = await fk.webauthn.startRegistration({
      userId: 'alice',
      userName: 'alice',
      origin: ORIGIN,
    });
    const created = authenticator.createCredential({
      origin: ORIGIN,
      publicKey: { ...(regOptions as object), authenticatorSelection: { residentKey: 'required' } } as never,
    });
    const registered = await fk.webauthn.finishRegistration({ userId: 'alice', response: created });
    expect(registered.factorResult).toBe('SUCCESS');

    const o1 = await fk.webauthn.startAuthentication({ origin: ORIGIN });
    const a1 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o1 as never });
    expect(a1.response.userHandle).toBeTruthy();
    const stripped = { ...a1, response: { ...a1.response, userHandle: null } };
    expect(await fk.webauthn.finishAuthentication({ response: stripped })).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_USER_HANDLE_REQUIRED',
      step: '7.2 step 6',
    });

    const o2 = await fk.webauthn.startAuthentication({ origin: ORIGIN });
    const a2 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o2 as never });
    expect(await fk.webauthn.finishAuthentication({ response: a2 })).toMatchObject({
      factorResult: 'SUCCESS',
      details: { userId: 'alice' },
    });
    // Another account's user handle does not name this credential's owner.
    const o3 = await fk.webauthn.startAuthentication({ origin: ORIGIN });
    const a3 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o3 as never });
    const other = {
      ...a3,
      response: { ...a3.response, userHandle: Buffer.from('mallory').toString('base64url') },
    };
    expect(await fk.webauthn.finishAuthentication({ response: other })).toMatchObject({
      code: 'ERR_USER_HANDLE_MISMATCH',
    });
  });

  it('registration exposes that a none-attested AAGUID is not attested (probe item 1, façade view)', async () => {
    const { fk } = make();
    const authenticator = new VirtualAuthenticator({ seed: 'probe-wa-2' });
    const regOptions = await fk.webauthn.startRegistration({
      userId: 'bob',
      userName: 'bob',
      origin: ORIGIN,
    });
    const created = authenticator.createCredential({ origin: ORIGIN, publicKey: regOptions as never });
    expect(await fk.webauthn.finishRegistration({ userId: 'bob', response: created })).toMatchObject({
      factorResult: 'SUCCESS',
      details: { fmt: 'none', aaguidAttested: false },
    });
  });
});

describe('policy gaps (probe item 7)', () => {
  const vip = (secret: Uint8Array, userId: string, offset = 0) => ({
    userId,
    credentialId: 'VSMT14393584',
    secret,
    passCode: generateTotp({ secret, now: T0 + offset }),
    nextPassCode: generateTotp({ secret, now: T0 + offset + 30_000 }),
  });

  it('a VIP credentialId enrolled by one user is refused for another, unless sharing is allowed', async () => {
    const { fk, clock } = make();
    const secret = secretOf(5);
    expect((await fk.otp.enrollVip(vip(secret, 'alice'))).factorResult).toBe('SUCCESS');
    clock.now += 120_000;
    expect(await fk.otp.enrollVip(vip(secret, 'mallory', 120_000))).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_CREDENTIAL_EXISTS',
    });
    expect(await fk.otp.list('mallory')).toHaveLength(0);
    // Case differences do not make it another credential.
    expect(
      await fk.otp.enrollVip({ ...vip(secret, 'mallory', 120_000), credentialId: 'vsmt14393584' }),
    ).toMatchObject({ factorResult: 'REJECTED' });

    const shared = make({ otp: { allowSharedVipCredentialId: true } });
    expect((await shared.fk.otp.enrollVip(vip(secret, 'alice'))).factorResult).toBe('SUCCESS');
    shared.clock.now += 120_000;
    expect((await shared.fk.otp.enrollVip(vip(secret, 'bob', 120_000))).factorResult).toBe('SUCCESS');
  });

  it('two concurrent enrollments of one VIP credential by two users: at most one SUCCESS', async () => {
    const { fk } = make();
    const secret = secretOf(6);
    const results = await Promise.all([
      fk.otp.enrollVip(vip(secret, 'alice')),
      fk.otp.enrollVip(vip(secret, 'bob')),
    ]);
    expect(results.filter((r) => r.factorResult === 'SUCCESS')).toHaveLength(1);
  });

  it('an all-zero or single-byte-repeated secret is refused with ERR_SECRET_WEAK', async () => {
    const { fk } = make();
    for (const secret of [new Uint8Array(20), new Uint8Array(20).fill(0xff), new Uint8Array(32).fill(7)]) {
      await expect(fk.otp.enrollTotp({ userId: 'alice', secret })).rejects.toMatchObject({
        code: 'ERR_SECRET_WEAK',
      });
      await expect(fk.otp.enrollHotp({ userId: 'alice', secret })).rejects.toMatchObject({
        code: 'ERR_SECRET_WEAK',
      });
    }
    await expect(fk.otp.enrollTotp({ userId: 'alice', secret: 'A'.repeat(32) })).rejects.toMatchObject({
      code: 'ERR_SECRET_WEAK',
    });
    expect(await fk.otp.list('alice')).toHaveLength(0);
  });

  it('a per-user limit counts failures across all of the user’s OTP factors (NIST preset: on)', async () => {
    const { fk } = make({ otpAttempts: { maxAttempts: 10 }, userAttempts: { maxAttempts: 3 } });
    const a = await fk.otp.enrollTotp({ userId: 'alice', secret: secretOf(7) });
    const b = await fk.otp.enrollHotp({ userId: 'alice', secret: secretOf(8) });
    const results = [];
    for (const factorId of [a.factorId, b.factorId, a.factorId, b.factorId]) {
      results.push((await fk.otp.verify({ userId: 'alice', factorId, passCode: '000000' })).factorResult);
    }
    expect(results).toEqual(['REJECTED', 'REJECTED', 'REJECTED', 'LOCKED_OUT']);
    // Another user is not affected.
    const c = await fk.otp.enrollTotp({ userId: 'bob', secret: secretOf(9) });
    expect(
      (await fk.otp.verify({ userId: 'bob', factorId: c.factorId, passCode: '000000' })).factorResult,
    ).toBe('REJECTED');

    // The NIST preset turns it on: 100 consecutive failures per subscriber, across factors.
    const nist = make(NIST_800_63B_POLICIES);
    const f1 = await nist.fk.otp.enrollTotp({ userId: 'carol', secret: secretOf(10) });
    const f2 = await nist.fk.otp.enrollTotp({ userId: 'carol', secret: secretOf(11) });
    for (let i = 0; i < 100; i++) {
      const factorId = i % 2 === 0 ? f1.factorId : f2.factorId;
      expect((await nist.fk.otp.verify({ userId: 'carol', factorId, passCode: '000000' })).factorResult).toBe(
        'REJECTED',
      );
    }
    expect(
      (await nist.fk.otp.verify({ userId: 'carol', factorId: f1.factorId, passCode: '000000' })).factorResult,
    ).toBe('LOCKED_OUT');
    // Equally with otpAttempts set to the NIST policy alone.
    const alone = make({ otpAttempts: NIST_800_63B_ATTEMPT_POLICY });
    const g1 = await alone.fk.otp.enrollTotp({ userId: 'dave', secret: secretOf(12) });
    const g2 = await alone.fk.otp.enrollTotp({ userId: 'dave', secret: secretOf(13) });
    for (let i = 0; i < 100; i++) {
      await alone.fk.otp.verify({
        userId: 'dave',
        factorId: i % 2 ? g1.factorId : g2.factorId,
        passCode: '000000',
      });
    }
    expect(
      (await alone.fk.otp.verify({ userId: 'dave', factorId: g1.factorId, passCode: '000000' })).factorResult,
    ).toBe('LOCKED_OUT');
  });

  it('a malformed attempt policy is refused by createFactorkit, not at the first verification', () => {
    for (const otpAttempts of [
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { maxAttempts: 5, windowSeconds: -1 },
      null,
    ]) {
      expect(() =>
        createFactorkit({ rp: RP, origins: [ORIGIN], policies: { otpAttempts: otpAttempts as never } }),
      ).toThrow();
    }
    expect(() =>
      createFactorkit({ rp: RP, origins: [ORIGIN], policies: { userAttempts: { maxAttempts: -1 } } }),
    ).toThrow(RangeError);
    expect(() => createFactorkit({ rp: RP, origins: [ORIGIN], store: new MemoryStore() })).toThrow(TypeError);
  });
});
