import { portableBackend } from './portable.ts';
import type { CryptoBackend } from './types.ts';

/**
 * The backend used when the caller passes none, everywhere but Node (the `default` export
 * condition: browsers, Deno, Bun, Workers): WebCrypto + @noble/*. On Node the `node` condition
 * resolves `@factorkit/core/crypto/default` to node:crypto instead.
 */
export const defaultBackend: CryptoBackend = portableBackend;
