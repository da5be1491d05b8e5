import { es256PublicKey } from '@factorkit/core';
import type { CryptoBackend, ImportedKey } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { U2fError } from './errors.ts';

// Curve parameters of P-256 (FIPS 186-4 D.1.2.3): y² = x³ − 3x + b over GF(p).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function toBigInt(bytes: Uint8Array, from: number, to: number): bigint {
  let v = 0n;
  for (let i = from; i < to; i++) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

/**
 * Checks a U2F user public key: 65 bytes, `0x04 ‖ X ‖ Y` (uncompressed, SEC 1 §2.3.3),
 * both coordinates below p, and the point on the curve. Off-curve points are how
 * invalid-curve attacks start, so this is checked before the key is stored or used.
 */
export function assertP256Point(point: Uint8Array, step = 'userPublicKey'): void {
  if (point.length !== 65) throw new U2fError('ERR_PUBLIC_KEY_INVALID', 'public key is not 65 bytes', step);
  if (point[0] !== 0x04) {
    throw new U2fError('ERR_PUBLIC_KEY_INVALID', 'public key is not an uncompressed point', step);
  }
  const x = toBigInt(point, 1, 33);
  const y = toBigInt(point, 33, 65);
  if (x >= P || y >= P)
    throw new U2fError('ERR_PUBLIC_KEY_INVALID', 'public key coordinate out of range', step);
  const rhs = (((((x * x) % P) * x) % P) - 3n * x + B) % P;
  if ((y * y) % P !== (rhs + P) % P) {
    throw new U2fError('ERR_PUBLIC_KEY_INVALID', 'public key is not on the P-256 curve', step);
  }
}

/** Imported keys kept for reuse, per backend, keyed by the full point; bounded, oldest evicted first. */
const KEY_CACHE_MAX = 1024;
const keyCaches = new WeakMap<CryptoBackend, Map<string, ImportedKey>>();

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The registered key imported into `crypto` (default: the runtime's default backend). A server
 * verifies the same registered keys again and again, and the on-curve check (BigInt
 * arithmetic) plus the import cost far more than the signature check itself, so keys are cached
 * by their exact 65 bytes: only a point that passed `assertP256Point` and the backend's own
 * import is ever cached, and a hit is the identical point.
 */
export function p256PublicKey(point: Uint8Array, crypto: CryptoBackend = defaultBackend): ImportedKey {
  let id: string | undefined;
  if (point.length === 65) {
    id = '';
    for (let i = 0; i < 65; i++) id += HEX[point[i] as number] as string;
  }
  let cache = keyCaches.get(crypto);
  if (cache === undefined) {
    cache = new Map();
    keyCaches.set(crypto, cache);
  }
  const cached = id === undefined ? undefined : cache.get(id);
  if (cached !== undefined) return cached;
  assertP256Point(point);
  let key: ImportedKey;
  try {
    key = crypto.importKey(es256PublicKey(point));
  } catch {
    throw new U2fError('ERR_PUBLIC_KEY_INVALID', 'public key is not a valid P-256 point', 'userPublicKey');
  }
  if (id !== undefined) {
    if (cache.size >= KEY_CACHE_MAX) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(id, key);
  }
  return key;
}

/**
 * ECDSA P-256 / SHA-256 verification of a DER signature through the backend the key was imported
 * into (strict DER judged by @factorkit/core on every backend, high-S accepted). The caller
 * checks DER strictness first so the failure gets its own code.
 */
export function verifyEs256(
  crypto: CryptoBackend,
  key: ImportedKey,
  data: Uint8Array,
  derSignature: Uint8Array,
): Promise<boolean> {
  return crypto.verify(key, derSignature, data).catch(() => false);
}
