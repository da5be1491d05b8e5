import { defaultBackend as runtimeDefault } from '@factorkit/core/crypto/default';
import type { CryptoBackend } from './types.ts';

/**
 * The backend used when the caller passes none: node:crypto on Node, WebCrypto + @noble/*
 * elsewhere (chosen by `@factorkit/core/crypto/default`'s `node` / `default` export conditions).
 */
export function defaultBackend(): CryptoBackend {
  return runtimeDefault;
}
