// Negative-test mutators for Yubico OTPs: re-encrypt a token with changed fields (needs the
// AES key, as only the key holder can forge a well-formed token) or damage the string.
import { fromHex } from './bytes.ts';
import { aes128EcbEncrypt, crc16, decryptYubicoOtp, fromModhex, toModhex } from './yubikey.ts';

export interface YubicoTokenPatch {
  /** Replace the private id (12 hex chars). */
  readonly privateId?: string;
  /** Replace the usage counter field (incl. caps-lock bit). */
  readonly usageCounter?: number;
  readonly sessionCounter?: number;
  readonly timestamp?: number;
  /** XOR the stored CRC field with this value (non-zero → CRC check fails). */
  readonly crcXor?: number;
  /** Keep the CRC from the original token instead of recomputing it after patching (default false). */
  readonly keepCrc?: boolean;
}

/** Decrypts `otp`, patches token fields and re-encrypts with `aesKey` (hex). */
export function patchYubicoOtp(otp: string, aesKey: string, patch: YubicoTokenPatch): string {
  const token = decryptYubicoOtp(otp, aesKey);
  if (patch.privateId !== undefined) token.set(fromHex(patch.privateId).slice(0, 6), 0);
  if (patch.usageCounter !== undefined) {
    token[6] = patch.usageCounter & 0xff;
    token[7] = (patch.usageCounter >> 8) & 0xff;
  }
  if (patch.timestamp !== undefined) {
    token[8] = patch.timestamp & 0xff;
    token[9] = (patch.timestamp >> 8) & 0xff;
    token[10] = (patch.timestamp >> 16) & 0xff;
  }
  if (patch.sessionCounter !== undefined) token[11] = patch.sessionCounter & 0xff;
  if (patch.keepCrc !== true) {
    const crc = ~crc16(token.subarray(0, 14)) & 0xffff;
    token[14] = crc & 0xff;
    token[15] = crc >> 8;
  }
  if (patch.crcXor !== undefined) {
    token[14] = (token[14] ?? 0) ^ (patch.crcXor & 0xff);
    token[15] = (token[15] ?? 0) ^ ((patch.crcXor >> 8) & 0xff);
  }
  return otp.slice(0, -32) + toModhex(aes128EcbEncrypt(fromHex(aesKey), token));
}

/** Replaces the public id prefix. */
export function setYubicoPublicId(otp: string, publicId: string): string {
  return publicId + otp.slice(-32);
}

/** Changes one modhex character of the ciphertext (position from the end, default the last). */
export function flipYubicoOtpChar(otp: string, fromEnd = 1): string {
  const i = otp.length - fromEnd;
  const alphabet = 'cbdefghijklnrtuv';
  const c = otp[i] ?? 'c';
  const next = alphabet[(alphabet.indexOf(c) + 1) % 16] ?? 'c';
  fromModhex(otp.slice(-32));
  return otp.slice(0, i) + next + otp.slice(i + 1);
}
