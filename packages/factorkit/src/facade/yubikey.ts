import {
  type AcceptedOtp,
  type CounterPair,
  type CsvDownloadResult,
  type ImportSeedsOptions,
  type ListTokensQuery,
  type ListTokensResult,
  type OperationResult,
  type SeedImportReport,
  type SeedInput,
  type UploadResult,
  verifyYubicoOtp,
  YubikeyRegistry,
  type YubikeySeedUpload,
  type YubikeyToken,
} from '@factorkit/yubikey';
import { type FacadeContext, requestString, requireUserId } from './context.ts';
import { type FactorVerification, fromFailure, rejected, success } from './result.ts';

/** Longest passCode looked at: a Yubico OTP is at most 48 characters (protocols §4.1). */
const MAX_PASSCODE_CHARS = 256;

export interface YubikeyVerified {
  readonly token: YubikeyToken;
  readonly usageCounter: number;
  readonly sessionCounter: number;
  /** 24-bit token timer (~8 Hz) of this OTP (yubikey-val's `timestamp=1` answer). */
  readonly timestamp: number;
}

/** What a stateless OTP check returns: the decrypted counters the caller must persist. */
export interface YubikeyOtpVerified {
  readonly publicId: string;
  readonly usageCounter: number;
  readonly sessionCounter: number;
  /** 24-bit token timer (~8 Hz) of this OTP. */
  readonly timestamp: number;
}

/** Input of the stateless `verifyOtp`: one OTP against one token the caller already holds. */
export interface YubikeyVerifyOtpInput {
  /** The OTP as typed by the token (44 modhex characters: publicId + encrypted block). */
  readonly otp: string;
  /** The token's secret: publicId (modhex), privateId (12 hex), aesKey (32 hex). */
  readonly token: { readonly publicId: string; readonly privateId: string; readonly aesKey: string };
  /** The last accepted (usageCounter, sessionCounter), or null/absent for a token never used. */
  readonly lastOtp?: AcceptedOtp | CounterPair | null;
}

/** YubiKey OTP (Okta `token:hardware` / YUBICO): seed registry, enrollment by touch, verification. */
export interface YubikeyNamespace {
  /** Imports a Personalization Tool seed file (Yubico or Traditional format) or Okta JSON. */
  importSeeds(input: SeedInput, options?: ImportSeedsOptions): Promise<SeedImportReport>;
  /** Okta's single-token upload body. */
  uploadToken(body: YubikeySeedUpload): Promise<UploadResult>;
  readonly tokens: {
    list(query?: ListTokensQuery): Promise<ListTokensResult>;
    get(id: string): Promise<YubikeyToken | undefined>;
    downloadCsv(query?: ListTokensQuery): Promise<CsvDownloadResult>;
    /** Okta DELETE: the token becomes a tombstone; re-upload the seed to reuse it. */
    delete(id: string): Promise<OperationResult>;
    revoke(id: string): Promise<OperationResult>;
    unassign(id: string): Promise<OperationResult>;
  };
  /** First touch: an UNASSIGNED token named by the OTP's publicId is bound to `userId`. */
  enroll(input: { userId: string; passCode: string }): Promise<FactorVerification<YubikeyVerified>>;
  verify(input: { userId: string; passCode: string }): Promise<FactorVerification<YubikeyVerified>>;
  /**
   * Stateless Yubico OTP check (protocols §4.2–4.4: modhex, public id, AES decryption, CRC,
   * private id, counters greater than `lastOtp`) against a token the caller holds — no registry,
   * no store, so the registry's seed import policy (e.g. refusing an all-zero AES key) does not
   * apply and nothing is committed: the caller must persist the returned counters atomically
   * (compare-and-set) or replays pass. For a validation server of your own or for replaying
   * spec vectors; an auth server normally uses `verify`, which does both atomically.
   * Uses `policies.yubikey` (allowDvorak, phishingDelayCheck with the façade clock).
   * Throws `RangeError` when `token.privateId`/`aesKey` are not 12/32 hex characters.
   */
  verifyOtp(input: YubikeyVerifyOtpInput): FactorVerification<YubikeyOtpVerified>;
  /** The underlying registry (advanced lifecycle: block, deactivate, reactivate, purge). */
  readonly registry: YubikeyRegistry;
}

export function createYubikeyNamespace(ctx: FacadeContext): YubikeyNamespace {
  const y = ctx.policies.yubikey ?? {};
  const registry = new YubikeyRegistry({
    store: ctx.store.yubikey,
    keyEncryption: ctx.keyEncryption,
    clock: ctx.clock,
    crypto: ctx.crypto,
    ...(y.phishingDelayCheck === undefined ? {} : { phishingDelayCheck: y.phishingDelayCheck }),
    ...(y.allowDvorak === undefined ? {} : { allowDvorak: y.allowDvorak }),
  });
  const map = (r: Awaited<ReturnType<YubikeyRegistry['verify']>>): FactorVerification<YubikeyVerified> =>
    r.verified
      ? success({
          token: r.token,
          usageCounter: r.usageCounter,
          sessionCounter: r.sessionCounter,
          timestamp: r.timestamp,
        })
      : fromFailure(r);
  return {
    importSeeds: (input, options) => registry.importSeeds(input, options),
    uploadToken: (body) => registry.uploadToken(body),
    tokens: {
      list: (query) => registry.listTokens(query),
      get: (id) => registry.getToken(id),
      downloadCsv: (query) => registry.downloadTokensCsv(query),
      delete: (id) => registry.deleteToken(id),
      revoke: (id) => registry.revokeToken(id),
      unassign: (id) => registry.unassignToken(id),
    },
    async enroll(input) {
      const userId = requireUserId(input?.userId);
      const passCode = requestString(input.passCode, MAX_PASSCODE_CHARS);
      if (passCode === undefined) return rejected('ERR_MALFORMED_REQUEST', 'passCode must be a string');
      return map(await registry.enroll({ userId, passCode }));
    },
    async verify(input) {
      const userId = requireUserId(input?.userId);
      const passCode = requestString(input.passCode, MAX_PASSCODE_CHARS);
      if (passCode === undefined) return rejected('ERR_MALFORMED_REQUEST', 'passCode must be a string');
      return map(await registry.verify({ userId, passCode }));
    },
    verifyOtp(input) {
      if (typeof input !== 'object' || input === null) {
        throw new TypeError('verifyOtp needs { otp: string, token, lastOtp? }');
      }
      // The OTP is what the token typed (request data); the token and lastOtp are the caller's.
      const otp = requestString(input.otp, MAX_PASSCODE_CHARS);
      if (otp === undefined) return rejected('ERR_MALFORMED_REQUEST', 'otp must be a string');
      const t = input.token;
      if (
        typeof t !== 'object' ||
        t === null ||
        typeof t.publicId !== 'string' ||
        typeof t.privateId !== 'string' ||
        typeof t.aesKey !== 'string'
      ) {
        throw new TypeError('token must be { publicId: string, privateId: string, aesKey: string }');
      }
      const r = verifyYubicoOtp({
        otp,
        token: { publicId: t.publicId, privateId: t.privateId, aesKey: t.aesKey },
        lastOtp: input.lastOtp ?? null,
        now: ctx.clock(),
        crypto: ctx.crypto,
        ...(y.allowDvorak === undefined ? {} : { allowDvorak: y.allowDvorak }),
        ...(y.phishingDelayCheck === undefined ? {} : { phishingDelayCheck: y.phishingDelayCheck }),
      });
      return r.verified
        ? success({
            publicId: r.publicId,
            usageCounter: r.usageCounter,
            sessionCounter: r.sessionCounter,
            timestamp: r.timestamp,
          })
        : fromFailure(r);
    },
    registry,
  };
}
