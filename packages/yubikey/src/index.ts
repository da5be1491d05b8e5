/**
 * @factorkit/yubikey — YubiKey seed import (Okta yubikey_token semantics) and Yubico OTP
 * verification with atomic replay protection.
 */
export {
  type AesBlockCipher,
  aes128DecryptBlockNode,
  aes128DecryptBlockPortable,
  aes128EncryptBlockNode,
  aes128EncryptBlockPortable,
} from './aes.ts';
export { CRC_OK_RESIDUE, crc16 } from './crc16.ts';
export { failure, YubikeyError, type YubikeyErrorCode, type YubikeyFailure } from './errors.ts';
export { parseTokenFilter } from './filter.ts';
export { aesGcmKeyEncryption, type SeedKeyEncryption } from './key-encryption.ts';
export { MemoryYubikeyStore, type MemoryYubikeyStoreOptions } from './memory-store.ts';
export {
  DVORAK_MODHEX_ALPHABET,
  dvorakToModhex,
  hexToModhex,
  isModhex,
  MODHEX_ALPHABET,
  modhexDecode,
  modhexEncode,
} from './modhex.ts';
export {
  checkOtpToken,
  decryptOtpToken,
  isDelayed,
  MAX_OTP_LENGTH,
  MIN_OTP_LENGTH,
  type ParsedOtp,
  type ParseOtpOptions,
  type PhishingDelayOptions,
  parseOtp,
  TOKEN_MODHEX_LENGTH,
  type TokenCheckOptions,
  type VerifiedYubicoOtp,
  type VerifyYubicoOtpInput,
  verifyYubicoOtp,
  type YubicoOtpFields,
  type YubicoOtpSecret,
} from './otp.ts';
export {
  type CsvDownloadResult,
  type ListTokensQuery,
  type ListTokensResult,
  type OperationFailure,
  type OperationResult,
  type OtpVerification,
  type UploadResult,
  YubikeyRegistry,
  type YubikeyRegistryOptions,
  type YubikeySeedUpload,
  type YubikeyToken,
} from './registry.ts';
export { csvCell } from './seed/csv.ts';
export { detectFormat, type SeedFormat } from './seed/formats.ts';
export {
  type ImportContext,
  type ImportSeedsOptions,
  importSeeds,
  type SeedImportReport,
} from './seed/import.ts';
export type { SeedInput } from './seed/lines.ts';
export {
  type RawSeed,
  type SeedField,
  type SeedRowError,
  type ValidSeed,
  validateSeed,
} from './seed/validate.ts';
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
