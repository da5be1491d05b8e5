import type { CryptoBackend } from '@factorkit/core/crypto';
import type { AuthenticatorPolicy, RevocationOptions } from '@factorkit/metadata';
import type { AttemptPolicy } from '@factorkit/otp';
import type { TrustAnchorInput } from '@factorkit/u2f';
import type { PhishingDelayOptions, SeedKeyEncryption } from '@factorkit/yubikey';
import type { FactorkitStore } from '../store/types.ts';
import type { MetadataInput } from './assurance.ts';

/** Policy knobs; every field has a documented default. */
export interface FactorkitPolicies {
  /**
   * Authenticator policy for WebAuthn and U2F registrations (allow/deny AAGUID lists,
   * hardware-bound only, require UV, require metadata, status policy), as data. Default: none
   * (everything verified is accepted; assurance still graded).
   */
  readonly authenticator?: AuthenticatorPolicy;
  /** Revocation of attestation chains (RFC 5280 CRLs: off / soft-fail / hard-fail). Default soft-fail, no fetch. */
  readonly revocation?: RevocationOptions;
  /** Lifetime of challenges issued by `start*` calls, seconds. Default 300 (5 minutes). */
  readonly challengeTimeoutSeconds?: number;
  /**
   * Failed-attempt limit per OTP factor. Default: @factorkit/otp's DEFAULT_ATTEMPT_POLICY
   * (10 per 15 min). Validated by `createFactorkit`.
   */
  readonly otpAttempts?: AttemptPolicy;
  /**
   * Failed-attempt limit per user across all of the user's OTP factors (TOTP, HOTP, VIP: NIST
   * SP 800-63B §5.2.2 counts consecutive failures per subscriber account), checked in addition
   * to `otpAttempts`. Default: off, except with the NIST preset (`otpAttempts` set to
   * `NIST_800_63B_ATTEMPT_POLICY`, e.g. through `NIST_800_63B_POLICIES`), where it is that same
   * policy. `false` turns it off. Validated by `createFactorkit`.
   */
  readonly userAttempts?: AttemptPolicy | false;
  readonly otp?: {
    /** TOTP steps accepted either side of now. Default 1. */
    readonly totpWindow?: number;
    /** HOTP look-ahead. Default 10. */
    readonly hotpLookAhead?: number;
    /** Refuse secrets shorter than this. Default 80 bits (the otp package's default). */
    readonly minSecretBits?: number;
    /**
     * Let one Symantec VIP credentialId be enrolled by several users. Default `false`: a
     * credentialId already enrolled (by anyone) is refused with `ERR_CREDENTIAL_EXISTS`.
     */
    readonly allowSharedVipCredentialId?: boolean;
  };
  readonly u2f?: {
    /** The AppID for new U2F ceremonies. Default: the ceremony's origin. */
    readonly appId?: string;
    /** Roots for U2F attestation (e.g. the Yubico U2F root). Default none. */
    readonly trustAnchors?: readonly TrustAnchorInput[];
    /** Refuse untrusted attestation. Default false. */
    readonly requireTrustedAttestation?: boolean;
    /**
     * Require the user-presence bit on sign responses. Default true; false only for flows that
     * asked the token for dont-enforce-user-presence-and-sign on purpose.
     */
    readonly requireUserPresence?: boolean;
  };
  readonly yubikey?: {
    /** yubikey-val's phishing-delay check. Default off. */
    readonly phishingDelayCheck?: boolean | PhishingDelayOptions;
    /** Accept Dvorak-typed OTPs. Default false. */
    readonly allowDvorak?: boolean;
  };
}

/** What every namespace gets from `createFactorkit`. */
export interface FacadeContext {
  readonly rp: { readonly id: string; readonly name: string };
  readonly origins: readonly string[];
  readonly store: FactorkitStore;
  readonly clock: () => Date;
  readonly keyEncryption: SeedKeyEncryption;
  readonly policies: FactorkitPolicies;
  readonly challengeTimeoutMs: number;
  /** The one crypto backend every factor package is given. */
  readonly crypto: CryptoBackend;
  /** FIDO metadata (a loaded BLOB or a MetadataSource), when configured. */
  readonly metadata: MetadataInput | undefined;
}

/** Misuse check: the ceremony's origin must be one the façade was configured with. */
export function requireOrigin(ctx: FacadeContext, origin: unknown): string {
  if (typeof origin !== 'string' || !ctx.origins.includes(origin)) {
    throw new TypeError(`origin must be one of the configured origins (${ctx.origins.join(', ')})`);
  }
  return origin;
}

export function requireUserId(userId: unknown): string {
  if (typeof userId !== 'string' || userId === '') throw new TypeError('userId must be a non-empty string');
  return userId;
}

/**
 * A request field (untrusted JSON): the string when it is one of at most `maxLength` characters,
 * else `undefined` — the caller answers REJECTED `ERR_MALFORMED_REQUEST`, never a TypeError.
 */
export function requestString(value: unknown, maxLength: number): string | undefined {
  return typeof value === 'string' && value.length <= maxLength ? value : undefined;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
