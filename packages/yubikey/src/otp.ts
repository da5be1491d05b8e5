import type { CryptoBackend } from '@factorkit/core/crypto';
import { timingSafeEqual } from '@factorkit/ct';
import { type AesBlockCipher, aes128DecryptBlockWith } from './aes.ts';
import { CRC_OK_RESIDUE, crc16 } from './crc16.ts';
import { failure, type YubikeyFailure } from './errors.ts';
import { dvorakToModhex, hexDecode, isModhex, modhexDecode } from './modhex.ts';
import { type AcceptedOtp, type CounterPair, compareCounters } from './store.ts';

/** Length of the encrypted token part of an OTP, in modhex characters (16 bytes). */
export const TOKEN_MODHEX_LENGTH = 32;
/** Shortest and longest OTP yubikey-val accepts (public id of 0..16 modhex characters). */
export const MIN_OTP_LENGTH = 32;
export const MAX_OTP_LENGTH = 48;

export interface ParseOtpOptions {
  /**
   * Also accept an OTP typed through a Dvorak keyboard layout (`jxe.uidchtnbpygk`), as
   * yubikey-val does. Default `false`. Input that is valid modhex is always read as modhex.
   */
  readonly allowDvorak?: boolean;
}

export interface ParsedOtp {
  readonly ok: true;
  /** The normalised (lowercase modhex) OTP. */
  readonly otp: string;
  /** Lowercase modhex public id: everything before the last 32 characters. */
  readonly publicId: string;
  /** The 16-byte AES ciphertext (the last 32 modhex characters). */
  readonly ciphertext: Uint8Array;
}

/**
 * Splits an OTP string into publicId and token (protocols §4.1). Length is checked before any
 * other work; the input is lower-cased as yubikey-val does. Messages never echo the input.
 */
export function parseOtp(otp: unknown, options: ParseOtpOptions = {}): ParsedOtp | YubikeyFailure {
  // Request data: a number, null, array or object from hostile JSON is a rejection, not a throw.
  if (typeof otp !== 'string') return failure('ERR_OTP_MALFORMED', 'OTP must be a string');
  if (otp.length < MIN_OTP_LENGTH || otp.length > MAX_OTP_LENGTH || otp.length % 2 !== 0) {
    return failure('ERR_OTP_LENGTH', 'OTP must be 32..48 modhex characters (an even number)');
  }
  let text = otp.toLowerCase();
  if (!isModhex(text)) {
    const translated = options.allowDvorak === true ? dvorakToModhex(text) : undefined;
    if (translated === undefined) return failure('ERR_OTP_MODHEX', 'OTP contains non-modhex characters');
    text = translated;
  }
  const split = text.length - TOKEN_MODHEX_LENGTH;
  return {
    ok: true,
    otp: text,
    publicId: text.slice(0, split),
    ciphertext: modhexDecode(text.slice(split)),
  };
}

/** The decrypted token fields (protocols §4.2; multi-byte fields little-endian). */
export interface YubicoOtpFields {
  /** 6-byte private id ("uid"). */
  readonly privateId: Uint8Array;
  /** Usage counter with the caps-lock bit (0x8000) masked off. */
  readonly usageCounter: number;
  /** Bit 15 of the raw usage counter field. */
  readonly capsLock: boolean;
  /** 24-bit timer (~8 Hz), `high << 16 | low`. */
  readonly timestamp: number;
  readonly sessionCounter: number;
  readonly random: number;
  /** The stored CRC field (ones-complement of the CRC over bytes 0..13). */
  readonly crc: number;
  /** True when CRC-16 over all 16 bytes equals the residue 0xf0b8. */
  readonly crcOk: boolean;
}

const DEFAULT_AES: AesBlockCipher = aes128DecryptBlockWith();

/** Decrypts one token block and reads its fields. Does not judge them (see `crcOk`). */
export function decryptOtpToken(
  ciphertext: Uint8Array,
  aesKey: Uint8Array,
  aes: AesBlockCipher = DEFAULT_AES,
): YubicoOtpFields {
  const p = aes(aesKey, ciphertext);
  const rawCounter = (p[6] as number) | ((p[7] as number) << 8);
  const fields: YubicoOtpFields = {
    privateId: p.slice(0, 6),
    usageCounter: rawCounter & 0x7fff,
    capsLock: (rawCounter & 0x8000) !== 0,
    timestamp: (p[8] as number) | ((p[9] as number) << 8) | ((p[10] as number) << 16),
    sessionCounter: p[11] as number,
    random: (p[12] as number) | ((p[13] as number) << 8),
    crc: (p[14] as number) | ((p[15] as number) << 8),
    crcOk: crc16(p) === CRC_OK_RESIDUE,
  };
  p.fill(0);
  return fields;
}

/** Seed secrets of one token, as bytes. */
export interface YubicoOtpSecret {
  /** 6 bytes. */
  readonly privateId: Uint8Array;
  /** 16 bytes (AES-128). */
  readonly aesKey: Uint8Array;
}

export interface PhishingDelayOptions {
  /** Deviation that is always tolerated, seconds. Default 20 (yubikey-val TS_ABS_TOLERANCE). */
  readonly absoluteToleranceSeconds?: number;
  /** Deviation tolerated relative to the elapsed time. Default 0.3 (TS_REL_TOLERANCE). */
  readonly relativeTolerance?: number;
  /** Token timer rate. Default 8 (yubikey-val TS_SEC = 1/8). */
  readonly ticksPerSecond?: number;
}

export interface TokenCheckOptions {
  /** Crypto backend whose AES block decrypts the token. Default: the runtime's (`@factorkit/core/crypto/default`). */
  readonly crypto?: CryptoBackend;
  /** @deprecated Pass `crypto`. A block cipher to decrypt with; takes precedence over `crypto`. */
  readonly aes?: AesBlockCipher;
  /**
   * yubikey-val's phishing-delay heuristic (protocols §4.4 step 5): within one power-up session,
   * the token timer must have advanced about as much as the wall clock since the previous
   * accepted OTP; an OTP that was typed long ago and relayed later fails with `ERR_OTP_DELAYED`.
   * Off by default (yubikey-val ships it disabled: token clocks drift and hosts sleep).
   * `true` uses the defaults of `PhishingDelayOptions`.
   */
  readonly phishingDelayCheck?: boolean | PhishingDelayOptions;
  /** Clock for the phishing-delay check. Default `new Date()`. */
  readonly now?: Date;
}

export interface VerifiedYubicoOtp {
  readonly verified: true;
  readonly publicId: string;
  readonly usageCounter: number;
  readonly sessionCounter: number;
  readonly timestamp: number;
  readonly capsLock: boolean;
}

/**
 * Checks a parsed OTP against its token's secret and the last accepted OTP, in the order
 * decrypt → CRC residue → private id (constant time) → replay → phishing delay. Pure: the caller
 * must still commit the new counters atomically (the registry does, via `compareAndSetCounter`).
 */
export function checkOtpToken(
  parsed: ParsedOtp,
  secret: YubicoOtpSecret,
  lastOtp: AcceptedOtp | CounterPair | null,
  options: TokenCheckOptions = {},
): VerifiedYubicoOtp | YubikeyFailure {
  const aes =
    options.aes ?? (options.crypto === undefined ? DEFAULT_AES : aes128DecryptBlockWith(options.crypto));
  const fields = decryptOtpToken(parsed.ciphertext, secret.aesKey, aes);
  // §4.2: a wrong key or a corrupted character gives a random block whose CRC fails.
  if (!fields.crcOk) return failure('ERR_OTP_CRC', 'OTP token CRC check failed');
  // §4.2: the uid inside the block must be the token's private id (constant-time compare).
  const sameId = timingSafeEqual(fields.privateId, secret.privateId);
  fields.privateId.fill(0);
  if (!sameId) return failure('ERR_OTP_PRIVATE_ID', 'OTP private id does not match the token');
  // §4.4: (usageCounter, sessionCounter) must be strictly greater than the last accepted pair.
  if (lastOtp !== null && compareCounters(fields, lastOtp) <= 0) {
    return failure('ERR_OTP_REPLAYED', 'OTP counters are not greater than the last accepted OTP');
  }
  if (options.phishingDelayCheck !== undefined && options.phishingDelayCheck !== false && lastOtp !== null) {
    if (
      'at' in lastOtp &&
      isDelayed(lastOtp, fields, options.now ?? new Date(), options.phishingDelayCheck)
    ) {
      return failure('ERR_OTP_DELAYED', 'OTP timer does not match the time since the previous OTP');
    }
  }
  return {
    verified: true,
    publicId: parsed.publicId,
    usageCounter: fields.usageCounter,
    sessionCounter: fields.sessionCounter,
    timestamp: fields.timestamp,
    capsLock: fields.capsLock,
  };
}

/**
 * yubikey-val's rule: only within one session (same usage counter, higher session counter);
 * deviation = |wall-clock elapsed − timer delta|; delayed when the deviation exceeds both the
 * absolute and the relative tolerance. The 24-bit timer wraps (~24 days at 8 Hz): delta mod 2^24.
 */
export function isDelayed(
  previous: AcceptedOtp,
  current: CounterPair & { readonly timestamp: number },
  now: Date,
  options: boolean | PhishingDelayOptions,
): boolean {
  if (current.usageCounter !== previous.usageCounter || current.sessionCounter <= previous.sessionCounter) {
    return false;
  }
  const o = typeof options === 'object' ? options : {};
  const abs = o.absoluteToleranceSeconds ?? 20;
  const rel = o.relativeTolerance ?? 0.3;
  const rate = o.ticksPerSecond ?? 8;
  const ticks = (current.timestamp - previous.timestamp + 0x1000000) % 0x1000000;
  const tokenSeconds = ticks / rate;
  const elapsed = (now.getTime() - Date.parse(previous.at)) / 1000;
  const deviation = Math.abs(elapsed - tokenSeconds);
  const relative = elapsed <= 0 ? 1 : deviation / elapsed;
  return deviation > abs && relative > rel;
}

export interface VerifyYubicoOtpInput extends ParseOtpOptions, TokenCheckOptions {
  readonly otp: string;
  /** The token the caller looked up: public id (modhex), private id (12 hex), AES key (32 hex). */
  readonly token: { readonly publicId: string; readonly privateId: string; readonly aesKey: string };
  /** The last accepted pair, or null/absent for a token never used. */
  readonly lastOtp?: AcceptedOtp | CounterPair | null;
}

/**
 * Stateless verification of one OTP against one known token (no store). Adds the public id check
 * (`ERR_UNKNOWN_TOKEN` when the OTP names another token) to `checkOtpToken`. The caller owns
 * persistence of the returned counters; prefer `YubikeyRegistry.verify`, which commits them atomically.
 */
export function verifyYubicoOtp(input: VerifyYubicoOtpInput): VerifiedYubicoOtp | YubikeyFailure {
  const parsed = parseOtp(input.otp, input);
  if ('code' in parsed) return parsed;
  if (parsed.publicId !== input.token.publicId.toLowerCase()) {
    return failure('ERR_UNKNOWN_TOKEN', 'OTP public id does not name this token');
  }
  const secret = { privateId: hexDecode(input.token.privateId), aesKey: hexDecode(input.token.aesKey) };
  if (secret.privateId.length !== 6 || secret.aesKey.length !== 16) {
    throw new RangeError('token.privateId must be 12 hex and token.aesKey 32 hex characters');
  }
  try {
    return checkOtpToken(parsed, secret, input.lastOtp ?? null, input);
  } finally {
    secret.aesKey.fill(0);
    secret.privateId.fill(0);
  }
}
