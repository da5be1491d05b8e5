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
  /** `token:hotp` factor profiles by `factorProfileId`. */
  readonly hotpProfiles: Readonly<Record<string, HotpFactorProfile>>;
  /** Issuer shown by authenticator apps for TOTP enrollments. */
  readonly issuer: string;
  readonly vipSecrets?: (credentialId: string) => Promise<Uint8Array | string | undefined>;
}

/** Settings of a `token:hotp` factor profile (Okta's admin-created HOTP profile). */
export interface HotpFactorProfile {
  /** Default SHA1. */
  readonly algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  /** Digits, default 6. */
  readonly otpLength?: number;
  /** Encoding of `profile.sharedSecret`, default base32. */
  readonly encoding?: 'base32' | 'hex' | 'base64';
}
