// The crypto seam is @factorkit/core's (one interface for every factorkit package); these names
// are kept here for existing imports.
export type { CryptoBackend, ImportedKey } from '@factorkit/core/crypto';
