import { type KeyObject, X509Certificate } from 'node:crypto';
import {
  bytesEqual,
  type DerElement,
  parseSpki,
  readDerChildren,
  readDerExact,
  toHex,
} from '@factorkit/core';
import type { CryptoBackend } from '@factorkit/core/crypto';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { U2fError } from './errors.ts';

/** Transports named by the FIDO U2F transports extension (OID 1.3.6.1.4.1.45724.2.1.1). */
export type U2fTransport = 'bt' | 'ble' | 'usb' | 'nfc' | 'usb-internal';
// Bit order of the FIDOU2FTransports BIT STRING (FIDO U2F Authenticator Transports Extension §3.2).
const TRANSPORT_BITS: readonly U2fTransport[] = ['bt', 'ble', 'usb', 'nfc', 'usb-internal'];
// DER of OID 1.3.6.1.4.1.45724.2.1.1 (value bytes only).
const TRANSPORTS_OID = Uint8Array.of(0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xe5, 0x1c, 0x02, 0x01, 0x01);

/**
 * SHA-256 fingerprints of early YubiKey attestation certificates whose signature BIT STRING
 * carries a non-zero "unused bits" byte, so they fail strict chain validation. Same list and
 * repair as Yubico's python-u2flib-server: set the byte at `length − 257` to 0 before
 * verifying the chain. The registration signature itself only needs the public key.
 */
export const YUBICO_UNUSED_BITS_CERT_SHA256: readonly string[] = [
  '349bca1031f8c82c4ceca38b9cebf1a69df9fb3b94eed99eb3fb9aa3822d26e8',
  'dd574527df608e47ae45fbba75a2afdd5c20fd94a02419381813cd55a2a3398f',
  '1d8764f0f7cd1352df6150045c8f638e517270e8b5dda1c63ade9c2280240cae',
  'd0edc9a91a1677435a953390865d208c55b3183c6759c9b5a7ff494c322558eb',
  '6073c436dcd064a48127ddbf6032ac1a66fd59a0c24434f070d4e564c124c897',
  'ca993121846c464d666096d35f13bf44c1b05af205f9b4a1e00cf6cc10c5e511',
];

/** An attestation certificate, parsed. */
export interface AttestationCertificate {
  readonly der: Uint8Array;
  readonly sha256: string;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
  /** The attestation key: a 65-byte uncompressed P-256 point from the SubjectPublicKeyInfo. */
  readonly point: Uint8Array;
  /** From the transports extension; `undefined` when absent or malformed (the extension is advisory). */
  readonly transports: readonly U2fTransport[] | undefined;
}

/**
 * Parses the attestation certificate and requires an EC P-256 key (FIDO U2F Raw Message
 * Formats §4.3: the attestation signature is ECDSA P-256).
 */
export function parseAttestationCertificate(
  der: Uint8Array,
  crypto: CryptoBackend = defaultBackend,
): AttestationCertificate {
  const step = 'registrationData.attestationCertificate';
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw new U2fError('ERR_CERTIFICATE_MALFORMED', 'attestation certificate is not valid X.509', step);
  }
  let publicKey: KeyObject;
  try {
    publicKey = x509.publicKey;
  } catch {
    // OpenSSL cannot load the key (unknown algorithm or malformed SubjectPublicKeyInfo).
    throw new U2fError('ERR_CERTIFICATE_KEY_UNSUPPORTED', 'attestation key cannot be loaded', step);
  }
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new U2fError('ERR_CERTIFICATE_KEY_UNSUPPORTED', 'attestation key is not EC P-256', step);
  }
  let point: Uint8Array;
  try {
    const spki = parseSpki(subjectPublicKeyInfo(der));
    if (spki.publicKey.length !== 65 || spki.publicKey[0] !== 0x04)
      throw new TypeError('not an uncompressed point');
    point = spki.publicKey.slice();
  } catch {
    throw new U2fError(
      'ERR_CERTIFICATE_KEY_UNSUPPORTED',
      'attestation key is not an uncompressed P-256 point',
      step,
    );
  }
  return {
    der,
    sha256: toHex(crypto.digest('SHA-256', der)),
    x509,
    publicKey,
    point,
    transports: readTransports(der),
  };
}

/**
 * The TBSCertificate's subjectPublicKeyInfo (RFC 5280 §4.1). Read from the TBS only: the early
 * YubiKey certificates this package repairs carry a malformed signature BIT STRING, which has no
 * bearing on the key they hold.
 */
function subjectPublicKeyInfo(der: Uint8Array): Uint8Array {
  const tbs = readDerChildren(readDerExact(der, 0x30).value)[0];
  if (tbs === undefined || tbs.tag !== 0x30) throw new TypeError('no TBSCertificate');
  const fields = readDerChildren(tbs.value);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const spki = fields[first + 5];
  if (spki === undefined) throw new TypeError('no subjectPublicKeyInfo');
  return spki.raw;
}

/** Reads the transports extension; any malformation yields `undefined`, never an error. */
export function readTransports(der: Uint8Array): readonly U2fTransport[] | undefined {
  try {
    const cert = readDerExact(der, 0x30);
    const tbs = readDerChildren(cert.value)[0];
    if (tbs === undefined || tbs.tag !== 0x30) return undefined;
    const explicitExtensions = readDerChildren(tbs.value).find((e: DerElement) => e.tag === 0xa3);
    if (explicitExtensions === undefined) return undefined;
    const list = readDerChildren(explicitExtensions.value)[0];
    if (list === undefined || list.tag !== 0x30) return undefined;
    for (const ext of readDerChildren(list.value)) {
      const parts = readDerChildren(ext.value);
      const oid = parts[0];
      const value = parts[parts.length - 1];
      if (oid === undefined || value === undefined || oid.tag !== 0x06 || value.tag !== 0x04) continue;
      if (!bytesEqual(oid.value, TRANSPORTS_OID)) continue;
      const bits = readDerExact(value.value);
      if (bits.tag !== 0x03 || bits.value.length < 1) return undefined;
      const unused = bits.value[0] as number;
      if (unused > 7 || (bits.value.length === 1 && unused !== 0)) return undefined;
      const out: U2fTransport[] = [];
      TRANSPORT_BITS.forEach((name, i) => {
        const byteIndex = 1 + (i >> 3);
        if (byteIndex >= bits.value.length) return;
        // Mask the unused bits of the last byte before reading (digest §2.6).
        let byte = bits.value[byteIndex] as number;
        if (byteIndex === bits.value.length - 1) byte &= (0xff << unused) & 0xff;
        if (byte & (0x80 >> (i & 7))) out.push(name);
      });
      return out;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** The certificate with python-u2flib-server's unused-bits repair applied, if it is on the list. */
export function repairUnusedBits(cert: AttestationCertificate): Uint8Array {
  if (!YUBICO_UNUSED_BITS_CERT_SHA256.includes(cert.sha256) || cert.der.length < 257) return cert.der;
  const fixed = new Uint8Array(cert.der);
  fixed[fixed.length - 257] = 0;
  return fixed;
}

/** A trust anchor: PEM text or DER bytes of a CA (or pinned attestation) certificate. */
export type TrustAnchorInput = string | Uint8Array;

export function parseTrustAnchors(anchors: readonly TrustAnchorInput[]): X509Certificate[] {
  return anchors.map((anchor, i) => {
    try {
      return new X509Certificate(typeof anchor === 'string' ? anchor : Buffer.from(anchor));
    } catch {
      throw new TypeError(`trustAnchors[${i}] is not a PEM or DER X.509 certificate`);
    }
  });
}

function validAt(cert: X509Certificate, now: Date | undefined): boolean {
  if (now === undefined) return true;
  const t = now.getTime();
  return t >= Date.parse(cert.validFrom) && t <= Date.parse(cert.validTo);
}

/**
 * Whether the attestation certificate is one of the anchors or is directly issued and signed
 * by one (U2F attestation has no intermediates in practice: the x5c is a single certificate).
 * Validity dates are checked only when `now` is given: the spec and early-device certificates
 * are long expired, and attestation describes the device's make, not a live session.
 */
export function chainsToAnchor(
  cert: AttestationCertificate,
  anchors: readonly X509Certificate[],
  now?: Date,
): boolean {
  if (anchors.length === 0) return false;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(repairUnusedBits(cert));
  } catch {
    return false;
  }
  if (!validAt(leaf, now)) return false;
  for (const anchor of anchors) {
    if (!validAt(anchor, now)) continue;
    if (Buffer.from(anchor.raw).equals(Buffer.from(cert.der)) || Buffer.from(anchor.raw).equals(leaf.raw))
      return true;
    try {
      if (leaf.checkIssued(anchor) && leaf.verify(anchor.publicKey)) return true;
    } catch {
      // An anchor with an unusable key cannot vouch for anything.
    }
  }
  return false;
}
