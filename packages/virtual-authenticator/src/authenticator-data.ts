// Authenticator data (WebAuthn §6.1): rpIdHash(32) || flags(1) || signCount(4, BE)
// || [attestedCredentialData] || [extensions].
import { createHash } from 'node:crypto';
import { concat, readUint32be, uint16be, uint32be, utf8 } from './bytes.ts';
import { type CborValue, decodeCbor, encodeCbor } from './cbor.ts';

/** Authenticator data flag bits (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;
export type FlagName = keyof typeof FLAGS;

/** The user/backup flags an authenticator sets; AT and ED follow from the content. */
export interface AuthenticatorFlags {
  /** User Present. */
  readonly up: boolean;
  /** User Verified. */
  readonly uv: boolean;
  /** Backup Eligible. */
  readonly be: boolean;
  /** Backup State. */
  readonly bs: boolean;
}

export interface AttestedCredentialData {
  readonly aaguid: Uint8Array;
  readonly credentialId: Uint8Array;
  /** Encoded COSE_Key. */
  readonly credentialPublicKey: Uint8Array;
}

export interface AuthenticatorDataParts {
  readonly rpIdHash: Uint8Array;
  readonly flags: number;
  readonly signCount: number;
  readonly attestedCredentialData?: AttestedCredentialData;
  /** Encoded CBOR extension outputs map. */
  readonly extensions?: Uint8Array;
  /** Bytes after the parsed structure (only present on malformed input). */
  readonly trailing?: Uint8Array;
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? utf8(data) : data)
      .digest(),
  );
}

export function flagsByte(flags: AuthenticatorFlags, attested: boolean, extensions: boolean): number {
  return (
    (flags.up ? FLAGS.UP : 0) |
    (flags.uv ? FLAGS.UV : 0) |
    (flags.be ? FLAGS.BE : 0) |
    (flags.bs ? FLAGS.BS : 0) |
    (attested ? FLAGS.AT : 0) |
    (extensions ? FLAGS.ED : 0)
  );
}

/** Serialises authenticator data from its parts (flags byte taken verbatim). */
export function encodeAuthenticatorData(parts: AuthenticatorDataParts): Uint8Array {
  const acd = parts.attestedCredentialData;
  return concat(
    parts.rpIdHash,
    Uint8Array.of(parts.flags & 0xff),
    uint32be(parts.signCount >>> 0),
    ...(acd === undefined
      ? []
      : [acd.aaguid, uint16be(acd.credentialId.length), acd.credentialId, acd.credentialPublicKey]),
    ...(parts.extensions === undefined ? [] : [parts.extensions]),
    ...(parts.trailing === undefined ? [] : [parts.trailing]),
  );
}

/** Parses authenticator data as this package emits it (for mutators and tests). */
export function decodeAuthenticatorData(bytes: Uint8Array): AuthenticatorDataParts {
  if (bytes.length < 37) throw new RangeError('authenticator data shorter than 37 bytes');
  const flags = bytes[32] ?? 0;
  let offset = 37;
  let attestedCredentialData: AttestedCredentialData | undefined;
  if (flags & FLAGS.AT) {
    const aaguid = bytes.slice(37, 53);
    const idLen = ((bytes[53] ?? 0) << 8) | (bytes[54] ?? 0);
    const credentialId = bytes.slice(55, 55 + idLen);
    const keyEnd = decodeCbor(bytes, 55 + idLen).end;
    attestedCredentialData = { aaguid, credentialId, credentialPublicKey: bytes.slice(55 + idLen, keyEnd) };
    offset = keyEnd;
  }
  let extensions: Uint8Array | undefined;
  if (flags & FLAGS.ED && offset < bytes.length) {
    const end = decodeCbor(bytes, offset).end;
    extensions = bytes.slice(offset, end);
    offset = end;
  }
  return {
    rpIdHash: bytes.slice(0, 32),
    flags,
    signCount: readUint32be(bytes, 33),
    ...(attestedCredentialData === undefined ? {} : { attestedCredentialData }),
    ...(extensions === undefined ? {} : { extensions }),
    ...(offset < bytes.length ? { trailing: bytes.slice(offset) } : {}),
  };
}

/** Encodes an authenticator extension outputs map. */
export function encodeExtensions(outputs: ReadonlyMap<string, CborValue>): Uint8Array {
  return encodeCbor(outputs);
}
