import type { Factorkit } from '../../facade/create.ts';

/** What every Okta route gets. */
export interface OktaContext {
  readonly fk: Factorkit;
  /** The API's public origin for `_links` and `Link` (configured, else the request's own). */
  baseUrl(request: Request): string;
  readonly maxJsonBytes: number;
  readonly maxSeedFileBytes: number;
  readonly clock: () => Date;
  /** Okta's activation rate limit: attempts per window, per user. */
  readonly activationLimit: { readonly attempts: number; readonly windowSeconds: number };
  /** The origin U2F/WebAuthn ceremonies run on (one of the façade's origins). */
  readonly origin?: string;
}
