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
      /**
       * The statement's signature covers the whole authenticatorData (so the AAGUID and flags
       * in it are vouched for by the attestation key), as in packed/tpm/android-key. `false`
       * or absent (fail closed) for `none`, which signs nothing, and `fido-u2f`, whose device
       * signs only rpIdHash, clientDataHash, credentialId and the key.
       */
      readonly signsAuthenticatorData?: boolean;
    }
  | { readonly ok: false; readonly code: WebAuthnErrorCode; readonly message: string };

/** One attestation statement format's verification procedure. */
export type AttestationFormatVerifier = (input: AttestationInput) => Promise<AttestationOutcome>;

export function attestationFailure(code: WebAuthnErrorCode, message: string): AttestationOutcome {
  return { ok: false, code, message };
}
