import { type CborMap, decodeCborFirst, isCborMap } from './cbor.ts';
import { type CosePublicKey, coseKeyFromMap } from './cose.ts';
import { WebAuthnError } from './errors.ts';

/** WebAuthn §6.1 flag bits. Bits 1 and 5 are reserved (RFU) and ignored by design (AD-4). */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;
export const FLAG_ED = 0x80;

/** §6.1: credentialIdLength is at most 1023. */
export const MAX_CREDENTIAL_ID_LENGTH = 1023;
/** Hard cap on authenticatorData size (DOS-1); real ones are a few hundred bytes. */
export const MAX_AUTHENTICATOR_DATA_LENGTH: number = 64 * 1024;

export interface AuthenticatorFlags {
  readonly up: boolean;
  readonly uv: boolean;
  readonly be: boolean;
  readonly bs: boolean;
  readonly at: boolean;
  readonly ed: boolean;
  /** The raw flags byte. */
  readonly value: number;
}

export interface AttestedCredentialData {
  /** 16 bytes. */
  readonly aaguid: Uint8Array;
  readonly credentialId: Uint8Array;
  /** The COSE_Key exactly as encoded in authenticatorData (what a server stores). */
  readonly credentialPublicKey: Uint8Array;
  /** The same key, parsed and validated. */
  readonly publicKey: CosePublicKey;
}

export interface AuthenticatorData {
  readonly rpIdHash: Uint8Array;
  readonly flags: AuthenticatorFlags;
  /** Unsigned 32-bit big-endian signature counter. */
  readonly signCount: number;
  readonly attestedCredentialData: AttestedCredentialData | undefined;
  /** Authenticator extension outputs (a CBOR map), when ED is set. */
  readonly extensions: CborMap | undefined;
}

function adError(message: string): WebAuthnError {
  return new WebAuthnError('ERR_AUTHENTICATOR_DATA_INVALID', message);
}

/**
 * Parses authenticatorData (WebAuthn §6.1): rpIdHash(32) ‖ flags(1) ‖ signCount(4) ‖
 * [attestedCredentialData if AT] ‖ [extensions if ED]. Strict: AT and ED must match what
 * follows (AD-1), the COSE key's length is the number of bytes its decoding consumed (CBOR-4),
 * and leftover bytes are an error (CBOR-3).
 *
 * @throws {WebAuthnError} `ERR_AUTHENTICATOR_DATA_INVALID`, `ERR_CREDENTIAL_ID_TOO_LONG`,
 *   `ERR_INVALID_CBOR`, `ERR_INVALID_PUBLIC_KEY`, `ERR_UNSUPPORTED_ALGORITHM`
 */
export function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData {
  if (!(bytes instanceof Uint8Array)) throw adError('authenticatorData must be bytes');
  if (bytes.length > MAX_AUTHENTICATOR_DATA_LENGTH) throw adError('authenticatorData is too large');
  if (bytes.length < 37) throw adError('authenticatorData is shorter than 37 bytes');
  const rpIdHash = bytes.slice(0, 32);
  const f = bytes[32] as number;
  const flags: AuthenticatorFlags = {
    up: (f & FLAG_UP) !== 0,
    uv: (f & FLAG_UV) !== 0,
    be: (f & FLAG_BE) !== 0,
    bs: (f & FLAG_BS) !== 0,
    at: (f & FLAG_AT) !== 0,
    ed: (f & FLAG_ED) !== 0,
    value: f,
  };
  const signCount =
    (((bytes[33] as number) << 24) >>> 0) +
    ((bytes[34] as number) << 16) +
    ((bytes[35] as number) << 8) +
    (bytes[36] as number);
  let pos = 37;
  let attestedCredentialData: AttestedCredentialData | undefined;
  if (flags.at) {
    if (bytes.length < pos + 18) throw adError('attested credential data truncated');
    const aaguid = bytes.slice(pos, pos + 16);
    const idLength = ((bytes[pos + 16] as number) << 8) | (bytes[pos + 17] as number);
    pos += 18;
    if (idLength > MAX_CREDENTIAL_ID_LENGTH) {
      throw new WebAuthnError(
        'ERR_CREDENTIAL_ID_TOO_LONG',
        `credentialIdLength ${idLength} exceeds ${MAX_CREDENTIAL_ID_LENGTH}`,
      );
    }
    if (idLength === 0) throw adError('credentialIdLength is zero');
    if (bytes.length < pos + idLength) throw adError('credential id runs past the end of authenticatorData');
    const credentialId = bytes.slice(pos, pos + idLength);
    pos += idLength;
    const { value, end } = decodeCborFirst(bytes, pos);
    const credentialPublicKey = bytes.slice(pos, end);
    const publicKey = coseKeyFromMap(value, credentialPublicKey);
    pos = end;
    attestedCredentialData = { aaguid, credentialId, credentialPublicKey, publicKey };
  }
  let extensions: CborMap | undefined;
  if (flags.ed) {
    if (pos >= bytes.length) throw adError('ED flag set but no extension data');
    const { value, end } = decodeCborFirst(bytes, pos);
    if (!isCborMap(value)) throw adError('extension data must be a CBOR map');
    extensions = value;
    pos = end;
  }
  if (pos !== bytes.length) throw adError(`${bytes.length - pos} leftover byte(s) in authenticatorData`);
  return { rpIdHash, flags, signCount, attestedCredentialData, extensions };
}
