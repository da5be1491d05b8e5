import type { AttestedCredentialData, AuthenticatorData } from '../authenticatorData.ts';
import type { CborMap } from '../cbor.ts';
import type { ParsedCertificate } from '../certificate.ts';
import type { CryptoBackend } from '../crypto/types.ts';
import type { WebAuthnErrorCode } from '../errors.ts';

/** WebAuthn §6.5.4 attestation types. */
export type AttestationType = 'none' | 'self' | 'basic' | 'attca' | 'anonca';

/** What a format's verification procedure receives (WebAuthn §8, "verification procedure inputs"). */
export interface AttestationInput {
  readonly attStmt: CborMap;
  /** authenticatorData exactly as received. */
  readonly authData: Uint8Array;
  readonly authenticatorData: AuthenticatorData;
  readonly credential: AttestedCredentialData;
  readonly clientDataHash: Uint8Array;
  readonly crypto: CryptoBackend;
}

export type AttestationOutcome =
  | {
      readonly ok: true;
      readonly type: AttestationType;
      /** The attestation trust path (x5c), leaf first; empty for none/self. */
      readonly trustPath: readonly ParsedCertificate[];
    }
  | { readonly ok: false; readonly code: WebAuthnErrorCode; readonly message: string };

/** One attestation statement format's verification procedure. */
export type AttestationFormatVerifier = (input: AttestationInput) => Promise<AttestationOutcome>;

export function attestationFailure(code: WebAuthnErrorCode, message: string): AttestationOutcome {
  return { ok: false, code, message };
}
