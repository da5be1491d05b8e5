import {
  type CsvDownloadResult,
  type ImportSeedsOptions,
  type ListTokensQuery,
  type ListTokensResult,
  type OperationResult,
  type SeedImportReport,
  type SeedInput,
  type UploadResult,
  YubikeyRegistry,
  type YubikeySeedUpload,
  type YubikeyToken,
} from '@factorkit/yubikey';
import { type FacadeContext, requireUserId } from './context.ts';
import { type FactorVerification, fromFailure, success } from './result.ts';

export interface YubikeyVerified {
  readonly token: YubikeyToken;
  readonly usageCounter: number;
  readonly sessionCounter: number;
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
  /** The underlying registry (advanced lifecycle: block, deactivate, reactivate, purge). */
  readonly registry: YubikeyRegistry;
}

export function createYubikeyNamespace(ctx: FacadeContext): YubikeyNamespace {
  const y = ctx.policies.yubikey ?? {};
  const registry = new YubikeyRegistry({
    store: ctx.store.yubikey,
    keyEncryption: ctx.keyEncryption,
    clock: ctx.clock,
    ...(y.phishingDelayCheck === undefined ? {} : { phishingDelayCheck: y.phishingDelayCheck }),
    ...(y.allowDvorak === undefined ? {} : { allowDvorak: y.allowDvorak }),
  });
  const map = (r: Awaited<ReturnType<YubikeyRegistry['verify']>>): FactorVerification<YubikeyVerified> =>
    r.verified
      ? success({ token: r.token, usageCounter: r.usageCounter, sessionCounter: r.sessionCounter })
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
      return map(await registry.enroll({ userId: requireUserId(input?.userId), passCode: input.passCode }));
    },
    async verify(input) {
      return map(await registry.verify({ userId: requireUserId(input?.userId), passCode: input.passCode }));
    },
    registry,
  };
}
