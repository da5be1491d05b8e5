import type { CosePublicKey, HashAlgorithm } from '../cose.ts';

/**
 * The crypto seam: everything factorkit needs from a crypto library, behind one interface, so the
 * same verification code runs on node:crypto (`@factorkit/core/crypto/node`) and on WebCrypto with
 * @noble/* where WebCrypto lacks an algorithm (`@factorkit/core/crypto/portable`). Every factor
 * package takes a backend from one option (`crypto`), and the façade passes one to all of them.
 *
 * Contract for every backend:
 * - `importKey` validates the key fully (EC points on their curve and not the identity, Edwards
 *   points decodable under RFC 8032's strict rules, RSA through the runtime's importer) and throws
 *   `CryptoError` kind `invalid-key` when it is not usable, `unsupported` when the runtime cannot
 *   verify that algorithm at all;
 * - `verify`/`verifySync` take the signature in its wire format — strict DER `Ecdsa-Sig-Value`
 *   for ECDSA (judged by `@factorkit/core`'s DER rules on every backend, high-S accepted), raw
 *   bytes for EdDSA and RSA — and return `false` for any bad signature, never throw for one;
 * - `digest` and `hmac` are synchronous on every backend (their callers — rpIdHash, HOTP — are);
 *   WebCrypto offers only asynchronous ones, so the portable backend computes them with
 *   @noble/hashes;
 * - `aesEncryptBlock`/`aesDecryptBlock` are one raw AES block (ECB, no padding: the Yubico OTP
 *   token); `aesGcmSeal`/`aesGcmOpen` are AES-GCM with a 16-byte tag appended, and `aesGcmOpen`
 *   rejects (any error) when the bytes are not authentic;
 * - `randomBytes` is the runtime's CSPRNG; `timingSafeEqual` is `@factorkit/ct`'s comparison (no
 *   early exit, `false` on unequal lengths).
 */
export interface CryptoBackend {
  /** `"node"` or `"portable"` for the built-in backends. */
  readonly name: string;
  digest(algorithm: HashAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  importKey(key: CosePublicKey): ImportedKey;
  verify(key: ImportedKey, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  /** Present when the backend verifies every algorithm synchronously (the Node backend). */
  readonly verifySync?: ((key: ImportedKey, signature: Uint8Array, data: Uint8Array) => boolean) | undefined;
  /** One AES block (16 bytes) under a 16-, 24- or 32-byte key. */
  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-GCM: `ciphertext ‖ tag(16)`. `iv` is 12 bytes and must never repeat under one key. */
  aesGcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  randomBytes(length: number): Uint8Array;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/** A key imported into a backend: reusable across verifications. */
export interface ImportedKey {
  readonly cose: CosePublicKey;
  /** Name of the backend that imported it; keys are not portable between backends. */
  readonly backend: string;
  /** Backend-private handle (a KeyObject, point bytes, a CryptoKey...). */
  readonly native: unknown;
}

/** Why a backend refused a key or an operation. */
export type CryptoErrorKind = 'invalid-key' | 'unsupported';

/** Thrown by `importKey` (never by `verify`); each package maps it to its own code. */
export class CryptoError extends Error {
  readonly kind: CryptoErrorKind;
  override readonly name = 'CryptoError';

  constructor(kind: CryptoErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export function isCryptoError(value: unknown): value is CryptoError {
  return value instanceof CryptoError;
}

/** Argument checks shared by both backends (misuse is a TypeError/RangeError, never a result). */
export function checkAesArgs(key: Uint8Array, block: Uint8Array, blockLength?: number): void {
  if (!(key instanceof Uint8Array) || (key.length !== 16 && key.length !== 24 && key.length !== 32)) {
    throw new RangeError('AES key must be 16, 24 or 32 bytes');
  }
  if (!(block instanceof Uint8Array)) throw new TypeError('AES input must be a Uint8Array');
  if (blockLength !== undefined && block.length !== blockLength) {
    throw new RangeError(`AES block must be ${blockLength} bytes`);
  }
}

export function checkRandomLength(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 1 << 20) {
    throw new RangeError('randomBytes length must be an integer from 0 to 1 MiB');
  }
}

/** Signature length EdDSA verification requires (RFC 8032 §5.1.7, §5.2.7). */
export const EDDSA_SIGNATURE_LENGTH: Readonly<Record<string, number>> = { Ed25519: 64, Ed448: 114 };
