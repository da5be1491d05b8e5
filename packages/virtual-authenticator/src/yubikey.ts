// A software YubiKey in Yubico OTP mode. Each press() emits
// publicId || modhex(AES-128-ECB(aesKey, token)) with the 16-byte token laid out as
// privateId(6) | usageCounter(2 LE) | timestamp(3 LE, 8 Hz) | sessionCounter(1) | random(2) | crc(2 LE).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat, fromHex, toHex } from './bytes.ts';
import { VirtualAuthenticatorError } from './errors.ts';
import { derive, type Seed, seedBytes } from './seed.ts';

const MODHEX = 'cbdefghijklnrtuv';

/** Hex → modhex (`0123456789abcdef` → `cbdefghijklnrtuv`). */
export function toModhex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (MODHEX[b >> 4] ?? '') + (MODHEX[b & 0x0f] ?? '');
  return out;
}

/** Modhex → bytes. Throws `TypeError` on a non-modhex string or odd length. */
export function fromModhex(text: string): Uint8Array {
  const lower = text.toLowerCase();
  if (!/^[cbdefghijklnrtuv]*$/.test(lower) || lower.length % 2 !== 0) throw new TypeError('expected modhex');
  const out = new Uint8Array(lower.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = (MODHEX.indexOf(lower[2 * i] ?? '') << 4) | MODHEX.indexOf(lower[2 * i + 1] ?? '');
  return out;
}

/** CRC-16 as yubico-c `yubikey_crc16`: init 0xffff, reflected polynomial 0x8408, no final XOR. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0x8408 : crc >> 1;
  }
  return crc;
}

/** The residue CRC-16 over a valid 16-byte token yields. */
export const YUBICO_CRC_OK_RESIDUE = 0xf0b8;

/** The fields of one Yubico OTP token (before encryption). */
export interface YubicoOtpToken {
  readonly privateId: Uint8Array;
  /** Usage counter incl. bit 15 (caps-lock flag). */
  readonly usageCounter: number;
  /** 24-bit timestamp (8 Hz). */
  readonly timestamp: number;
  readonly sessionCounter: number;
  readonly random: number;
}

/** Serialises a token and appends its CRC (ones-complement of CRC-16 over bytes 0..13, LE). */
export function encodeYubicoToken(token: YubicoOtpToken): Uint8Array {
  const t = new Uint8Array(16);
  t.set(token.privateId.slice(0, 6), 0);
  t[6] = token.usageCounter & 0xff;
  t[7] = (token.usageCounter >> 8) & 0xff;
  t[8] = token.timestamp & 0xff;
  t[9] = (token.timestamp >> 8) & 0xff;
  t[10] = (token.timestamp >> 16) & 0xff;
  t[11] = token.sessionCounter & 0xff;
  t[12] = token.random & 0xff;
  t[13] = (token.random >> 8) & 0xff;
  const crc = ~crc16(t.subarray(0, 14)) & 0xffff;
  t[14] = crc & 0xff;
  t[15] = crc >> 8;
  return t;
}

/** AES-128-ECB of one block, no padding (the YubiKey's cipher). */
export function aes128EcbEncrypt(key: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

export interface VirtualYubiKeyOptions {
  /** Seed for defaults of the ids and key, the power-up timer and the random field (default random). */
  readonly seed?: Seed;
  /** Public id, modhex (0–16 bytes; default `cccc` + 8 seed-derived modhex chars = 6 bytes). */
  readonly publicId?: string;
  /** Private id, 12 hex chars (default derived from the seed). */
  readonly privateId?: string;
  /** AES-128 key, 32 hex chars (default derived from the seed). */
  readonly aesKey?: string;
  /** Non-volatile usage counter stored in the key before its first power-up (default 0). */
  readonly usageCounter?: number;
  /**
   * Clock in milliseconds that drives the 8 Hz timestamp. Default: a virtual clock that
   * starts at 0 and advances 1 s per press, so output depends only on the seed.
   */
  readonly clock?: () => number;
  /** Set the caps-lock bit (0x8000) of the usage counter field, as keys do when Caps Lock is on (default false). */
  readonly capsLock?: boolean;
}

/** Secrets of a YubiKey as a validation server stores them (hex / modhex strings). */
export interface YubiKeySecrets {
  readonly publicId: string;
  readonly privateId: string;
  readonly aesKey: string;
}

/** A deterministic software YubiKey (Yubico OTP slot). */
export class VirtualYubiKey {
  readonly publicId: string;
  readonly #privateId: Uint8Array;
  readonly #aesKey: Uint8Array;
  readonly #seed: Uint8Array;
  readonly #clock: () => number;
  readonly #capsLock: boolean;
  #usageCounter: number;
  #sessionCounter = -1;
  #poweredUp = false;
  #powerUps = 0;
  #presses = 0;
  #timerStart = 0;
  #powerUpAt = 0;
  #virtualNow = 0;
  #last: { counter: number; session: number } | undefined;

  constructor(options: VirtualYubiKeyOptions = {}) {
    this.#seed = seedBytes(options.seed);
    this.publicId = options.publicId ?? `cccc${toModhex(derive(this.#seed, 'yubikey/public-id', 4))}`;
    if (!/^[cbdefghijklnrtuv]{0,32}$/.test(this.publicId) || this.publicId.length % 2 !== 0) {
      throw new TypeError('publicId must be modhex of 0-16 bytes');
    }
    this.#privateId =
      options.privateId === undefined
        ? derive(this.#seed, 'yubikey/private-id', 6)
        : fromHex(options.privateId);
    if (this.#privateId.length !== 6) throw new RangeError('privateId must be 6 bytes (12 hex chars)');
    this.#aesKey =
      options.aesKey === undefined ? derive(this.#seed, 'yubikey/aes-key', 16) : fromHex(options.aesKey);
    if (this.#aesKey.length !== 16) throw new RangeError('aesKey must be 16 bytes (32 hex chars)');
    this.#usageCounter = options.usageCounter ?? 0;
    if (!Number.isInteger(this.#usageCounter) || this.#usageCounter < 0 || this.#usageCounter > 0x7fff) {
      throw new RangeError('usageCounter must be 0..32767');
    }
    this.#capsLock = options.capsLock ?? false;
    this.#clock = options.clock ?? this.#virtualClock;
  }

  /** The secrets to provision in a validation server (KSM row / Okta seed upload). */
  get secrets(): YubiKeySecrets {
    return { publicId: this.publicId, privateId: toHex(this.#privateId), aesKey: toHex(this.#aesKey) };
  }

  /** Counters of the last OTP emitted, `undefined` before the first press. */
  get lastCounters(): { readonly counter: number; readonly session: number } | undefined {
    return this.#last;
  }

  /** Touches the key: returns the next OTP (44 chars with a 6-byte public id). */
  press(): string {
    if (!this.#poweredUp) this.#powerUp();
    if (this.#sessionCounter === 0xff) {
      // Session counter wraps: the key bumps the non-volatile usage counter and starts over.
      this.#bumpUsage();
      this.#sessionCounter = 0;
    } else {
      this.#sessionCounter += 1;
    }
    const elapsed = this.#clock() - this.#powerUpAt;
    const timestamp = (this.#timerStart + Math.floor((Math.max(0, elapsed) * 8) / 1000)) & 0xffffff;
    const randomBytes = derive(this.#seed, `yubikey/random/${this.#presses}`, 2);
    this.#presses += 1;
    const token = encodeYubicoToken({
      privateId: this.#privateId,
      usageCounter: this.#usageCounter | (this.#capsLock ? 0x8000 : 0),
      timestamp,
      sessionCounter: this.#sessionCounter,
      random: (randomBytes[0] ?? 0) | ((randomBytes[1] ?? 0) << 8),
    });
    this.#last = { counter: this.#usageCounter, session: this.#sessionCounter };
    if (this.#clock === this.#virtualClock) this.#virtualNow += 1000;
    return this.publicId + toModhex(aes128EcbEncrypt(this.#aesKey, token));
  }

  /** Unplug and replug: the next press starts a new session (usage counter +1, session counter 0). */
  powerCycle(): void {
    this.#poweredUp = false;
  }

  readonly #virtualClock = (): number => this.#virtualNow;

  #powerUp(): void {
    this.#poweredUp = true;
    // The usage counter counts power-ups in which the key was used (incremented on the first touch).
    this.#bumpUsage();
    this.#sessionCounter = -1;
    // The 24-bit timer starts at a random value on power-up and ticks at 8 Hz.
    const start = derive(this.#seed, `yubikey/timer/${this.#powerUps}`, 3);
    this.#timerStart = (start[0] ?? 0) | ((start[1] ?? 0) << 8) | ((start[2] ?? 0) << 16);
    this.#powerUpAt = this.#clock();
    this.#powerUps += 1;
  }

  #bumpUsage(): void {
    if (this.#usageCounter >= 0x7fff)
      throw new VirtualAuthenticatorError('ERR_COUNTER_EXHAUSTED', 'usage counter exhausted');
    this.#usageCounter += 1;
  }
}

/** Decrypts an OTP with known secrets (a test helper; verifiers implement their own). */
export function decryptYubicoOtp(otp: string, aesKey: string): Uint8Array {
  const token = fromModhex(otp.slice(-32));
  const decipher = createDecipheriv('aes-128-ecb', fromHex(aesKey), null);
  decipher.setAutoPadding(false);
  return new Uint8Array(concat(decipher.update(token), decipher.final()));
}
