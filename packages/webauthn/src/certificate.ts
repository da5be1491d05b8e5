// @peculiar/x509 resolves its services through tsyringe, which needs a Reflect metadata polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { bytesEqual } from './bytes.ts';
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
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_CERTIFICATE_LENGTH) {
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'certificate is empty or too large');
  }
  try {
    const outline = outlineCertificate(der);
    const cert = new x509.X509Certificate(der.slice());
    return { der, outline, cert };
  } catch (cause) {
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'certificate could not be parsed', {
      cause,
    });
  }
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
