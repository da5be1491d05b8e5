import { hmac } from '@noble/hashes/hmac.js';
import { type AlgorithmEntry, algorithmEntry, type MdHash, type OtpAlgorithm } from './algorithms.ts';
import { OtpError } from './errors.ts';
import { DEFAULT_MIN_SECRET_BITS, MAX_SECRET_BYTES } from './secret.ts';
import { type Sha1KeyedState, sha1HmacCounter, sha1KeyedState } from './sha1_hmac.ts';

/**
 * Reused per-algorithm working memory. JavaScript runs one computation at a time and the HOTP
 * functions below are synchronous, so a single scratch set per algorithm is safe and removes
 * every allocation from the per-candidate path.
 */
interface Scratch {
  readonly inner: MdHash;
  readonly outer: MdHash;
  /** RFC 4226 §5.2: the counter as an 8-byte big-endian value. */
  readonly counterBytes: Uint8Array;
  readonly counterView: DataView;
  readonly mac: Uint8Array;
}

const scratches = new Map<OtpAlgorithm, Scratch>();

function scratchFor(entry: AlgorithmEntry): Scratch {
  let s = scratches.get(entry.name);
  if (s === undefined) {
    const counterBytes = new Uint8Array(8);
    s = {
      inner: entry.create(),
      outer: entry.create(),
      counterBytes,
      counterView: new DataView(counterBytes.buffer),
      mac: new Uint8Array(entry.outputLen),
    };
    scratches.set(entry.name, s);
  }
  return s;
}

const TWO_POW_32 = 0x1_0000_0000;

// Placeholder for the unused general-path state of SHA-1 keys (which take the fast path).
const NO_STATE: MdHash = {
  blockLen: 0,
  outputLen: 0,
  update: () => {
    throw new Error('unreachable');
  },
  digestInto: () => {
    throw new Error('unreachable');
  },
  _cloneInto: () => {
    throw new Error('unreachable');
  },
};

/**
 * A secret turned into pre-keyed HMAC state (RFC 2104: the inner and outer pads are hashed once).
 * Each HOTP value then costs two compression calls on a copy of that state, copied into reused
 * scratch instances — no allocation, no re-keying. Create one with {@link createOtpKey} and reuse
 * it; it holds no counter or clock and is safe to share.
 */
export class OtpKey {
  readonly algorithm: OtpAlgorithm;
  /** Secret length in bytes (the secret itself is not kept, only the keyed hash state). */
  readonly secretLength: number;
  readonly #scratch: Scratch;
  readonly #inner: MdHash;
  readonly #outer: MdHash;
  /** SHA-1 fast path (the overwhelmingly common OATH algorithm); undefined for SHA-256/512. */
  readonly #sha1: Sha1KeyedState | undefined;

  constructor(secret: Uint8Array, algorithm: OtpAlgorithm = 'SHA1') {
    if (!(secret instanceof Uint8Array)) throw new TypeError('secret must be a Uint8Array');
    const entry = algorithmEntry(algorithm);
    if (secret.length === 0) throw new OtpError('ERR_SECRET_TOO_SHORT', 'secret is empty');
    if (secret.length > MAX_SECRET_BYTES) {
      throw new OtpError('ERR_SECRET_TOO_LONG', `secret longer than ${MAX_SECRET_BYTES} bytes`);
    }
    this.algorithm = entry.name;
    this.secretLength = secret.length;
    this.#scratch = scratchFor(entry);
    if (entry.name === 'SHA1') {
      // RFC 2104: keys longer than the block are hashed first.
      this.#sha1 = sha1KeyedState(secret.length > entry.blockLen ? entry.hash(secret) : secret);
      this.#inner = NO_STATE;
      this.#outer = NO_STATE;
    } else {
      const state = createKeyedState(entry, secret);
      this.#sha1 = undefined;
      this.#inner = state.inner;
      this.#outer = state.outer;
    }
  }

  /**
   * HOTP dynamic truncation (RFC 4226 §5.3) of HMAC(K, counter): the 31-bit value before
   * `mod 10^Digit`. The offset comes from the low nibble of the LAST MAC byte (byte 19 for SHA-1,
   * 31/63 for SHA-256/512 — hard-coding 19 is a classic bug).
   */
  truncatedValue(counter: number): number {
    const s = this.#scratch;
    if (this.#sha1 !== undefined) {
      // RFC 4226 §5.2 / RFC 6238 §4: 64-bit counter, so T beyond 2^31 (and 2^32) stays exact.
      sha1HmacCounter(this.#sha1, Math.floor(counter / TWO_POW_32) | 0, counter | 0, s.mac);
      return dynamicTruncate(s.mac);
    }
    s.counterView.setUint32(0, Math.floor(counter / TWO_POW_32));
    s.counterView.setUint32(4, counter >>> 0);
    const inner = this.#inner._cloneInto(s.inner);
    inner.update(s.counterBytes);
    inner.digestInto(s.mac);
    const outer = this.#outer._cloneInto(s.outer);
    outer.update(s.mac);
    outer.digestInto(s.mac);
    return dynamicTruncate(s.mac);
  }

  /** HMAC(K, counter) as a fresh copy (RFC 4226 Appendix D lists these; for diagnostics and tests). */
  hmac(counter: number): Uint8Array {
    this.truncatedValue(counter);
    return this.#scratch.mac.slice();
  }
}

/**
 * RFC 4226 §5.3 DT: offset = low 4 bits of the last MAC byte; the 4 bytes at the offset with the
 * top bit cleared (so signed/unsigned handling cannot differ between implementations).
 */
export function dynamicTruncate(mac: Uint8Array): number {
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  return (
    (((mac[offset] as number) & 0x7f) << 24) |
    ((mac[offset + 1] as number) << 16) |
    ((mac[offset + 2] as number) << 8) |
    (mac[offset + 3] as number)
  );
}

function createKeyedState(entry: AlgorithmEntry, secret: Uint8Array): { inner: MdHash; outer: MdHash } {
  // @noble/hashes' HMAC keys both pads at construction (and hashes keys longer than the block
  // size); its inner/outer hash states are then cloned per message instead of re-keying.
  const keyed = hmac.create(entry.hash, secret) as unknown as { iHash: MdHash; oHash: MdHash };
  return { inner: keyed.iHash, outer: keyed.oHash };
}

/** Policy for turning raw secrets into keys. */
export interface KeyOptions {
  /** HMAC hash (default `'SHA1'`). */
  readonly algorithm?: OtpAlgorithm;
  /** Refuse secrets shorter than this many bits (default 80). */
  readonly minSecretBits?: number;
}

/**
 * Prepares a secret for fast repeated use (the keyed HMAC state). Throws `ERR_SECRET_TOO_SHORT`
 * under `minSecretBits` (default 80) — use {@link checkSecret} for the 128-bit warning.
 */
export function createOtpKey(secret: Uint8Array, options: KeyOptions = {}): OtpKey {
  if (!(secret instanceof Uint8Array)) throw new TypeError('secret must be a Uint8Array');
  assertMinBits(secret.length, options.minSecretBits);
  return new OtpKey(secret, options.algorithm ?? 'SHA1');
}

function assertMinBits(length: number, minSecretBits: number | undefined): void {
  const min = minSecretBits ?? DEFAULT_MIN_SECRET_BITS;
  if (minSecretBits !== undefined && (!Number.isInteger(min) || min < 8 || min > MAX_SECRET_BYTES * 8)) {
    throw new RangeError('minSecretBits must be an integer between 8 and 8192');
  }
  if (length * 8 < min) {
    throw new OtpError('ERR_SECRET_TOO_SHORT', `secret has ${length * 8} bits; at least ${min} are required`);
  }
}

/** Size of the keyed-state cache used when functions receive raw secrets. */
export const KEY_CACHE_SIZE = 256;
const keyCache = new Map<string, OtpKey>();

/**
 * Resolves `secret` (raw bytes or a prepared {@link OtpKey}) to a key. Raw secrets go through a
 * bounded LRU cache of keyed states, so repeated verifications for one credential skip the
 * HMAC key setup. The cache lives in process memory only; nothing about it is logged.
 */
export function resolveKey(
  secret: Uint8Array | OtpKey,
  algorithm: OtpAlgorithm,
  minSecretBits?: number,
): OtpKey {
  if (secret instanceof OtpKey) {
    if (secret.algorithm !== algorithm) {
      throw new TypeError(`the OtpKey was created for ${secret.algorithm}, not ${algorithm}`);
    }
    assertMinBits(secret.secretLength, minSecretBits);
    return secret;
  }
  if (!(secret instanceof Uint8Array)) throw new TypeError('secret must be a Uint8Array or an OtpKey');
  assertMinBits(secret.length, minSecretBits);
  if (secret.length > MAX_SECRET_BYTES) {
    throw new OtpError('ERR_SECRET_TOO_LONG', `secret longer than ${MAX_SECRET_BYTES} bytes`);
  }
  const id = algorithm + String.fromCharCode.apply(null, secret as unknown as number[]);
  let key = keyCache.get(id);
  if (key !== undefined) {
    // LRU: move to the newest position.
    keyCache.delete(id);
    keyCache.set(id, key);
    return key;
  }
  key = new OtpKey(secret, algorithm);
  if (keyCache.size >= KEY_CACHE_SIZE) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  keyCache.set(id, key);
  return key;
}

/** Empties the keyed-state cache (e.g. after rotating secrets). */
export function clearOtpKeyCache(): void {
  keyCache.clear();
}

/** Current number of cached keyed states (for tests and diagnostics). */
export function otpKeyCacheSize(): number {
  return keyCache.size;
}
