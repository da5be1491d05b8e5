import { type CosePublicKey, parseCoseKey } from './cose.ts';
import { defaultBackend } from './crypto/default.ts';
import type { CryptoBackend, ImportedKey } from './crypto/types.ts';
import { atEdge } from './errors.ts';

const BRAND: unique symbol = Symbol('factorkit.CredentialKey');

/**
 * A credential public key parsed, validated and imported once, for reuse on every
 * authentication (the hot path skips CBOR decoding and key import). Bound to one backend.
 */
export interface CredentialKey {
  readonly [BRAND]: true;
  /** The COSE_Key bytes it was made from. */
  readonly publicKey: Uint8Array;
  readonly alg: number;
  readonly cose: CosePublicKey;
  readonly imported: ImportedKey;
  readonly crypto: CryptoBackend;
}

export interface PrepareCredentialKeyOptions {
  /** Backend to import into. Default: node:crypto on Node, WebCrypto elsewhere. */
  readonly crypto?: CryptoBackend;
}

/**
 * Parses and imports a stored credential public key (COSE_Key bytes, as returned by
 * `verifyRegistration`). Throws `WebAuthnError` (`ERR_INVALID_PUBLIC_KEY`,
 * `ERR_UNSUPPORTED_ALGORITHM`, `ERR_INVALID_CBOR`) when the stored key is unusable.
 */
export function prepareCredentialKey(
  publicKey: Uint8Array,
  options: PrepareCredentialKeyOptions = {},
): CredentialKey {
  if (!(publicKey instanceof Uint8Array))
    throw new TypeError('publicKey must be a Uint8Array (COSE_Key bytes)');
  const crypto = options.crypto ?? defaultBackend();
  const cose = parseCoseKey(publicKey);
  const imported = atEdge((key: CosePublicKey) => crypto.importKey(key))(cose);
  return Object.freeze({
    [BRAND]: true as const,
    publicKey: publicKey.slice(),
    alg: cose.alg,
    cose,
    imported,
    crypto,
  });
}

export function isCredentialKey(value: unknown): value is CredentialKey {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
