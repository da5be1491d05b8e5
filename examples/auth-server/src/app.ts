// The example auth server: Hono routes over the factorkit façade. Every verification is
// factorkit's; this file only moves JSON between the page and the façade, keeps the account
// table, and turns results into pages.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createFactorkit,
  type Factorkit,
  type FactorkitStore,
  type FactorVerification,
  renderQrCode,
  type SeedKeyEncryption,
} from 'factorkit';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { humanText } from './messages.ts';
import * as pages from './pages.ts';
import { csrfOk, type Flow, type Session, Sessions } from './session.ts';
import { newUserId, normaliseUsername, type User, type Users } from './users.ts';

export interface AuthServerOptions {
  /** The origin people use, e.g. `http://localhost:8787` (WebAuthn's expected origin). */
  readonly origin: string;
  /** WebAuthn RP ID. Default: the origin's hostname. */
  readonly rpId?: string;
  readonly rpName?: string;
  /** factorkit's store (e.g. `new SqliteStore(file)`). */
  readonly store: FactorkitStore;
  /** At-rest encryption of OTP secrets and YubiKey seeds. */
  readonly keyEncryption: SeedKeyEncryption;
  /** The account table. */
  readonly users: Users;
  /** ≥ 32 bytes: signs session cookies. */
  readonly sessionSecret: Uint8Array;
  readonly clock?: () => Date;
}

export interface AuthServer {
  readonly app: Hono;
  readonly fk: Factorkit;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly origin: string;
}

type Json = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '..', 'public');
const require = createRequire(import.meta.url);
// The browser library integrators use, served from node_modules as shipped (UMD global
// `SimpleWebAuthnBrowser`). Its package exports only ".", so locate the bundle beside it.
const simpleWebAuthnBundle = join(
  dirname(require.resolve('@simplewebauthn/browser')),
  '..',
  'dist',
  'bundle',
  'index.umd.min.js',
);

/** A failed result, as the page shows it. */
function failure(r: FactorVerification<unknown>): Json {
  return {
    ok: false,
    factorResult: r.factorResult,
    code: r.code,
    ...(r.step === undefined ? {} : { step: r.step }),
    message: humanText(r.code, r.message),
  };
}

const wantsJson = (c: Context): boolean => (c.req.header('accept') ?? '').includes('application/json');

export function createAuthServer(options: AuthServerOptions): AuthServer {
  const origin = new URL(options.origin).origin;
  const rpId = options.rpId ?? new URL(origin).hostname;
  const clock = options.clock ?? (() => new Date());
  const fk = createFactorkit({
    rp: { id: rpId, name: options.rpName ?? 'factorkit example' },
    origins: [origin],
    store: options.store,
    keyEncryption: options.keyEncryption,
    clock,
  });
  const users = options.users;
  const sessions = new Sessions({
    secret: options.sessionSecret,
    secure: origin.startsWith('https:'),
    now: () => clock().getTime(),
  });
  // Unknown usernames get a stable stand-in user id, so a sign-in for them goes through the
  // same ceremony and fails the same way as a wrong authenticator.
  const standIn = (username: string): string =>
    createHmac('sha256', options.sessionSecret).update(`unknown-user:${username}`).digest('base64url');

  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(bodyLimit({ maxSize: 64 * 1024 }));

  // ---- static files ----
  const asset = (file: string, type: string) => {
    const body = readFileSync(file);
    return (c: Context) => c.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' });
  };
  app.get('/vendor/simplewebauthn-browser.js', asset(simpleWebAuthnBundle, 'text/javascript; charset=utf-8'));
  app.get('/static/app.js', asset(join(publicDir, 'app.js'), 'text/javascript; charset=utf-8'));
  app.get('/static/style.css', asset(join(publicDir, 'style.css'), 'text/css; charset=utf-8'));

  // ---- helpers ----
  const currentUser = (s: Session): User | undefined =>
    s.userId === undefined ? undefined : users.byId(s.userId);

  /** Reads the body of a state-changing request and checks CSRF; `undefined` = refused (already answered). */
  async function guarded(c: Context): Promise<{ session: Session; body: Json } | { refused: Response }> {
    const session = await sessions.load(c);
    let body: Json = {};
    const type = c.req.header('content-type') ?? '';
    try {
      if (type.startsWith('application/json')) {
        const parsed: unknown = await c.req.json();
        body =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : {};
      } else {
        body = (await c.req.parseBody()) as Json;
      }
    } catch {
      return { refused: c.json({ ok: false, code: 'ERR_INPUT', message: humanText('ERR_INPUT') }, 400) };
    }
    if (!csrfOk(c, session, body['_csrf'])) {
      const payload = { ok: false, code: 'ERR_CSRF', message: humanText('ERR_CSRF') };
      return {
        refused:
          wantsJson(c) || type.startsWith('application/json')
            ? c.json(payload, 403)
            : c.html(pages.errorPage(session, payload.message, 'ERR_CSRF'), 403),
      };
    }
    return { session, body };
  }

  const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

  /** Answers a form post: JSON for scripts (`Accept: application/json`), else the page again. */
  function answer(
    c: Context,
    status: 200 | 400,
    json: Json,
    html: () => string | Promise<string>,
  ): Response | Promise<Response> {
    if (wantsJson(c)) return c.json(json, status);
    return Promise.resolve(html()).then((h) => c.html(h, status));
  }

  // ---- pages ----
  app.get('/', async (c) => {
    const session = await sessions.load(c);
    if (currentUser(session) !== undefined) return c.redirect('/account', 303);
    await sessions.save(c, session);
    const notice =
      c.req.query('signedout') === undefined
        ? undefined
        : ({ kind: 'ok', text: 'You are signed out.' } as const);
    return c.html(pages.signInPage(session, notice));
  });

  app.get('/signup', async (c) => {
    const session = await sessions.load(c);
    if (currentUser(session) !== undefined) return c.redirect('/account', 303);
    await sessions.save(c, session);
    return c.html(pages.signUpPage(session));
  });

  app.get('/api/session', async (c) => {
    const session = await sessions.load(c);
    await sessions.save(c, session);
    const u = currentUser(session);
    return c.json({
      csrfToken: session.csrf,
      ...(u === undefined ? {} : { userId: u.id, username: u.username }),
    });
  });

  app.post('/signout', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    sessions.signOut(c);
    return wantsJson(c) ? c.json({ ok: true }) : c.redirect('/?signedout=1', 303);
  });

  // ---- WebAuthn (JSON API used by app.js and by the conformance harness) ----
  app.post('/api/webauthn/register/start', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const kind = body['kind'] === 'security-key' ? 'security-key' : 'passkey';
    const authenticatorSelection =
      kind === 'passkey'
        ? ({ residentKey: 'required', userVerification: 'required' } as const)
        : ({ residentKey: 'discouraged', userVerification: 'preferred' } as const);
    const user = currentUser(session);
    let flow: Flow;
    let userName: string;
    if (user !== undefined) {
      flow = { kind: 'add-webauthn', userId: user.id };
      userName = user.username;
    } else {
      const username = normaliseUsername(body['username']);
      if (username === undefined)
        return c.json(
          { ok: false, code: 'ERR_USERNAME_INVALID', message: humanText('ERR_USERNAME_INVALID') },
          400,
        );
      if (users.byName(username) !== undefined)
        return c.json(
          { ok: false, code: 'ERR_USERNAME_TAKEN', message: humanText('ERR_USERNAME_TAKEN') },
          400,
        );
      flow = { kind: 'signup', userId: newUserId(), username };
      userName = username;
    }
    const options = await fk.webauthn.startRegistration({
      userId: flow.userId,
      userName,
      origin,
      authenticatorSelection,
      hints: kind === 'passkey' ? ['client-device'] : ['security-key'],
    });
    await sessions.withFlow(c, session, flow);
    return c.json({ ok: true, options });
  });

  app.post('/api/webauthn/register/finish', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const flow = session.flow;
    if (flow === undefined || (flow.kind !== 'signup' && flow.kind !== 'add-webauthn'))
      return c.json({ ok: false, code: 'ERR_NO_FLOW', message: humanText('ERR_NO_FLOW') }, 400);
    if (flow.kind === 'add-webauthn' && session.userId !== flow.userId)
      return c.json({ ok: false, code: 'ERR_SIGNED_OUT', message: humanText('ERR_SIGNED_OUT') }, 401);
    const result = await fk.webauthn.finishRegistration({
      userId: flow.userId,
      response: body['response'] ?? body,
    });
    if (result.factorResult !== 'SUCCESS' || result.details === undefined) {
      return c.json(failure(result), 400);
    }
    if (flow.kind === 'signup') {
      // The name was free at start; if someone took it meanwhile, undo the credential.
      if (!users.create({ id: flow.userId, username: flow.username, createdAt: clock().getTime() })) {
        await fk.webauthn.delete({ userId: flow.userId, credentialId: result.details.credentialId });
        return c.json(
          { ok: false, code: 'ERR_USERNAME_TAKEN', message: humanText('ERR_USERNAME_TAKEN') },
          400,
        );
      }
      await sessions.signIn(c, flow.userId, flow.username);
    } else {
      await sessions.withFlow(c, session, undefined);
    }
    return c.json({ ok: true, credentialId: result.details.credentialId, redirect: '/account' });
  });

  app.post('/api/webauthn/authenticate/start', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const raw = str(body['username']);
    let userId: string | null = null;
    if (raw !== '') {
      const username = normaliseUsername(raw);
      userId = username === undefined ? standIn(raw) : (users.byName(username)?.id ?? standIn(username));
    }
    // Username-less sign-in is passwordless: the passkey must verify the user (PIN/biometric).
    const options = await fk.webauthn.startAuthentication({
      ...(userId === null ? { userVerification: 'required' as const } : { userId }),
      origin,
    });
    await sessions.withFlow(c, session, { kind: 'signin', userId });
    return c.json({ ok: true, options });
  });

  app.post('/api/webauthn/authenticate/finish', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const flow = session.flow;
    if (flow?.kind !== 'signin')
      return c.json({ ok: false, code: 'ERR_NO_FLOW', message: humanText('ERR_NO_FLOW') }, 400);
    const result = await fk.webauthn.finishAuthentication({
      ...(flow.userId === null ? {} : { userId: flow.userId }),
      response: body['response'] ?? body,
    });
    if (result.factorResult !== 'SUCCESS' || result.details === undefined)
      return c.json(failure(result), 400);
    const user = users.byId(result.details.userId);
    if (user === undefined) {
      return c.json({ ok: false, code: 'ERR_SIGN_IN_FAILED', message: humanText('ERR_SIGN_IN_FAILED') }, 400);
    }
    await sessions.signIn(c, user.id, user.username);
    return c.json({
      ok: true,
      redirect: '/account',
      username: user.username,
      signCount: result.details.signCount,
      userVerified: result.details.userVerified,
      appidUsed: result.details.appidUsed,
    });
  });

  // ---- sign-in with codes ----
  app.post('/signin/otp', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const username = normaliseUsername(body['username']);
    const passCode = str(body['passCode']);
    const user = username === undefined ? undefined : users.byName(username);
    const factors = user === undefined ? [] : users.otpFactors(user.id).filter((f) => f.confirmed);
    let last: FactorVerification<unknown> = {
      factorResult: 'REJECTED',
      code: 'ERR_SIGN_IN_FAILED',
    };
    for (const f of factors) {
      last = await fk.otp.verify({ userId: f.userId, factorId: f.factorId, passCode });
      if (last.factorResult === 'SUCCESS' && user !== undefined) {
        await sessions.signIn(c, user.id, user.username);
        return wantsJson(c) ? c.json({ ok: true, redirect: '/account' }) : c.redirect('/account', 303);
      }
      if (last.factorResult === 'PASSCODE_REPLAYED' || last.factorResult === 'LOCKED_OUT') break;
    }
    const f = failure(last);
    return answer(c, 400, f, () =>
      pages.signInPage(session, { kind: 'error', text: String(f['message']), code: last.code }),
    );
  });

  app.post('/signin/yubikey', async (c) => {
    const g = await guarded(c);
    if ('refused' in g) return g.refused;
    const { session, body } = g;
    const username = normaliseUsername(body['username']);
    const user = username === undefined ? undefined : users.byName(username);
    const result: FactorVerification<unknown> =
      user === undefined
        ? { factorResult: 'REJECTED', code: 'ERR_SIGN_IN_FAILED' }
        : await fk.yubikey.verify({ userId: user.id, passCode: str(body['passCode']) });
    if (result.factorResult === 'SUCCESS' && user !== undefined) {
      await sessions.signIn(c, user.id, user.username);
      return wantsJson(c) ? c.json({ ok: true, redirect: '/account' }) : c.redirect('/account', 303);
    }
    const f = failure(result);
    return answer(c, 400, f, () =>
      pages.signInPage(session, { kind: 'error', text: String(f['message']), code: result.code }),
    );
  });

  // ---- account ----
  async function accountData(user: User): Promise<pages.AccountData> {
    const tokens = await fk.yubikey.tokens.list({ filter: { userId: user.id }, limit: 50 });
    return {
      user,
      webauthn: await fk.webauthn.list(user.id),
      u2f: await fk.u2f.list(user.id),
      otp: users.otpFactors(user.id),
      yubikeys: tokens.ok ? tokens.tokens.filter((t) => t.status === 'ACTIVE') : [],
    };
  }

  /** Runs `fn` for a signed-in user; otherwise sends people to the sign-in page. */
  function signedIn(
    fn: (c: Context, session: Session, user: User, body: Json) => Promise<Response>,
    method: 'get' | 'post',
  ) {
    return async (c: Context): Promise<Response> => {
      let session: Session;
      let body: Json = {};
      if (method === 'post') {
        const g = await guarded(c);
        if ('refused' in g) return g.refused;
        session = g.session;
        body = g.body;
      } else {
        session = await sessions.load(c);
      }
      const user = currentUser(session);
      if (user === undefined) {
        return wantsJson(c)
          ? c.json({ ok: false, code: 'ERR_SIGNED_OUT', message: humanText('ERR_SIGNED_OUT') }, 401)
          : c.redirect('/', 303);
      }
      return fn(c, session, user, body);
    };
  }

  const accountPage = async (
    c: Context,
    session: Session,
    user: User,
    notice?: pages.Notice,
    status: 200 | 400 = 200,
  ) => c.html(pages.accountPage(session, await accountData(user), notice), status);

  app.get(
    '/account',
    signedIn(async (c, session, user) => {
      const removed = c.req.query('removed');
      return accountPage(
        c,
        session,
        user,
        removed === undefined ? undefined : { kind: 'ok', text: 'Factor removed.' },
      );
    }, 'get'),
  );

  app.post(
    '/account/remove',
    signedIn(async (c, session, user, body) => {
      const kind = str(body['kind']);
      const id = str(body['id']);
      const data = await accountData(user);
      const usable =
        data.webauthn.length +
        data.u2f.length +
        data.yubikeys.length +
        data.otp.filter((f) => f.confirmed).length;
      const removingUsable = !(kind === 'totp' && data.otp.some((f) => f.factorId === id && !f.confirmed));
      if (usable <= 1 && removingUsable) {
        return accountPage(
          c,
          session,
          user,
          {
            kind: 'error',
            text: 'This is your only way to sign in; add another factor before removing it.',
            code: 'ERR_LAST_FACTOR',
          },
          400,
        );
      }
      let removed = false;
      if (kind === 'webauthn') removed = await fk.webauthn.delete({ userId: user.id, credentialId: id });
      else if (kind === 'u2f') removed = await fk.u2f.delete({ userId: user.id, credentialId: id });
      else if (kind === 'totp' || kind === 'vip') {
        removed =
          users.removeOtpFactor(user.id, id) && (await fk.otp.delete({ userId: user.id, factorId: id }));
      } else if (kind === 'yubikey') {
        const token = await fk.yubikey.tokens.get(id);
        // Unassigned, the token can be enrolled again (by this or another account).
        removed = token?.userId === user.id && (await fk.yubikey.tokens.unassign(id)).ok;
      }
      if (!removed)
        return accountPage(
          c,
          session,
          user,
          { kind: 'error', text: 'Nothing to remove.', code: 'ERR_FACTOR_NOT_FOUND' },
          400,
        );
      return wantsJson(c) ? c.json({ ok: true }) : c.redirect('/account?removed=1', 303);
    }, 'post'),
  );

  // TOTP: enroll (the factor is unusable until one code confirms it), QR code, confirm.
  app.get(
    '/account/totp',
    signedIn(async (c, session) => c.html(pages.totpStartPage(session)), 'get'),
  );

  app.post(
    '/account/totp/start',
    signedIn(async (c, session, user) => {
      const enrollment = await fk.otp.enrollTotp({ userId: user.id });
      // No secret was passed, so the façade generated one and returns it this once.
      const secretBase32 = enrollment.generatedSecretBase32 ?? '';
      users.addOtpFactor({
        factorId: enrollment.factorId,
        userId: user.id,
        kind: 'totp',
        label: 'Authenticator app',
        confirmed: false,
        createdAt: clock().getTime(),
      });
      const uri = await fk.otp.uri({
        userId: user.id,
        factorId: enrollment.factorId,
        accountName: user.username,
        issuer: 'factorkit example',
      });
      const next = await sessions.withFlow(c, session, {
        kind: 'totp-confirm',
        factorId: enrollment.factorId,
      });
      c.header('cache-control', 'no-store'); // the page carries the secret
      if (wantsJson(c)) {
        return c.json({
          ok: true,
          factorId: enrollment.factorId,
          secretBase32,
          otpauthUri: uri,
        });
      }
      return c.html(
        pages.totpConfirmPage(next, {
          uri,
          secretBase32,
          qrSvg: await renderQrCode(uri),
        }),
      );
    }, 'post'),
  );

  app.post(
    '/account/totp/confirm',
    signedIn(async (c, session, user, body) => {
      const flow = session.flow;
      if (flow?.kind !== 'totp-confirm') {
        return answer(c, 400, { ok: false, code: 'ERR_NO_FLOW', message: humanText('ERR_NO_FLOW') }, () =>
          pages.totpStartPage(session, {
            kind: 'error',
            text: humanText('ERR_NO_FLOW'),
            code: 'ERR_NO_FLOW',
          }),
        );
      }
      const result = await fk.otp.verify({
        userId: user.id,
        factorId: flow.factorId,
        passCode: str(body['passCode']),
      });
      if (result.factorResult !== 'SUCCESS') {
        const f = failure(result);
        return answer(c, 400, f, () =>
          pages.totpRetryPage(session, { kind: 'error', text: String(f['message']), code: result.code }),
        );
      }
      users.confirmOtpFactor(user.id, flow.factorId);
      await sessions.withFlow(c, session, undefined);
      return wantsJson(c)
        ? c.json({ ok: true, factorId: flow.factorId })
        : accountPage(c, session, user, { kind: 'ok', text: 'Authenticator app added.' });
    }, 'post'),
  );

  // Symantec VIP: credential ID + the credential's secret + two consecutive codes.
  app.get(
    '/account/vip',
    signedIn(async (c, session) => c.html(pages.vipPage(session)), 'get'),
  );
  app.post(
    '/account/vip',
    signedIn(async (c, session, user, body) => {
      const result = await fk.otp
        .enrollVip({
          userId: user.id,
          credentialId: str(body['credentialId']).toUpperCase(),
          secret: str(body['secret']).replaceAll(' ', ''),
          passCode: str(body['passCode']),
          nextPassCode: str(body['nextPassCode']),
        })
        .catch((error: unknown) => {
          // Misuse-level errors (e.g. a secret that is not base32) carry a code too.
          const code = (error as { code?: unknown })?.code;
          return {
            factorResult: 'REJECTED',
            code: typeof code === 'string' ? code : 'ERR_INPUT',
          } as FactorVerification<never>;
        });
      if (result.factorResult !== 'SUCCESS' || result.details === undefined) {
        const f = failure(result);
        return answer(c, 400, f, () =>
          pages.vipPage(session, { kind: 'error', text: String(f['message']), code: result.code }),
        );
      }
      users.addOtpFactor({
        factorId: result.details.factorId,
        userId: user.id,
        kind: 'vip',
        label: `Symantec VIP ${str(body['credentialId']).toUpperCase()}`,
        confirmed: true,
        createdAt: clock().getTime(),
      });
      return wantsJson(c)
        ? c.json({ ok: true, factorId: result.details.factorId })
        : accountPage(c, session, user, { kind: 'ok', text: 'Symantec VIP credential added.' });
    }, 'post'),
  );

  // YubiKey OTP: an administrator uploads the key's seed (Okta's upload body), then the user
  // touches the key once to bind it to the account.
  app.get(
    '/account/yubikey',
    signedIn(async (c, session) => c.html(pages.yubikeyPage(session)), 'get'),
  );
  app.post(
    '/account/yubikey/seed',
    signedIn(async (c, session, _user, body) => {
      const r = await fk.yubikey.uploadToken({
        serialNumber: str(body['serialNumber']),
        publicId: str(body['publicId']),
        privateId: str(body['privateId']),
        aesKey: str(body['aesKey']),
      });
      if (!r.ok) {
        const code = r.errors[0]?.code ?? 'ERR_INPUT';
        const f = { ok: false, code, message: humanText(code) };
        return answer(c, 400, f, () => pages.yubikeyPage(session, { kind: 'error', text: f.message, code }));
      }
      return answer(c, 200, { ok: true }, () =>
        pages.yubikeyPage(session, { kind: 'ok', text: 'Seed uploaded. Now touch the key to enroll it.' }),
      );
    }, 'post'),
  );
  app.post(
    '/account/yubikey/enroll',
    signedIn(async (c, session, user, body) => {
      const result = await fk.yubikey.enroll({ userId: user.id, passCode: str(body['passCode']) });
      if (result.factorResult !== 'SUCCESS') {
        const f = failure(result);
        return answer(c, 400, f, () =>
          pages.yubikeyPage(session, { kind: 'error', text: String(f['message']), code: result.code }),
        );
      }
      return wantsJson(c)
        ? c.json({ ok: true })
        : accountPage(c, session, user, { kind: 'ok', text: 'YubiKey added.' });
    }, 'post'),
  );

  // Legacy FIDO U2F: keys registered through the old u2f.register() API. Browsers no longer
  // ship that API, so this page takes the register response as the API returned it (JSON); the
  // key then signs in through WebAuthn with the `appid` extension, which factorkit adds.
  app.get(
    '/account/u2f',
    signedIn(async (c, session) => c.html(pages.u2fPage(session)), 'get'),
  );
  app.post(
    '/account/u2f/start',
    signedIn(async (c, session, user) => {
      const request = await fk.u2f.startRegistration({ userId: user.id, origin });
      return wantsJson(c)
        ? c.json({ ok: true, request })
        : c.html(pages.u2fPage(session, undefined, request));
    }, 'post'),
  );
  app.post(
    '/account/u2f/finish',
    signedIn(async (c, session, user, body) => {
      let response: unknown = body['response'];
      if (typeof response === 'string') {
        try {
          response = JSON.parse(response);
        } catch {
          response = undefined;
        }
      }
      const result = await fk.u2f.finishRegistration({ userId: user.id, response: response as never });
      if (result.factorResult !== 'SUCCESS' || result.details === undefined) {
        const f = failure(result);
        return answer(c, 400, f, () =>
          pages.u2fPage(session, { kind: 'error', text: String(f['message']), code: result.code }),
        );
      }
      return wantsJson(c)
        ? c.json({ ok: true, keyHandle: result.details.keyHandle, appId: result.details.appId })
        : accountPage(c, session, user, { kind: 'ok', text: 'Legacy U2F key added.' });
    }, 'post'),
  );

  app.notFound((c) => c.html(pages.notFoundPage(), 404));
  app.onError((error, c) => {
    // Misuse-level errors (TypeError/RangeError from the façade) and bugs: no details leak.
    console.error('request failed:', error instanceof Error ? error.name : 'error');
    return wantsJson(c) || c.req.path.startsWith('/api/')
      ? c.json({ ok: false, code: 'ERR_INPUT', message: humanText('ERR_INPUT') }, 400)
      : c.html(pages.errorPage(undefined, humanText('ERR_INPUT'), 'ERR_INPUT'), 400);
  });

  return { app, fk, users, sessions, origin };
}
