import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { nodeBackend } from '@factorkit/core/crypto/node';
import { portableBackend } from '@factorkit/core/crypto/portable';

/**
 * One AES-128 block operation (the Yubico OTP token is exactly one ECB block: no IV, no padding,
 * protocols §4.2). The block cipher is the crypto backend's (`@factorkit/core/crypto`); the named
 * functions below are kept for existing callers.
 */
export type AesBlockCipher = (key: Uint8Array, block: Uint8Array) => Uint8Array;

function checkArgs(key: Uint8Array, block: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new RangeError('key must be 16 bytes');
  if (!(block instanceof Uint8Array) || block.length !== 16) throw new RangeError('block must be 16 bytes');
}

/** AES-128-ECB decryption of one block with `crypto` (default: the runtime's backend). */
export function aes128DecryptBlockWith(crypto: CryptoBackend = defaultBackend): AesBlockCipher {
  return (key, block) => {
    checkArgs(key, block);
    return crypto.aesDecryptBlock(key, block);
  };
}

/** AES-128-ECB encryption of one block with `crypto` (what a YubiKey does; used by test helpers). */
export function aes128EncryptBlockWith(crypto: CryptoBackend = defaultBackend): AesBlockCipher {
  return (key, block) => {
    checkArgs(key, block);
    return crypto.aesEncryptBlock(key, block);
  };
}

/** @deprecated Use `aes128DecryptBlockWith(nodeBackend)` or pass `crypto`. AES-128-ECB decrypt via node:crypto. */
export const aes128DecryptBlockNode: AesBlockCipher = aes128DecryptBlockWith(nodeBackend);
/** @deprecated Use `aes128DecryptBlockWith(portableBackend)` or pass `crypto`. AES-128-ECB decrypt in portable JS. */
export const aes128DecryptBlockPortable: AesBlockCipher = aes128DecryptBlockWith(portableBackend);
/** @deprecated Use `aes128EncryptBlockWith(nodeBackend)`. */
export const aes128EncryptBlockNode: AesBlockCipher = aes128EncryptBlockWith(nodeBackend);
/** @deprecated Use `aes128EncryptBlockWith(portableBackend)`. */
export const aes128EncryptBlockPortable: AesBlockCipher = aes128EncryptBlockWith(portableBackend);
