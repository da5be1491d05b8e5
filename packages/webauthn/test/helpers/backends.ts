import { nodeBackend } from '../../src/crypto/node.ts';
import { portableBackend } from '../../src/crypto/portable.ts';
import type { CryptoBackend } from '../../src/crypto/types.ts';

/** Every test that verifies anything runs once per backend. */
export const BACKENDS: readonly (readonly [string, CryptoBackend])[] = [
  ['node', nodeBackend],
  ['portable', portableBackend],
];
