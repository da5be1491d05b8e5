import type { CosePublicKey, HashAlgorithm } from '../cose.ts';

/**
 * The crypto seam: everything factorkit needs from a crypto library, behind one interface so
 * the same verification code runs on node:crypto and on pure JS (+ WebCrypto where present).
 *
 * Contract for every backend:
 * - `importKey` validates the key fully (EC points on the curve, Edwards points decodable) and
 *   throws `WebAuthnError('ERR_INVALID_PUBLIC_KEY')` when it is not usable;
 * - `verify`/`verifySync` take the signature in its WebAuthn wire format — strict DER
 *   `Ecdsa-Sig-Value` for ECDSA (high-S accepted), raw bytes for EdDSA and RSA — and return
 *   `false` for any bad signature, never throw for one;
 * - hashing is always over the exact bytes given.
 */
export interface CryptoBackend {
  /** `"node"` or `"portable"` for the built-in backends. */
  readonly name: string;
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  importKey(key: CosePublicKey): ImportedKey;
  verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  /** Present when the backend can verify every algorithm synchronously (the Node backend). */
  readonly verifySync?: ((key: ImportedKey, signature: Uint8Array, data: Uint8Array) => boolean) | undefined;
}

/** A key imported into a backend: reusable across verifications (see `prepareCredentialKey`). */
export interface ImportedKey {
  readonly cose: CosePublicKey;
  /** Name of the backend that imported it; keys are not portable between backends. */
  readonly backend: string;
  /** Backend-private handle (a KeyObject, point bytes, a pending CryptoKey...). */
  readonly native: unknown;
}
