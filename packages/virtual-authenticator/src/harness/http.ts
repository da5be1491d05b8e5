// An HTTP target: the RP's routes as URLs, one cookie jar per harness user.
import type { U2FRegisterResponse } from '../u2f.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../webauthn-types.ts';
import type { HarnessTarget, HarnessUser, Verdict } from './types.ts';

/** Paths (relative to `baseUrl`) of the routes the RP has; omitted groups are skipped. */
export interface HttpRoutes {
  /** POST `{ username, ...registrationBody }` → options (`{ options }`, `{ publicKey }` or bare). */
  readonly registrationStart?: string;
  /** POST `{ response }`. */
  readonly registrationFinish?: string;
  /** POST `{ username }` (username-less: `{}`) → options. */
  readonly authenticationStart?: string;
  /** POST `{ response }`. */
  readonly authenticationFinish?: string;
  /** POST `{}` → the U2F register request (`{ request }` or bare). */
  readonly u2fRegistrationStart?: string;
  /** POST `{ response }`. */
  readonly u2fRegistrationFinish?: string;
  /** POST `{}` → `{ secret | secretBase32 | otpauthUri }`. */
  readonly totpEnroll?: string;
  /** POST `{ passCode }`. */
  readonly totpConfirm?: string;
  /** POST `{ username, passCode }`. */
  readonly totpVerify?: string;
  /** POST `{ serialNumber, publicId, privateId, aesKey }` (Okta's upload body). */
  readonly yubicoProvision?: string;
  /** POST `{ passCode }`. */
  readonly yubicoEnroll?: string;
  /** POST `{ username, passCode }`. */
  readonly yubicoVerify?: string;
}

/** One user's HTTP session: cookies kept between requests. */
export interface HttpSession {
  readonly user: HarnessUser;
  /** Sends a request in this session (cookies in, cookies out); `path` relative to `baseUrl`. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

export interface HttpTargetOptions {
  readonly baseUrl: string;
  /** The origin the RP expects in clientDataJSON. Default: `baseUrl`'s origin. */
  readonly origin?: string;
  readonly routes: HttpRoutes;
  /** Extra headers for each POST, e.g. a CSRF token fetched in this session. */
  readonly headers?: (session: HttpSession) => Promise<Record<string, string>> | Record<string, string>;
  /** Extra body members for registration start (e.g. `{ kind: 'passkey' }`). */
  readonly registrationBody?: Readonly<Record<string, unknown>>;
  /** Default: global `fetch`. */
  readonly fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

class Session implements HttpSession {
  readonly user: HarnessUser;
  readonly #cookies = new Map<string, string>();
  readonly #options: HttpTargetOptions;

  constructor(user: HarnessUser, options: HttpTargetOptions) {
    this.user = user;
    this.#options = options;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0)
      headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const doFetch = this.#options.fetch ?? fetch;
    const res = await doFetch(new URL(path, this.#options.baseUrl).toString(), {
      ...init,
      headers,
      redirect: 'manual',
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
    return res;
  }
}

async function json(res: Response): Promise<Record<string, unknown>> {
  try {
    const j: unknown = await res.json();
    return typeof j === 'object' && j !== null ? (j as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A harness target for an RP reachable over HTTP with JSON bodies. Accepted = a 2xx/3xx answer
 * whose JSON does not say `ok: false`; the JSON's `code` is reported.
 */
export function httpTarget(options: HttpTargetOptions): HarnessTarget {
  const sessions = new Map<string, Session>();
  const session = (u: HarnessUser): Session => {
    let s = sessions.get(u.username);
    if (s === undefined) {
      s = new Session(u, options);
      sessions.set(u.username, s);
    }
    return s;
  };
  const post = async (u: HarnessUser, path: string, body: unknown): Promise<Response> => {
    const s = session(u);
    const extra = options.headers === undefined ? {} : await options.headers(s);
    return s.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...extra },
      body: JSON.stringify(body),
    });
  };
  const verdict = async (res: Response): Promise<Verdict> => {
    const j = await json(res);
    const code = typeof j['code'] === 'string' ? j['code'] : null;
    return { accepted: res.status >= 200 && res.status < 400 && j['ok'] !== false, code, status: res.status };
  };
  const started = async (res: Response): Promise<Record<string, unknown>> => {
    const j = await json(res);
    if (!res.ok)
      throw new Error(
        `start route answered ${res.status}${typeof j['code'] === 'string' ? ` ${j['code']}` : ''}`,
      );
    return j;
  };
  const r = options.routes;
  const origin = options.origin ?? new URL(options.baseUrl).origin;

  return {
    origin,
    ...(r.registrationStart && r.registrationFinish && r.authenticationStart && r.authenticationFinish
      ? {
          webauthn: {
            startRegistration: async (u: HarnessUser) =>
              started(
                await post(u, r.registrationStart as string, {
                  username: u.username,
                  ...options.registrationBody,
                }),
              ),
            finishRegistration: async (u: HarnessUser, response: RegistrationResponseJSON) =>
              verdict(await post(u, r.registrationFinish as string, { response })),
            startAuthentication: async (u: HarnessUser, o: { usernameless: boolean }) =>
              started(
                await post(
                  u,
                  r.authenticationStart as string,
                  o.usernameless ? {} : { username: u.username },
                ),
              ),
            finishAuthentication: async (u: HarnessUser, response: AuthenticationResponseJSON) =>
              verdict(await post(u, r.authenticationFinish as string, { response })),
          },
        }
      : {}),
    ...(r.u2fRegistrationStart && r.u2fRegistrationFinish
      ? {
          u2f: {
            startRegistration: async (u: HarnessUser) =>
              started(await post(u, r.u2fRegistrationStart as string, {})),
            finishRegistration: async (u: HarnessUser, response: U2FRegisterResponse) =>
              verdict(await post(u, r.u2fRegistrationFinish as string, { response })),
          },
        }
      : {}),
    ...(r.totpEnroll && r.totpVerify
      ? {
          totp: {
            enroll: async (u: HarnessUser) => {
              const j = await started(await post(u, r.totpEnroll as string, {}));
              const fromUri =
                typeof j['otpauthUri'] === 'string'
                  ? new URL(j['otpauthUri']).searchParams.get('secret')
                  : null;
              const secret = j['secret'] ?? j['secretBase32'] ?? fromUri;
              if (typeof secret !== 'string') throw new Error('TOTP enroll route returned no secret');
              return { secret };
            },
            ...(r.totpConfirm
              ? {
                  confirm: async (u: HarnessUser, code: string) =>
                    verdict(await post(u, r.totpConfirm as string, { passCode: code })),
                }
              : {}),
            verify: async (u: HarnessUser, code: string) =>
              verdict(await post(u, r.totpVerify as string, { username: u.username, passCode: code })),
          },
        }
      : {}),
    ...(r.yubicoProvision && r.yubicoVerify
      ? {
          yubicoOtp: {
            provision: async (u: HarnessUser, token: Record<string, string>) =>
              verdict(await post(u, r.yubicoProvision as string, token)),
            ...(r.yubicoEnroll
              ? {
                  enroll: async (u: HarnessUser, otp: string) =>
                    verdict(await post(u, r.yubicoEnroll as string, { passCode: otp })),
                }
              : {}),
            verify: async (u: HarnessUser, otp: string) =>
              verdict(await post(u, r.yubicoVerify as string, { username: u.username, passCode: otp })),
          },
        }
      : {}),
  };
}
