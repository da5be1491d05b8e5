// OATH tokens: HOTP (RFC 4226), TOTP (RFC 6238) and a Symantec VIP-style credential.
import { createHmac } from 'node:crypto';
import { fromHex, toHex } from './bytes.ts';
import { derive, type Seed, seedBytes } from './seed.ts';

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

const NODE_HASH: Readonly<Record<OtpAlgorithm, string>> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/** HOTP(K, C) = Truncate(HMAC(K, C)) mod 10^digits (RFC 4226 §5.3), C as 8-byte big-endian. */
export function hotp(
  secret: Uint8Array,
  counter: number | bigint,
  options: { digits?: number; algorithm?: OtpAlgorithm } = {},
): string {
  const digits = options.digits ?? 6;
  const algorithm = options.algorithm ?? 'SHA1';
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError('digits must be 6..10');
  if (!(algorithm in NODE_HASH)) throw new TypeError('algorithm must be SHA1, SHA256 or SHA512');
  const c = BigInt(counter);
  if (c < 0n || c > 0xffffffffffffffffn) throw new RangeError('counter must be a uint64');
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(c);
  const mac = createHmac(NODE_HASH[algorithm], secret).update(msg).digest();
  // Dynamic truncation uses the LAST byte of the MAC, whatever its length (RFC 4226 §5.4).
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (BigInt(binary) % 10n ** BigInt(digits)).toString().padStart(digits, '0');
}

export interface HotpTokenOptions {
  /** Shared secret as hex or bytes (default: 20 bytes derived from the seed). */
  readonly secret?: string | Uint8Array;
  readonly seed?: Seed;
  /** Next counter value the token will use (default 0). */
  readonly counter?: number;
  /** Code length (default 6). */
  readonly digits?: number;
  /** HMAC hash (default SHA1). */
  readonly algorithm?: OtpAlgorithm;
}

function secretFrom(
  secret: string | Uint8Array | undefined,
  seed: Seed | undefined,
  label: string,
  algorithm: OtpAlgorithm,
): Uint8Array {
  if (secret !== undefined) return typeof secret === 'string' ? fromHex(secret) : new Uint8Array(secret);
  // RFC 4226 §4 R6 recommends 160 bits; RFC 6238 pairs the key length with the hash.
  const length = algorithm === 'SHA512' ? 64 : algorithm === 'SHA256' ? 32 : 20;
  return derive(seedBytes(seed), label, length);
}

/** An event-based token: each `next()` is one button press. */
export class HotpToken {
  readonly digits: number;
  readonly algorithm: OtpAlgorithm;
  readonly #secret: Uint8Array;
  #counter: number;

  constructor(options: HotpTokenOptions = {}) {
    this.digits = options.digits ?? 6;
    this.algorithm = options.algorithm ?? 'SHA1';
    this.#secret = secretFrom(options.secret, options.seed, 'hotp/secret', this.algorithm);
    this.#counter = options.counter ?? 0;
    hotp(this.#secret, this.#counter, this);
  }

  /** Secret as hex, for provisioning the verifier. */
  get secret(): string {
    return toHex(this.#secret);
  }

  /** The counter the next press uses. */
  get counter(): number {
    return this.#counter;
  }

  /** Presses the button: returns the code for the current counter and advances it. */
  next(): string {
    const code = hotp(this.#secret, this.#counter, this);
    this.#counter += 1;
    return code;
  }

  /** The code for any counter (does not move the token). */
  codeAt(counter: number): string {
    return hotp(this.#secret, counter, this);
  }
}

export interface TotpTokenOptions extends Omit<HotpTokenOptions, 'counter'> {
  /** Time step X in seconds (default 30). */
  readonly period?: number;
  /** T0, Unix seconds (default 0). */
  readonly t0?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly clock?: () => number;
}

/** A time-based token: `code()` shows what the display shows now. */
export class TotpToken {
  readonly digits: number;
  readonly algorithm: OtpAlgorithm;
  readonly period: number;
  readonly t0: number;
  readonly #secret: Uint8Array;
  readonly #clock: () => number;

  constructor(options: TotpTokenOptions = {}) {
    this.digits = options.digits ?? 6;
    this.algorithm = options.algorithm ?? 'SHA1';
    this.period = options.period ?? 30;
    this.t0 = options.t0 ?? 0;
    if (!Number.isInteger(this.period) || this.period < 1)
      throw new RangeError('period must be a positive integer');
    this.#secret = secretFrom(options.secret, options.seed, 'totp/secret', this.algorithm);
    this.#clock = options.clock ?? Date.now;
    hotp(this.#secret, 0, this);
  }

  get secret(): string {
    return toHex(this.#secret);
  }

  /** T = floor((unixTime - T0) / X) for `time` in Unix seconds (default: the clock). */
  step(time?: number): number {
    const t = time ?? this.#clock() / 1000;
    return Math.floor((t - this.t0) / this.period);
  }

  /** The code displayed at `time` (Unix seconds; default: the clock). */
  code(time?: number): string {
    return hotp(this.#secret, this.step(time), this);
  }

  /** The code for time step `step`. */
  codeAtStep(step: number): string {
    return hotp(this.#secret, step, this);
  }
}

/** Symantec VIP credential model prefixes: `VSMT`/`SYMC` mobile, `VSST`/`SYDC` desktop, `UBHE` HOTP hardware. */
export type VipPrefix = 'VSMT' | 'SYMC' | 'VSST' | 'SYDC' | 'UBHE';

export interface VipCredentialOptions {
  readonly seed?: Seed;
  /** Credential id prefix (default `VSMT`). `UBHE` makes an event (HOTP) credential. */
  readonly prefix?: VipPrefix;
  /** Secret, hex (default derived from the seed; 20 bytes). */
  readonly secret?: string;
  /** Clock in milliseconds for TOTP credentials (default `Date.now`). */
  readonly clock?: () => number;
  /** HOTP credentials: the next counter (default 0). */
  readonly counter?: number;
}

/** A Symantec VIP-style credential: OATH SHA1, 6 digits, TOTP 30 s (or HOTP for `UBHE`). */
export class VipCredential {
  /** e.g. `VSMT12345678`: 4-letter model prefix + 8 digits. */
  readonly credentialId: string;
  readonly #totp: TotpToken | undefined;
  readonly #hotp: HotpToken | undefined;

  constructor(options: VipCredentialOptions = {}) {
    const seed = seedBytes(options.seed);
    const prefix = options.prefix ?? 'VSMT';
    const n = derive(seed, 'vip/credential-id', 4);
    const digits = (new DataView(n.buffer, n.byteOffset, 4).getUint32(0) % 100_000_000)
      .toString()
      .padStart(8, '0');
    this.credentialId = `${prefix}${digits}`;
    const secret = options.secret ?? toHex(derive(seed, 'vip/secret', 20));
    if (prefix === 'UBHE') {
      this.#hotp = new HotpToken({ secret, counter: options.counter ?? 0 });
    } else {
      this.#totp = new TotpToken({
        secret,
        period: 30,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
    }
  }

  get kind(): 'totp' | 'hotp' {
    return this.#hotp === undefined ? 'totp' : 'hotp';
  }

  get secret(): string {
    return (this.#totp ?? this.#hotp)?.secret ?? '';
  }

  /**
   * Two consecutive security codes as VIP registration/sync asks for them (`passCode`,
   * `nextPassCode`): TOTP steps T and T+1 at `time` (Unix seconds); HOTP counters c and c+1
   * (the token advances by two).
   */
  securityCodes(time?: number): { passCode: string; nextPassCode: string } {
    if (this.#hotp !== undefined) return { passCode: this.#hotp.next(), nextPassCode: this.#hotp.next() };
    const totp = this.#totp as TotpToken;
    const step = totp.step(time);
    return { passCode: totp.codeAtStep(step), nextPassCode: totp.codeAtStep(step + 1) };
  }

  /** One security code (what the display shows now / the next press). */
  code(time?: number): string {
    if (this.#hotp !== undefined) return this.#hotp.next();
    return (this.#totp as TotpToken).code(time);
  }
}
