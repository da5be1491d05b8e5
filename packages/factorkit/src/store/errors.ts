/** Codes a store raises for operations it refuses (never for a lost compare-and-set). */
export type StoreErrorCode =
  /** An insert collided with an existing id/publicId (nothing was written). */
  | 'ERR_STORE_CONFLICT'
  /** The database schema is newer than this build understands. */
  | 'ERR_STORE_SCHEMA'
  /** The store was closed. */
  | 'ERR_STORE_CLOSED';

/** The one error class stores throw; `code` is stable, messages never carry secrets. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
