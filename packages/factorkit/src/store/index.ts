export { StoreError, type StoreErrorCode } from './errors.ts';
export { MemoryStore } from './memory.ts';
export { DEFAULT_TOKEN_PAGE, MAX_TOKEN_PAGE } from './query.ts';
export { createAesGcmSealer } from './sealer.ts';
export { SQLITE_SCHEMA_VERSION, SqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export type * from './types.ts';
