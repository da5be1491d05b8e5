export {
  type CryptoBackend,
  CryptoError,
  type CryptoErrorKind,
  type ImportedKey,
  isCryptoError,
} from './types.ts';
