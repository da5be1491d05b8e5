import { nodeBackend } from './node.ts';
import type { CryptoBackend } from './types.ts';

/** The backend used when the caller passes none, on Node (the `node` export condition): node:crypto. */
export const defaultBackend: CryptoBackend = nodeBackend;
