// @peculiar/x509 resolves its services through tsyringe, which needs a Reflect metadata polyfill.
import 'reflect-metadata';
import { constants, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { bytesEqual } from '@factorkit/core';
import * as x509 from '@peculiar/x509';
import { basicConstraints, isSelfIssued, type ParsedCertificate, validAt } from './certificate.ts';
import { EC2_CURVES } from './cose.ts';
import { DER_SEQUENCE, derSignatureToRaw, parseSpki, readDerChildren, readDerExact } from './der.ts';

/** Longest chain (leaf included) that is ever built (ATT-5, DOS-3). */
export const MAX_CHAIN_LENGTH = 5;

/** Certificate signature algorithms accepted in chains. SHA-1 based signatures are not. */
const ALLOWED_SIGNATURE_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);
const ALLOWED_SIGNATURE_NAMES = new Set(['ECDSA', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'Ed25519', 'EdDSA']);

export interface ChainResult {
  readonly trusted: boolean;
  /** Why the chain is not trusted (for logs; no secrets). */
  readonly reason: string | undefined;
  /** The path found, leaf first, ending with the anchor, when trusted. */
  readonly path: readonly Uint8Array[];
}

export interface ChainOptions {
  /** Trust anchors: the only certificates that can end a path. */
  readonly anchors: readonly ParsedCertificate[];
  /** Intermediates known out of band (never anchors). */
  readonly extraIntermediates?: readonly ParsedCertificate[];
  readonly now: Date;
}

/**
 * Builds and checks a path from `x5c[0]` to one of `anchors` (RFC 5280 §6, reduced to what
 * attestation needs): every certificate valid at `now`, every issuer a CA (basicConstraints,
 * keyCertSign, pathLenConstraint), every signature verified and made with an accepted
 * algorithm. Certificates in x5c and `extraIntermediates` can only be intermediates: a
 * self-issued certificate there never ends a path (GHSA-6hxq-p678-4hr2), so a root passed as
 * an intermediate does not make a chain trusted. An anchor is trusted as given.
 */
export async function verifyCertificateChain(
  x5c: readonly ParsedCertificate[],
  options: ChainOptions,
): Promise<ChainResult> {
  const untrusted = (reason: string): ChainResult => ({ trusted: false, reason, path: [] });
  const leaf = x5c[0];
  if (leaf === undefined) return untrusted('empty certificate chain');
  if (options.anchors.length === 0) return untrusted('no trust anchors configured');
  if (x5c.length > MAX_CHAIN_LENGTH) return untrusted('certificate chain too long');
  const pool = [...x5c.slice(1), ...(options.extraIntermediates ?? [])].filter((c) => !isSelfIssued(c));
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  if (!validAt(leaf, options.now)) return untrusted('leaf certificate is not valid at the verification time');
  // An anchor may pin the leaf itself.
  if (options.anchors.some((a) => bytesEqual(a.der, leaf.der)))
    return { trusted: true, reason: undefined, path: [leaf.der] };
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const intermediatesBelow = path.length - 1;
    for (const anchor of options.anchors) {
      if (!bytesEqual(anchor.outline.subject, current.outline.issuer)) continue;
      if (!validAt(anchor, options.now)) continue;
      if (!canIssue(anchor, intermediatesBelow, true)) continue;
      if (await signedBy(current, anchor)) {
        return { trusted: true, reason: undefined, path: [...path.map((c) => c.der), anchor.der] };
      }
    }
    let next: ParsedCertificate | undefined;
    for (const candidate of pool) {
      if (path.includes(candidate)) continue;
      if (!bytesEqual(candidate.outline.subject, current.outline.issuer)) continue;
      if (!validAt(candidate, options.now)) continue;
      if (!canIssue(candidate, intermediatesBelow, false)) continue;
      if (await signedBy(current, candidate)) {
        next = candidate;
        break;
      }
    }
    if (next === undefined) return untrusted('no path to a trust anchor');
    path.push(next);
    current = next;
  }
  return untrusted('certificate chain too long');
}

// RFC 5280 §4.2.1.9/§4.2.1.3: an issuer must be a CA allowed to sign certificates, and its
// pathLenConstraint bounds the intermediates below it. Anchors without the extension (v1
// roots) are accepted as configured.
function canIssue(issuer: ParsedCertificate, intermediatesBelow: number, isAnchor: boolean): boolean {
  const bc = basicConstraints(issuer);
  if (bc === null) {
    if (!isAnchor) return false;
  } else {
    if (!bc.ca) return false;
    if (bc.pathLength !== undefined && intermediatesBelow > bc.pathLength) return false;
  }
  const ku = issuer.cert.getExtension(x509.KeyUsagesExtension);
  if (ku !== null && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) return false;
  return true;
}

async function signedBy(subject: ParsedCertificate, issuer: ParsedCertificate): Promise<boolean> {
  const alg = subject.cert.signatureAlgorithm as { name: string; hash?: { name: string } };
  if (!ALLOWED_SIGNATURE_NAMES.has(alg.name)) return false;
  if (alg.hash !== undefined && !ALLOWED_SIGNATURE_HASHES.has(alg.hash.name)) return false;
  // @peculiar/x509 converts ECDSA signatures to r‖s leniently (a wrong tag or length still
  // verifies), so the encoding is checked with our strict DER parser first (SIG-1).
  if (alg.name === 'ECDSA' && !strictEcdsaSignature(subject, issuer)) return false;
  const fast = nodeSignedBy(subject, issuer, alg);
  if (fast !== undefined) return fast;
  try {
    return await subject.cert.verify({ publicKey: issuer.cert.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

const NODE_HASHES: Readonly<Record<string, string>> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
/** The curves WebCrypto offers: the node:crypto path accepts exactly what the WebCrypto path did. */
const WEBCRYPTO_CURVE_OIDS: ReadonlySet<string> = new Set([
  '1.2.840.10045.3.1.7',
  '1.3.132.0.34',
  '1.3.132.0.35',
]);
const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';

/**
 * Issuer keys imported once per parsed certificate: configured anchors and intermediates are
 * parsed once and cached, so their keys are too. `null` records a key node:crypto refused.
 */
const issuerKeys = new WeakMap<ParsedCertificate, KeyObject | null>();

/** The issuer's public key as a node:crypto KeyObject (cached per parsed certificate); `null` if refused. */
export function issuerPublicKey(issuer: ParsedCertificate): KeyObject | null {
  let key = issuerKeys.get(issuer);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(issuer.outline.spki), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    issuerKeys.set(issuer, key);
  }
  return key;
}

/**
 * The signed TBSCertificate bytes, read with the strict DER reader (the outline has already
 * checked the outer SEQUENCE and the signature BIT STRING's zero unused-bits octet).
 */
function tbsCertificate(c: ParsedCertificate): Uint8Array | undefined {
  try {
    const tbs = readDerChildren(readDerExact(c.der, DER_SEQUENCE).value)[0];
    return tbs?.tag === DER_SEQUENCE ? tbs.raw : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a certificate signature with node:crypto for ECDSA (P-256/384/521) and RSASSA-PKCS1-v1_5
 * issuers, the algorithms attestation chains use; `undefined` hands any other case to the
 * @peculiar/x509 path. The issuer key's type must fit the signature algorithm, as WebCrypto
 * import required.
 */
function nodeSignedBy(
  subject: ParsedCertificate,
  issuer: ParsedCertificate,
  alg: { name: string; hash?: { name: string } },
): boolean | undefined {
  const hash = alg.hash === undefined ? undefined : NODE_HASHES[alg.hash.name];
  if (hash === undefined) return undefined;
  let spki: ReturnType<typeof parseSpki>;
  try {
    spki = parseSpki(issuer.outline.spki);
  } catch {
    return undefined;
  }
  let padding: number | undefined;
  if (alg.name === 'ECDSA') {
    if (spki.algorithm !== EC_PUBLIC_KEY_OID || spki.parameters === undefined) return undefined;
    if (!WEBCRYPTO_CURVE_OIDS.has(spki.parameters)) return undefined;
  } else if (alg.name === 'RSASSA-PKCS1-v1_5') {
    if (spki.algorithm !== RSA_ENCRYPTION_OID) return undefined;
    padding = constants.RSA_PKCS1_PADDING;
  } else {
    return undefined;
  }
  const key = issuerPublicKey(issuer);
  if (key === null) return undefined;
  if (key.asymmetricKeyType !== (padding === undefined ? 'ec' : 'rsa')) return undefined;
  const tbs = tbsCertificate(subject);
  if (tbs === undefined) return false;
  try {
    return nodeVerify(
      hash,
      tbs,
      padding === undefined ? { key, dsaEncoding: 'der' } : { key, padding },
      subject.outline.signature,
    );
  } catch {
    return false;
  }
}

function strictEcdsaSignature(subject: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return strictEcdsaSignatureFor(subject.outline.signature, issuer);
}

/** Whether `signature` is a strict DER ECDSA signature for the issuer key's curve (SIG-1). */
export function strictEcdsaSignatureFor(signature: Uint8Array, issuer: ParsedCertificate): boolean {
  try {
    const { parameters } = parseSpki(issuer.outline.spki);
    const curve = [...EC2_CURVES.values()].find((c) => c.oid === parameters);
    if (curve === undefined) return false;
    derSignatureToRaw(signature, curve.size);
    return true;
  } catch {
    return false;
  }
}
