import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreError } from './errors.ts';
import type { SecretSealer } from './types.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM sealer with a caller-supplied 32-byte key-encryption key. Output layout:
 * `version(1) ‖ iv(12) ‖ ciphertext ‖ tag(16)`; the record context is the associated
 * data, so a sealed secret copied onto another record fails to open.
 */
export function createAesGcmSealer(kek: Uint8Array): SecretSealer {
  if (!(kek instanceof Uint8Array) || kek.length !== 32) {
    throw new TypeError('kek must be a 32-byte Uint8Array (AES-256 key-encryption key)');
  }
  const key = Uint8Array.from(kek);
  return {
    seal(plaintext: Uint8Array, context: string): Uint8Array {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const out = new Uint8Array(1 + IV_BYTES + body.length + TAG_BYTES);
      out[0] = VERSION;
      out.set(iv, 1);
      out.set(body, 1 + IV_BYTES);
      out.set(cipher.getAuthTag(), 1 + IV_BYTES + body.length);
      return out;
    },
    open(sealed: Uint8Array, context: string): Uint8Array {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
        throw new StoreError('ERR_STORE_SEAL', 'sealed secret has an unknown layout');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const body = sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES);
        return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
      } catch (cause) {
        throw new StoreError('ERR_STORE_SEAL', 'sealed secret failed to open (wrong key or tampered)', {
          cause,
        });
      }
    },
  };
}
