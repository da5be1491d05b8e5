import { encodeBase64, toHex, utf8Encode } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { timingSafeEqual } from '@factorkit/ct';
import { parseOtp, TOMBSTONE_STATUSES } from '@factorkit/yubikey';
import type { Factorkit } from '../facade/create.ts';
import { readBodyText } from './body.ts';
import { isClientId, type YubicoClients } from './yubico-clients.ts';

/**
 * Yubico validation protocol 2.0 (`/wsapi/2.0/verify`, protocols §4.5), as yubikey-val serves it:
 * a drop-in for YubiCloud clients (ykclient, pam_yubico, yubico-python). Every answer is HTTP
 * 200 text/plain `key=value` lines signed with the client's key (HMAC-SHA1 over the sorted
 * parameters); the outcome is the `status` line.
 */
export type YubicoValidationStatus =
  | 'OK'
  | 'BAD_OTP'
  | 'REPLAYED_OTP'
  | 'DELAYED_OTP'
  | 'BAD_SIGNATURE'
  | 'MISSING_PARAMETER'
  | 'NO_SUCH_CLIENT'
  | 'OPERATION_NOT_ALLOWED'
  | 'BACKEND_ERROR'
  | 'REPLAYED_REQUEST';

export interface YubicoValidationOptions {
  readonly factorkit: Factorkit;
  readonly clients: YubicoClients;
  /** Clock for the `t` line and request memory. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /**
   * How long an accepted (otp, nonce) pair is remembered so that a resend of the same request
   * is answered REPLAYED_REQUEST rather than REPLAYED_OTP. Default 3600 s. Expired entries go
   * with `factorkit.purgeExpiredChallenges()`.
   */
  readonly requestMemorySeconds?: number;
  /** Diagnostics hook: one call per request with the status and client id (never the OTP or key). */
  readonly onResult?: (event: {
    readonly status: YubicoValidationStatus;
    readonly clientId?: number;
  }) => void;
}

/** Parameters of protocol 2.0; anything else is signed over but otherwise ignored. */
const NONCE = /^[A-Za-z0-9]{16,40}$/;
const DIGITS = /^[0-9]{1,10}$/;
const ECHO_SAFE = /^[A-Za-z0-9.]{1,64}$/;
/** A request line is a query string of a few short parameters; anything bigger is refused unread. */
export const MAX_WSAPI_REQUEST_BYTES = 2048;
const REQUEST_MARKER_PREFIX = 'yubico-val:';

const EMPTY_KEY = new Uint8Array(0);

/** The string yubikey-val signs: `k1=v1&k2=v2…` sorted by key, without `h`. */
export function signatureBase(params: ReadonlyMap<string, string>): string {
  return [...params.keys()]
    .filter((k) => k !== 'h')
    .sort()
    .map((k) => `${k}=${params.get(k) as string}`)
    .join('&');
}

export function signParams(params: ReadonlyMap<string, string>, key: Uint8Array): string {
  return encodeBase64(defaultBackend.hmac('SHA-1', key, utf8Encode(signatureBase(params))));
}

/** yubikey-val's `t`: UTC time with milliseconds, `2008-11-21T15:36:38Z0691`. */
function timeStamp(now: Date): string {
  const iso = now.toISOString(); // 2008-11-21T15:36:38.691Z
  return `${iso.slice(0, 19)}Z0${iso.slice(20, 23)}`;
}

interface Answer {
  readonly status: YubicoValidationStatus;
  readonly extra?: ReadonlyArray<readonly [string, string]>;
}

/** Creates the `(Request) => Promise<Response>` handler for `/wsapi/2.0/verify`. */
export function createYubicoValidationHandler(
  options: YubicoValidationOptions,
): (request: Request) => Promise<Response> {
  const { factorkit, clients } = options;
  if (factorkit === undefined || clients === undefined)
    throw new TypeError('factorkit and clients are required');
  const clock = options.clock ?? (() => new Date());
  const memorySeconds = options.requestMemorySeconds ?? 3600;
  if (!Number.isInteger(memorySeconds) || memorySeconds < 1)
    throw new RangeError('requestMemorySeconds must be a positive integer');

  /** Builds the signed response body (yubikey-val's sendResp: h, t, otp, nonce, extras, status). */
  function respond(
    answer: Answer,
    key: Uint8Array,
    echo: { otp?: string; nonce?: string },
    clientId: number | undefined,
  ): Response {
    const lines: [string, string][] = [['t', timeStamp(clock())]];
    if (echo.otp !== undefined) lines.push(['otp', echo.otp]);
    if (echo.nonce !== undefined) lines.push(['nonce', echo.nonce]);
    for (const e of answer.extra ?? []) lines.push([e[0], e[1]]);
    lines.push(['status', answer.status]);
    const h = signParams(new Map(lines), key);
    const body = `h=${h}\r\n${lines.map(([k, v]) => `${k}=${v}\r\n`).join('')}\r\n`;
    options.onResult?.(
      clientId === undefined ? { status: answer.status } : { status: answer.status, clientId },
    );
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }

  /** Remembers an (otp, nonce) pair; false when it was remembered already (atomic insert). */
  async function remember(otp: string, nonce: string): Promise<boolean> {
    const id = REQUEST_MARKER_PREFIX + toHex(defaultBackend.digest('SHA-256', utf8Encode(`${otp}&${nonce}`)));
    try {
      await factorkit.store.challenges.put({
        id,
        factor: 'yubico-val.request',
        userId: null,
        origin: null,
        challenge: '',
        expiresAt: clock().getTime() + memorySeconds * 1000,
        data: null,
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown })?.code === 'ERR_STORE_CONFLICT') return false;
      throw error;
    }
  }

  /** The OTP check proper, through the façade's atomic Yubico OTP path. */
  async function verifyOtp(otp: string, nonce: string, wantTimestamp: boolean): Promise<Answer> {
    // Only the public id is read here (to find the token's user); the façade re-parses with its
    // own policy (Dvorak, delay check) and does every check of protocols §4.2–4.4.
    const parsed = parseOtp(otp, { allowDvorak: true });
    if ('code' in parsed) return { status: 'BAD_OTP' };
    const record = await factorkit.store.yubikey.getByPublicId(parsed.publicId);
    // yubikey-val answers BAD_OTP for unknown and de-activated keys alike; here a token must be
    // enrolled (ACTIVE, bound to a user) to validate.
    if (
      record === undefined ||
      TOMBSTONE_STATUSES.includes(record.status) ||
      record.status !== 'ACTIVE' ||
      record.userId === null
    ) {
      return { status: 'BAD_OTP' };
    }
    const result = await factorkit.yubikey.verify({ userId: record.userId, passCode: otp });
    if (result.factorResult === 'SUCCESS' && result.details !== undefined) {
      await remember(parsed.otp, nonce);
      const d = result.details;
      return {
        status: 'OK',
        extra: [
          ...(wantTimestamp
            ? ([
                ['timestamp', String(d.timestamp)],
                ['sessioncounter', String(d.usageCounter)],
                ['sessionuse', String(d.sessionCounter)],
              ] as const)
            : []),
          // One server, no sync peers: every peer that was asked agreed.
          ['sl', '100'],
        ],
      };
    }
    switch (result.code) {
      case 'ERR_OTP_REPLAYED':
        // §4.4 step 1: a resend of the very request that was accepted is REPLAYED_REQUEST.
        return { status: (await remember(parsed.otp, nonce)) ? 'REPLAYED_OTP' : 'REPLAYED_REQUEST' };
      case 'ERR_OTP_DELAYED':
        return { status: 'DELAYED_OTP' };
      case 'ERR_SECRET_UNSEAL':
        return { status: 'BACKEND_ERROR' };
      default:
        return result.factorResult === 'ERROR' ? { status: 'BACKEND_ERROR' } : { status: 'BAD_OTP' };
    }
  }

  return async function handleYubicoVerify(request: Request): Promise<Response> {
    let raw: string;
    if (request.method === 'GET') {
      const url = request.url;
      const q = url.indexOf('?');
      raw = q < 0 ? '' : url.slice(q + 1);
    } else if (request.method === 'POST') {
      const text = await readBodyText(request, MAX_WSAPI_REQUEST_BYTES);
      raw = text.ok ? text.text : '\u0000';
    } else {
      return new Response('method not allowed\n', {
        status: 405,
        headers: { allow: 'GET, POST', 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const missing = (echo: { otp?: string; nonce?: string } = {}) =>
      respond({ status: 'MISSING_PARAMETER' }, EMPTY_KEY, echo, undefined);
    if (raw.length > MAX_WSAPI_REQUEST_BYTES || raw.includes('\u0000')) return missing();
    const params = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(raw)) {
      // A repeated parameter makes the signed string ambiguous: refuse it.
      if (params.has(k)) return missing();
      params.set(k, v);
    }
    const otp = params.get('otp');
    const nonce = params.get('nonce');
    const idText = params.get('id');
    // Echo only values that cannot break the line format of the answer.
    const echo = {
      ...(otp !== undefined && ECHO_SAFE.test(otp) ? { otp } : {}),
      ...(nonce !== undefined && NONCE.test(nonce) ? { nonce } : {}),
    };
    const timeout = params.get('timeout');
    const sl = params.get('sl');
    const timestamp = params.get('timestamp');
    if (
      otp === undefined ||
      otp === '' ||
      nonce === undefined ||
      !NONCE.test(nonce) ||
      idText === undefined ||
      !DIGITS.test(idText) ||
      (timeout !== undefined && timeout !== '' && !DIGITS.test(timeout)) ||
      (sl !== undefined &&
        sl !== '' &&
        sl !== 'fast' &&
        sl !== 'secure' &&
        !(/^[0-9]{1,3}$/.test(sl) && Number(sl) <= 100))
    ) {
      return missing(echo);
    }
    const clientId = Number(idText);
    if (!isClientId(clientId)) return missing(echo);
    try {
      const outcome = await clients.withKey(clientId, (key, client) => {
        // Everything is answered signed with the client's key from here on (copy: the opened
        // key is wiped when this callback's promise is created, not when it settles).
        const k = Uint8Array.from(key);
        if (!client.enabled) return { answer: { status: 'OPERATION_NOT_ALLOWED' } as Answer, key: k };
        const h = params.get('h');
        if (h === undefined || h === '') {
          return {
            answer: { status: client.requireSignature ? 'MISSING_PARAMETER' : 'OK' } as Answer,
            key: k,
            unsigned: true,
          };
        }
        // Some clients send the base64 `+` unescaped; form decoding turned it into a space.
        const given = Buffer.from(h.replaceAll(' ', '+'), 'base64');
        const expected = defaultBackend.hmac('SHA-1', k, utf8Encode(signatureBase(params)));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          return { answer: { status: 'BAD_SIGNATURE' } as Answer, key: k };
        }
        return { answer: { status: 'OK' } as Answer, key: k };
      });
      if (outcome === undefined) return respond({ status: 'NO_SUCH_CLIENT' }, EMPTY_KEY, echo, clientId);
      const { key } = outcome;
      try {
        if (outcome.answer.status !== 'OK') return respond(outcome.answer, key, echo, clientId);
        const answer = await verifyOtp(otp, nonce, timestamp === '1');
        return respond(answer, key, echo, clientId);
      } finally {
        key.fill(0);
      }
    } catch {
      // A key that does not open or a store failure: nothing was accepted.
      return respond({ status: 'BACKEND_ERROR' }, EMPTY_KEY, echo, clientId);
    }
  };
}
