// @peculiar/x509 resolves its services through tsyringe, which needs a Reflect metadata polyfill.
import 'reflect-metadata';
import { bytesEqual, toHex } from '@factorkit/core';
import { sha256 } from '@noble/hashes/sha2.js';
import * as x509 from '@peculiar/x509';
import { type CertificateOutline, outlineCertificate } from './der.ts';
import { WebAuthnError } from './errors.ts';

/** Certificates larger than this are refused before parsing (DOS-1, ASN-2). */
export const MAX_CERTIFICATE_LENGTH: number = 16 * 1024;

/** A parsed X.509 certificate: our strict outline plus @peculiar/x509's view. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly outline: CertificateOutline;
  readonly cert: x509.X509Certificate;
}

/**
 * Parses a DER certificate. Our strict DER reader checks the outer structure first (and gives
 * the raw issuer/subject/SPKI), then @peculiar/x509 parses the rest.
 *
 * @throws {WebAuthnError} `ERR_ATTESTATION_CERTIFICATE_INVALID`
 */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  if (!(input instanceof Uint8Array) || input.length === 0 || input.length > MAX_CERTIFICATE_LENGTH) {
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'certificate is empty or too large');
  }
  const der = repairKnownBrokenCertificate(input);
  let outline: CertificateOutline;
  let cert: x509.X509Certificate;
  try {
    outline = outlineCertificate(der);
    cert = new x509.X509Certificate(der.slice());
  } catch (cause) {
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'certificate could not be parsed', {
      cause,
    });
  }
  // @peculiar/x509 parses extensions, names, validity and the key lazily, on first read, and
  // asn1js/asn1-schema then throw their own errors (AsnSchemaValidationError, "Too big integer",
  // TypeErrors about BitString/OctetString). Every field a verification step reads is forced
  // here, so a malformed one is a typed rejection now, never a dependency exception later.
  try {
    void cert.extensions;
  } catch (cause) {
    throw new WebAuthnError('ERR_CERTIFICATE_EXTENSION_MALFORMED', 'a certificate extension is malformed', {
      cause,
    });
  }
  try {
    void cert.subjectName;
    void cert.issuerName;
    void cert.notBefore;
    void cert.notAfter;
    void cert.publicKey;
  } catch (cause) {
    throw new WebAuthnError(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      'certificate name, validity or public key is malformed',
      { cause },
    );
  }
  return { der, outline, cert };
}

/**
 * SHA-256 fingerprints of early YubiKey U2F attestation certificates whose signature BIT STRING
 * has a non-zero "unused bits" octet (list published by Yubico in python-u2flib-server,
 * u2flib_server/model.py). Strict DER rejects them; these exact certificates — and no others —
 * are repaired by zeroing that octet, which sits 257 bytes from the end (RSA-2048 signature).
 */
const KNOWN_BROKEN_U2F_CERTIFICATES: ReadonlySet<string> = new Set([
  '349bca1031f8c82c4ceca38b9cebf1a69df9fb3b94eed99eb3fb9aa3822d26e8',
  'dd574527df608e47ae45fbba75a2afdd5c20fd94a02419381813cd55a2a3398f',
  '1d8764f0f7cd1352df6150045c8f638e517270e8b5dda1c63ade9c2280240cae',
  'd0edc9a91a1677435a953390865d208c55b3183c6759c9b5a7ff494c322558eb',
  '6073c436dcd064a48127ddbf6032ac1a66fd59a0c24434f070d4e564c124c897',
  'ca993121846c464d666096d35f13bf44c1b05af205f9b4a1e00cf6cc10c5e511',
]);

function repairKnownBrokenCertificate(der: Uint8Array): Uint8Array {
  const at = der.length - 257;
  if (at <= 0 || der[at] === 0 || !KNOWN_BROKEN_U2F_CERTIFICATES.has(toHex(sha256(der)))) return der;
  const fixed = der.slice();
  fixed[at] = 0;
  return fixed;
}

/** Parses a PEM (one CERTIFICATE block) or DER certificate given as a trust anchor or intermediate. */
export function parseCertificateInput(input: string | Uint8Array): ParsedCertificate {
  if (input instanceof Uint8Array) return parseCertificate(input);
  if (typeof input !== 'string') throw new TypeError('certificates must be PEM strings or DER Uint8Arrays');
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(input);
  if (match === null) throw new TypeError('certificate string is not a PEM CERTIFICATE block');
  const b64 = (match[1] as string).replace(/\s+/g, '');
  return parseCertificate(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)));
}

export function isSelfIssued(c: ParsedCertificate): boolean {
  return bytesEqual(c.outline.issuer, c.outline.subject);
}

export function validAt(c: ParsedCertificate, now: Date): boolean {
  const t = now.getTime();
  return c.cert.notBefore.getTime() <= t && t <= c.cert.notAfter.getTime();
}

export function basicConstraints(c: ParsedCertificate): x509.BasicConstraintsExtension | null {
  return c.cert.getExtension(x509.BasicConstraintsExtension);
}

/** Reads an extension by OID; `undefined` when absent, throws when it appears more than once. */
export function extensionByOid(c: ParsedCertificate, oid: string): x509.Extension | undefined {
  const all = c.cert.extensions.filter((e) => e.type === oid);
  if (all.length > 1)
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', `duplicate extension ${oid}`);
  return all[0];
}
