export { StoreError, type StoreErrorCode } from './errors.ts';
export { MemoryStore } from './memory.ts';
export type * from './types.ts';
