// @peculiar/x509 resolves its services through tsyringe, which needs a Reflect metadata polyfill.
import 'reflect-metadata';
import { constants, verify as nodeVerify } from 'node:crypto';
import { bytesEqual } from '@factorkit/core';
import * as x509 from '@peculiar/x509';
import type { ParsedCertificate } from './certificate.ts';
import {
  DER_BIT_STRING,
  DER_INTEGER,
  DER_SEQUENCE,
  derUnsignedInteger,
  readDerChildren,
  readDerExact,
} from './der.ts';
import { WebAuthnError } from './errors.ts';
import { issuerPublicKey, strictEcdsaSignatureFor } from './trust.ts';

/** CRLs larger than this are refused before parsing (DOS-1). */
export const MAX_CRL_LENGTH: number = 4 * 1024 * 1024;

/** A parsed RFC 5280 §5 CertificateList: our strict outline plus @peculiar/x509's view. */
export interface ParsedCrl {
  readonly der: Uint8Array;
  /** The raw DER issuer Name (compared byte for byte with a certificate's issuer). */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  /** `undefined` when the CRL has none (RFC 5280 §5.1.2.5 requires it; such a CRL is never usable). */
  readonly nextUpdate: Date | undefined;
  readonly crl: x509.X509Crl;
  /** Revoked serial numbers, lowercase hex without leading zero octets. */
  readonly revokedSerials: ReadonlySet<string>;
  /** tbsCertList, the signed bytes. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

// RFC 5280 §5.2: extensions a CRL user must understand when critical. Anything else critical
// (issuingDistributionPoint, deltaCRLIndicator, freshestCRL...) makes the CRL unusable here,
// since a partial or delta CRL does not prove that a serial is absent.
const KNOWN_CRL_EXTENSIONS = new Set(['2.5.29.35', '2.5.29.20']);

function crlError(message: string, cause?: unknown): WebAuthnError {
  return new WebAuthnError('ERR_CRL_INVALID', message, cause === undefined ? undefined : { cause });
}

function normalizeSerial(hex: string): string {
  const h = hex.toLowerCase().replace(/^(00)+/, '');
  return h === '' ? '00' : h;
}

/**
 * Parses a CRL (DER bytes, or PEM text with one X509 CRL block). The outer structure is read
 * with the strict DER reader (RFC 5280 §5.1: exactly tbsCertList, signatureAlgorithm and a
 * signature BIT STRING with no unused bits; the inner signature algorithm must equal the outer
 * one, §5.1.1.2), then @peculiar/x509 reads dates and entries.
 *
 * @throws {WebAuthnError} `ERR_CRL_INVALID`
 */
export function parseCrl(input: Uint8Array | string): ParsedCrl {
  let der: Uint8Array;
  if (typeof input === 'string') {
    const match = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]+)-----END X509 CRL-----/.exec(input);
    if (match === null || input.length > MAX_CRL_LENGTH * 2) throw crlError('not a PEM X509 CRL block');
    der = Uint8Array.from(atob((match[1] as string).replace(/\s+/g, '')), (ch) => ch.charCodeAt(0));
  } else if (input instanceof Uint8Array) {
    der = input.slice();
  } else {
    throw new TypeError('a CRL must be DER bytes or PEM text');
  }
  if (der.length === 0 || der.length > MAX_CRL_LENGTH) throw crlError('CRL is empty or too large');
  try {
    const outer = readDerChildren(readDerExact(der, DER_SEQUENCE).value);
    const [tbs, sigAlg, sig] = outer;
    if (outer.length !== 3 || tbs?.tag !== DER_SEQUENCE || sigAlg?.tag !== DER_SEQUENCE)
      throw crlError('malformed CertificateList');
    if (sig?.tag !== DER_BIT_STRING || sig.value.length < 2 || sig.value[0] !== 0)
      throw crlError('CRL signature BIT STRING is malformed');
    const fields = readDerChildren(tbs.value);
    let i = 0;
    if (fields[0]?.tag === DER_INTEGER) {
      const v = derUnsignedInteger(fields[0]);
      if (v.length !== 1 || v[0] !== 1) throw crlError('CRL version must be v2');
      i = 1;
    }
    const innerAlg = fields[i];
    const issuer = fields[i + 1];
    if (innerAlg === undefined || issuer?.tag !== DER_SEQUENCE) throw crlError('malformed TBSCertList');
    if (!bytesEqual(innerAlg.raw, sigAlg.raw)) throw crlError('CRL signature algorithms differ');
    const crl = new x509.X509Crl(der.slice());
    for (const ext of crl.extensions) {
      if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.type))
        throw crlError(`unsupported critical CRL extension ${ext.type}`);
    }
    const revokedSerials = new Set(crl.entries.map((e) => normalizeSerial(e.serialNumber)));
    return {
      der,
      issuer: issuer.raw,
      thisUpdate: crl.thisUpdate,
      nextUpdate: crl.nextUpdate,
      crl,
      revokedSerials,
      tbs: tbs.raw,
      signature: sig.value.subarray(1),
    };
  } catch (cause) {
    if (cause instanceof WebAuthnError && cause.code === 'ERR_CRL_INVALID') throw cause;
    throw crlError('CRL could not be parsed', cause);
  }
}

/** Why a CRL cannot be used for a certificate (for logs and typed results). */
export type CrlProblem =
  | 'issuer-mismatch'
  | 'not-signed-by-issuer'
  | 'not-yet-valid'
  | 'expired'
  | 'no-next-update';

/**
 * RFC 5280 §6.3.3 (reduced to complete, direct CRLs): can `crl` answer for certificates
 * issued by `issuer` at `now`? Its issuer name equals the certificate issuer's subject, it is
 * signed by the issuer's key with an accepted algorithm (and the issuer may sign CRLs:
 * keyUsage cRLSign when keyUsage is present), thisUpdate ≤ now ≤ nextUpdate.
 */
export function crlProblem(crl: ParsedCrl, issuer: ParsedCertificate, now: Date): CrlProblem | undefined {
  if (!bytesEqual(crl.issuer, issuer.outline.subject)) return 'issuer-mismatch';
  const ku = issuer.cert.getExtension(x509.KeyUsagesExtension);
  if (ku !== null && (ku.usages & x509.KeyUsageFlags.cRLSign) === 0) return 'not-signed-by-issuer';
  if (!crlSignedBy(crl, issuer)) return 'not-signed-by-issuer';
  const t = now.getTime();
  if (crl.thisUpdate.getTime() > t) return 'not-yet-valid';
  if (crl.nextUpdate === undefined) return 'no-next-update';
  if (crl.nextUpdate.getTime() < t) return 'expired';
  return undefined;
}

/** Whether a usable CRL lists `subject`'s serial number. */
export function crlRevokes(crl: ParsedCrl, subject: ParsedCertificate): boolean {
  return crl.revokedSerials.has(normalizeSerial(subject.cert.serialNumber));
}

const NODE_HASHES: Readonly<Record<string, string>> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const verifiedCrls = new WeakMap<ParsedCrl, WeakMap<ParsedCertificate, boolean>>();

function crlSignedBy(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
  let byIssuer = verifiedCrls.get(crl);
  const cached = byIssuer?.get(issuer);
  if (cached !== undefined) return cached;
  const ok = verifyCrlSignature(crl, issuer);
  if (byIssuer === undefined) {
    byIssuer = new WeakMap();
    verifiedCrls.set(crl, byIssuer);
  }
  byIssuer.set(issuer, ok);
  return ok;
}

// ECDSA and RSASSA-PKCS1-v1_5 with SHA-256/384/512, as for certificate chains (SHA-1 refused).
function verifyCrlSignature(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
  const alg = crl.crl.signatureAlgorithm as { name: string; hash?: { name: string } };
  const hash = alg.hash === undefined ? undefined : NODE_HASHES[alg.hash.name];
  if (hash === undefined) return false;
  const key = issuerPublicKey(issuer);
  if (key === null) return false;
  try {
    if (alg.name === 'ECDSA') {
      if (key.asymmetricKeyType !== 'ec') return false;
      if (!strictEcdsaSignatureFor(crl.signature, issuer)) return false;
      return nodeVerify(hash, crl.tbs, { key, dsaEncoding: 'der' }, crl.signature);
    }
    if (alg.name === 'RSASSA-PKCS1-v1_5') {
      if (key.asymmetricKeyType !== 'rsa') return false;
      return nodeVerify(hash, crl.tbs, { key, padding: constants.RSA_PKCS1_PADDING }, crl.signature);
    }
  } catch {
    return false;
  }
  return false;
}

/** The cRLDistributionPoints URIs of a certificate (http/https only), at most 4. */
export function crlDistributionPoints(c: ParsedCertificate): string[] {
  const ext = c.cert.getExtension(x509.CRLDistributionPointsExtension);
  if (ext === null) return [];
  const urls: string[] = [];
  for (const dp of ext.distributionPoints) {
    for (const name of dp.distributionPoint?.fullName ?? []) {
      const uri = name.uniformResourceIdentifier;
      if (typeof uri === 'string' && /^https?:\/\//i.test(uri) && urls.length < 4) urls.push(uri);
    }
  }
  return urls;
}

/** Lowercase hex of a certificate's serial number (for messages). */
export function certificateSerialHex(c: ParsedCertificate): string {
  return normalizeSerial(c.cert.serialNumber);
}
