// Drives an RP's routes with virtual authenticators and the mutators, one attack per row, and
// compares each answer with what a conforming RP must answer.
import { randomBytes } from 'node:crypto';
import * as mutate from '../mutators-all.ts';
import { hotp } from '../otp.ts';
import { U2FToken } from '../u2f.ts';
import { VirtualAuthenticator } from '../webauthn.ts';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsLike } from '../webauthn-types.ts';
import { VirtualYubiKey } from '../yubikey.ts';
import type {
  Expectation,
  HarnessOptions,
  HarnessReport,
  HarnessRow,
  HarnessTarget,
  HarnessUser,
  Outcome,
  Verdict,
} from './types.ts';

const EVIL_ORIGIN = 'https://evil.example';

/** The options object inside an RP's answer: `{ options }`, `{ publicKey }` or the options themselves. */
function unwrapOptions(answer: unknown): Record<string, unknown> {
  if (typeof answer !== 'object' || answer === null)
    throw new TypeError('the start route returned no options');
  const a = answer as Record<string, unknown>;
  const inner = a['options'] ?? a['publicKey'] ?? a;
  if (
    typeof inner !== 'object' ||
    inner === null ||
    typeof (inner as { challenge?: unknown }).challenge !== 'string'
  ) {
    throw new TypeError('the start route returned no options with a challenge');
  }
  return inner as Record<string, unknown>;
}

function base32Decode(input: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new TypeError('the TOTP secret is not base32');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

class Rows {
  readonly rows: HarnessRow[] = [];
  readonly #onRow: ((row: HarnessRow) => void) | undefined;
  constructor(onRow?: (row: HarnessRow) => void) {
    this.#onRow = onRow;
  }

  add(row: Omit<HarnessRow, 'pass'>): HarnessRow {
    const full: HarnessRow = { ...row, pass: row.got === 'skipped' || row.got === row.expected };
    this.rows.push(full);
    this.#onRow?.(full);
    return full;
  }

  /** Runs one case: `send` returns the RP's verdict; exceptions are `error` rows. */
  async check(
    id: string,
    group: HarnessRow['group'],
    attack: string,
    expected: Expectation,
    send: () => Promise<Verdict>,
  ): Promise<HarnessRow> {
    let got: Outcome;
    let code: string | null | undefined;
    let note: string | undefined;
    try {
      const v = await send();
      got = v.accepted ? 'accept' : 'reject';
      code = v.code;
    } catch (error) {
      got = 'error';
      note = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    return this.add({
      id,
      group,
      attack,
      expected,
      got,
      ...(code === undefined ? {} : { code }),
      ...(note === undefined ? {} : { note }),
    });
  }

  skip(id: string, group: HarnessRow['group'], attack: string, expected: Expectation, note: string): void {
    this.add({ id, group, attack, expected, got: 'skipped', note });
  }
}

/**
 * Runs every attack the target's routes allow. A conforming RP rejects each attack and accepts
 * each control (a fresh sign-in, a synced passkey with counter 0, a BS change on a
 * backup-eligible credential, …); any other answer is a wrong verdict (`report.ok === false`).
 */
export async function runHarness(
  target: HarnessTarget,
  options: HarnessOptions = {},
): Promise<HarnessReport> {
  const prefix = options.usernamePrefix ?? `fkh-${randomBytes(4).toString('hex')}`;
  const seed = options.seed ?? randomBytes(8).toString('hex');
  const now = options.now ?? Date.now;
  const rows = new Rows(options.onRow);
  const origin = target.origin;
  const user = (name: string): HarnessUser => ({ username: `${prefix}-${name}` });
  const alice = user('a');
  const bob = user('b');
  const carol = user('c');

  // A security key with UV and a per-credential counter; a second user's key; a synced passkey
  // (backup eligible and backed up, counter always 0, as platform passkeys report).
  const aliceKey = new VirtualAuthenticator({ seed: `${seed}/alice`, userVerification: true });
  const bobKey = new VirtualAuthenticator({ seed: `${seed}/bob`, userVerification: true });
  const synced = new VirtualAuthenticator({
    seed: `${seed}/carol-synced`,
    signCounter: 'zero',
    backupEligible: true,
    backupState: true,
    attachment: 'platform',
    transports: ['internal', 'hybrid'],
  });

  let aliceRegistered = false;
  const wa = target.webauthn;
  if (wa === undefined) {
    rows.skip('webauthn', 'webauthn', 'WebAuthn routes', 'accept', 'target has no WebAuthn routes');
  } else {
    const register = async (u: HarnessUser, key: VirtualAuthenticator): Promise<Verdict> => {
      const o = unwrapOptions(await wa.startRegistration(u));
      return wa.finishRegistration(u, key.createCredential({ origin, publicKey: o as never }));
    };
    /** Starts a sign-in in `u`'s session and signs it with `key` (ignoring allowCredentials when `anyCredential`). */
    const assertion = async (
      u: HarnessUser,
      key: VirtualAuthenticator,
      opts: { usernameless?: boolean; anyCredential?: boolean } = {},
    ): Promise<{ options: Record<string, unknown>; response: AuthenticationResponseJSON }> => {
      const o = unwrapOptions(await wa.startAuthentication(u, { usernameless: opts.usernameless === true }));
      const publicKey = (opts.anyCredential
        ? { ...o, allowCredentials: [] }
        : o) as unknown as PublicKeyCredentialRequestOptionsLike;
      return { options: o, response: key.getAssertion({ origin, publicKey }) };
    };

    const reg = await rows.check('register', 'webauthn', 'register a security key (control)', 'accept', () =>
      register(alice, aliceKey),
    );
    aliceRegistered = reg.got === 'accept';
    const regB = await rows.check(
      'register-second-user',
      'webauthn',
      'register a second user (control)',
      'accept',
      () => register(bob, bobKey),
    );

    let last: { options: Record<string, unknown>; response: AuthenticationResponseJSON } | undefined;
    await rows.check('authenticate', 'webauthn', 'sign in (control)', 'accept', async () => {
      const a = await assertion(alice, aliceKey);
      return wa.finishAuthentication(alice, a.response);
    });
    await rows.check(
      'authenticate-again',
      'webauthn',
      'sign in again, counter grows (control)',
      'accept',
      async () => {
        last = await assertion(alice, aliceKey);
        return wa.finishAuthentication(alice, last.response);
      },
    );
    // Each attack below first starts a new sign-in in the sending session, as an attacker
    // would: the RP then has a ceremony in progress, and only the challenge check can tell.
    const freshStart = (u: HarnessUser) => wa.startAuthentication(u, { usernameless: false });
    await rows.check(
      'replay',
      'webauthn',
      'replay the same assertion (in a new sign-in)',
      'reject',
      async () => {
        if (last === undefined) throw new Error('no earlier assertion');
        await freshStart(alice);
        return wa.finishAuthentication(alice, last.response);
      },
    );
    await rows.check(
      'challenge-reuse',
      'webauthn',
      'new signature (counter +1) over an already used challenge, in a new sign-in',
      'reject',
      async () => {
        if (last === undefined) throw new Error('no earlier assertion');
        await freshStart(alice);
        const again = aliceKey.getAssertion({
          origin,
          publicKey: last.options as unknown as PublicKeyCredentialRequestOptionsLike,
        });
        return wa.finishAuthentication(alice, again);
      },
    );

    if (regB.got === 'accept') {
      // YSA-2026-02 / OWN-1: sign-in started for B, answered with A's credential, in B's session.
      await rows.check(
        'cross-user-with-userhandle',
        'webauthn',
        "sign-in started for user B answered with A's credential (A's userHandle)",
        'reject',
        async () => {
          const a = await assertion(bob, aliceKey, { anyCredential: true });
          return wa.finishAuthentication(bob, a.response);
        },
      );
      await rows.check(
        'cross-user-without-userhandle',
        'webauthn',
        "sign-in started for user B answered with A's credential (no userHandle)",
        'reject',
        async () => {
          const a = await assertion(bob, aliceKey, { anyCredential: true });
          const { userHandle: _u, ...response } = a.response.response;
          return wa.finishAuthentication(bob, { ...a.response, response } as AuthenticationResponseJSON);
        },
      );
      await rows.check(
        'challenge-from-other-user',
        'webauthn',
        "challenge issued to user B's session, signed by A, sent in A's own new sign-in",
        'reject',
        async () => {
          const a = await assertion(bob, aliceKey, { anyCredential: true });
          await freshStart(alice);
          return wa.finishAuthentication(alice, a.response);
        },
      );
    } else {
      rows.skip(
        'cross-user',
        'webauthn',
        'cross-user assertions',
        'reject',
        'second user could not register',
      );
    }

    const signedBy = async (
      id: string,
      attack: string,
      expected: Expectation | ((options: Record<string, unknown>) => Expectation),
      change: (r: AuthenticationResponseJSON) => AuthenticationResponseJSON,
      who: { user: HarnessUser; key: VirtualAuthenticator; usernameless?: boolean; group?: 'appid' } = {
        user: alice,
        key: aliceKey,
      },
    ) => {
      const group = who.group ?? 'webauthn';
      // The expectation can depend on what the RP asked for (e.g. userVerification).
      let o: Record<string, unknown> | undefined;
      let response: AuthenticationResponseJSON | undefined;
      let exp: Expectation = typeof expected === 'string' ? expected : 'reject';
      try {
        const a = await assertion(who.user, who.key, { usernameless: who.usernameless === true });
        o = a.options;
        response = change(a.response);
        if (typeof expected === 'function') exp = expected(o);
      } catch (error) {
        rows.add({
          id,
          group,
          attack,
          expected: exp,
          got: 'error',
          note: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      const r = response;
      await rows.check(id, group, attack, exp, () => wa.finishAuthentication(who.user, r));
    };
    const resign = { resign: aliceKey };
    await signedBy('origin-swap', `clientDataJSON.origin = ${EVIL_ORIGIN}, re-signed`, 'reject', (r) =>
      mutate.setOrigin(r, EVIL_ORIGIN, resign),
    );
    await signedBy('rpidhash-swap', 'rpIdHash = SHA-256("evil.example"), re-signed', 'reject', (r) =>
      mutate.setRpIdHash(r, 'evil.example', resign),
    );
    await signedBy('up-cleared', 'UP flag cleared, re-signed', 'reject', (r) =>
      mutate.setFlag(r, 'UP', false, resign),
    );
    const uvExpectation = (o: Record<string, unknown>): Expectation =>
      o['userVerification'] === 'required' ? 'reject' : 'accept';
    await signedBy(
      'uv-cleared',
      'UV flag cleared, re-signed (expected: reject iff the RP asked userVerification "required")',
      uvExpectation,
      (r) => mutate.setFlag(r, 'UV', false, resign),
    );
    await signedBy(
      'uv-cleared-usernameless',
      'UV flag cleared in a username-less sign-in, re-signed (reject iff "required")',
      uvExpectation,
      (r) => mutate.setFlag(r, 'UV', false, resign),
      { user: alice, key: aliceKey, usernameless: true },
    );
    await signedBy(
      'counter-regression',
      'signCount lower than the last accepted one (1), re-signed',
      'reject',
      (r) => mutate.setSignCount(r, 1, resign),
    );
    await signedBy(
      'bs-without-be',
      'BS set on a credential registered without BE, re-signed',
      'reject',
      (r) => mutate.setFlag(r, 'BS', true, resign),
    );
    await signedBy('be-flip', 'BE set on a credential registered without BE, re-signed', 'reject', (r) =>
      mutate.setFlag(mutate.setFlag(r, 'BE', true), 'BS', false, resign),
    );

    // Synced passkey: counter 0 on every sign-in is legitimate (§6.1.1), BS may change, BE may not.
    const regC = await rows.check(
      'synced-register',
      'webauthn',
      'register a synced passkey (BE=1, BS=1, counter 0) (control)',
      'accept',
      () => register(carol, synced),
    );
    if (regC.got === 'accept') {
      const carolSynced = { user: carol, key: synced };
      await signedBy(
        'synced-counter-zero',
        'synced passkey signs in with counter 0 (control)',
        'accept',
        (r) => r,
        carolSynced,
      );
      await signedBy(
        'synced-counter-zero-again',
        'synced passkey signs in with counter 0 again (control)',
        'accept',
        (r) => r,
        carolSynced,
      );
      await signedBy(
        'synced-bs-cleared',
        'synced passkey reports BS=0 (backup state may change) (control)',
        'accept',
        (r) => mutate.setFlag(r, 'BS', false, { resign: synced }),
        carolSynced,
      );
      await signedBy(
        'synced-be-cleared',
        'synced passkey reports BE=0 (backup eligibility never changes), re-signed',
        'reject',
        (r) => mutate.setFlag(mutate.setFlag(r, 'BS', false), 'BE', false, { resign: synced }),
        carolSynced,
      );
    } else {
      rows.skip('synced', 'webauthn', 'synced passkey cases', 'accept', 'synced passkey could not register');
    }

    // appid: a key registered through legacy U2F signs in through WebAuthn (§10.1.1).
    const u2f = target.u2f;
    if (u2f === undefined || !aliceRegistered) {
      rows.skip(
        'appid',
        'appid',
        'U2F appid cases',
        'accept',
        u2f === undefined ? 'target has no U2F routes' : 'no user',
      );
    } else {
      const token = new U2FToken({ seed: `${seed}/u2f` });
      const bridge = new VirtualAuthenticator({ seed: `${seed}/u2f-bridge` });
      let appId = '';
      const u2fReg = await rows.check(
        'u2f-register',
        'appid',
        'register a legacy U2F key (control)',
        'accept',
        async () => {
          const request = (await u2f.startRegistration(alice)) as Record<string, unknown>;
          const req = (request['request'] ?? request) as {
            appId: string;
            registerRequests: { challenge: string }[];
          };
          appId = req.appId;
          const response = token.register({
            appId,
            challenge: req.registerRequests[0]?.challenge ?? '',
            origin,
          });
          const v = await u2f.finishRegistration(alice, response);
          const raw = Buffer.from(response.registrationData, 'base64url');
          bridge.importCredential(
            token.exportCredential(raw.subarray(67, 67 + (raw[66] ?? 0)).toString('base64url')),
          );
          return v;
        },
      );
      if (u2fReg.got === 'accept') {
        const viaBridge = { user: alice, key: bridge, group: 'appid' as const };
        await signedBy(
          'appid-migrated',
          'migrated U2F key signs with the appid extension (control)',
          'accept',
          (r) => r,
          viaBridge,
        );
        await signedBy(
          'appid-other-appid',
          `migrated key signs over SHA-256("${EVIL_ORIGIN}") claiming appid, re-signed`,
          'reject',
          (r) => mutate.setRpIdHash(r, EVIL_ORIGIN, { resign: bridge }),
          viaBridge,
        );
        await signedBy(
          'appid-output-false',
          'migrated key signs over the AppID but reports appid=false',
          'reject',
          (r) => ({ ...r, clientExtensionResults: { ...r.clientExtensionResults, appid: false } }),
          viaBridge,
        );
        await signedBy(
          'appid-webauthn-credential',
          'a WebAuthn (non-U2F) credential signs over SHA-256(AppID) claiming appid, re-signed',
          'reject',
          (r) => ({
            ...mutate.setRpIdHash(r, appId, resign),
            clientExtensionResults: { ...r.clientExtensionResults, appid: true },
          }),
          { user: alice, key: aliceKey, group: 'appid' },
        );
      } else {
        rows.skip('appid', 'appid', 'U2F appid cases', 'accept', 'the U2F key could not register');
      }
    }
  }

  // TOTP: replay and the previous window, with codes computed here (RFC 6238).
  const totp = target.totp;
  if (totp === undefined) {
    rows.skip('totp', 'totp', 'TOTP routes', 'accept', 'target has no TOTP routes');
  } else {
    let code: ((step: number) => string) | undefined;
    let t = 0;
    const enrolled = await rows.check(
      'totp-enroll',
      'totp',
      'enroll TOTP (confirmed with the current code) (control)',
      'accept',
      async () => {
        const e = await totp.enroll(alice);
        const secret = base32Decode(e.secret);
        const period = e.period ?? 30;
        const digits = e.digits ?? 6;
        const algorithm = e.algorithm ?? 'SHA1';
        code = (step) => hotp(secret, step, { digits, algorithm });
        t = Math.floor(now() / 1000 / period);
        return totp.confirm === undefined ? { accepted: true } : totp.confirm(alice, code(t));
      },
    );
    if (enrolled.got === 'accept' && code !== undefined) {
      const c = code;
      // Confirmation used step T (when the RP asks for it); sign-in uses T+1, inside a ±1 window.
      const fresh = totp.confirm === undefined ? t : t + 1;
      await rows.check(
        'totp-accept',
        'totp',
        `code of step T${fresh === t ? '' : '+1'} (control)`,
        'accept',
        () => totp.verify(alice, c(fresh)),
      );
      await rows.check('totp-replay', 'totp', 'the same code again', 'reject', () =>
        totp.verify(alice, c(fresh)),
      );
      await rows.check(
        'totp-previous-window',
        'totp',
        'an unused code from an earlier step (T-1, inside the window) after a later one was accepted',
        'reject',
        () => totp.verify(alice, c(t - 1)),
      );
      await rows.check('totp-wrong', 'totp', 'a wrong code', 'reject', () => {
        const right = c(fresh + 1);
        return totp.verify(
          alice,
          right.replace(/.$/, (d) => String((Number(d) + 5) % 10)),
        );
      });
    } else {
      rows.skip('totp-cases', 'totp', 'TOTP cases', 'accept', 'enrollment failed');
    }
  }

  // Yubico OTP: replay, and an older OTP of the same key after a newer one.
  const yubico = target.yubicoOtp;
  if (yubico === undefined) {
    rows.skip('yubico-otp', 'yubico-otp', 'Yubico OTP routes', 'accept', 'target has no Yubico OTP routes');
  } else {
    const key = new VirtualYubiKey({ seed: `${seed}/yubikey`, clock: now });
    const serial = String(1_000_000 + (Number.parseInt(randomBytes(3).toString('hex'), 16) % 8_000_000));
    const provisioned = await rows.check(
      'yubico-enroll',
      'yubico-otp',
      'provision the seed and enroll by touch (control)',
      'accept',
      async () => {
        const p = await yubico.provision(alice, { serialNumber: serial, ...key.secrets });
        if (!p.accepted || yubico.enroll === undefined) return p;
        return yubico.enroll(alice, key.press());
      },
    );
    if (provisioned.got === 'accept') {
      const older = key.press();
      const newer = key.press();
      await rows.check('yubico-accept', 'yubico-otp', 'a fresh OTP (control)', 'accept', () =>
        yubico.verify(alice, newer),
      );
      await rows.check('yubico-replay', 'yubico-otp', 'the same OTP again', 'reject', () =>
        yubico.verify(alice, newer),
      );
      await rows.check(
        'yubico-older',
        'yubico-otp',
        'an unused OTP pressed before the accepted one (lower session counter)',
        'reject',
        () => yubico.verify(alice, older),
      );
    } else {
      rows.skip('yubico-cases', 'yubico-otp', 'Yubico OTP cases', 'accept', 'provisioning failed');
    }
  }

  const pass = rows.rows.filter((r) => r.pass && r.got !== 'skipped').length;
  const skipped = rows.rows.filter((r) => r.got === 'skipped').length;
  const wrong = rows.rows.length - pass - skipped;
  return { target: origin, rows: rows.rows, ok: wrong === 0, counts: { pass, wrong, skipped } };
}
