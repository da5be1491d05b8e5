import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import type { AesBlockCipher } from './aes.ts';
import { failure, type YubikeyErrorCode, type YubikeyFailure } from './errors.ts';
import { parseTokenFilter } from './filter.ts';
import type { SeedKeyEncryption } from './key-encryption.ts';
import { checkOtpToken, type ParsedOtp, type PhishingDelayOptions, parseOtp } from './otp.ts';
import { csvCell } from './seed/csv.ts';
import type { SeedFormat } from './seed/formats.ts';
import { type ImportSeedsOptions, importSeeds, type SeedImportReport } from './seed/import.ts';
import type { SeedInput } from './seed/lines.ts';
import type { SeedRowError, ValidSeed } from './seed/validate.ts';
import {
  type ListPosition,
  type NewYubikeyTokenRecord,
  type SortOrder,
  TOMBSTONE_STATUSES,
  tokenSortKey,
  type YubikeyStore,
  type YubikeyTokenFilter,
  type YubikeyTokenRecord,
  type YubikeyTokenSortField,
  type YubikeyTokenStatus,
} from './store.ts';

/** The public view of a token (Okta's token object). Never carries the AES key or private id. */
export interface YubikeyToken {
  readonly id: string;
  readonly created: string;
  readonly lastUpdated: string;
  readonly lastVerified: string | null;
  readonly activated: string | null;
  readonly status: YubikeyTokenStatus;
  readonly profile: { readonly serial: string | null; readonly publicId: string };
  /** Bound user, or null. */
  readonly userId: string | null;
}

/** Okta's upload body (`POST /api/v1/org/factors/yubikey_token/tokens`). */
export interface YubikeySeedUpload {
  readonly serialNumber: string;
  readonly publicId: string;
  readonly privateId: string;
  readonly aesKey: string;
}

export interface YubikeyRegistryOptions {
  readonly store: YubikeyStore;
  /** At-rest encryption of seed secrets, e.g. `aesGcmKeyEncryption(kek)`. Required. */
  readonly keyEncryption: SeedKeyEncryption;
  /** Clock. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Token id generator. Default: `ykk` + 17 base62 characters, increasing within a process (see `idGenerator`). */
  readonly generateId?: () => string;
  /** Accept Dvorak-typed OTPs (see `parseOtp`). Default false. */
  readonly allowDvorak?: boolean;
  /** Phishing-delay check (see `TokenCheckOptions`). Default off. */
  readonly phishingDelayCheck?: boolean | PhishingDelayOptions;
  /**
   * Crypto backend (AES block, randomness). Default: the runtime's (`@factorkit/core/crypto/default`);
   * the façade passes the one it gives every factor package.
   */
  readonly crypto?: CryptoBackend;
  /** @deprecated Pass `crypto`. AES block decryption; takes precedence over `crypto`. */
  readonly aes?: AesBlockCipher;
}

export interface OtpVerification {
  readonly verified: true;
  readonly token: YubikeyToken;
  readonly usageCounter: number;
  readonly sessionCounter: number;
  readonly timestamp: number;
}

/** Failure of an admin operation (lifecycle, listing). */
export interface OperationFailure {
  readonly ok: false;
  readonly code: YubikeyErrorCode;
  readonly message: string;
}

export type OperationResult = { readonly ok: true; readonly token: YubikeyToken } | OperationFailure;

export type UploadResult =
  | { readonly ok: true; readonly token: YubikeyToken }
  | { readonly ok: false; readonly errors: readonly SeedRowError[] };

export interface ListTokensQuery {
  /** Structured filter or an Okta filter expression (see `parseTokenFilter`). */
  readonly filter?: YubikeyTokenFilter | string;
  /** Default `created`. */
  readonly sortBy?: YubikeyTokenSortField;
  /** Default `ASC`. */
  readonly sortOrder?: SortOrder;
  /** Default 20, values above 200 are clamped to 200 (Okta). For CSV: default 1000, max 10 000. */
  readonly limit?: number;
  /** Opaque cursor from a previous page's `after`. */
  readonly after?: string;
}

export type ListTokensResult =
  | { readonly ok: true; readonly tokens: readonly YubikeyToken[]; readonly after?: string }
  | OperationFailure;

export type CsvDownloadResult =
  | { readonly ok: true; readonly csv: string; readonly after?: string }
  | OperationFailure;

const SORT_FIELDS: readonly YubikeyTokenSortField[] = [
  'created',
  'lastUpdated',
  'lastVerified',
  'activated',
  'status',
  'profile.serial',
  'user.id',
];
const MAX_CURSOR_LENGTH = 512;
// ASCII order, so that fixed-width base62 strings sort like the numbers they encode.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CSV_HEADER = 'id,serial,publicId,status,userId,created,lastUpdated,lastVerified,activated';

// Random bytes are drawn in blocks: one call per 240 ids instead of one per id.
let idPool: Uint8Array = new Uint8Array(0);
let idPoolAt = 0;

function randomBase62(n: number): string {
  let out = '';
  // 248 = 4 × 62: bytes ≥ 248 would bias the mapping, so they are skipped.
  while (out.length < n) {
    if (idPoolAt >= idPool.length) {
      idPool = defaultBackend.randomBytes(17 * 240);
      idPoolAt = 0;
    }
    const b = idPool[idPoolAt++] as number;
    if (b < 248) out += BASE62[b % 62];
  }
  return out;
}

function base62Fixed(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out;
}

/**
 * Okta-style ids, `ykk` + 17 base62 characters: 9 characters of a strictly increasing sequence
 * (clock milliseconds × 64, bumped by one per id) then 8 random ones. Ids of one import thus sort
 * in file order, which makes `created` ties list in upload order.
 */
function idGenerator(clock: () => Date): () => string {
  let last = 0;
  return () => {
    last = Math.max(clock().getTime() * 64, last + 1);
    return `ykk${base62Fixed(last, 9)}${randomBase62(8)}`;
  };
}

function toToken(r: YubikeyTokenRecord): YubikeyToken {
  return {
    id: r.id,
    created: r.created,
    lastUpdated: r.lastUpdated,
    lastVerified: r.lastVerified,
    activated: r.activated,
    status: r.status,
    profile: { serial: r.serial, publicId: r.publicId },
    userId: r.userId,
  };
}

function aad(publicId: string): Uint8Array {
  return new TextEncoder().encode(`factorkit/yubikey seed v1:${publicId}`);
}

function opFail(code: YubikeyErrorCode, message: string): OperationResult {
  return { ok: false, code, message };
}

/**
 * The YubiKey token registry with Okta `yubikey_token` semantics (protocols §5.4/§5.5): seed
 * upload/import, listing, lifecycle, enrollment by OTP and OTP verification with atomic replay
 * protection.
 */
export class YubikeyRegistry {
  readonly #store: YubikeyStore;
  readonly #enc: SeedKeyEncryption;
  readonly #clock: () => Date;
  readonly #generateId: () => string;
  readonly #options: YubikeyRegistryOptions;

  constructor(options: YubikeyRegistryOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.store === undefined) throw new TypeError('options.store is required');
    if (options.keyEncryption === undefined) throw new TypeError('options.keyEncryption is required');
    this.#store = options.store;
    this.#enc = options.keyEncryption;
    this.#clock = options.clock ?? (() => new Date());
    this.#generateId = options.generateId ?? idGenerator(this.#clock);
    this.#options = options;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  async #buildRecord(seed: ValidSeed): Promise<NewYubikeyTokenRecord> {
    const secret = new Uint8Array(22);
    secret.set(seed.privateId, 0);
    secret.set(seed.aesKey, 6);
    try {
      const sealedSecret = await this.#enc.seal(secret, aad(seed.publicId));
      const now = this.#now();
      return {
        id: this.#generateId(),
        publicId: seed.publicId,
        serial: seed.serial,
        status: 'UNASSIGNED',
        userId: null,
        created: now,
        lastUpdated: now,
        lastVerified: null,
        activated: null,
        lastOtp: null,
        sealedSecret,
      };
    } finally {
      secret.fill(0);
    }
  }

  /** Uploads one seed (Okta's POST body). The token starts UNASSIGNED; serial echoed as 12 digits. */
  async uploadToken(body: YubikeySeedUpload): Promise<UploadResult> {
    if (body === null || typeof body !== 'object') throw new TypeError('body must be an object');
    const report = await importSeeds(
      { store: this.#store, buildRecord: (s) => this.#buildRecord(s) },
      JSON.stringify(body),
      {
        format: 'okta-json',
      },
    );
    if (!report.ok) return { ok: false, errors: report.errors };
    const record = await this.#store.getByPublicId(String(body.publicId).toLowerCase());
    if (record === undefined)
      return { ok: false, errors: [{ code: 'ERR_TOKEN_NOT_FOUND', message: 'token vanished after upload' }] };
    return { ok: true, token: toToken(record) };
  }

  /**
   * Imports a seed file: Personalization Tool "Yubico format" or "Traditional format" log, or Okta
   * JSON. All-or-nothing unless `importGoodRows`. Input may be streamed (AsyncIterable/Readable).
   */
  importSeeds(input: SeedInput, options: ImportSeedsOptions = {}): Promise<SeedImportReport> {
    return importSeeds({ store: this.#store, buildRecord: (s) => this.#buildRecord(s) }, input, options);
  }

  async getToken(id: string): Promise<YubikeyToken | undefined> {
    const r = await this.#store.getById(id);
    return r === undefined ? undefined : toToken(r);
  }

  /** Okta `GET …/tokens`: filter, sortBy/sortOrder, limit (default 20, max 200), opaque `after`. */
  async listTokens(query: ListTokensQuery = {}): Promise<ListTokensResult> {
    const page = await this.#page(query, 20, 200);
    if ('code' in page) return { ok: false, code: page.code, message: page.message };
    return page.after === undefined
      ? { ok: true, tokens: page.records.map(toToken) }
      : { ok: true, tokens: page.records.map(toToken), after: page.after };
  }

  /**
   * Okta `forDownload=true`: one CSV page (default 1000 rows, max 10 000) with a header line;
   * cells are escaped against formula injection (CWE-1236). No secrets are ever included.
   */
  async downloadTokensCsv(query: ListTokensQuery = {}): Promise<CsvDownloadResult> {
    const page = await this.#page(query, 1000, 10_000);
    if ('code' in page) return { ok: false, code: page.code, message: page.message };
    const lines = [CSV_HEADER];
    for (const r of page.records) {
      lines.push(
        [
          r.id,
          r.serial,
          r.publicId,
          r.status,
          r.userId,
          r.created,
          r.lastUpdated,
          r.lastVerified,
          r.activated,
        ]
          .map(csvCell)
          .join(','),
      );
    }
    const csv = `${lines.join('\r\n')}\r\n`;
    return page.after === undefined ? { ok: true, csv } : { ok: true, csv, after: page.after };
  }

  async #page(
    query: ListTokensQuery,
    defaultLimit: number,
    maxLimit: number,
  ): Promise<{ records: YubikeyTokenRecord[]; after?: string } | YubikeyFailure> {
    const sortBy = query.sortBy ?? 'created';
    const sortOrder = query.sortOrder ?? 'ASC';
    if (!SORT_FIELDS.includes(sortBy)) return failure('ERR_INVALID_FILTER', 'unsupported sortBy');
    if (sortOrder !== 'ASC' && sortOrder !== 'DESC')
      return failure('ERR_INVALID_FILTER', 'sortOrder must be ASC or DESC');
    let limit = query.limit ?? defaultLimit;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    limit = Math.min(limit, maxLimit);
    let filter: YubikeyTokenFilter = {};
    if (typeof query.filter === 'string') {
      const parsed = parseTokenFilter(query.filter);
      if ('code' in parsed) return parsed;
      filter = parsed;
    } else if (query.filter !== undefined) filter = query.filter;
    let after: ListPosition | undefined;
    if (query.after !== undefined) {
      after = decodeCursor(query.after, sortBy, sortOrder);
      if (after === undefined) return failure('ERR_INVALID_CURSOR', 'after is not a cursor of this listing');
    }
    // One extra row tells whether another page exists.
    const rows = await this.#store.list(
      after === undefined
        ? { filter, sortBy, sortOrder, limit: limit + 1 }
        : { filter, sortBy, sortOrder, limit: limit + 1, after },
    );
    if (rows.length <= limit) return { records: rows };
    const records = rows.slice(0, limit);
    const last = records[records.length - 1] as YubikeyTokenRecord;
    return {
      records,
      after: encodeCursor({ key: tokenSortKey(last, sortBy), id: last.id }, sortBy, sortOrder),
    };
  }

  /** Okta `DELETE …/tokens/{id}`: DELETED tombstone; seed destroyed, user unbound, counters kept. */
  deleteToken(id: string): Promise<OperationResult> {
    return this.#transition(
      id,
      ['UNASSIGNED', 'ACTIVE', 'BLOCKED', 'INACTIVE', 'REVOKED'],
      'DELETED',
      null,
      true,
    );
  }

  /** Revoke: REVOKED; seed destroyed (must be uploaded again before reuse), counters kept. */
  revokeToken(id: string): Promise<OperationResult> {
    return this.#transition(id, ['UNASSIGNED', 'ACTIVE', 'BLOCKED', 'INACTIVE'], 'REVOKED', null, true);
  }

  /** Unassign (user's factor reset): back to UNASSIGNED, seed and counters kept, so old OTPs stay spent. */
  unassignToken(id: string): Promise<OperationResult> {
    return this.#transition(id, ['ACTIVE', 'BLOCKED', 'INACTIVE'], 'UNASSIGNED', null, false);
  }

  /** BLOCKED: the bound user was deactivated; verification fails until reactivated. */
  async blockToken(id: string): Promise<OperationResult> {
    return this.#keepUser(id, ['ACTIVE', 'INACTIVE'], 'BLOCKED');
  }

  /** INACTIVE: the factor is switched off for its user; verification fails until reactivated. */
  async deactivateToken(id: string): Promise<OperationResult> {
    return this.#keepUser(id, ['ACTIVE', 'BLOCKED'], 'INACTIVE');
  }

  /** BLOCKED/INACTIVE → ACTIVE for the same user. */
  async reactivateToken(id: string): Promise<OperationResult> {
    return this.#keepUser(id, ['BLOCKED', 'INACTIVE'], 'ACTIVE');
  }

  /** Hard delete of a record and its counters (purge). Prefer `deleteToken`, which keeps the replay floor. */
  async purgeToken(id: string): Promise<boolean> {
    return this.#store.delete(id);
  }

  async #keepUser(id: string, from: YubikeyTokenStatus[], to: YubikeyTokenStatus): Promise<OperationResult> {
    const r = await this.#store.getById(id);
    if (r === undefined) return opFail('ERR_TOKEN_NOT_FOUND', 'no such token');
    if (!from.includes(r.status) || r.userId === null)
      return opFail('ERR_TOKEN_STATE_CONFLICT', `token cannot become ${to} from ${r.status}`);
    return this.#transition(id, from, to, r.userId, false);
  }

  async #transition(
    id: string,
    from: YubikeyTokenStatus[],
    to: YubikeyTokenStatus,
    userId: string | null,
    clearSecret: boolean,
  ): Promise<OperationResult> {
    const res = await this.#store.updateStatus({
      id,
      expectStatus: from,
      status: to,
      userId,
      at: this.#now(),
      clearSecret,
    });
    if (res.ok) return { ok: true, token: toToken(res.record) };
    return res.reason === 'NOT_FOUND'
      ? opFail('ERR_TOKEN_NOT_FOUND', 'no such token')
      : opFail('ERR_TOKEN_STATE_CONFLICT', `token cannot become ${to} from its current status`);
  }

  /**
   * Enrollment by OTP (protocols §5.5): the OTP's public id selects an UNASSIGNED token; a valid,
   * fresh OTP binds it to `userId` (ACTIVE) in the same atomic step that records its counters.
   * A token already bound (to anyone) is refused with `ERR_TOKEN_ALREADY_ASSIGNED`.
   */
  async enroll(input: {
    readonly userId: string;
    readonly passCode: string;
  }): Promise<OtpVerification | YubikeyFailure> {
    assertUserId(input?.userId);
    const parsed = parseOtp(input.passCode, this.#options);
    if ('code' in parsed) return parsed;
    const record = await this.#store.getByPublicId(parsed.publicId);
    if (record === undefined || TOMBSTONE_STATUSES.includes(record.status)) {
      return failure('ERR_UNKNOWN_TOKEN', 'no uploaded seed has this public id');
    }
    if (record.status !== 'UNASSIGNED')
      return failure('ERR_TOKEN_ALREADY_ASSIGNED', 'token is already enrolled');
    return this.#checkAndCommit(parsed, record, null, input.userId);
  }

  /**
   * Verifies an OTP for `userId` (Okta `verify {passCode}`): the token must be ACTIVE and bound to
   * this user; then decrypt, CRC, private id, replay (atomic compare-and-set), optional delay check.
   */
  async verify(input: {
    readonly userId: string;
    readonly passCode: string;
  }): Promise<OtpVerification | YubikeyFailure> {
    assertUserId(input?.userId);
    const parsed = parseOtp(input.passCode, this.#options);
    if ('code' in parsed) return parsed;
    const record = await this.#store.getByPublicId(parsed.publicId);
    if (record === undefined || TOMBSTONE_STATUSES.includes(record.status)) {
      return failure('ERR_UNKNOWN_TOKEN', 'no token has this public id');
    }
    // OWN-1: the token must belong to the user the verification is for.
    if (record.userId !== input.userId)
      return failure('ERR_TOKEN_USER_MISMATCH', 'token is not bound to this user');
    if (record.status !== 'ACTIVE') return failure('ERR_TOKEN_NOT_ACTIVE', 'token is not active');
    return this.#checkAndCommit(parsed, record, input.userId, undefined);
  }

  async #checkAndCommit(
    parsed: ParsedOtp,
    record: YubikeyTokenRecord,
    expectUserId: string | null,
    assignUserId: string | undefined,
  ): Promise<OtpVerification | YubikeyFailure> {
    const sealed = await this.#store.getSealedSecret(record.id);
    if (sealed === undefined) return failure('ERR_UNKNOWN_TOKEN', 'token has no seed');
    let secret: Uint8Array;
    try {
      secret = await this.#enc.open(sealed, aad(record.publicId));
    } catch {
      return failure('ERR_SECRET_UNSEAL', 'token seed could not be decrypted');
    }
    if (secret.length !== 22) return failure('ERR_SECRET_UNSEAL', 'token seed has the wrong size');
    const now = this.#clock();
    let checked: ReturnType<typeof checkOtpToken>;
    try {
      checked = checkOtpToken(
        parsed,
        { privateId: secret.subarray(0, 6), aesKey: secret.subarray(6, 22) },
        record.lastOtp,
        {
          ...(this.#options.aes === undefined ? {} : { aes: this.#options.aes }),
          ...(this.#options.crypto === undefined ? {} : { crypto: this.#options.crypto }),
          ...(this.#options.phishingDelayCheck === undefined
            ? {}
            : { phishingDelayCheck: this.#options.phishingDelayCheck }),
          now,
        },
      );
    } finally {
      secret.fill(0);
    }
    if (!checked.verified) return checked;
    // The replay gate proper: the check above read `lastOtp` earlier; only this atomic
    // compare-and-set decides (yubikey-val checks, then updates without looking at the result).
    const res = await this.#store.compareAndSetCounter({
      id: record.id,
      next: {
        usageCounter: checked.usageCounter,
        sessionCounter: checked.sessionCounter,
        timestamp: checked.timestamp,
        at: now.toISOString(),
      },
      expectStatus: record.status,
      expectUserId,
      ...(assignUserId === undefined ? {} : { assignUserId }),
    });
    if (!res.ok) {
      if (res.reason === 'REPLAYED') return failure('ERR_OTP_REPLAYED', 'OTP was already used');
      if (res.reason === 'NOT_FOUND') return failure('ERR_UNKNOWN_TOKEN', 'token was removed');
      return failure('ERR_TOKEN_STATE_CONFLICT', 'token changed during verification');
    }
    return {
      verified: true,
      token: toToken(res.record),
      usageCounter: checked.usageCounter,
      sessionCounter: checked.sessionCounter,
      timestamp: checked.timestamp,
    };
  }
}

function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0)
    throw new TypeError('userId must be a non-empty string');
}

function encodeCursor(pos: ListPosition, sortBy: YubikeyTokenSortField, sortOrder: SortOrder): string {
  return Buffer.from(
    JSON.stringify({ v: 1, b: sortBy, o: sortOrder, k: pos.key, i: pos.id }),
    'utf8',
  ).toString('base64url');
}

function decodeCursor(
  cursor: string,
  sortBy: YubikeyTokenSortField,
  sortOrder: SortOrder,
): ListPosition | undefined {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)
    return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    if (o['v'] !== 1 || o['b'] !== sortBy || o['o'] !== sortOrder) return undefined;
    if (typeof o['k'] !== 'string' || typeof o['i'] !== 'string') return undefined;
    return { key: o['k'], id: o['i'] };
  } catch {
    return undefined;
  }
}

export type { ImportSeedsOptions, SeedFormat, SeedImportReport, SeedInput, SeedRowError };
