/**
 * One result shape for every factor, in the vocabulary of Okta's Factors API
 * (`factorResult`), so an auth server maps it onto its own API without per-factor glue.
 */

/**
 * - `SUCCESS` — verified; `details` carries what to keep.
 * - `CHALLENGE` — a challenge was issued (start of a ceremony).
 * - `REJECTED` — the response failed verification (`code`, `step` say where).
 * - `TIMEOUT` — the challenge expired before the response arrived.
 * - `PASSCODE_REPLAYED` — the code/OTP (or its time step/counter) was already accepted once.
 * - `LOCKED_OUT` — too many failed attempts; `retryAfterSeconds` says when to retry.
 * - `WAITING` — reserved for asynchronous factors (push); not produced by these factors.
 * - `ERROR` — the store failed; nothing was accepted.
 */
export type FactorResult =
  | 'SUCCESS'
  | 'CHALLENGE'
  | 'WAITING'
  | 'REJECTED'
  | 'TIMEOUT'
  | 'PASSCODE_REPLAYED'
  | 'LOCKED_OUT'
  | 'ERROR';

/** The outcome of a `finish*`/`verify`/`enroll` call. */
export interface FactorVerification<D> {
  readonly factorResult: FactorResult;
  /** `null` on SUCCESS; otherwise the package's stable code (e.g. `ERR_ORIGIN_MISMATCH`). */
  readonly code: string | null;
  /** The spec step that failed, where the package names one (e.g. `"7.2 step 12"`). */
  readonly step?: string;
  /** Human-readable reason; never contains secrets. */
  readonly message?: string;
  /** For `LOCKED_OUT`: seconds until a retry is allowed (`null`: until an admin reset). */
  readonly retryAfterSeconds?: number | null;
  /** On SUCCESS: the factor's details (credential, counters, matched step, …). */
  readonly details?: D;
}

/** A package-level failure, as every factorkit package returns it. */
export interface PackageFailure {
  readonly code: string;
  readonly message?: string;
  readonly step?: string;
  readonly retryAfterSeconds?: number | null;
}

const TIMEOUT_CODES = new Set(['ERR_CHALLENGE_EXPIRED']);
const REPLAY_CODES = new Set(['ERR_OTP_REPLAYED']);
const LOCKOUT_CODES = new Set(['ERR_OTP_LOCKED_OUT', 'ERR_LOCKED_OUT']);
const ERROR_CODES = new Set(['ERR_OTP_STORE_FAILURE', 'ERR_STORE_FAILURE']);

/** Maps a package failure onto the Okta vocabulary. */
export function fromFailure<D>(failure: PackageFailure): FactorVerification<D> {
  const factorResult: FactorResult = TIMEOUT_CODES.has(failure.code)
    ? 'TIMEOUT'
    : REPLAY_CODES.has(failure.code)
      ? 'PASSCODE_REPLAYED'
      : LOCKOUT_CODES.has(failure.code)
        ? 'LOCKED_OUT'
        : ERROR_CODES.has(failure.code)
          ? 'ERROR'
          : 'REJECTED';
  return {
    factorResult,
    code: failure.code,
    ...(failure.step === undefined ? {} : { step: failure.step }),
    ...(failure.message === undefined ? {} : { message: failure.message }),
    ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
  };
}

export function success<D>(details: D): FactorVerification<D> {
  return { factorResult: 'SUCCESS', code: null, details };
}

/** A façade-level rejection (the façade's own codes; see {@link FacadeCode}). */
export function rejected<D>(code: FacadeCode, message: string): FactorVerification<D> {
  return { factorResult: 'REJECTED', code, message };
}

/** Codes the façade itself produces (the packages' codes pass through unchanged). */
export type FacadeCode =
  /** No enrolled factor/credential with this id for this user. */
  | 'ERR_FACTOR_NOT_FOUND'
  /** A credential with this id is already registered. */
  | 'ERR_CREDENTIAL_EXISTS'
  /** A concurrent verification of the same credential won the counter compare-and-set. */
  | 'ERR_COUNTER_RACE'
  /**
   * A request field (response, passCode, otp, factorId, …) has the wrong JSON type or size: hostile
   * or broken client input, answered as REJECTED rather than thrown.
   */
  | 'ERR_MALFORMED_REQUEST';
