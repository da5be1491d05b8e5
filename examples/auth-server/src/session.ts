// Sessions in one signed cookie (HMAC-SHA256, Hono's signed-cookie helper) and CSRF tokens.
//
// The cookie holds no secret: the user id, a CSRF token, an expiry, and the ceremony in progress
// (which account a sign-up or sign-in is for). It is signed, so it cannot be forged or edited;
// challenges themselves stay server-side in factorkit's store (single use, bound to the user),
// so a cookie replayed from earlier cannot replay a ceremony.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'fk_session';
/** A signed-in session lasts 8 hours; an anonymous one (CSRF token, ceremony) 30 minutes. */
const SIGNED_IN_MS = 8 * 3600_000;
const ANONYMOUS_MS = 30 * 60_000;

/** A ceremony in progress. */
export type Flow =
  | { readonly kind: 'signup'; readonly userId: string; readonly username: string }
  | { readonly kind: 'signin'; readonly userId: string | null }
  | { readonly kind: 'add-webauthn'; readonly userId: string }
  | { readonly kind: 'totp-confirm'; readonly factorId: string };

export interface Session {
  /** The signed-in user, if any. */
  readonly userId?: string;
  /** Display only (the header); authorisation always uses `userId`. */
  readonly username?: string;
  readonly csrf: string;
  readonly expiresAt: number;
  readonly flow?: Flow;
}

export interface SessionConfig {
  /** ≥ 32 random bytes. */
  readonly secret: Uint8Array;
  /** `Secure` cookies (set when the origin is https). */
  readonly secure: boolean;
  readonly now: () => number;
}

const newCsrf = (): string => randomBytes(32).toString('base64url');

function parse(raw: string, now: number): Session | undefined {
  try {
    const s = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Session>;
    if (typeof s.csrf !== 'string' || typeof s.expiresAt !== 'number' || s.expiresAt <= now) return undefined;
    if (s.userId !== undefined && typeof s.userId !== 'string') return undefined;
    return s as Session;
  } catch {
    return undefined;
  }
}

export class Sessions {
  readonly #config: SessionConfig;
  readonly #key: string;

  constructor(config: SessionConfig) {
    if (config.secret.length < 32) throw new RangeError('session secret must be at least 32 bytes');
    this.#config = config;
    this.#key = Buffer.from(config.secret).toString('hex'); // the HMAC key, as the cookie helper takes it
  }

  /** The request's session, or a new anonymous one (written back by `save`). */
  async load(c: Context): Promise<Session> {
    const raw = await getSignedCookie(c, this.#key, SESSION_COOKIE);
    const now = this.#config.now();
    const s = typeof raw === 'string' ? parse(raw, now) : undefined;
    return s ?? { csrf: newCsrf(), expiresAt: now + ANONYMOUS_MS };
  }

  async save(c: Context, session: Session): Promise<void> {
    const value = Buffer.from(JSON.stringify(session)).toString('base64url');
    await setSignedCookie(c, SESSION_COOKIE, value, this.#key, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: this.#config.secure,
      expires: new Date(session.expiresAt),
    });
  }

  /** Signs in: a new session (new CSRF token: no fixation of a pre-sign-in session). */
  async signIn(c: Context, userId: string, username: string): Promise<Session> {
    const session: Session = {
      userId,
      username,
      csrf: newCsrf(),
      expiresAt: this.#config.now() + SIGNED_IN_MS,
    };
    await this.save(c, session);
    return session;
  }

  signOut(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.#config.secure });
  }

  /** Starts (or replaces) the ceremony in progress, keeping the rest of the session. */
  async withFlow(c: Context, session: Session, flow: Flow | undefined): Promise<Session> {
    const { flow: _old, ...rest } = session;
    const next: Session = flow === undefined ? rest : { ...rest, flow };
    await this.save(c, next);
    return next;
  }
}

/**
 * CSRF check for every state-changing request: the token from the session must come back in the
 * `_csrf` form field or the `x-csrf-token` header (a cross-site page cannot read it), and the
 * browser must not label the request cross-site (Fetch Metadata, `Sec-Fetch-Site`).
 */
export function csrfOk(c: Context, session: Session, submitted: unknown): boolean {
  if (c.req.header('sec-fetch-site') === 'cross-site') return false;
  const token = typeof submitted === 'string' ? submitted : c.req.header('x-csrf-token');
  if (typeof token !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
