// Deterministic derivation: every key, credential id, key handle and "random" field an
// authenticator produces is HKDF-SHA256(seed, label), so one seed gives byte-identical output.
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './bytes.ts';

/** A seed: any string or bytes. Omit it to get a fresh random seed. */
export type Seed = string | Uint8Array;

/** Normalises a seed to bytes; `undefined` draws 32 random bytes. */
export function seedBytes(seed: Seed | undefined): Uint8Array {
  if (seed === undefined) return crypto.getRandomValues(new Uint8Array(32));
  if (typeof seed === 'string') return utf8(seed);
  if (seed instanceof Uint8Array) return new Uint8Array(seed);
  throw new TypeError('seed must be a string or a Uint8Array');
}

/** `length` bytes bound to `seed` and `label` (HKDF-SHA256, salt "factorkit-virtual"). */
export function derive(seed: Uint8Array, label: string, length: number): Uint8Array {
  return hkdf(sha256, seed, utf8('factorkit-virtual'), utf8(label), length);
}
