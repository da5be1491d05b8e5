/**
 * @factorkit/yubikey — YubiKey seed import (Okta yubikey_token semantics) and Yubico OTP
 * verification with atomic replay protection.
 */
export { failure, YubikeyError, type YubikeyErrorCode, type YubikeyFailure } from './errors.ts';
export { aesGcmKeyEncryption, type SeedKeyEncryption } from './key-encryption.ts';
export { MemoryYubikeyStore } from './memory-store.ts';
export {
  type AcceptedOtp,
  type CounterPair,
  type CounterUpdate,
  type CounterUpdateResult,
  compareCounters,
  type InsertManyResult,
  type ListPosition,
  matchesFilter,
  type NewYubikeyTokenRecord,
  type SortOrder,
  type StatusUpdate,
  type StatusUpdateResult,
  type StoreListQuery,
  type TimeRange,
  TOMBSTONE_STATUSES,
  tokenSortKey,
  YUBIKEY_TOKEN_STATUSES,
  type YubikeyStore,
  type YubikeyTokenFilter,
  type YubikeyTokenRecord,
  type YubikeyTokenSortField,
  type YubikeyTokenStatus,
} from './store.ts';
