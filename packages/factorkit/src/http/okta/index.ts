import type { Factorkit } from '../../facade/create.ts';
import { type ApiTokenScope, ApiTokens, sswsToken } from './auth.ts';
import { DEFAULT_MAX_JSON_BYTES } from './body.ts';
import type { HotpFactorProfile, OktaContext } from './context.ts';
import { cause, oktaError } from './errors.ts';
import { routeFactors, USERS_PREFIX } from './factors.ts';
import { routeTokens, TOKENS_PATH } from './tokens.ts';

export interface OktaFactorsApiOptions {
  readonly factorkit: Factorkit;
  /** SSWS tokens with their scopes. No token configured: every request is 401. */
  readonly apiTokens: ApiTokens;
  /**
   * Public origin of the API for `_links` and `Link` headers, e.g. `https://mfa.example.com`.
   * Default: the request's own origin (set it behind a proxy, so a Host header cannot steer links).
   */
  readonly publicUrl?: string;
  /**
   * Origin the U2F/WebAuthn ceremonies run on (one of the façade's `origins`): the page that
   * calls `navigator.credentials` / `u2f.register`. Without it, u2f and webauthn enrollments are
   * refused (400) and the other factor types work.
   */
  readonly origin?: string;
  /**
   * `token:hotp` profiles by id (the enrollment's `factorProfileId`). An enrollment without
   * `factorProfileId` uses HMAC-SHA1, 6 digits, base32 secret.
   */
  readonly hotpProfiles?: Readonly<Record<string, HotpFactorProfile>>;
  /**
   * Symantec VIP secrets by credential id, from your VIP provisioning (Okta's own shape has no
   * secret: VIP holds it). Used when a `token`/SYMANTEC enrollment carries no
   * `profile.sharedSecret`. Return the secret as bytes or base32, or undefined when unknown.
   */
  readonly vipSecrets?: (credentialId: string) => Promise<Uint8Array | string | undefined>;
  /** Issuer in the TOTP enrollment's otpauth URI / QR code. Default `factorkit`. */
  readonly issuer?: string;
  /** JSON body limit, bytes. Default 64 KiB. */
  readonly maxJsonBytes?: number;
  /** Seed file limit for the bulk import, bytes. Default 16 MiB. */
  readonly maxSeedFileBytes?: number;
  /** Clock (rate-limit windows). Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Activation attempts per user and window. Default Okta's five within five minutes. */
  readonly activationLimit?: { readonly attempts: number; readonly windowSeconds: number };
}

const ORG_PREFIX = '/api/v1/org/factors/yubikey_token/';

/** The Okta-compatible Factors API as a fetch-style handler (routes under `/api/v1/`). */
export function createOktaFactorsApi(
  options: OktaFactorsApiOptions,
): (request: Request) => Promise<Response> {
  const fk = options.factorkit;
  if (fk === undefined) throw new TypeError('factorkit is required');
  if (!(options.apiTokens instanceof ApiTokens)) throw new TypeError('apiTokens must be an ApiTokens');
  const publicUrl = options.publicUrl === undefined ? undefined : new URL(options.publicUrl).origin;
  const limit = options.activationLimit ?? { attempts: 5, windowSeconds: 300 };
  if (
    !Number.isInteger(limit.attempts) ||
    limit.attempts < 1 ||
    !Number.isInteger(limit.windowSeconds) ||
    limit.windowSeconds < 1
  )
    throw new RangeError('activationLimit needs positive integer attempts and windowSeconds');
  const ctx: OktaContext = {
    fk,
    baseUrl: (request) => publicUrl ?? new URL(request.url).origin,
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    maxSeedFileBytes: options.maxSeedFileBytes ?? 16 * 1024 * 1024,
    clock: options.clock ?? (() => new Date()),
    activationLimit: limit,
    hotpProfiles: { ...(options.hotpProfiles ?? {}) },
    issuer: options.issuer ?? 'factorkit',
    ...(options.vipSecrets === undefined ? {} : { vipSecrets: options.vipSecrets }),
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  };
  const tokens = options.apiTokens;

  return async function handleOkta(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // Authentication first: an unauthenticated request touches nothing (its body is not read).
    const presented = sswsToken(request.headers.get('authorization'));
    if (presented === undefined) {
      await request.body?.cancel().catch(() => undefined);
      return oktaError('E0000005', [cause('Authorization: SSWS <token> is required', 'Authorization')], {
        'www-authenticate': 'SSWS',
      });
    }
    const scope: ApiTokenScope | undefined = tokens.authenticate(presented);
    if (scope === undefined) {
      await request.body?.cancel().catch(() => undefined);
      return oktaError('E0000011', [], { 'www-authenticate': 'SSWS' });
    }
    try {
      if (url.pathname.startsWith(ORG_PREFIX) || url.pathname === TOKENS_PATH) {
        if (scope !== 'admin') {
          await request.body?.cancel().catch(() => undefined);
          return oktaError('E0000006', [cause('seed management needs an admin token', 'Authorization')]);
        }
        const r = await routeTokens(ctx, request, url);
        if (r !== undefined) return r;
      } else if (url.pathname.startsWith(USERS_PREFIX)) {
        const r = await routeFactors(ctx, request, url);
        if (r !== undefined) return r;
      }
      return oktaError('E0000007', [cause('Resource not found', 'path')]);
    } catch {
      // A store failure or a bug: no detail leaves the server (it could carry a secret).
      return oktaError('E0000009');
    }
  };
}

export { type ApiTokenScope, ApiTokens, hashApiToken, MIN_API_TOKEN_LENGTH } from './auth.ts';
export type { HotpFactorProfile } from './context.ts';
export { OKTA_ERRORS, type OktaErrorBody, type OktaErrorCause, type OktaErrorCode } from './errors.ts';
export { TOKENS_IMPORT_PATH, TOKENS_PATH } from './tokens.ts';
