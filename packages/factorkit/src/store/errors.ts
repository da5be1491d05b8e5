/** Codes a store raises for operations it refuses (never for a lost compare-and-set). */
export type StoreErrorCode =
  /** An insert collided with an existing id/publicId (nothing was written). */
  | 'ERR_STORE_CONFLICT'
  /** The database schema is newer than this build understands, or a migration failed. */
  | 'ERR_STORE_SCHEMA'
  /** A stored record does not have the shape this build writes (it is never half-used). */
  | 'ERR_STORE_CORRUPT'
  /**
   * The server could not be reached or the connection dropped mid-operation. The operation
   * was not applied — or, when the connection dropped while a commit was in flight, it was
   * applied completely; never partly. Treat a verification that saw this as not accepted.
   */
  | 'ERR_STORE_UNAVAILABLE'
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
