import type { AttemptLimit } from './attempts.ts';
import { limitAttempts, storeCall } from './attempts.ts';
import { type OtpRejection, reject } from './errors.ts';
import { type HotpResult, type VerifyHotpOptions, verifyHotp } from './hotp.ts';
import { resolveNow } from './params.ts';
import type { OtpCounterStore } from './store.ts';
import { type TotpResult, type VerifyTotpOptions, verifyTotp } from './totp.ts';
import { type VerifyVipEnrollmentOptions, type VipEnrollmentResult, verifyVipEnrollment } from './vip.ts';

/** What the `…WithStore` functions add: where the replay state lives and, optionally, a limiter. */
export interface StoreBinding {
  /** Replay state (see {@link OtpCounterStore} for the atomicity contract). */
  readonly store: OtpCounterStore;
  /** The OTP factor's id in `store` (one replay position per enrolled token). */
  readonly factorId: string;
  /** Optional attempt limiting, applied before the code is checked. */
  readonly attempts?: AttemptLimit;
}

function assertBinding(b: StoreBinding): void {
  if (typeof b.store !== 'object' || b.store === null) throw new TypeError('store is required');
  if (typeof b.factorId !== 'string' || b.factorId === '') {
    throw new TypeError('factorId must be a non-empty string');
  }
}

function storedNumber(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError('the store returned an invalid counter');
  }
  return value;
}

async function guarded<R extends { readonly verified: boolean }>(
  binding: StoreBinding,
  now: number,
  run: () => Promise<R>,
): Promise<R | OtpRejection> {
  return binding.attempts === undefined ? run() : limitAttempts(binding.attempts, now, run);
}

export type VerifyTotpWithStoreOptions = Omit<VerifyTotpOptions, 'lastStep'> & StoreBinding;

/**
 * TOTP verification with atomic replay protection: reads the last accepted step, verifies, then
 * advances it with the store's compare-and-set. If a concurrent verification of the same code
 * advanced it first, this one resolves `ERR_OTP_REPLAYED` — of N concurrent submissions of one
 * code exactly one succeeds.
 */
export async function verifyTotpWithStore(options: VerifyTotpWithStoreOptions): Promise<TotpResult> {
  assertBinding(options);
  const now = resolveNow(options);
  return guarded(options, now, async () => {
    const lastStep = storedNumber(await storeCall(() => options.store.getCounter(options.factorId)));
    const { store: _s, factorId: _f, attempts: _a, clock: _k, ...rest } = options;
    const result = verifyTotp(lastStep === undefined ? { ...rest, now } : { ...rest, now, lastStep });
    if (!result.verified) return result;
    const advanced = await storeCall(() => options.store.advanceCounter(options.factorId, result.step, now));
    return advanced ? result : reject('ERR_OTP_REPLAYED');
  });
}

export type VerifyHotpWithStoreOptions = Omit<VerifyHotpOptions, 'counter' | 'lastCounter'> &
  StoreBinding & {
    /** The counter to assume when the store has none yet (default 0). */
    readonly initialCounter?: number;
    /** The instant, for the attempt limiter and `advanceCounter` (epoch ms or Date). */
    readonly now?: number | Date;
    readonly clock?: () => number;
  };

/**
 * HOTP verification with atomic replay protection. The store holds the next acceptable counter;
 * on success it is advanced to `nextCounter` by compare-and-set (losing the race = replay).
 */
export async function verifyHotpWithStore(options: VerifyHotpWithStoreOptions): Promise<HotpResult> {
  assertBinding(options);
  const now = resolveNow(options);
  return guarded(options, now, async () => {
    const stored = storedNumber(await storeCall(() => options.store.getCounter(options.factorId)));
    const counter = stored ?? options.initialCounter ?? 0;
    const {
      store: _s,
      factorId: _f,
      attempts: _a,
      initialCounter: _i,
      now: _n,
      clock: _k,
      ...rest
    } = options;
    const result = verifyHotp(
      counter > 0 ? { ...rest, counter, lastCounter: counter - 1 } : { ...rest, counter },
    );
    if (!result.verified) return result;
    const advanced = await storeCall(() =>
      options.store.advanceCounter(options.factorId, result.nextCounter, now),
    );
    return advanced ? result : reject('ERR_OTP_REPLAYED');
  });
}

export type VerifyVipEnrollmentWithStoreOptions = Omit<VerifyVipEnrollmentOptions, 'lastStep' | 'counter'> &
  StoreBinding;

/**
 * Symantec VIP enrollment/sync with the pair made single-use: the resulting synchronisation
 * point (TOTP step of `nextPassCode`, or HOTP next counter) is stored by compare-and-set.
 */
export async function verifyVipEnrollmentWithStore(
  options: VerifyVipEnrollmentWithStoreOptions,
): Promise<VipEnrollmentResult> {
  assertBinding(options);
  const now = resolveNow(options);
  return guarded(options, now, async () => {
    const stored = storedNumber(await storeCall(() => options.store.getCounter(options.factorId)));
    const { store: _s, factorId: _f, attempts: _a, clock: _k, ...rest } = options;
    const input: VerifyVipEnrollmentOptions =
      stored === undefined ? { ...rest, now } : { ...rest, now, lastStep: stored, counter: stored };
    const result = verifyVipEnrollment(input);
    if (!result.verified) return result;
    const position = result.mode === 'totp' ? result.step : result.nextCounter;
    const advanced = await storeCall(() => options.store.advanceCounter(options.factorId, position, now));
    return advanced ? result : reject('ERR_OTP_REPLAYED');
  });
}
