// The endpoint conformance harness: what it needs from a relying party, and what it reports.
import type { U2FRegisterResponse } from '../u2f.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../webauthn-types.ts';

/** How the RP answered one request. */
export interface Verdict {
  /** The RP accepted the response (signed in, enrolled, verified). */
  readonly accepted: boolean;
  /** The RP's error code, when it gave one (e.g. `ERR_ORIGIN_MISMATCH`). */
  readonly code?: string | null;
  /** HTTP status, for HTTP targets. */
  readonly status?: number;
}

/**
 * A user of the RP. Each user has its own session (an HTTP target keeps one cookie jar per
 * user): `finish*(user, …)` means "sent in this user's session".
 */
export interface HarnessUser {
  readonly username: string;
}

/** WebAuthn registration and authentication routes. */
export interface WebAuthnRoutes {
  /** `PublicKeyCredentialCreationOptionsJSON` for a new credential of `user` (sign-up or add). */
  startRegistration(user: HarnessUser): Promise<unknown>;
  finishRegistration(user: HarnessUser, response: RegistrationResponseJSON): Promise<Verdict>;
  /** Request options; `usernameless`: start without naming the user (discoverable credentials). */
  startAuthentication(user: HarnessUser, options: { readonly usernameless: boolean }): Promise<unknown>;
  finishAuthentication(user: HarnessUser, response: AuthenticationResponseJSON): Promise<Verdict>;
}

/** A legacy U2F registration route (for keys migrated to WebAuthn through `appid`). */
export interface U2fRoutes {
  /** The U2F register request `{ appId, registerRequests: [{ challenge }] }` for `user`. */
  startRegistration(user: HarnessUser): Promise<unknown>;
  finishRegistration(user: HarnessUser, response: U2FRegisterResponse): Promise<Verdict>;
}

/** TOTP enrollment and verification. */
export interface TotpRoutes {
  /** Enrolls a new TOTP factor; returns its secret (base32) and parameters. */
  enroll(user: HarnessUser): Promise<{
    readonly secret: string;
    readonly period?: number;
    readonly digits?: number;
    readonly algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  }>;
  /** Confirms the enrollment with a first code, where the RP asks for one. */
  confirm?(user: HarnessUser, code: string): Promise<Verdict>;
  /** Signs in (or steps up) with a code. */
  verify(user: HarnessUser, code: string): Promise<Verdict>;
}

/** Yubico OTP: the seed is provisioned, then the key is used. */
export interface YubicoOtpRoutes {
  /** Makes the RP know the key (an administrator's seed upload, Okta's upload body). */
  provision(
    user: HarnessUser,
    token: {
      readonly serialNumber: string;
      readonly publicId: string;
      readonly privateId: string;
      readonly aesKey: string;
    },
  ): Promise<Verdict>;
  /** Binds the key to the user with a first OTP, where the RP asks for one. */
  enroll?(user: HarnessUser, otp: string): Promise<Verdict>;
  verify(user: HarnessUser, otp: string): Promise<Verdict>;
}

/** The RP under test: any subset of the route groups. */
export interface HarnessTarget {
  /** The origin the RP expects (what a browser puts in clientDataJSON). */
  readonly origin: string;
  readonly webauthn?: WebAuthnRoutes;
  readonly u2f?: U2fRoutes;
  readonly totp?: TotpRoutes;
  readonly yubicoOtp?: YubicoOtpRoutes;
}

export interface HarnessOptions {
  /** Usernames are `<prefix>-a`, `-b`, … Default: `fkh-` + random, so runs never collide. */
  readonly usernamePrefix?: string;
  /** Seed for the virtual authenticators (same seed → same keys). Default random. */
  readonly seed?: string;
  /** Clock for OTP codes (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Called after each row (progress). */
  readonly onRow?: (row: HarnessRow) => void;
}

export type Expectation = 'accept' | 'reject';
export type Outcome = 'accept' | 'reject' | 'error' | 'skipped';

/** One attack (or control) and what happened. */
export interface HarnessRow {
  readonly id: string;
  readonly group: 'webauthn' | 'appid' | 'totp' | 'yubico-otp';
  /** What was sent, in words. */
  readonly attack: string;
  readonly expected: Expectation;
  readonly got: Outcome;
  /** The RP's code, if any. */
  readonly code?: string | null;
  /** `got === expected`; skipped rows are not wrong. */
  readonly pass: boolean;
  readonly note?: string;
}

export interface HarnessReport {
  readonly target: string;
  readonly rows: readonly HarnessRow[];
  /** No row has a wrong verdict. */
  readonly ok: boolean;
  readonly counts: { readonly pass: number; readonly wrong: number; readonly skipped: number };
}
