import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64url } from './base64url.ts';
import type { PublicKeyCredentialDescriptorJSON } from './options.ts';

/**
 * Username-enumeration defence for username-first logins: for a user the RP does not know (or
 * who has no credentials), `allowCredentials` is filled with decoy descriptors that are a
 * deterministic function of the username under a server secret — the same name always gets the
 * same decoys, two names get unrelated ones, and nobody without the secret can tell them from
 * real credential ids. An assertion for a decoy id finds no credential and fails exactly like
 * one for any other unknown id.
 */

/** Minimum secret length (bytes): HMAC-SHA-256 keys shorter than the hash weaken the PRF. */
export const MIN_DECOY_SECRET_LENGTH = 32;

// Credential id lengths and transport sets that real authenticators report (platform passkeys,
// security keys); a decoy picks one of each, so the options have a real credential's shape.
const ID_LENGTHS = [16, 20, 32, 48, 64] as const;
const TRANSPORTS: readonly (readonly string[])[] = [
  ['usb'],
  ['usb', 'nfc'],
  ['hybrid', 'internal'],
  ['internal'],
];

const LABEL = new TextEncoder().encode('factorkit allowCredentials decoy v1');

function prf(secret: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = hmac.create(sha256, secret);
  h.update(LABEL);
  for (const p of parts) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, p.length);
    h.update(len).update(p);
  }
  return h.digest();
}

/** The decoy `allowCredentials` for `userName` at `rpId` (1 or 2 descriptors). */
export function decoyAllowCredentials(input: {
  readonly secret: Uint8Array;
  readonly rpId: string;
  readonly userName: string;
}): PublicKeyCredentialDescriptorJSON[] {
  const { secret, rpId, userName } = input ?? {};
  if (!(secret instanceof Uint8Array) || secret.length < MIN_DECOY_SECRET_LENGTH)
    throw new TypeError(`secret must be at least ${MIN_DECOY_SECRET_LENGTH} bytes`);
  if (typeof rpId !== 'string' || rpId === '') throw new TypeError('rpId must be a non-empty string');
  if (typeof userName !== 'string') throw new TypeError('userName must be a string');
  const enc = new TextEncoder();
  const seed = prf(secret, enc.encode(rpId), enc.encode(userName));
  const count = 1 + ((seed[0] as number) & 1);
  const out: PublicKeyCredentialDescriptorJSON[] = [];
  for (let i = 0; i < count; i++) {
    const pick = prf(secret, seed, Uint8Array.of(i, 0));
    const length = ID_LENGTHS[(pick[0] as number) % ID_LENGTHS.length] as number;
    const id = new Uint8Array(length);
    // Expand to `length` bytes: HMAC blocks keyed by the secret (counter mode).
    for (let off = 0, block = 1; off < length; block++) {
      const b = prf(secret, seed, Uint8Array.of(i, block));
      id.set(b.subarray(0, Math.min(b.length, length - off)), off);
      off += b.length;
    }
    const transports = TRANSPORTS[(pick[1] as number) % TRANSPORTS.length] as readonly string[];
    out.push({ type: 'public-key', id: encodeBase64url(id), transports: [...transports] });
  }
  return out;
}
