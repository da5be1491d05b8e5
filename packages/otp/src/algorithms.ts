import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

/** HMAC hash functions of RFC 6238 §1.2 (RFC 4226 defines SHA-1 only). */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** The incremental hash shape of @noble/hashes that the keyed HMAC core relies on. */
export interface MdHash {
  readonly blockLen: number;
  readonly outputLen: number;
  update(data: Uint8Array): unknown;
  digestInto(out: Uint8Array): void;
  _cloneInto(to?: MdHash): MdHash;
}

export interface AlgorithmEntry {
  readonly name: OtpAlgorithm;
  readonly create: () => MdHash;
  /** The @noble/hashes hash function (what `hmac.create` takes). */
  readonly hash: typeof sha1 | typeof sha256;
  readonly outputLen: number;
  readonly blockLen: number;
  /** Secret length that matches the HMAC output (RFC 6238 Appendix B seeds: 20/32/64 bytes). */
  readonly recommendedSecretBytes: number;
}

// Registry, not a switch: code below takes the resolved entry.
const REGISTRY: ReadonlyMap<string, AlgorithmEntry> = new Map<string, AlgorithmEntry>([
  [
    'SHA1',
    {
      name: 'SHA1',
      hash: sha1,
      create: () => sha1.create() as MdHash,
      outputLen: 20,
      blockLen: 64,
      recommendedSecretBytes: 20,
    },
  ],
  [
    'SHA256',
    {
      name: 'SHA256',
      hash: sha256,
      create: () => sha256.create() as MdHash,
      outputLen: 32,
      blockLen: 64,
      recommendedSecretBytes: 32,
    },
  ],
  [
    'SHA512',
    {
      name: 'SHA512',
      hash: sha512,
      create: () => sha512.create() as MdHash,
      outputLen: 64,
      blockLen: 128,
      recommendedSecretBytes: 64,
    },
  ],
]);

/** The supported algorithm names. */
export const OTP_ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/** Resolves an algorithm name; throws a TypeError naming `param` for anything else. */
export function algorithmEntry(name: unknown, param = 'algorithm'): AlgorithmEntry {
  const entry = typeof name === 'string' ? REGISTRY.get(name) : undefined;
  if (entry === undefined) throw new TypeError(`${param} must be one of ${OTP_ALGORITHMS.join(', ')}`);
  return entry;
}

/** True when `name` is a supported algorithm. */
export function isOtpAlgorithm(name: unknown): name is OtpAlgorithm {
  return typeof name === 'string' && REGISTRY.has(name);
}
