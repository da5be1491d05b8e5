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
  readonly data: { readonly [key: string]: JsonValue };
}

/** Fields a successful authentication updates together with the counter. */
export interface CredentialUsePatch {
  readonly lastUsedAt: number;
  /** Merged into `data` (e.g. the current backupState). */
  readonly data?: { readonly [key: string]: JsonValue };
}

export type OtpFactorType = 'totp' | 'hotp' | 'vip';

/** An enrolled HOTP/TOTP/Symantec VIP factor. */
export interface OtpFactorRecord {
  readonly id: string;
  readonly userId: string;
  readonly type: OtpFactorType;
  /** The shared secret (raw bytes). Sealed at rest when the store has a sealer. */
  readonly secret: Uint8Array;
  /** Algorithm, digits, period, t0, window, credentialId (VIP), … */
  readonly params: { readonly [key: string]: JsonValue };
  /**
   * Replay state. TOTP/VIP: the last accepted time step; HOTP: the next acceptable
   * counter (last accepted + 1). `null` before the first acceptance (TOTP).
   */
  readonly counter: number | null;
  readonly createdAt: number;
  readonly lastVerifiedAt: number | null;
}

/** Okta's YubiKey token status enum. */
export type YubikeyTokenStatus = 'UNASSIGNED' | 'ACTIVE' | 'BLOCKED' | 'REVOKED' | 'DELETED' | 'INACTIVE';

/** The public view of a YubiKey token (what list/get return): no secrets. */
export interface YubikeyTokenInfo {
  readonly id: string;
  /** Modhex public id (the OTP's first characters). */
  readonly publicId: string;
  /** Serial, zero-padded to 12 digits as Okta echoes it; `null` when unknown. */
  readonly serial: string | null;
  readonly status: YubikeyTokenStatus;
  readonly userId: string | null;
  readonly created: number;
  readonly lastUpdated: number;
  readonly lastVerified: number | null;
  /** Last accepted usage (power-up) counter, `null` before the first OTP. */
  readonly usageCounter: number | null;
  /** Last accepted session counter, `null` before the first OTP. */
  readonly sessionCounter: number | null;
  /** The 24-bit token timestamp of the last accepted OTP (phishing-delay check). */
  readonly timestamp: number | null;
}

/** A YubiKey token with its secrets (sealed at rest when the store has a sealer). */
export interface YubikeyTokenRecord extends YubikeyTokenInfo {
  /** 6-byte private (secret) id. */
  readonly privateId: Uint8Array;
  /** 16-byte AES-128 key. */
  readonly aesKey: Uint8Array;
}

export type SortOrder = 'ASC' | 'DESC';

export interface YubikeyTokenFilter {
  readonly status?: YubikeyTokenStatus | readonly YubikeyTokenStatus[];
  /** Exact serial (12 digits, zero-padded). */
  readonly serial?: string;
  readonly userId?: string;
  /** created ≥ this (epoch ms). */
  readonly createdFrom?: number;
  /** created < this (epoch ms). */
  readonly createdTo?: number;
  readonly lastVerifiedFrom?: number;
  readonly lastVerifiedTo?: number;
}

export interface YubikeyTokenQuery {
  readonly filter?: YubikeyTokenFilter;
  /** Default `created`. */
  readonly sortBy?: 'created' | 'serial' | 'status' | 'lastVerified' | 'userId';
  /** Default `ASC`. */
  readonly sortOrder?: SortOrder;
  /** Page size, default 20, max 200 (Okta's limits). */
  readonly limit?: number;
  /** Opaque cursor from a previous page's `after`. */
  readonly after?: string;
}

export interface YubikeyTokenPage {
  readonly items: readonly YubikeyTokenInfo[];
  /** Cursor for the next page; absent on the last page. */
  readonly after?: string;
}

/** Preconditions for a token update (compare-and-set). */
export interface YubikeyTokenExpect {
  readonly status?: YubikeyTokenStatus | readonly YubikeyTokenStatus[];
  /** `null` = must be unbound. */
  readonly userId?: string | null;
}

export interface YubikeyTokenPatch {
  readonly status?: YubikeyTokenStatus;
  readonly userId?: string | null;
  readonly lastUpdated: number;
}

/** The Yubico OTP replay state accepted with one OTP. */
export interface YubicoCounters {
  readonly usageCounter: number;
  readonly sessionCounter: number;
  readonly timestamp: number;
  /** When the OTP was accepted (becomes `lastVerified`). */
  readonly now: number;
}

/** An attempt counter's state after an operation. */
export interface AttemptState {
  /** Failures recorded in the current window. */
  readonly count: number;
  /** When the current window started (epoch ms). */
  readonly windowStartedAt: number;
}

/**
 * The store interface. Stores return copies: mutating a returned record never changes
 * stored state. Secrets (OTP secrets, YubiKey AES keys and private ids) are sealed at rest
 * through the store's {@link SecretSealer} when one is configured.
 *
 * Failure model: an operation either applies completely or not at all. A thrown error
 * (a crash, a sealer failure, a constraint violation) leaves no partial write.
 */
export interface FactorkitStore {
  // ── challenges ────────────────────────────────────────────────────────────────
  /**
   * Stores a new challenge. Atomic insert: throws `StoreError` `ERR_STORE_CONFLICT` when a
   * challenge with this id exists (never overwrites — an overwrite could revive a used one).
   */
  putChallenge(record: ChallengeRecord): Promise<void>;
  /**
   * Atomically removes and returns the challenge (expired or not — the caller decides
   * what an expired one means). Of any number of concurrent calls for one id, exactly one
   * receives the record; the others receive `undefined`. A challenge is single-use.
   */
  consumeChallenge(id: string): Promise<ChallengeRecord | undefined>;
  /** Deletes challenges with `expiresAt ≤ now`; returns how many. */
  purgeExpiredChallenges(now: number): Promise<number>;

  // ── credentials (WebAuthn, U2F) ───────────────────────────────────────────────
  /** Atomic insert; `ERR_STORE_CONFLICT` when the credential id exists (no overwrite). */
  putCredential(record: CredentialRecord): Promise<void>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;
  /** The user's credentials, oldest first. */
  listCredentials(userId: string): Promise<readonly CredentialRecord[]>;
  /**
   * Compare-and-set of the signature counter: when the stored `signCount` equals
   * `expected`, sets it to `next` and applies `patch` in the same atomic step and returns
   * `true`; otherwise changes nothing and returns `false` (a concurrent verification won,
   * or the credential is gone).
   */
  updateCredentialCounter(
    id: string,
    expected: number,
    next: number,
    patch: CredentialUsePatch,
  ): Promise<boolean>;
  /** Returns whether a credential was deleted. */
  deleteCredential(id: string): Promise<boolean>;

  // ── OTP factors (HOTP, TOTP, VIP) ─────────────────────────────────────────────
  /** Atomic insert; `ERR_STORE_CONFLICT` when the id exists. */
  putOtpFactor(record: OtpFactorRecord): Promise<void>;
  getOtpFactor(id: string): Promise<OtpFactorRecord | undefined>;
  listOtpFactors(userId: string): Promise<readonly OtpFactorRecord[]>;
  /**
   * Monotonic advance of the replay state: when the stored `counter` is `null` or
   * strictly less than `next`, sets it to `next` (and `lastVerifiedAt = now`) and returns
   * `true`; otherwise returns `false`. Of concurrent calls with the same `next`, exactly
   * one returns `true` — each OTP step/counter is accepted once (NIST SP 800-63B).
   */
  advanceOtpCounter(id: string, next: number, now: number): Promise<boolean>;
  deleteOtpFactor(id: string): Promise<boolean>;

  // ── YubiKey token registry ────────────────────────────────────────────────────
  /**
   * Inserts tokens all-or-nothing: if any id or publicId exists (in the store or twice in
   * the batch), throws `ERR_STORE_CONFLICT` naming the publicId and inserts none.
   */
  putYubikeyTokens(records: readonly YubikeyTokenRecord[]): Promise<void>;
  getYubikeyToken(id: string): Promise<YubikeyTokenRecord | undefined>;
  getYubikeyTokenByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined>;
  /** Filtered, sorted, keyset-paginated listing; never returns secrets. */
  listYubikeyTokens(query?: YubikeyTokenQuery): Promise<YubikeyTokenPage>;
  /**
   * Compare-and-set of status/user: applies `patch` only when every precondition in
   * `expect` holds; returns whether it applied. Enrollment (UNASSIGNED, unbound → ACTIVE,
   * user) uses it so two users racing for one token cannot both bind it.
   */
  updateYubikeyToken(id: string, expect: YubikeyTokenExpect, patch: YubikeyTokenPatch): Promise<boolean>;
  /**
   * Yubico OTP replay state, compare-and-set: when (usageCounter, sessionCounter) is
   * strictly greater, lexicographically, than the stored pair (or none is stored), stores
   * it with `timestamp` and `lastVerified = now` and returns `true`; otherwise `false`.
   * Of concurrent calls with one OTP's pair, exactly one returns `true`.
   */
  advanceYubicoCounters(id: string, counters: YubicoCounters): Promise<boolean>;
  deleteYubikeyToken(id: string): Promise<boolean>;

  // ── attempt counters (lockout policies) ───────────────────────────────────────
  /** Current state of `key`'s window at `now` (`count: 0` when none or expired). */
  getAttempts(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /**
   * Atomically records one failure: starts a new window at `now` when none is open or it
   * is older than `windowMs`, else increments; returns the state after the increment.
   * Concurrent calls never lose an increment.
   */
  recordAttempt(key: string, now: number, windowMs: number): Promise<AttemptState>;
  /** Clears `key` (after a success). */
  resetAttempts(key: string): Promise<void>;

  /** Releases resources (closes the database). Further calls reject. */
  close(): Promise<void>;
}

/**
 * At-rest encryption hook for secrets. `context` is a stable identifier of the record
 * and field (bound as associated data, so a sealed value cannot be moved to another
 * record). Synchronous so stores can call it inside a transaction.
 */
export interface SecretSealer {
  seal(plaintext: Uint8Array, context: string): Uint8Array;
  open(sealed: Uint8Array, context: string): Uint8Array;
}

/**
 * Test hook: called inside each writing operation after its writes are staged and before
 * they are committed. Throwing from it simulates a crash mid-operation; the store must
 * then leave no trace of the operation. `op` is the store method's name.
 */
export type BeforeCommitHook = (op: string) => void;

/** Options every bundled store accepts. */
export interface StoreOptions {
  /** Seals secrets at rest (default: none — secrets stored as given). */
  readonly sealer?: SecretSealer;
  /** Fault injection for tests; see {@link BeforeCommitHook}. */
  readonly beforeCommit?: BeforeCommitHook;
}
