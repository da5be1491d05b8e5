import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32Decode, generateHotp, generateTotp } from '@factorkit/otp';
import { U2FToken, VirtualAuthenticator, VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { afterAll, describe, expect, it } from 'vitest';
import {
  aesGcmKeyEncryption,
  createFactorkit,
  type Factorkit,
  type FactorkitStore,
  MemoryStore,
} from '../src/index.ts';
import { SqliteStore } from '../src/store/sqlite/index.ts';

const ORIGIN = 'https://login.example.com';
const RP = { id: 'login.example.com', name: 'Example' };
const T0 = Date.UTC(2026, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-facade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A façade on a given store with a settable clock. */
function make(store: FactorkitStore, start = T0): { fk: Factorkit; clock: { now: number } } {
  const clock = { now: start };
  const fk = createFactorkit({
    rp: RP,
    origins: [ORIGIN, 'https://other.example.com'],
    store,
    keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(9)),
    clock: () => new Date(clock.now),
  });
  return { fk, clock };
}

/** A test secret of `length` bytes that is not one byte repeated (those are refused: ERR_SECRET_WEAK). */
const secretOf = (n: number, length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (n * 31 + i * 7 + 1) & 0xff);

let n = 0;
const stores: [string, () => FactorkitStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore(join(dir, `f-${++n}.sqlite`))],
];

describe('createFactorkit: misuse throws TypeError', () => {
  it('rp, origins, keyEncryption with a caller store, challenge timeout', () => {
    expect(() => createFactorkit({ rp: { id: '', name: 'x' }, origins: [ORIGIN] })).toThrow(TypeError);
    expect(() => createFactorkit({ rp: RP, origins: [] })).toThrow(TypeError);
    expect(() => createFactorkit({ rp: RP, origins: [ORIGIN], store: new MemoryStore() })).toThrow(TypeError);
    expect(() =>
      createFactorkit({ rp: RP, origins: [ORIGIN], policies: { challengeTimeoutSeconds: 0 } }),
    ).toThrow(RangeError);
  });

  it('a ceremony from an origin that is not configured', async () => {
    const fk = createFactorkit({ rp: RP, origins: [ORIGIN] });
    await expect(
      fk.u2f.startRegistration({ userId: 'alice', origin: 'https://evil.example' }),
    ).rejects.toThrow(TypeError);
    await expect(
      fk.webauthn.startRegistration({ userId: 'alice', userName: 'alice', origin: 'https://evil.example' }),
    ).rejects.toThrow(TypeError);
  });
});

describe.each(stores)('façade on %s', (_name, open) => {
  describe('otp', () => {
    it('TOTP: SUCCESS, then the same code is PASSCODE_REPLAYED; a wrong code is REJECTED', async () => {
      const { fk } = make(open());
      const { factorId, generatedSecretBase32: secretBase32 = '' } = await fk.otp.enrollTotp({
        userId: 'alice',
      });
      const code = generateTotp({ secret: base32Decode(secretBase32), now: T0 });
      expect(await fk.otp.verify({ userId: 'alice', factorId, passCode: code })).toMatchObject({
        factorResult: 'SUCCESS',
        code: null,
        details: { factorId, drift: 0 },
      });
      expect(await fk.otp.verify({ userId: 'alice', factorId, passCode: code })).toMatchObject({
        factorResult: 'PASSCODE_REPLAYED',
        code: 'ERR_OTP_REPLAYED',
      });
      const wrong = code === '000000' ? '000001' : '000000';
      expect(await fk.otp.verify({ userId: 'alice', factorId, passCode: wrong })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_OTP_INVALID',
      });
    });

    it('another user cannot use the factor; secrets are sealed at rest', async () => {
      const store = open();
      const { fk } = make(store);
      const secret = secretOf(7, 20);
      const { factorId } = await fk.otp.enrollTotp({ userId: 'alice', secret });
      const code = generateTotp({ secret, now: T0 });
      expect(await fk.otp.verify({ userId: 'mallory', factorId, passCode: code })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_FACTOR_NOT_FOUND',
      });
      const stored = await store.otp.get(factorId);
      expect(Buffer.from(stored?.secret ?? []).includes(Buffer.from(secret))).toBe(false);
      expect((await fk.otp.list('alice'))[0]).not.toHaveProperty('secret');
    });

    it('enrollment validates the profile: short secrets and bad digits are refused up front, 80-bit secrets warn', async () => {
      const { fk } = make(open());
      await expect(fk.otp.enrollTotp({ userId: 'alice', secret: new Uint8Array(8) })).rejects.toMatchObject({
        code: 'ERR_SECRET_TOO_SHORT',
      });
      await expect(fk.otp.enrollTotp({ userId: 'alice', digits: 5 })).rejects.toBeInstanceOf(RangeError);
      await expect(fk.otp.enrollTotp({ userId: 'alice', period: 0 })).rejects.toBeInstanceOf(RangeError);
      const legacy = await fk.otp.enrollTotp({ userId: 'alice', secret: secretOf(1, 10) });
      expect(legacy.warnings.map((w) => w.code)).toEqual(['WARN_SECRET_BELOW_128_BITS']);
      expect(await fk.otp.list('alice')).toHaveLength(1);
    });

    it('100 concurrent verifications of one TOTP code: exactly one SUCCESS', async () => {
      const { fk } = make(open());
      const secret = secretOf(3, 20);
      const { factorId } = await fk.otp.enrollTotp({ userId: 'alice', secret });
      const passCode = generateTotp({ secret, now: T0 });
      const results = await Promise.all(
        Array.from({ length: 100 }, () => fk.otp.verify({ userId: 'alice', factorId, passCode })),
      );
      expect(results.filter((r) => r.factorResult === 'SUCCESS')).toHaveLength(1);
    });

    it('HOTP: counter advances, an old code is replayed; failures lock out', async () => {
      const { fk } = make(open());
      const secret = secretOf(5, 20);
      const { factorId } = await fk.otp.enrollHotp({ userId: 'bob', secret, counter: 0 });
      const c2 = generateHotp({ secret, counter: 2 });
      expect(await fk.otp.verify({ userId: 'bob', factorId, passCode: c2 })).toMatchObject({
        factorResult: 'SUCCESS',
        details: { matched: 2, drift: 2 },
      });
      const c1 = generateHotp({ secret, counter: 1 });
      expect((await fk.otp.verify({ userId: 'bob', factorId, passCode: c1 })).factorResult).not.toBe(
        'SUCCESS',
      );
      let last = await fk.otp.verify({ userId: 'bob', factorId, passCode: '00000a' });
      for (let i = 0; i < 12; i++)
        last = await fk.otp.verify({ userId: 'bob', factorId, passCode: '000000' });
      expect(last).toMatchObject({ factorResult: 'LOCKED_OUT', code: 'ERR_OTP_LOCKED_OUT' });
      expect(last.retryAfterSeconds).toBeGreaterThan(0);
    });

    it('HOTP resync (RFC 4226 §7.4): a token far ahead is re-synchronised by two consecutive codes', async () => {
      const { fk } = make(open());
      const secret = secretOf(21, 20);
      const { factorId } = await fk.otp.enrollHotp({ userId: 'dave', secret });
      const at = (c: number): string => generateHotp({ secret, counter: c });
      expect((await fk.otp.verify({ userId: 'dave', factorId, passCode: at(50) })).code).toBe(
        'ERR_OTP_INVALID',
      );
      expect(await fk.otp.resync({ userId: 'dave', factorId, passCodes: [at(51), at(53)] })).toMatchObject({
        factorResult: 'REJECTED',
      });
      expect(await fk.otp.resync({ userId: 'dave', factorId, passCodes: [at(51), at(52)] })).toMatchObject({
        factorResult: 'SUCCESS',
        details: { matched: 52 },
      });
      expect(
        (await fk.otp.resync({ userId: 'dave', factorId, passCodes: [at(51), at(52)] })).factorResult,
      ).not.toBe('SUCCESS');
      expect(await fk.otp.verify({ userId: 'dave', factorId, passCode: at(53) })).toMatchObject({
        factorResult: 'SUCCESS',
      });
    });

    it('TOTP resync stores the token clock drift and applies it to later verifications', async () => {
      const { fk, clock } = make(open());
      const secret = secretOf(22, 20);
      const { factorId } = await fk.otp.enrollTotp({ userId: 'erin', secret });
      const tokenNow = (): number => clock.now + 4 * 60_000; // the token clock runs 8 steps ahead
      const code = (offsetSteps = 0): string =>
        generateTotp({ secret, now: tokenNow() + offsetSteps * 30_000 });
      expect((await fk.otp.verify({ userId: 'erin', factorId, passCode: code() })).factorResult).toBe(
        'REJECTED',
      );
      const r = await fk.otp.resync({ userId: 'erin', factorId, passCodes: [code(0), code(1)] });
      expect(r).toMatchObject({ factorResult: 'SUCCESS', details: { drift: 9 } });
      clock.now += 60_000;
      expect(await fk.otp.verify({ userId: 'erin', factorId, passCode: code() })).toMatchObject({
        factorResult: 'SUCCESS',
      });
    });

    it('uri: the otpauth Key URI of an enrolled factor', async () => {
      const { fk } = make(open());
      const { factorId, generatedSecretBase32: secretBase32 = '' } = await fk.otp.enrollTotp({
        userId: 'alice',
      });
      const uri = await fk.otp.uri({
        userId: 'alice',
        factorId,
        accountName: 'alice@example.com',
        issuer: 'Example',
      });
      expect(uri).toBe(
        `otpauth://totp/Example:alice@example.com?secret=${secretBase32}&issuer=Example&algorithm=SHA1&digits=6&period=30`,
      );
      await expect(fk.otp.uri({ userId: 'mallory', factorId, accountName: 'x' })).rejects.toThrow(TypeError);
    });

    it('Symantec VIP: consecutive codes enroll; swapped codes are rejected and leave nothing enrolled', async () => {
      const { fk } = make(open());
      const secret = secretOf(11, 20);
      const passCode = generateTotp({ secret, now: T0 });
      const nextPassCode = generateTotp({ secret, now: T0 + 30_000 });
      const bad = await fk.otp.enrollVip({
        userId: 'carol',
        credentialId: 'VSMT14393584',
        secret,
        passCode: nextPassCode,
        nextPassCode: passCode,
      });
      expect(bad.factorResult).toBe('REJECTED');
      expect(await fk.otp.list('carol')).toHaveLength(0);
      const ok = await fk.otp.enrollVip({
        userId: 'carol',
        credentialId: 'VSMT14393584',
        secret,
        passCode,
        nextPassCode,
      });
      expect(ok.factorResult).toBe('SUCCESS');
      // The pair is spent: the next code after it is the first one accepted.
      const factorId = ok.details?.factorId as string;
      expect((await fk.otp.verify({ userId: 'carol', factorId, passCode: nextPassCode })).factorResult).toBe(
        'PASSCODE_REPLAYED',
      );
    });
  });

  describe('yubikey', () => {
    it('upload, enroll by first touch, verify, replay is PASSCODE_REPLAYED, another user is refused', async () => {
      const { fk } = make(open());
      const key = new VirtualYubiKey({ seed: 'facade-yk' });
      const s = key.secrets;
      const up = await fk.yubikey.uploadToken({
        serialNumber: '7886622',
        publicId: s.publicId,
        privateId: s.privateId,
        aesKey: s.aesKey,
      });
      expect(up.ok).toBe(true);
      const first = key.press();
      expect(await fk.yubikey.enroll({ userId: 'alice', passCode: first })).toMatchObject({
        factorResult: 'SUCCESS',
      });
      const second = key.press();
      expect(await fk.yubikey.verify({ userId: 'alice', passCode: second })).toMatchObject({
        factorResult: 'SUCCESS',
      });
      expect(await fk.yubikey.verify({ userId: 'alice', passCode: second })).toMatchObject({
        factorResult: 'PASSCODE_REPLAYED',
        code: 'ERR_OTP_REPLAYED',
      });
      expect((await fk.yubikey.verify({ userId: 'mallory', passCode: key.press() })).factorResult).toBe(
        'REJECTED',
      );
      const list = await fk.yubikey.tokens.list();
      expect('tokens' in list && list.tokens[0]?.status).toBe('ACTIVE');
      expect(JSON.stringify(list)).not.toContain(s.aesKey);
    });

    it('100 concurrent verifications of one Yubico OTP: exactly one SUCCESS', async () => {
      const { fk } = make(open());
      const key = new VirtualYubiKey({ seed: 'facade-yk-2' });
      const s = key.secrets;
      await fk.yubikey.uploadToken({
        serialNumber: '1',
        publicId: s.publicId,
        privateId: s.privateId,
        aesKey: s.aesKey,
      });
      await fk.yubikey.enroll({ userId: 'alice', passCode: key.press() });
      const otp = key.press();
      const results = await Promise.all(
        Array.from({ length: 100 }, () => fk.yubikey.verify({ userId: 'alice', passCode: otp })),
      );
      expect(results.filter((r) => r.factorResult === 'SUCCESS')).toHaveLength(1);
    });
  });

  describe('u2f', () => {
    const appId = ORIGIN;
    async function registered(fk: Factorkit, token: U2FToken): Promise<string> {
      const req = await fk.u2f.startRegistration({ userId: 'alice', origin: ORIGIN });
      const challenge = req.registerRequests[0].challenge;
      const res = await fk.u2f.finishRegistration({
        userId: 'alice',
        response: token.register({ appId, challenge, origin: ORIGIN }),
      });
      expect(res.factorResult).toBe('SUCCESS');
      return res.details?.keyHandle as string;
    }

    it('register, sign, the challenge is single use, the counter is stored', async () => {
      const store = open();
      const { fk } = make(store);
      const token = new U2FToken({ seed: 'facade-u2f' });
      const keyHandle = await registered(fk, token);
      const req = await fk.u2f.startSign({ userId: 'alice', origin: ORIGIN });
      const response = token.sign({ appId, challenge: req.challenge, origin: ORIGIN, keyHandle });
      const ok = await fk.u2f.finishSign({ userId: 'alice', response });
      expect(ok).toMatchObject({ factorResult: 'SUCCESS', details: { keyHandle } });
      expect((await store.credentials.get(keyHandle))?.signCount).toBe(ok.details?.counter);
      expect(await fk.u2f.finishSign({ userId: 'alice', response })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_CHALLENGE_UNKNOWN',
      });
    });

    it('an expired challenge is TIMEOUT; a challenge issued for another origin is rejected', async () => {
      const { fk, clock } = make(open());
      const token = new U2FToken({ seed: 'facade-u2f-2' });
      const keyHandle = await registered(fk, token);
      const req = await fk.u2f.startSign({ userId: 'alice', origin: ORIGIN });
      clock.now += 5 * 60_000;
      const late = await fk.u2f.finishSign({
        userId: 'alice',
        response: token.sign({ appId, challenge: req.challenge, origin: ORIGIN, keyHandle }),
      });
      expect(late).toMatchObject({ factorResult: 'TIMEOUT', code: 'ERR_CHALLENGE_EXPIRED' });
      const other = await fk.u2f.startSign({ userId: 'alice', origin: 'https://other.example.com' });
      const fromPortal = token.sign({ appId, challenge: other.challenge, origin: ORIGIN, keyHandle });
      expect(await fk.u2f.finishSign({ userId: 'alice', response: fromPortal })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_ORIGIN_MISMATCH',
      });
    });

    it('100 concurrent completions of one sign challenge: exactly one SUCCESS', async () => {
      const { fk } = make(open());
      const token = new U2FToken({ seed: 'facade-u2f-3' });
      const keyHandle = await registered(fk, token);
      const req = await fk.u2f.startSign({ userId: 'alice', origin: ORIGIN });
      const response = token.sign({ appId, challenge: req.challenge, origin: ORIGIN, keyHandle });
      const results = await Promise.all(
        Array.from({ length: 100 }, () => fk.u2f.finishSign({ userId: 'alice', response })),
      );
      expect(results.filter((r) => r.factorResult === 'SUCCESS')).toHaveLength(1);
    });

    it('a U2F registration later authenticates through WebAuthn with the appid extension', async () => {
      const { fk } = make(open());
      const token = new U2FToken({ seed: 'facade-u2f-4' });
      const keyHandle = await registered(fk, token);
      const options = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
      expect(options.extensions?.['appid']).toBe(appId);
      const authenticator = new VirtualAuthenticator({ seed: 'facade-bridge' });
      authenticator.importCredential(token.exportCredential(keyHandle));
      const response = authenticator.getAssertion({ origin: ORIGIN, publicKey: options as never });
      expect(await fk.webauthn.finishAuthentication({ userId: 'alice', response })).toMatchObject({
        factorResult: 'SUCCESS',
        details: { credentialId: keyHandle, appidUsed: true },
      });
    });
  });

  describe('per-ceremony user verification and authenticator selection', () => {
    it("userVerification: 'required' is sent and enforced for that ceremony only", async () => {
      const { fk } = make(open());
      const authenticator = new VirtualAuthenticator({ seed: 'facade-uv' });
      const creation = await fk.webauthn.startRegistration({
        userId: 'alice',
        userName: 'alice',
        origin: ORIGIN,
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        hints: ['client-device'],
      });
      expect(creation.authenticatorSelection).toMatchObject({
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      });
      expect(creation.hints).toEqual(['client-device']);
      const noUv = authenticator.createCredential({
        origin: ORIGIN,
        publicKey: creation as never,
        flags: { uv: false },
      });
      expect(await fk.webauthn.finishRegistration({ userId: 'alice', response: noUv })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_USER_VERIFICATION_REQUIRED',
      });
      const again = await fk.webauthn.startRegistration({
        userId: 'alice',
        userName: 'alice',
        origin: ORIGIN,
      });
      const reg = await fk.webauthn.finishRegistration({
        userId: 'alice',
        response: authenticator.createCredential({ origin: ORIGIN, publicKey: again as never }),
      });
      expect(reg.factorResult).toBe('SUCCESS');

      const strict = await fk.webauthn.startAuthentication({ origin: ORIGIN, userVerification: 'required' });
      expect(strict.userVerification).toBe('required');
      const a1 = authenticator.getAssertion({
        origin: ORIGIN,
        publicKey: strict as never,
        flags: { uv: false },
        credentialId: reg.details?.credentialId as string,
      });
      expect(await fk.webauthn.finishAuthentication({ response: a1 })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_USER_VERIFICATION_REQUIRED',
      });
      const lax = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
      expect(lax.userVerification).toBe('preferred');
      const a2 = authenticator.getAssertion({
        origin: ORIGIN,
        publicKey: lax as never,
        flags: { uv: false },
      });
      expect(await fk.webauthn.finishAuthentication({ userId: 'alice', response: a2 })).toMatchObject({
        factorResult: 'SUCCESS',
        details: { userVerified: false },
      });
      await expect(
        fk.webauthn.startAuthentication({ origin: ORIGIN, userVerification: 'always' as never }),
      ).rejects.toThrow(TypeError);
    });
  });

  describe('credential lists for an account page', () => {
    it('webauthn.list/delete and u2f.list/delete show no public keys and only touch the owner', async () => {
      const { fk } = make(open());
      const authenticator = new VirtualAuthenticator({ seed: 'facade-list' });
      const options = await fk.webauthn.startRegistration({
        userId: 'alice',
        userName: 'alice',
        origin: ORIGIN,
      });
      const reg = await fk.webauthn.finishRegistration({
        userId: 'alice',
        response: authenticator.createCredential({ origin: ORIGIN, publicKey: options as never }),
      });
      const credentialId = reg.details?.credentialId as string;
      const token = new U2FToken({ seed: 'facade-list-u2f' });
      const req = await fk.u2f.startRegistration({ userId: 'alice', origin: ORIGIN });
      const u2f = await fk.u2f.finishRegistration({
        userId: 'alice',
        response: token.register({
          appId: ORIGIN,
          challenge: req.registerRequests[0].challenge,
          origin: ORIGIN,
        }),
      });
      const keyHandle = u2f.details?.keyHandle as string;

      const listed = await fk.webauthn.list('alice');
      expect(listed.map((c) => c.id)).toEqual([credentialId]);
      expect(listed[0]).not.toHaveProperty('publicKey');
      expect(listed[0]).toMatchObject({ factor: 'webauthn', signCount: 0, userId: 'alice' });
      expect((await fk.u2f.list('alice')).map((c) => c.id)).toEqual([keyHandle]);
      expect(await fk.webauthn.list('mallory')).toEqual([]);

      // Not the owner, or the other factor's namespace: nothing is deleted.
      expect(await fk.webauthn.delete({ userId: 'mallory', credentialId })).toBe(false);
      expect(await fk.webauthn.delete({ userId: 'alice', credentialId: keyHandle })).toBe(false);
      expect(await fk.u2f.delete({ userId: 'alice', credentialId })).toBe(false);
      expect(await fk.webauthn.list('alice')).toHaveLength(1);

      expect(await fk.webauthn.delete({ userId: 'alice', credentialId })).toBe(true);
      expect(await fk.u2f.delete({ userId: 'alice', credentialId: keyHandle })).toBe(true);
      expect(await fk.webauthn.list('alice')).toEqual([]);
      expect(await fk.u2f.list('alice')).toEqual([]);
      await expect(fk.webauthn.list('')).rejects.toThrow(TypeError);
    });
  });

  describe('webauthn', () => {
    async function register(fk: Factorkit, authenticator: VirtualAuthenticator): Promise<string> {
      const options = await fk.webauthn.startRegistration({
        userId: 'alice',
        userName: 'alice@example.com',
        origin: ORIGIN,
      });
      const response = authenticator.createCredential({ origin: ORIGIN, publicKey: options as never });
      const r = await fk.webauthn.finishRegistration({ userId: 'alice', response });
      expect(r).toMatchObject({ factorResult: 'SUCCESS', details: { fmt: 'none', trusted: false } });
      return r.details?.credentialId as string;
    }

    it('register then authenticate; the assertion cannot be replayed; 100 concurrent → one SUCCESS', async () => {
      const { fk } = make(open());
      const authenticator = new VirtualAuthenticator({ seed: 'facade-wa' });
      const credentialId = await register(fk, authenticator);
      const options = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
      const response = authenticator.getAssertion({ origin: ORIGIN, publicKey: options as never });
      const results = await Promise.all(
        Array.from({ length: 100 }, () => fk.webauthn.finishAuthentication({ userId: 'alice', response })),
      );
      expect(results.filter((r) => r.factorResult === 'SUCCESS')).toHaveLength(1);
      expect(results.find((r) => r.factorResult === 'SUCCESS')?.details?.credentialId).toBe(credentialId);
      expect(results.filter((r) => r.code === 'ERR_CHALLENGE_UNKNOWN')).toHaveLength(99);
    });

    it('a challenge is bound to its user and its origin, and expires', async () => {
      const { fk, clock } = make(open());
      const authenticator = new VirtualAuthenticator({ seed: 'facade-wa-2' });
      await register(fk, authenticator);
      const o1 = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
      const r1 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o1 as never });
      expect(await fk.webauthn.finishAuthentication({ userId: 'mallory', response: r1 })).toMatchObject({
        code: 'ERR_CHALLENGE_CONTEXT_MISMATCH',
      });
      const o2 = await fk.webauthn.startAuthentication({
        userId: 'alice',
        origin: 'https://other.example.com',
      });
      const r2 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o2 as never });
      expect(await fk.webauthn.finishAuthentication({ userId: 'alice', response: r2 })).toMatchObject({
        factorResult: 'REJECTED',
        code: 'ERR_ORIGIN_MISMATCH',
      });
      const o3 = await fk.webauthn.startAuthentication({ userId: 'alice', origin: ORIGIN });
      const r3 = authenticator.getAssertion({ origin: ORIGIN, publicKey: o3 as never });
      clock.now += 5 * 60_000;
      expect(await fk.webauthn.finishAuthentication({ userId: 'alice', response: r3 })).toMatchObject({
        factorResult: 'TIMEOUT',
        code: 'ERR_CHALLENGE_EXPIRED',
      });
    });

    it('abandoned challenges are purged once expired', async () => {
      const { fk, clock } = make(open());
      await fk.webauthn.startAuthentication({ origin: ORIGIN });
      await fk.u2f.startRegistration({ userId: 'alice', origin: ORIGIN });
      expect(await fk.purgeExpiredChallenges()).toBe(0);
      clock.now += 5 * 60_000;
      expect(await fk.purgeExpiredChallenges()).toBe(2);
    });

    it("registration options exclude the user's existing credentials", async () => {
      const { fk } = make(open());
      const authenticator = new VirtualAuthenticator({ seed: 'facade-wa-3' });
      await register(fk, authenticator);
      const options = await fk.webauthn.startRegistration({
        userId: 'alice',
        userName: 'alice',
        origin: ORIGIN,
      });
      expect(options.excludeCredentials).toHaveLength(1);
    });
  });
});
