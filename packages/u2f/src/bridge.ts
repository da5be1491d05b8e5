import type { U2fTransport } from './attestation.ts';
import { decodeWebsafeBase64, encodeWebsafeBase64 } from './base64.ts';
import { U2fError } from './errors.ts';
import { assertP256Point } from './p256.ts';
import type { U2fRegistration } from './verify-registration.ts';

/**
 * COSE_Key (RFC 9052 §7, RFC 9053 §2.1) of a U2F user key, as WebAuthn stores credential
 * public keys: the canonical CBOR map `{1: 2 (kty EC2), 3: -7 (alg ES256), -1: 1 (crv P-256),
 * -2: x, -3: y}` (77 bytes). Encoded here directly: the layout is fixed, so no CBOR library is
 * needed, and the keys are in CTAP2 canonical order (1, 3, -1, -2, -3).
 */
export function coseKeyFromU2fPublicKey(publicKey: Uint8Array): Uint8Array {
  assertP256Point(publicKey, 'publicKey');
  const out = new Uint8Array(77);
  out.set([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20], 0);
  out.set(publicKey.subarray(1, 33), 10);
  out.set([0x22, 0x58, 0x20], 42);
  out.set(publicKey.subarray(33, 65), 45);
  return out;
}

/** WebAuthn `AuthenticatorTransport` values a U2F transports extension maps to. */
export type WebAuthnTransport = 'usb' | 'nfc' | 'ble';

/**
 * A U2F registration as a WebAuthn credential record (WebAuthn L3 §4 "credential record"),
 * ready for a WebAuthn verifier. Authenticate it with the `appid` extension set to `appId`:
 * the token signs with rpIdHash = SHA-256(appId) (WebAuthn §10.1.1).
 */
export interface WebAuthnCredentialFromU2f {
  /** Credential ID = the U2F key handle, base64url without padding. */
  readonly id: string;
  /** COSE_Key bytes (ES256). */
  readonly publicKey: Uint8Array;
  /** The sign counter carried over (U2F and WebAuthn share the token's counter). */
  readonly counter: number;
  readonly transports?: readonly WebAuthnTransport[];
  /** The AppID to pass as the `appid` extension input and to accept as rpIdHash. */
  readonly appId: string;
  /** Registered through the U2F API: authenticator data never reports UV or backup state for it. */
  readonly uvInitialized: false;
  readonly backupEligible: false;
  readonly backupState: false;
}

export interface U2fRegistrationRecord {
  readonly appId: string;
  readonly keyHandle: string;
  readonly publicKey: Uint8Array | string;
  readonly counter: number;
  readonly transports?: readonly U2fTransport[];
}

const TRANSPORT_MAP: Readonly<Record<U2fTransport, WebAuthnTransport | undefined>> = {
  bt: undefined, // WebAuthn has no classic-Bluetooth transport.
  ble: 'ble',
  usb: 'usb',
  nfc: 'nfc',
  'usb-internal': 'usb',
};

/**
 * Converts a stored U2F registration (the result of `verifyRegistration`, or a legacy
 * database row with a 65-byte point) into a WebAuthn credential record. Throws `U2fError`
 * `ERR_PUBLIC_KEY_INVALID` / `ERR_BASE64_INVALID` for a corrupt row.
 */
export function u2fToWebAuthnCredential(
  registration: U2fRegistration | U2fRegistrationRecord,
): WebAuthnCredentialFromU2f {
  const point =
    typeof registration.publicKey === 'string'
      ? decodeWebsafeBase64(registration.publicKey)
      : registration.publicKey;
  const keyHandle = decodeWebsafeBase64(registration.keyHandle);
  if (keyHandle.length === 0) throw new U2fError('ERR_KEY_HANDLE_INVALID', 'key handle is empty');
  if (
    !Number.isInteger(registration.counter) ||
    registration.counter < 0 ||
    registration.counter > 0xffffffff
  ) {
    throw new RangeError('counter must be an integer in [0, 2^32 - 1]');
  }
  const transports = [
    ...new Set((registration.transports ?? []).map((t) => TRANSPORT_MAP[t]).filter((t) => t !== undefined)),
  ];
  return {
    id: encodeWebsafeBase64(keyHandle),
    publicKey: coseKeyFromU2fPublicKey(point),
    counter: registration.counter,
    ...(transports.length === 0 ? {} : { transports }),
    appId: registration.appId,
    uvInitialized: false,
    backupEligible: false,
    backupState: false,
  };
}
