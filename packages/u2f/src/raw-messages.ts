import { copyBytes, isStrictDerEcdsaSignature, readDer } from '@factorkit/core';
import { U2fError, u2fErrorFrom } from './errors.ts';
import { assertP256Point } from './p256.ts';

/** Reserved first byte of a registration response (FIDO U2F Raw Message Formats §4.3). */
export const REGISTRATION_RESERVED_BYTE: 0x05 = 0x05;
/** Largest registrationData accepted, in bytes (65-byte key, 255-byte handle, certificate, signature). */
export const MAX_REGISTRATION_DATA_BYTES: number = 16 * 1024;
/** Largest signatureData accepted: 1 + 4 + a 72-byte DER signature, with room to spare. */
export const MAX_SIGNATURE_DATA_BYTES = 256;

/** A U2F_REGISTER response split into its fields (copies, never views of the input). */
export interface RegistrationData {
  /** 65-byte uncompressed P-256 point `0x04 ‖ X ‖ Y`, validated on the curve. */
  readonly userPublicKey: Uint8Array;
  readonly keyHandle: Uint8Array;
  /** X.509 DER; its length came from the certificate's own DER header. */
  readonly attestationCertificate: Uint8Array;
  /** DER ECDSA signature by the attestation key. */
  readonly signature: Uint8Array;
}

/** A U2F_AUTHENTICATE response (JS API `signatureData`). */
export interface SignatureData {
  /** The user-presence byte as sent; bit 0 is user presence, the other bits are reserved. */
  readonly userPresence: number;
  /** Unsigned 32-bit big-endian counter. */
  readonly counter: number;
  readonly signature: Uint8Array;
}

function need(bytes: Uint8Array, end: number, step: string): void {
  if (bytes.length < end)
    throw new U2fError('ERR_MESSAGE_TRUNCATED', `registrationData ends inside ${step}`, step);
}

/** Splits off the trailing DER signature, rejecting trailing bytes and non-strict DER. */
function readSignature(bytes: Uint8Array, offset: number, step: string): Uint8Array {
  if (offset >= bytes.length) throw new U2fError('ERR_MESSAGE_TRUNCATED', 'signature is missing', step);
  if (bytes[offset] !== 0x30) {
    throw new U2fError(
      'ERR_SIGNATURE_MALFORMED',
      'signature is not a DER SEQUENCE (raw r‖s is not accepted)',
      step,
    );
  }
  let end: number;
  try {
    end = readDer(bytes, offset).end;
  } catch (error) {
    throw u2fErrorFrom(error, 'ERR_SIGNATURE_MALFORMED', step);
  }
  if (end !== bytes.length) throw new U2fError('ERR_TRAILING_BYTES', 'bytes follow the signature', step);
  const signature = copyBytes(bytes.subarray(offset, end));
  // X9.62 ECDSA-Sig-Value in strict DER: two minimal, positive, non-zero INTEGERs of at most
  // 32 bytes. High-S is accepted: U2F tokens never normalised S.
  if (!isStrictDerEcdsaSignature(signature, 32)) {
    throw new U2fError('ERR_SIGNATURE_MALFORMED', 'signature is not a strict DER ECDSA-Sig-Value', step);
  }
  return signature;
}

/**
 * Parses a registration response message (FIDO U2F Raw Message Formats §4.3):
 * `0x05 ‖ userPublicKey(65) ‖ L(1) ‖ keyHandle(L) ‖ attestationCert(DER) ‖ signature(DER)`.
 * Throws `U2fError`: reserved byte, off-curve key, L = 0, truncation anywhere, a certificate
 * whose DER length overflows, a non-strict signature, and any byte after the signature.
 */
export function parseRegistrationData(bytes: Uint8Array): RegistrationData {
  if (bytes.length > MAX_REGISTRATION_DATA_BYTES) {
    throw new U2fError('ERR_MESSAGE_TOO_LARGE', 'registrationData is too large', 'registrationData');
  }
  need(bytes, 1, 'registrationData.reservedByte');
  if (bytes[0] !== REGISTRATION_RESERVED_BYTE) {
    throw new U2fError('ERR_RESERVED_BYTE', 'reserved byte is not 0x05', 'registrationData.reservedByte');
  }
  need(bytes, 66, 'registrationData.userPublicKey');
  const userPublicKey = copyBytes(bytes.subarray(1, 66));
  assertP256Point(userPublicKey, 'registrationData.userPublicKey');
  need(bytes, 67, 'registrationData.keyHandleLength');
  const keyHandleLength = bytes[66] as number;
  if (keyHandleLength === 0) {
    throw new U2fError('ERR_KEY_HANDLE_INVALID', 'key handle is empty', 'registrationData.keyHandle');
  }
  need(bytes, 67 + keyHandleLength, 'registrationData.keyHandle');
  const keyHandle = copyBytes(bytes.subarray(67, 67 + keyHandleLength));
  const certStart = 67 + keyHandleLength;
  const step = 'registrationData.attestationCertificate';
  need(bytes, certStart + 2, step);
  let certEnd: number;
  try {
    const cert = readDer(bytes, certStart);
    if (cert.element.tag !== 0x30)
      throw new U2fError('ERR_CERTIFICATE_MALFORMED', 'certificate is not a DER SEQUENCE');
    certEnd = cert.end;
  } catch (error) {
    throw u2fErrorFrom(error, 'ERR_CERTIFICATE_MALFORMED', step);
  }
  const attestationCertificate = copyBytes(bytes.subarray(certStart, certEnd));
  const signature = readSignature(bytes, certEnd, 'registrationData.signature');
  return { userPublicKey, keyHandle, attestationCertificate, signature };
}

/**
 * Parses an authentication response message (FIDO U2F Raw Message Formats §5.4):
 * `userPresence(1) ‖ counter(4, big-endian) ‖ signature(DER)`, nothing after.
 */
export function parseSignatureData(bytes: Uint8Array): SignatureData {
  if (bytes.length > MAX_SIGNATURE_DATA_BYTES) {
    throw new U2fError('ERR_MESSAGE_TOO_LARGE', 'signatureData is too large', 'signatureData');
  }
  if (bytes.length < 5)
    throw new U2fError('ERR_MESSAGE_TRUNCATED', 'signatureData is truncated', 'signatureData.counter');
  const userPresence = bytes[0] as number;
  const counter = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, false);
  const signature = readSignature(bytes, 5, 'signatureData.signature');
  return { userPresence, counter, signature };
}
