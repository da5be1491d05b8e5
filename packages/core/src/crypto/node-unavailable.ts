import type { CryptoBackend } from './types.ts';

// What `@factorkit/core/crypto/node` resolves to outside Node (the `default` export condition):
// the same name, so code that mentions the node backend still bundles for a browser, but no
// node:crypto. Choosing it there is a programmer's mistake, reported as one.
function unavailable(): never {
  throw new TypeError(
    'the node crypto backend needs Node.js; use portableBackend (@factorkit/core/crypto/portable)',
  );
}

/** Outside Node: every operation throws a TypeError. On Node this name is the node:crypto backend. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  digest: unavailable,
  hmac: unavailable,
  importKey: unavailable,
  verify: unavailable,
  verifySync: unavailable,
  aesEncryptBlock: unavailable,
  aesDecryptBlock: unavailable,
  aesGcmSeal: unavailable,
  aesGcmOpen: unavailable,
  randomBytes: unavailable,
  timingSafeEqual: unavailable,
};
