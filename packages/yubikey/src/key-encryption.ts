import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';

/**
 * At-rest encryption hook for seed secrets (private id + AES key). The registry seals before a
 * secret reaches the store and opens it only to verify an OTP; the store sees opaque bytes.
 *
 * `context` is the token's associated data (its publicId): implementations must bind the sealed
 * bytes to it, so a sealed secret copied onto another row does not open.
 * `open` throws (any error) when the bytes are not authentic; the registry maps that to
 * `ERR_SECRET_UNSEAL` without passing the error on.
 */
export interface SeedKeyEncryption {
  seal(secret: Uint8Array, context: Uint8Array): Uint8Array | Promise<Uint8Array>;
  open(sealed: Uint8Array, context: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM wrap under a caller-supplied 32-byte key-encryption key, with the crypto backend's
 * AES-GCM (`crypto`, default the runtime's: node:crypto on Node, WebCrypto elsewhere).
 * Sealed layout: `0x01 || iv(12) || ciphertext || tag(16)`, AAD = `context`; a fresh random IV per
 * seal (2^32 seals per KEK keeps the GCM nonce-collision bound negligible — rotate beyond that).
 */
export function aesGcmKeyEncryption(
  kek: Uint8Array,
  crypto: CryptoBackend = defaultBackend,
): SeedKeyEncryption {
  if (!(kek instanceof Uint8Array)) throw new TypeError('kek must be a Uint8Array');
  if (kek.length !== 32) throw new RangeError('kek must be 32 bytes (AES-256)');
  const key = kek.slice(); // private copy: later changes to the caller's array do not matter
  // IVs are cut from a block of CSPRNG output (one call per 1024 seals, not per seal).
  let ivPool: Uint8Array = new Uint8Array(0);
  let ivAt = 0;
  return {
    async seal(secret: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
      if (ivAt + IV_BYTES > ivPool.length) {
        ivPool = crypto.randomBytes(IV_BYTES * 1024);
        ivAt = 0;
      }
      const iv = ivPool.slice(ivAt, ivAt + IV_BYTES);
      ivAt += IV_BYTES;
      const body = await crypto.aesGcmSeal(key, iv, secret, context);
      const out = new Uint8Array(1 + IV_BYTES + body.length);
      out[0] = VERSION;
      out.set(iv, 1);
      out.set(body, 1 + IV_BYTES);
      body.fill(0);
      return out;
    },
    async open(sealed: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
        throw new Error('sealed secret has an unknown layout');
      }
      return crypto.aesGcmOpen(key, sealed.subarray(1, 1 + IV_BYTES), sealed.subarray(1 + IV_BYTES), context);
    },
  };
}
