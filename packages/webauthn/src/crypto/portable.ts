/** @deprecated Import `portableBackend` from `@factorkit/core/crypto/portable`. Re-exported unchanged. */
export { portableBackend } from '@factorkit/core/crypto/portable';
