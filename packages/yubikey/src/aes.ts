import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ecb } from '@noble/ciphers/aes.js';

/**
 * One AES-128 block operation (the Yubico OTP token is exactly one ECB block: no IV, no padding,
 * protocols §4.2). Two interchangeable implementations; tests check they agree.
 */
export type AesBlockCipher = (key: Uint8Array, block: Uint8Array) => Uint8Array;

function checkArgs(key: Uint8Array, block: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new RangeError('key must be 16 bytes');
  if (!(block instanceof Uint8Array) || block.length !== 16) throw new RangeError('block must be 16 bytes');
}

/** AES-128-ECB decrypt of one block via node:crypto (OpenSSL). The default. */
export const aes128DecryptBlockNode: AesBlockCipher = (key, block) => {
  checkArgs(key, block);
  const d = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(block), d.final()]));
};

/** AES-128-ECB decrypt of one block in portable JS (@noble/ciphers), for runtimes without node:crypto. */
export const aes128DecryptBlockPortable: AesBlockCipher = (key, block) => {
  checkArgs(key, block);
  return ecb(key, { disablePadding: true }).decrypt(block);
};

/** AES-128-ECB encrypt of one block via node:crypto (what a YubiKey does; used by test helpers). */
export const aes128EncryptBlockNode: AesBlockCipher = (key, block) => {
  checkArgs(key, block);
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
};

/** AES-128-ECB encrypt of one block in portable JS (@noble/ciphers). */
export const aes128EncryptBlockPortable: AesBlockCipher = (key, block) => {
  checkArgs(key, block);
  return ecb(key, { disablePadding: true }).encrypt(block);
};
