/**
 * The store seam: every piece of state verification needs, behind one interface whose
 * operations are atomic. A verification that reads state, checks a response and then
 * writes state back is only replay-safe if the write is a compare-and-set (or an atomic
 * consume): two concurrent verifications of one response both read the same state, but
 * only one of them may win the write. Each operation below documents its contract; the
 * contract test suite (`test/store-contract.ts`) checks it for every store.
 *
 * All methods return Promises so network stores (Postgres, Redis) implement the same
 * interface. Times are epoch milliseconds, supplied by the caller (no hidden clock).
 */

import type { OtpAlgorithm } from '@factorkit/otp';
import type { YubikeyStore } from '@factorkit/yubikey';

/** A JSON value, for the free-form parts of records. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Which ceremony a challenge was issued for. */
export type ChallengeFactor =
  | 'webauthn.registration'
  | 'webauthn.authentication'
  | 'u2f.register'
  | 'u2f.sign'
  | (string & {});

/** A challenge issued by a `start*` call, bound to user, origin and factor. */
export interface ChallengeRecord {
  /** Lookup key (the challenge itself, base64url, or an opaque handle). */
  readonly id: string;
  readonly factor: ChallengeFactor;
  /** The user the challenge was issued to; `null` for username-less flows. */
  readonly userId: string | null;
  /** The origin the ceremony was started from; `null` = any configured origin. */
  readonly origin: string | null;
  /** The challenge value sent to the client (base64url or websafe base64). */
  readonly challenge: string;
  /** Epoch ms after which the challenge is expired. */
  readonly expiresAt: number;
  /** Ceremony parameters the finish step needs (allowCredentials, appId, …). */
  readonly data: JsonValue;
}

/**
 * What a credential keeps besides its key and counter. The named members are the ones the
 * façade writes and reads; stores parse them once when a record is read (a member with the
 * wrong type is `ERR_STORE_CORRUPT`), so the façade never re-checks them. Other members are
 * kept as they are (forward compatibility).
 */
export interface CredentialData {
  /** COSE algorithm of the credential public key (WebAuthn). */
  readonly alg?: number;
  readonly aaguid?: string;
  /**
   * The AAGUID was signed by an attestation certificate (false for none, self and fido-u2f):
   * only then, and with `trusted`, may it feed a policy.
   */
  readonly aaguidAttested?: boolean;
  /** Attestation statement format at registration (`none`, `packed`, `fido-u2f`, …). */
  readonly fmt?: string;
  readonly attestationType?: string;
  /** Whether the attestation chained to a configured trust anchor. */
  readonly trusted?: boolean;
  readonly transports?: readonly string[];
  /** WebAuthn BE flag at registration (§6.1). */
  readonly backupEligible?: boolean;
  /** WebAuthn BS flag as last seen. */
  readonly backupState?: boolean;
  readonly uvInitialized?: boolean;
  /** base64url user.id sent in the creation options (checked against the assertion's userHandle). */
  readonly userHandle?: string;
  /** U2F AppID the key handle was registered for (also the WebAuthn `appid` extension). */
  readonly appId?: string;
  /** U2F: the attestation certificate, websafe base64. */
  readonly attestationCertificate?: string;
  /** WebAuthn credProtect level (1–3) the authenticator applied and signed at registration. */
  readonly credProtect?: number;
  readonly [member: string]: JsonValue | undefined;
}

/** An OTP factor's profile (see {@link CredentialData} for how stores parse it). */
export interface OtpParams {
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  /** TOTP time step, seconds. */
  readonly period?: number;
  /** TOTP epoch, seconds. */
  readonly t0?: number;
  /** A resynchronised TOTP token's clock offset in time steps (RFC 6238 §6). */
  readonly driftSteps?: number;
  /** Symantec VIP credential id (Okta `profile.credentialId`). */
  readonly credentialId?: string;
  /** Symantec VIP: `hotp` for an event-based credential (else time-based). */
  readonly mode?: 'hotp' | 'totp';
  readonly [member: string]: JsonValue | undefined;
}

/** A WebAuthn credential or a FIDO U2F registration. */
export interface CredentialRecord {
  /** Credential id (WebAuthn) or key handle (U2F), base64url. */
  readonly id: string;
  readonly userId: string;
  readonly factor: 'webauthn' | 'u2f';
  /** COSE_Key bytes (WebAuthn) or the 65-byte uncompressed P-256 point (U2F). */
  readonly publicKey: Uint8Array;
  /** The last accepted signature counter (WebAuthn signCount / U2F counter). */
  readonly signCount: number;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  /** Everything else the factor keeps: alg, aaguid, transports, BE/BS, appId, fmt, … */
  readonly data: CredentialData;
}

/** Fields a successful authentication updates together with the counter. */
export interface CredentialUsePatch {
  readonly lastUsedAt: number;
  /** Merged into `data` member by member (e.g. the current backupState). */
  readonly data?: CredentialData;
}

export type OtpFactorType = 'totp' | 'hotp' | 'vip';

/** An enrolled HOTP/TOTP/Symantec VIP factor. */
export interface OtpFactorRecord {
  readonly id: string;
  readonly userId: string;
  readonly type: OtpFactorType;
  /** The shared secret, as the façade hands it over (sealed when a key-encryption hook is set). */
  readonly secret: Uint8Array;
  /** Algorithm, digits, period, t0, drift, credentialId (VIP), … */
  readonly params: OtpParams;
  /**
   * Replay state. TOTP/VIP: the last accepted time step; HOTP: the next acceptable
   * counter (last accepted + 1). `null` before the first acceptance (TOTP).
   */
  readonly counter: number | null;
  readonly createdAt: number;
  readonly lastVerifiedAt: number | null;
}

/** An attempt counter's state after an operation. */
export interface AttemptState {
  /** Failures recorded in the current window. */
  readonly count: number;
  /** When the current window started (epoch ms). */
  readonly windowStartedAt: number;
}

/** Single-use challenges (WebAuthn and U2F ceremonies). */
export interface ChallengeStore {
  /**
   * Stores a new challenge. Atomic insert: throws `StoreError` `ERR_STORE_CONFLICT` when a
   * challenge with this id exists (never overwrites — an overwrite could revive a used one).
   */
  put(record: ChallengeRecord): Promise<void>;
  /**
   * Atomically removes and returns the challenge (expired or not — the caller decides
   * what an expired one means). Of any number of concurrent calls for one id, exactly one
   * receives the record; the others receive `undefined`. A challenge is single-use.
   */
  consume(id: string): Promise<ChallengeRecord | undefined>;
  /** Deletes challenges with `expiresAt ≤ now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/** WebAuthn credentials and U2F registrations. */
export interface CredentialStore {
  /** Atomic insert; `ERR_STORE_CONFLICT` when the credential id exists (no overwrite). */
  put(record: CredentialRecord): Promise<void>;
  get(id: string): Promise<CredentialRecord | undefined>;
  /** The user's credentials, oldest first. */
  list(userId: string): Promise<readonly CredentialRecord[]>;
  /**
   * Compare-and-set of the signature counter: when the stored `signCount` equals
   * `expected`, sets it to `next` and applies `patch` in the same atomic step and returns
   * `true`; otherwise changes nothing and returns `false` (a concurrent verification won,
   * or the credential is gone).
   */
  updateCounter(id: string, expected: number, next: number, patch: CredentialUsePatch): Promise<boolean>;
  /** Returns whether a credential was deleted. */
  delete(id: string): Promise<boolean>;
}

/** Enrolled HOTP/TOTP/VIP factors. */
export interface OtpFactorStore {
  /** Atomic insert; `ERR_STORE_CONFLICT` when the id exists. */
  put(record: OtpFactorRecord): Promise<void>;
  get(id: string): Promise<OtpFactorRecord | undefined>;
  list(userId: string): Promise<readonly OtpFactorRecord[]>;
  /**
   * Monotonic advance of the replay state: when the stored `counter` is `null` or
   * strictly less than `next`, sets it to `next` (and `lastVerifiedAt = now`) and returns
   * `true`; otherwise returns `false`. Of concurrent calls with the same `next`, exactly
   * one returns `true` — each OTP step/counter is accepted once (NIST SP 800-63B). When
   * `params` is given it replaces the stored params in the same atomic step (a resync stores
   * the token's clock drift with the new position).
   */
  advanceCounter(id: string, next: number, now: number, params?: OtpFactorRecord['params']): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

/** Failure counters for lockout policies. */
export interface AttemptStore {
  /** Current state of `key`'s window at `now` (`count: 0` when none or expired). */
  get(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /**
   * Atomically records one failure: starts a new window at `now` when none is open or it
   * is older than `windowMs`, else increments; returns the state after the increment.
   * Concurrent calls never lose an increment.
   */
  record(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /** Clears `key` (after a success). */
  reset(key: string): Promise<void>;
}

/**
 * The store seam: one object, one sub-store per kind of state. `yubikey` is the
 * `YubikeyStore` interface of `@factorkit/yubikey` (token registry + Yubico counter
 * compare-and-set); its contract is that package's.
 *
 * Stores return copies: mutating a returned record never changes stored state. Secrets
 * reach the store already sealed by the façade's key-encryption hook (when configured):
 * the store treats them as opaque bytes.
 *
 * Failure model: an operation either applies completely or not at all. A thrown error
 * (a crash, a constraint violation) leaves no partial write.
 */
export interface FactorkitStore {
  readonly challenges: ChallengeStore;
  readonly credentials: CredentialStore;
  readonly otp: OtpFactorStore;
  readonly yubikey: YubikeyStore;
  readonly attempts: AttemptStore;
  /** Releases resources (closes the database). Further calls reject with `ERR_STORE_CLOSED`. */
  close(): Promise<void>;
}

/**
 * Test hook: called inside each writing operation after its writes are staged and before
 * they are committed. Throwing from it simulates a crash mid-operation; the store must
 * then leave no trace of the operation. `op` names the operation, e.g. `challenges.consume`.
 * Network stores (Postgres, Redis) await a returned promise, so a test can drop the
 * connection at exactly that point; the in-process stores call it synchronously.
 */
export type BeforeCommitHook = (op: string) => void | Promise<void>;

/** Options every bundled store accepts. */
export interface StoreOptions {
  /** Fault injection for tests; see {@link BeforeCommitHook}. */
  readonly beforeCommit?: BeforeCommitHook;
}
