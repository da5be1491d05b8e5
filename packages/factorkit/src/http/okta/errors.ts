import { defaultBackend } from '@factorkit/core/crypto/default';

/**
 * Okta's error object (`errorCode` E0000xxx, `errorSummary`, `errorLink`, `errorId`,
 * `errorCauses[]`). Summaries are Okta's own texts; causes say which field or line failed and
 * why, never echoing the submitted value (it may be a secret).
 */
export interface OktaErrorCause {
  readonly errorSummary: string;
  /** factorkit's stable code for the cause (e.g. `ERR_SEED_AES_KEY`), where there is one. */
  readonly reason?: string;
  /** Field or line the cause is about (e.g. `aesKey`, `line 3, column 4`). */
  readonly location?: string;
}

export interface OktaErrorBody {
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorLink: string;
  readonly errorId: string;
  readonly errorCauses: readonly OktaErrorCause[];
}

/** The Okta error codes this API answers with, with their HTTP status and summary. */
export const OKTA_ERRORS = {
  /** 400: a field failed validation (`errorCauses` names it). */
  E0000001: { status: 400, summary: 'Api validation failed' },
  /** 400: the body is not JSON, or not the JSON this endpoint takes. */
  E0000003: { status: 400, summary: 'The request body was not well-formed.' },
  /** 401: no `Authorization: SSWS` header. */
  E0000005: { status: 401, summary: 'Invalid session' },
  /** 403: the token's scope does not cover this operation. */
  E0000006: { status: 403, summary: 'You do not have permission to perform the requested action' },
  /** 404 */
  E0000007: { status: 404, summary: 'Not found: Resource not found' },
  /** 500: a store failure; nothing was changed. */
  E0000009: { status: 500, summary: 'Internal Server Error' },
  /** 401: the SSWS token is not one of the configured tokens. */
  E0000011: { status: 401, summary: 'Invalid token provided' },
  /** 415: a body that is not `application/json` (or `text/csv` for the seed file import). */
  E0000019: {
    status: 415,
    summary: 'Bad request. Accept and/or Content-Type headers likely do not match supported values.',
  },
  /** 405 */
  E0000022: { status: 405, summary: 'The endpoint does not support the provided HTTP method' },
  /** 400: `filter`, `sortBy`, `sortOrder`, `after` or `limit` cannot be used. */
  E0000031: { status: 400, summary: 'Invalid search criteria.' },
  /** 429: rate limit (activation: five attempts within five minutes per user). */
  E0000047: { status: 429, summary: 'API call exceeded rate limit due to too many requests.' },
  /** 403: wrong passcode, or a U2F/WebAuthn response that does not verify. */
  E0000068: { status: 403, summary: 'Invalid Passcode/Answer' },
  /** 403: too many failed verifications (the factor is locked for a while). */
  E0000069: { status: 403, summary: 'User Locked' },
  /** 413: the body is larger than this endpoint accepts (read no further than the limit). */
  E0000093: { status: 413, summary: 'Request entity too large' },
} as const;

export type OktaErrorCode = keyof typeof OKTA_ERRORS;

const ERROR_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function errorId(): string {
  const bytes = defaultBackend.randomBytes(19);
  let out = 'oae';
  for (const b of bytes) out += ERROR_ID_ALPHABET[b % 62];
  return out;
}

export function oktaErrorBody(code: OktaErrorCode, causes: readonly OktaErrorCause[] = []): OktaErrorBody {
  const summary = OKTA_ERRORS[code].summary;
  return {
    errorCode: code,
    // Okta appends the first cause to E0000001's summary ("Api validation failed: serialNumber").
    errorSummary:
      code === 'E0000001' && causes[0]?.location !== undefined
        ? `${summary}: ${causes[0].location}`
        : summary,
    errorLink: code,
    errorId: errorId(),
    errorCauses: causes,
  };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** An Okta error response. */
export function oktaError(
  code: OktaErrorCode,
  causes: readonly OktaErrorCause[] = [],
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(oktaErrorBody(code, causes)), {
    status: OKTA_ERRORS[code].status,
    headers: { ...JSON_HEADERS, ...headers },
  });
}

/** A JSON success response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export const cause = (errorSummary: string, location?: string, reason?: string): OktaErrorCause => ({
  errorSummary,
  ...(reason === undefined ? {} : { reason }),
  ...(location === undefined ? {} : { location }),
});
