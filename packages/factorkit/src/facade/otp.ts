import { toHex } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import {
  checkSecret,
  DEFAULT_ATTEMPT_POLICY,
  decodeSecret,
  encodeSecretBase32,
  formatOtpauthUri,
  generateHotp,
  generateSecret,
  type HotpResult,
  limitAttempts,
  NIST_800_63B_ATTEMPT_POLICY,
  type OtpAlgorithm,
  type OtpCounterStore,
  type OtpWarning,
  resyncHotp,
  resyncTotp,
  type TotpResult,
  totpStep,
  verifyHotpWithStore,
  verifyTotpWithStore,
  verifyVipEnrollmentWithStore,
} from '@factorkit/otp';
import type { OtpFactorRecord, OtpFactorType, OtpParams } from '../store/types.ts';
import { type FacadeContext, requestString, requireUserId, utf8 } from './context.ts';
import { type FactorVerification, fromFailure, rejected, success } from './result.ts';

/** Secret input: raw bytes, or a string in `encoding` (default base32, as authenticator apps show it). */
export interface SecretInput {
  readonly secret?: Uint8Array | string;
  readonly encoding?: 'base32' | 'hex' | 'base64';
}

export interface EnrollTotpInput extends SecretInput {
  readonly userId: string;
  /** Default SHA1 (what authenticator apps support). */
  readonly algorithm?: OtpAlgorithm;
  /** Default 6. */
  readonly digits?: number;
  /** Default 30 s. */
  readonly period?: number;
  /** Default 0. */
  readonly t0?: number;
}

export interface EnrollHotpInput extends SecretInput {
  readonly userId: string;
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  /** The token's next counter. Default 0. */
  readonly counter?: number;
}

export interface EnrollVipInput {
  readonly userId: string;
  /** Okta `profile.credentialId`, e.g. `VSMT14393584`. */
  readonly credentialId: string;
  readonly secret: Uint8Array | string;
  readonly encoding?: 'base32' | 'hex' | 'base64';
  readonly passCode: string;
  readonly nextPassCode: string;
}

export interface OtpEnrollment {
  readonly factorId: string;
  readonly type: OtpFactorType;
  /**
   * Present only when the façade generated the secret (no `secret` in the request): the new
   * secret in base32 — show it (or its otpauth URI/QR) once, never log or store this object.
   * A secret the caller supplied is never echoed back.
   */
  readonly generatedSecretBase32?: string;
  /** E.g. `WARN_SECRET_BELOW_128_BITS` for a legacy 80-bit secret (accepted, but below RFC 4226 R6). */
  readonly warnings: readonly OtpWarning[];
}

export interface OtpVerified {
  readonly factorId: string;
  /** TOTP/VIP: the matched time step; HOTP: the matched counter. */
  readonly matched: number;
  /** Steps/counters between the expected position and the match. */
  readonly drift: number;
}

/** HOTP/TOTP/VIP factors (Okta `token:software:totp`, `token:hotp`, `token` SYMANTEC). */
export interface OtpNamespace {
  enrollTotp(input: EnrollTotpInput): Promise<OtpEnrollment>;
  enrollHotp(input: EnrollHotpInput): Promise<OtpEnrollment>;
  /** Symantec VIP: accepted only when passCode and nextPassCode are consecutive codes. */
  enrollVip(input: EnrollVipInput): Promise<FactorVerification<OtpEnrollment>>;
  verify(input: {
    userId: string;
    factorId: string;
    passCode: string;
  }): Promise<FactorVerification<OtpVerified>>;
  /**
   * Resynchronises a token that drifted beyond the verification window with 2 or 3 consecutive
   * codes (RFC 4226 §7.4; Duo's 3-code resync; RFC 6238 §6 — a TOTP token's clock drift is
   * stored and applied to later verifications).
   */
  resync(input: {
    userId: string;
    factorId: string;
    passCodes: readonly string[];
  }): Promise<FactorVerification<OtpVerified>>;
  /** The otpauth:// Key URI of an enrolled TOTP/HOTP factor (contains the secret: show once). */
  uri(input: { userId: string; factorId: string; accountName: string; issuer?: string }): Promise<string>;
  /** The user's OTP factors (no secrets). */
  list(userId: string): Promise<readonly Omit<OtpFactorRecord, 'secret'>[]>;
  delete(input: { userId: string; factorId: string }): Promise<boolean>;
}

const aad = (factorId: string): Uint8Array => utf8(`factorkit/otp secret v1:${factorId}`);

/** The factor id of a VIP credential when credentials are not shared: one per credentialId. */
function vipFactorId(credentialId: string): string {
  const digest = toHex(defaultBackend.digest('SHA-256', utf8(`vip:${credentialId.toUpperCase()}`)));
  return `otp_vip_${digest.slice(0, 32)}`;
}

const timing = (p: OtpParams) => ({
  ...(p.period === undefined ? {} : { period: p.period }),
  ...(p.t0 === undefined ? {} : { t0: p.t0 }),
});

function secretBytes(input: SecretInput, required: boolean): Uint8Array {
  if (input.secret === undefined) {
    if (required) throw new TypeError('secret is required');
    return generateSecret(20); // 160 bits, RFC 4226 §4 R6 recommendation
  }
  if (input.secret instanceof Uint8Array) return Uint8Array.from(input.secret);
  if (typeof input.secret !== 'string') throw new TypeError('secret must be a Uint8Array or a string');
  return decodeSecret(input.secret, input.encoding ?? 'base32').secret;
}

export function createOtpNamespace(ctx: FacadeContext): OtpNamespace {
  const { store } = ctx;
  const counters: OtpCounterStore = {
    getCounter: async (id) => (await store.otp.get(id))?.counter ?? null,
    advanceCounter: (id, next, now) => store.otp.advanceCounter(id, next, now),
  };
  const otpAttemptPolicy = ctx.policies.otpAttempts ?? DEFAULT_ATTEMPT_POLICY;
  const attempts = (factorId: string) => ({
    store: store.attempts,
    key: `otp:${factorId}`,
    policy: otpAttemptPolicy,
  });
  // NIST SP 800-63B §5.2.2 counts consecutive failures per subscriber account, whichever of the
  // account's OTP factors they were tried on: an optional second limiter keyed by user. On by
  // default with the NIST preset; `false` turns it off.
  const userAttemptPolicy =
    ctx.policies.userAttempts === false
      ? undefined
      : (ctx.policies.userAttempts ??
        (otpAttemptPolicy === NIST_800_63B_ATTEMPT_POLICY ? NIST_800_63B_ATTEMPT_POLICY : undefined));
  async function perUser<R extends { readonly verified: boolean }>(
    userId: string,
    now: number,
    attempt: () => Promise<R>,
  ) {
    if (userAttemptPolicy === undefined) return attempt();
    return limitAttempts(
      { store: store.attempts, key: `user:${userId}`, policy: userAttemptPolicy },
      now,
      attempt,
    );
  }

  async function enroll(
    userId: string,
    type: OtpFactorType,
    secret: Uint8Array,
    params: OtpParams,
    counter: number | null,
    options: { readonly generated: boolean; readonly factorId?: string },
  ): Promise<OtpEnrollment> {
    // Validate everything now (secret length, algorithm, digits, period), so a bad profile is a
    // TypeError/RangeError/OtpError at enrollment instead of at every later verification.
    const minSecretBits = ctx.policies.otp?.minSecretBits;
    const warnings = checkSecret(secret, minSecretBits === undefined ? {} : { minSecretBits });
    generateHotp({
      secret,
      counter: 0,
      ...(params.algorithm === undefined ? {} : { algorithm: params.algorithm }),
      ...(params.digits === undefined ? {} : { digits: params.digits }),
      ...(minSecretBits === undefined ? {} : { minSecretBits }),
    });
    if (params.period !== undefined || params.t0 !== undefined) {
      const t0 = params.t0 ?? 0;
      totpStep(Number.isFinite(t0) && t0 > 0 ? t0 * 1000 : 0, timing(params));
    }
    const factorId = options.factorId ?? `otp_${uuidV4(ctx.crypto.randomBytes(16))}`;
    const sealed = await ctx.keyEncryption.seal(secret, aad(factorId));
    await store.otp.put({
      id: factorId,
      userId,
      type,
      secret: sealed,
      params,
      counter,
      createdAt: ctx.clock().getTime(),
      lastVerifiedAt: null,
    });
    return {
      factorId,
      type,
      ...(options.generated ? { generatedSecretBase32: encodeSecretBase32(secret) } : {}),
      warnings,
    };
  }

  async function load(
    userId: string,
    factorId: string,
  ): Promise<{ record: OtpFactorRecord; secret: Uint8Array } | undefined> {
    const record = await store.otp.get(factorId);
    if (record === undefined || record.userId !== userId) return undefined;
    return { record, secret: await ctx.keyEncryption.open(record.secret, aad(factorId)) };
  }

  // Records come typed from the store boundary (parsed once there): no member re-checks here.
  const common = (p: OtpParams) => ({
    ...(p.algorithm === undefined ? {} : { algorithm: p.algorithm }),
    ...(p.digits === undefined ? {} : { digits: p.digits }),
    ...(ctx.policies.otp?.minSecretBits === undefined
      ? {}
      : { minSecretBits: ctx.policies.otp.minSecretBits }),
  });
  /** A resynchronised TOTP token's clock offset, applied to the verifier's clock. */
  const driftMs = (p: OtpParams): number => (p.driftSteps ?? 0) * (p.period ?? 30) * 1000;

  return {
    async enrollTotp(input) {
      const userId = requireUserId(input?.userId);
      const secret = secretBytes(input, false);
      const generated = input.secret === undefined;
      return enroll(
        userId,
        'totp',
        secret,
        {
          algorithm: input.algorithm ?? 'SHA1',
          digits: input.digits ?? 6,
          period: input.period ?? 30,
          t0: input.t0 ?? 0,
        },
        null,
        { generated },
      );
    },

    async enrollHotp(input) {
      const userId = requireUserId(input?.userId);
      const secret = secretBytes(input, false);
      const generated = input.secret === undefined;
      const counter = input.counter ?? 0;
      if (!Number.isSafeInteger(counter) || counter < 0)
        throw new RangeError('counter must be a non-negative integer');
      return enroll(
        userId,
        'hotp',
        secret,
        { algorithm: input.algorithm ?? 'SHA1', digits: input.digits ?? 6 },
        counter,
        { generated },
      );
    },

    async enrollVip(input) {
      const userId = requireUserId(input?.userId);
      // Request fields (typed by the user from the token) are untrusted JSON.
      const credentialId = requestString(input.credentialId, 64);
      const passCode = requestString(input.passCode, 64);
      const nextPassCode = requestString(input.nextPassCode, 64);
      if (credentialId === undefined || passCode === undefined || nextPassCode === undefined) {
        return rejected('ERR_MALFORMED_REQUEST', 'credentialId, passCode and nextPassCode must be strings');
      }
      const secret = secretBytes(input, true);
      // One VIP credential, one account: the factor id is derived from the credentialId, so the
      // store's atomic insert refuses a second enrollment of the same credential — by another
      // user, or concurrently — unless the policy explicitly allows sharing.
      const factorId =
        ctx.policies.otp?.allowSharedVipCredentialId === true ? undefined : vipFactorId(credentialId);
      const now = ctx.clock().getTime();
      const enrollOnce = async (
        params: OtpFactorRecord['params'],
        counter: number | null,
      ): Promise<OtpEnrollment | undefined> => {
        try {
          return await enroll(userId, 'vip', secret, params, counter, {
            generated: false,
            ...(factorId === undefined ? {} : { factorId }),
          });
        } catch (error) {
          if ((error as { code?: unknown })?.code === 'ERR_STORE_CONFLICT') return undefined;
          throw error;
        }
      };
      const exists = () =>
        rejected<OtpEnrollment>('ERR_CREDENTIAL_EXISTS', 'this VIP credential is already enrolled');
      const enrollment = await enrollOnce({ credentialId }, null);
      if (enrollment === undefined) return exists();
      const result = await perUser(userId, now, () =>
        verifyVipEnrollmentWithStore({
          store: counters,
          factorId: enrollment.factorId,
          attempts: attempts(`vip:${userId}`),
          credentialId,
          passCode,
          nextPassCode,
          secret,
          now,
        }),
      );
      if (!result.verified) {
        await store.otp.delete(enrollment.factorId);
        return fromFailure(result);
      }
      if (result.mode === 'hotp') {
        // The record was created as TOTP-style; a VIP HOTP credential keeps its mode in params.
        await store.otp.delete(enrollment.factorId);
        const hotp = await enrollOnce(
          { credentialId: result.credentialId, mode: 'hotp' },
          result.nextCounter,
        );
        return hotp === undefined ? exists() : success(hotp);
      }
      return success(enrollment);
    },

    async verify(input) {
      const userId = requireUserId(input?.userId);
      const factorId = requestString(input.factorId, 128);
      if (factorId === undefined) return rejected('ERR_MALFORMED_REQUEST', 'factorId must be a string');
      const loaded = await load(userId, factorId);
      if (loaded === undefined) return rejected('ERR_FACTOR_NOT_FOUND', 'no such OTP factor for this user');
      const { record, secret } = loaded;
      const p = record.params;
      const now = ctx.clock().getTime();
      const binding = { store: counters, factorId: record.id, attempts: attempts(record.id) };
      const hotp = record.type === 'hotp' || p.mode === 'hotp';
      const result = await perUser<HotpResult | TotpResult>(userId, now, () =>
        hotp
          ? verifyHotpWithStore({
              ...binding,
              ...common(p),
              secret,
              code: input.passCode,
              now,
              ...(ctx.policies.otp?.hotpLookAhead === undefined
                ? {}
                : { lookAhead: ctx.policies.otp.hotpLookAhead }),
            })
          : verifyTotpWithStore({
              ...binding,
              ...common(p),
              ...timing(p),
              secret,
              code: input.passCode,
              now: now + driftMs(p),
              ...(ctx.policies.otp?.totpWindow === undefined ? {} : { window: ctx.policies.otp.totpWindow }),
            }),
      );
      secret.fill(0);
      if (!result.verified) return fromFailure(result);
      return success({
        factorId: record.id,
        matched: 'step' in result ? result.step : result.counter,
        drift: result.drift,
      });
    },

    async resync(input) {
      const userId = requireUserId(input?.userId);
      const factorId = requestString(input.factorId, 128);
      const passCodes: unknown = input.passCodes;
      if (
        factorId === undefined ||
        !Array.isArray(passCodes) ||
        passCodes.length < 2 ||
        passCodes.length > 3 ||
        !passCodes.every((c) => requestString(c, 64) !== undefined)
      ) {
        return rejected('ERR_MALFORMED_REQUEST', 'factorId must be a string and passCodes 2 or 3 strings');
      }
      const loaded = await load(userId, factorId);
      if (loaded === undefined) return rejected('ERR_FACTOR_NOT_FOUND', 'no such OTP factor for this user');
      const { record, secret } = loaded;
      const p = record.params;
      const now = ctx.clock().getTime();
      const hotp = record.type === 'hotp' || p.mode === 'hotp';
      // Same limiters as verify(): a resync is another way to try codes.
      const result = await perUser(userId, now, () =>
        limitAttempts(attempts(record.id), now, async () => {
          if (hotp) {
            const r = resyncHotp({
              ...common(p),
              secret,
              codes: input.passCodes,
              ...(record.counter === null || record.counter === 0
                ? { counter: record.counter ?? 0 }
                : { counter: record.counter, lastCounter: record.counter - 1 }),
            });
            if (!r.verified) return r;
            const advanced = await store.otp.advanceCounter(record.id, r.nextCounter, now);
            return advanced
              ? { verified: true as const, matched: r.counter, drift: r.drift }
              : {
                  verified: false as const,
                  code: 'ERR_OTP_REPLAYED' as const,
                  message: 'these codes were already used',
                };
          }
          const r = resyncTotp({
            ...common(p),
            ...timing(p),
            secret,
            codes: input.passCodes,
            now,
            ...(record.counter === null ? {} : { lastStep: record.counter }),
          });
          if (!r.verified) return r;
          // The drift is stored with the new position in one atomic step and applied from now on.
          const advanced = await store.otp.advanceCounter(record.id, r.step, now, {
            ...p,
            driftSteps: r.drift,
          });
          return advanced
            ? { verified: true as const, matched: r.step, drift: r.drift }
            : {
                verified: false as const,
                code: 'ERR_OTP_REPLAYED' as const,
                message: 'these codes were already used',
              };
        }),
      );
      secret.fill(0);
      if (!result.verified) return fromFailure(result);
      return success({ factorId: record.id, matched: result.matched, drift: result.drift });
    },

    async uri(input) {
      const userId = requireUserId(input?.userId);
      const loaded = await load(userId, input.factorId);
      if (loaded === undefined) throw new TypeError('no such OTP factor for this user');
      const { record, secret } = loaded;
      const p = record.params;
      const hotp = record.type === 'hotp' || p.mode === 'hotp';
      try {
        return formatOtpauthUri({
          type: hotp ? 'hotp' : 'totp',
          accountName: input.accountName,
          ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
          secret,
          ...(p.algorithm === undefined ? {} : { algorithm: p.algorithm }),
          ...(p.digits === undefined ? {} : { digits: p.digits }),
          ...(hotp ? { counter: record.counter ?? 0 } : p.period === undefined ? {} : { period: p.period }),
        });
      } finally {
        secret.fill(0);
      }
    },

    async list(userId) {
      return (await store.otp.list(requireUserId(userId))).map(({ secret: _s, ...rest }) => rest);
    },

    async delete(input) {
      const userId = requireUserId(input?.userId);
      const record = await store.otp.get(input.factorId);
      if (record === undefined || record.userId !== userId) return false;
      return store.otp.delete(record.id);
    },
  };
}

/** RFC 9562 §5.4 version-4 UUID text from 16 random bytes. */
function uuidV4(bytes: Uint8Array): string {
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
