/**
 * The persistence contract of the token registry.
 *
 * A store keeps one record per YubiKey seed. It never sees an AES key or private id in the clear:
 * the registry seals them with the caller's key-encryption hook (`SeedKeyEncryption`) before
 * `insertMany`, and only `getSealedSecret` hands the sealed bytes back. `get*`/`list` return
 * `YubikeyTokenRecord`, which has no secret field at all.
 *
 * Atomicity: every method is one atomic step against the backing storage. In particular
 * `compareAndSetCounter` must check and write in a single operation (SQL: one conditional
 * `UPDATE … WHERE` whose affected-row count is the answer) — a read followed by a separate
 * write lets two copies of one OTP both pass (yubikey-val's check-then-update bug).
 *
 * Timestamps are ISO-8601 UTC strings as produced by `Date#toISOString()` (fixed width, so they
 * sort lexicographically).
 */

/** Okta token statuses (OpenAPI `yubikeyTokenStatus`). */
export type YubikeyTokenStatus = 'UNASSIGNED' | 'ACTIVE' | 'BLOCKED' | 'REVOKED' | 'DELETED' | 'INACTIVE';

export const YUBIKEY_TOKEN_STATUSES: readonly YubikeyTokenStatus[] = [
  'UNASSIGNED',
  'ACTIVE',
  'BLOCKED',
  'REVOKED',
  'DELETED',
  'INACTIVE',
];

/** Statuses whose record is a tombstone: no secret, publicId may be uploaded again. */
export const TOMBSTONE_STATUSES: readonly YubikeyTokenStatus[] = ['REVOKED', 'DELETED'];

/** The replay-relevant pair of a Yubico OTP (protocols §4.2): compared usage counter first. */
export interface CounterPair {
  /** Non-volatile usage counter, 15 bits (caps-lock flag already masked off). */
  readonly usageCounter: number;
  /** Presses since power-up, 8 bits. */
  readonly sessionCounter: number;
}

/** The last accepted OTP of a token. */
export interface AcceptedOtp extends CounterPair {
  /** 24-bit token timer (~8 Hz) of that OTP; used by the optional phishing-delay check. */
  readonly timestamp: number;
  /** When it was accepted (ISO-8601). */
  readonly at: string;
}

/** One token as stored, without its secret. */
export interface YubikeyTokenRecord {
  /** Opaque unique id (Okta style, e.g. `ykk…`). */
  readonly id: string;
  /** Lowercase modhex public id; unique among non-tombstone records. */
  readonly publicId: string;
  /** Serial zero-padded to 12 digits, or null when the seed file had none (Traditional format). */
  readonly serial: string | null;
  readonly status: YubikeyTokenStatus;
  /** The user the token is bound to (ACTIVE/BLOCKED/INACTIVE), else null. */
  readonly userId: string | null;
  readonly created: string;
  readonly lastUpdated: string;
  /** Time of the last accepted OTP, null before the first. */
  readonly lastVerified: string | null;
  /** Time of enrollment (binding to `userId`), null when unbound. */
  readonly activated: string | null;
  /** Last accepted counters; null = no OTP accepted yet (yubikey-val starts at -1/-1). */
  readonly lastOtp: AcceptedOtp | null;
}

/** A record to insert: the record plus its sealed secret. */
export interface NewYubikeyTokenRecord extends YubikeyTokenRecord {
  /** Output of `SeedKeyEncryption.seal` — opaque to the store. */
  readonly sealedSecret: Uint8Array;
}

export type InsertManyResult =
  | { readonly ok: true; readonly inserted: number }
  /** Nothing was written. `conflicts` lists the publicIds (or ids) that clashed. */
  | { readonly ok: false; readonly conflicts: readonly string[] };

/** Fields a list can be sorted by (Okta `sortBy` names). */
export type YubikeyTokenSortField =
  | 'created'
  | 'lastUpdated'
  | 'lastVerified'
  | 'activated'
  | 'status'
  | 'profile.serial'
  | 'user.id';

export type SortOrder = 'ASC' | 'DESC';

/** Exclusive time range; either end optional. */
export interface TimeRange {
  readonly after?: string;
  readonly before?: string;
}

/** Conjunction of conditions; an absent field does not filter. */
export interface YubikeyTokenFilter {
  readonly status?: readonly YubikeyTokenStatus[];
  readonly serial?: string;
  /** A user id, or null for "not bound to any user". */
  readonly userId?: string | null;
  readonly created?: TimeRange;
  readonly lastVerified?: TimeRange;
  readonly activated?: TimeRange;
}

/** Keyset position: rows strictly after `(key, id)` in the requested order. */
export interface ListPosition {
  /** `tokenSortKey(record, sortBy)` of the last row returned. */
  readonly key: string;
  readonly id: string;
}

export interface StoreListQuery {
  readonly filter: YubikeyTokenFilter;
  readonly sortBy: YubikeyTokenSortField;
  readonly sortOrder: SortOrder;
  /** Maximum rows to return (the registry passes at most 10 000). */
  readonly limit: number;
  readonly after?: ListPosition;
}

export interface CounterUpdate {
  readonly id: string;
  /** The OTP being accepted; becomes `lastOtp`, and `next.at` becomes `lastVerified`/`lastUpdated`. */
  readonly next: AcceptedOtp;
  /** The token must still have this status … */
  readonly expectStatus: YubikeyTokenStatus;
  /** … and this binding (null = unbound). */
  readonly expectUserId: string | null;
  /** Enrollment: also set `status` ACTIVE, `userId` and `activated = next.at` in the same step. */
  readonly assignUserId?: string;
}

export type CounterUpdateResult =
  | { readonly ok: true; readonly record: YubikeyTokenRecord }
  | { readonly ok: false; readonly reason: 'NOT_FOUND' | 'STATE_CHANGED' | 'REPLAYED' };

export interface StatusUpdate {
  readonly id: string;
  /** Current status must be one of these, else STATE_CHANGED. */
  readonly expectStatus: readonly YubikeyTokenStatus[];
  readonly status: YubikeyTokenStatus;
  /** New binding (null unbinds; `activated` is cleared when unbinding). */
  readonly userId: string | null;
  readonly at: string;
  /** Destroy the sealed secret (revoke/delete): the seed must be uploaded again. */
  readonly clearSecret?: boolean;
}

export type StatusUpdateResult =
  | { readonly ok: true; readonly record: YubikeyTokenRecord }
  | { readonly ok: false; readonly reason: 'NOT_FOUND' | 'STATE_CHANGED' };

/**
 * Storage for YubiKey OTP tokens. All methods are atomic (see the module comment).
 */
export interface YubikeyStore {
  /**
   * Inserts every record or none. Conflicts (⇒ nothing written, `ok: false`):
   * a duplicate `id`; a `publicId` repeated inside `records`; a `publicId` already held by a
   * record whose status is not REVOKED/DELETED. A tombstone (REVOKED/DELETED) with the same
   * publicId is replaced, and its `lastOtp` is kept when it is greater than the new record's —
   * so re-uploading a seed never re-opens old OTPs for replay.
   */
  insertMany(records: readonly NewYubikeyTokenRecord[]): Promise<InsertManyResult>;
  getById(id: string): Promise<YubikeyTokenRecord | undefined>;
  getByPublicId(publicId: string): Promise<YubikeyTokenRecord | undefined>;
  /** The sealed secret of a token, undefined when absent or destroyed. */
  getSealedSecret(id: string): Promise<Uint8Array | undefined>;
  /**
   * Filtered, sorted page: rows matching `filter`, ordered by (`tokenSortKey`, `id`) in
   * `sortOrder` (ties broken by id in the same direction), strictly after `after`, at most `limit`.
   */
  list(query: StoreListQuery): Promise<YubikeyTokenRecord[]>;
  /**
   * The replay gate. In one atomic step: the record exists, has `expectStatus` and
   * `expectUserId`, and `next` is strictly greater than `lastOtp` (usageCounter first, then
   * sessionCounter; null `lastOtp` accepts any pair) — then writes `lastOtp`, `lastVerified`,
   * `lastUpdated` (and the enrollment binding). Otherwise writes nothing and says why.
   */
  compareAndSetCounter(update: CounterUpdate): Promise<CounterUpdateResult>;
  /** Lifecycle transition, conditional on the current status; one atomic step. */
  updateStatus(update: StatusUpdate): Promise<StatusUpdateResult>;
  /** Removes a record and its secret entirely (purge). True when something was removed. */
  delete(id: string): Promise<boolean>;
}

/** Lexicographic order of counter pairs (yubikey-val: usage counter first, then session counter). */
export function compareCounters(a: CounterPair, b: CounterPair): number {
  if (a.usageCounter !== b.usageCounter) return a.usageCounter < b.usageCounter ? -1 : 1;
  if (a.sessionCounter !== b.sessionCounter) return a.sessionCounter < b.sessionCounter ? -1 : 1;
  return 0;
}

/**
 * The sort key of a record for `sortBy`, as a string whose lexicographic order is the sort
 * order: ISO timestamps and 12-digit serials already sort as strings; null sorts first ('').
 * SQL stores: `COALESCE(column, '')`.
 */
export function tokenSortKey(record: YubikeyTokenRecord, sortBy: YubikeyTokenSortField): string {
  switch (sortBy) {
    case 'created':
      return record.created;
    case 'lastUpdated':
      return record.lastUpdated;
    case 'lastVerified':
      return record.lastVerified ?? '';
    case 'activated':
      return record.activated ?? '';
    case 'status':
      return record.status;
    case 'profile.serial':
      return record.serial ?? '';
    case 'user.id':
      return record.userId ?? '';
  }
}

/** Whether `record` matches every condition of `filter` (reference semantics for stores). */
export function matchesFilter(record: YubikeyTokenRecord, filter: YubikeyTokenFilter): boolean {
  if (filter.status !== undefined && !filter.status.includes(record.status)) return false;
  if (filter.serial !== undefined && record.serial !== filter.serial) return false;
  if (filter.userId !== undefined && record.userId !== filter.userId) return false;
  if (!inRange(record.created, filter.created)) return false;
  if (!inRange(record.lastVerified, filter.lastVerified)) return false;
  if (!inRange(record.activated, filter.activated)) return false;
  return true;
}

function inRange(value: string | null, range: TimeRange | undefined): boolean {
  if (range === undefined) return true;
  if (value === null) return false;
  if (range.after !== undefined && !(value > range.after)) return false;
  if (range.before !== undefined && !(value < range.before)) return false;
  return true;
}
