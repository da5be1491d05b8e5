import { nodeBackend } from './node.ts';
import type { CryptoBackend } from './types.ts';

/** The backend used when the caller passes none: node:crypto. */
export function defaultBackend(): CryptoBackend {
  return nodeBackend;
}
