export { nodeBackend } from './node.ts';
export { portableBackend } from './portable.ts';
export type { CryptoBackend, ImportedKey } from './types.ts';
