/** What the race test's parent and its worker processes share. */
import { aesGcmKeyEncryption } from '@factorkit/yubikey';
import { createFactorkit, type Factorkit } from '../../src/index.ts';
import type { FactorkitStore } from '../../src/store/types.ts';

export const ORIGIN = 'https://login.example.com';
export const RP = { id: 'login.example.com', name: 'Example' };
export const KEK: Uint8Array = new Uint8Array(32).fill(7);
/** Concurrent verifications per factor per process. */
export const CONCURRENCY = 100;

export interface RoundTask {
  readonly type: 'round';
  readonly control: boolean;
  /** Epoch ms every process's clock reads during the round. */
  readonly now: number;
  /** Wall-clock ms at which every process fires. */
  readonly startAt: number;
  readonly totp: { readonly factorId: string; readonly passCode: string };
  readonly yubico: string;
  readonly webauthn: unknown;
  readonly challengeId: string;
}

export interface RoundCounts {
  readonly totp: number;
  readonly yubico: number;
  readonly webauthn: number;
  readonly challenge: number;
  /** Thrown errors (a store must answer, not throw, under contention). */
  readonly errors: readonly string[];
}

export function facade(store: FactorkitStore, clock: { now: number }): Factorkit {
  return createFactorkit({
    rp: RP,
    origins: [ORIGIN],
    store,
    keyEncryption: aesGcmKeyEncryption(KEK),
    clock: () => new Date(clock.now),
    // Every replayed copy is a failed attempt: keep the limiter out of the way of the race.
    policies: { otpAttempts: { maxAttempts: 1_000_000, windowSeconds: 1 } },
  });
}
