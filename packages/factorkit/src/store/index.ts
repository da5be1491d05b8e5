export { StoreError, type StoreErrorCode } from './errors.ts';
export { MemoryStore } from './memory.ts';
export { SQLITE_SCHEMA_VERSION, SqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export type * from './types.ts';
