import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { type Reassessment, reassess } from '@factorkit/metadata';
import { checkAttemptPolicy, NIST_800_63B_ATTEMPT_POLICY } from '@factorkit/otp';
import { aesGcmKeyEncryption, type SeedKeyEncryption } from '@factorkit/yubikey';
import { MemoryStore } from '../store/memory.ts';
import type { FactorkitStore } from '../store/types.ts';
import { currentMetadata, factsOf, type MetadataInput } from './assurance.ts';
import { type FacadeContext, type FactorkitPolicies, requireUserId } from './context.ts';
import { createOtpNamespace, type OtpNamespace } from './otp.ts';
import { createU2fNamespace, type U2fNamespace } from './u2f.ts';
import { createWebAuthnNamespace, type WebAuthnNamespace, type WebAuthnPolicies } from './webauthn.ts';
import { createYubikeyNamespace, type YubikeyNamespace } from './yubikey.ts';

/**
 * NIST SP 800-63B §5.2.2 preset: at most 100 consecutive failed attempts per OTP factor and per
 * subscriber account across the account's OTP factors. Spread into `policies`.
 */
export const NIST_800_63B_POLICIES: FactorkitPolicies = Object.freeze({
  otpAttempts: NIST_800_63B_ATTEMPT_POLICY,
  userAttempts: NIST_800_63B_ATTEMPT_POLICY,
});

/** Default challenge lifetime (Okta: activations last minutes, then TIMEOUT). */
export const DEFAULT_CHALLENGE_TIMEOUT_SECONDS = 300;

export interface CreateFactorkitOptions {
  /** The relying party: `id` is the WebAuthn RP ID (a registrable domain), `name` its display name. */
  readonly rp: { readonly id: string; readonly name: string };
  /** Origins (and app facets) ceremonies may run on, e.g. `['https://login.example.com']`. */
  readonly origins: readonly string[];
  /**
   * Where state lives. Default: a new `MemoryStore` (single process, nothing persisted). Use
   * `SqliteStore` (or another FactorkitStore) when several processes verify or state must survive.
   */
  readonly store?: FactorkitStore;
  /**
   * At-rest encryption of OTP secrets and YubiKey seeds, e.g. `aesGcmKeyEncryption(kek)`.
   * Required with a caller-supplied store; with the default MemoryStore an ephemeral
   * per-process key is used.
   */
  readonly keyEncryption?: SeedKeyEncryption;
  /** Clock. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /**
   * The crypto backend, passed to every factor package (WebAuthn, U2F, YubiKey, OTP secrets at
   * rest). Default: node:crypto on Node, WebCrypto elsewhere (`@factorkit/core/crypto/default`);
   * `portableBackend` from `@factorkit/core/crypto/portable` runs without Node APIs.
   */
  readonly crypto?: CryptoBackend;
  readonly policies?: FactorkitPolicies & { readonly webauthn?: WebAuthnPolicies };
  /**
   * FIDO metadata (MDS3): a `Metadata` loaded with @factorkit/metadata, or a `MetadataSource`
   * (its current BLOB is used, so refreshing it takes effect at once). With it, attestation is
   * trusted through the metadata entry's roots and `policies.authenticator.status` applies.
   */
  readonly metadata?: MetadataInput;
}

/** One namespace per factor; every verification returns a `FactorVerification`. */
export interface Factorkit {
  readonly webauthn: WebAuthnNamespace;
  readonly u2f: U2fNamespace;
  readonly yubikey: YubikeyNamespace;
  readonly otp: OtpNamespace;
  readonly store: FactorkitStore;
  /**
   * Deletes challenges that expired before now (abandoned ceremonies). Call it periodically;
   * an expired challenge that is answered anyway is reported as TIMEOUT until it is purged.
   */
  purgeExpiredChallenges(): Promise<number>;
  /**
   * Re-assesses a user's WebAuthn/U2F credentials against the configured (or given) metadata
   * at the clock's now: per credential, what changed since registration (status now denied,
   * certification dropped, entry removed). Only attested identity is used.
   */
  reassessCredentials(input: { userId: string; metadata?: MetadataInput }): Promise<Reassessment[]>;
}

/**
 * Creates the façade. It composes @factorkit/webauthn, u2f, yubikey and otp over one store:
 * the packages do every protocol check; the façade issues and consumes challenges (bound to
 * user, origin and factor, single use, expiring), persists what verification returns with
 * compare-and-set, and maps every outcome onto one result shape.
 */
export function createFactorkit(options: CreateFactorkitOptions): Factorkit {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { rp } = options;
  if (typeof rp?.id !== 'string' || rp.id === '' || typeof rp.name !== 'string') {
    throw new TypeError('rp must be { id: string, name: string }');
  }
  if (!Array.isArray(options.origins) || options.origins.length === 0) {
    throw new TypeError('origins must be a non-empty array of origins');
  }
  for (const o of options.origins) {
    if (typeof o !== 'string' || o === '') throw new TypeError('origins must contain non-empty strings');
  }
  if (options.store !== undefined && options.keyEncryption === undefined) {
    throw new TypeError(
      'keyEncryption is required with a caller-supplied store (secrets must not be stored in the clear)',
    );
  }
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning a Date');
  const policies = options.policies ?? {};
  const timeoutSeconds = policies.challengeTimeoutSeconds ?? DEFAULT_CHALLENGE_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 86_400) {
    throw new RangeError('policies.challengeTimeoutSeconds must be an integer in 1..86400');
  }
  const crypto = options.crypto ?? defaultBackend;
  // Attempt policies are checked now, so a malformed one fails at startup, not at the first login.
  if (policies.otpAttempts !== undefined) checkAttemptPolicy(policies.otpAttempts);
  if (policies.userAttempts !== undefined && policies.userAttempts !== false)
    checkAttemptPolicy(policies.userAttempts);
  const ctx: FacadeContext = {
    rp: { id: rp.id, name: rp.name },
    origins: [...options.origins],
    store: options.store ?? new MemoryStore(),
    clock,
    keyEncryption: options.keyEncryption ?? aesGcmKeyEncryption(crypto.randomBytes(32), crypto),
    policies,
    challengeTimeoutMs: timeoutSeconds * 1000,
    crypto,
    metadata: options.metadata,
  };
  return {
    webauthn: createWebAuthnNamespace(ctx, policies.webauthn ?? {}, crypto),
    u2f: createU2fNamespace(ctx),
    yubikey: createYubikeyNamespace(ctx),
    otp: createOtpNamespace(ctx),
    store: ctx.store,
    purgeExpiredChallenges: () => ctx.store.challenges.purgeExpired(ctx.clock().getTime()),
    async reassessCredentials(input) {
      const userId = requireUserId(input?.userId);
      const metadata = currentMetadata(input.metadata ?? ctx.metadata);
      if (metadata === undefined)
        throw new TypeError('reassessCredentials needs metadata (configured or given)');
      const creds = await ctx.store.credentials.list(userId);
      const policy = policies.authenticator;
      return reassess(metadata, creds.map(factsOf), ctx.clock(), {
        ...(policy?.status === undefined ? {} : { status: policy.status }),
        ...(policy?.requireMetadata === undefined ? {} : { requireMetadata: policy.requireMetadata }),
      });
    },
  };
}
