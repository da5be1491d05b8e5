import type { AttestedCredentialData, AuthenticatorData } from '../authenticatorData.ts';
import type { CborMap, CborValue } from '../cbor.ts';
import type { ParsedCertificate } from '../certificate.ts';
import type { CryptoBackend } from '../crypto/types.ts';
import type { WebAuthnErrorCode } from '../errors.ts';

/** WebAuthn §6.5.4 attestation types. */
export type AttestationType = 'none' | 'self' | 'basic' | 'attca' | 'anonca';

/**
 * Relying Party policy the format procedures read (WebAuthn leaves these choices to the RP).
 * Every member is optional; the defaults are the strict ones.
 */
export interface AttestationPolicy {
  /**
   * android-key (§8.4): read `origin` and `purpose` from `teeEnforced` only. Default `false`:
   * from the union of `teeEnforced` and `softwareEnforced`, as §8.4 allows.
   */
  readonly androidKeyRequireTeeEnforced?: boolean;
  /**
   * android-key: Google's key attestation revocation status list (the JSON document served at
   * https://android.googleapis.com/attestation/status, parsed), injected by the caller — it is
   * never fetched. A certificate of the chain whose serial number is listed is rejected.
   */
  readonly androidKeyRevocationStatus?: AndroidKeyRevocationStatus;
  /** android-safetynet (§8.5): require `ctsProfileMatch: true`. Default `true`. */
  readonly safetyNetRequireCtsProfileMatch?: boolean;
  /**
   * android-safetynet: how old (ms) `timestampMs` may be at `now`. Default 60 000 (the FIDO
   * conformance bound). A timestamp more than {@link safetyNetClockSkewMs} in the future is refused.
   */
  readonly safetyNetMaxAgeMs?: number;
  /** android-safetynet: tolerated clock skew (ms) for a timestamp ahead of `now`. Default 10 000. */
  readonly safetyNetClockSkewMs?: number;
}

/** Google's attestation status list: `entries` maps a lowercase hex serial number to its status. */
export interface AndroidKeyRevocationStatus {
  readonly entries: Readonly<Record<string, { readonly status?: string; readonly reason?: string }>>;
}

/** What a format's verification procedure receives (WebAuthn §8, "verification procedure inputs"). */
export interface AttestationInput {
  readonly attStmt: CborMap;
  /** authenticatorData exactly as received. */
  readonly authData: Uint8Array;
  readonly authenticatorData: AuthenticatorData;
  readonly credential: AttestedCredentialData;
  readonly clientDataHash: Uint8Array;
  readonly crypto: CryptoBackend;
  /** The verification clock (SafetyNet timestamps). Default: the current time. */
  readonly now?: Date;
  readonly policy?: AttestationPolicy;
  /**
   * attStmt as decoded, before the map check: compound's (§8.9) is an array, for which
   * `attStmt` is an empty map. Equal to `attStmt` for every other format.
   */
  readonly rawAttStmt?: CborValue;
  /** The format registry, for formats that contain others (compound, §8.9). */
  readonly formats?: ReadonlyMap<string, AttestationFormatVerifier>;
}

/** One verified statement of a compound attestation (§8.9). */
export interface SubStatementOutcome {
  readonly fmt: string;
  readonly type: AttestationType;
  readonly trustPath: readonly ParsedCertificate[];
}

export type AttestationOutcome =
  | {
      readonly ok: true;
      readonly type: AttestationType;
      /** The attestation trust path (x5c), leaf first; empty for none/self. */
      readonly trustPath: readonly ParsedCertificate[];
      /** compound (§8.9) only: each sub-statement's outcome, in order. */
      readonly statements?: readonly SubStatementOutcome[];
      /**
       * The statement's signature covers the whole authenticatorData (so the AAGUID and flags
       * in it are vouched for by the attestation key), as in packed/tpm/android-key. `false`
       * or absent (fail closed) for `none`, which signs nothing, and `fido-u2f`, whose device
       * signs only rpIdHash, clientDataHash, credentialId and the key.
       */
      readonly signsAuthenticatorData?: boolean;
    }
  | {
      readonly ok: false;
      readonly code: WebAuthnErrorCode;
      readonly message: string;
      /** The format's own step, e.g. `"§8.3 step 4"`, when the format names its steps. */
      readonly step?: string;
    };

/** One attestation statement format's verification procedure. */
export type AttestationFormatVerifier = (input: AttestationInput) => Promise<AttestationOutcome>;

export function attestationFailure(
  code: WebAuthnErrorCode,
  message: string,
  step?: string,
): AttestationOutcome {
  return step === undefined ? { ok: false, code, message } : { ok: false, code, message, step };
}
