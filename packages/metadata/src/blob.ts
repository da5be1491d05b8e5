import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { parseStrictJson } from '@factorkit/core';
import {
  MAX_CHAIN_LENGTH,
  type ParsedCertificate,
  parseCertificate,
  parseCertificateInput,
  verifyCertificateChain,
} from '@factorkit/webauthn';
import { isMetadataError, type MetadataErrorCode } from './errors.ts';
import { type MetadataBlobPayload, type PayloadLimits, parseMetadataPayload } from './payload.ts';
import { checkPathRevocation, type RevocationOptions } from './revocation.ts';
import { FIDO_MDS_ROOT_PEM } from './roots.ts';

/** BLOBs larger than this are refused before decoding (the real BLOB is a few MB). */
export const DEFAULT_MAX_BLOB_BYTES: number = 32 * 1024 * 1024;
const MAX_HEADER_CHARS = 64 * 1024;

/** JWS algorithms accepted for the BLOB (MDS3 §3.2: the BLOB is signed with RS256 or ES256). */
export const BLOB_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];

export interface VerifyBlobOptions {
  /** The verification time (certificate validity, CRLs). Required: no hidden clock. */
  readonly now: Date;
  /** BLOB signing trust anchors (PEM or DER). Default: the FIDO MDS root (GlobalSign Root CA - R3). */
  readonly roots?: readonly (string | Uint8Array)[];
  /**
   * CRLs for the signing chain: given, or fetched through `fetch` from the certificates'
   * distribution points (cached in `cache`). The MDS chain is always checked in hard-fail mode.
   */
  readonly revocation?: Omit<RevocationOptions, 'mode'>;
  /** The serial (`no`) of the last BLOB accepted; a smaller one is rejected. */
  readonly previousNo?: number;
  readonly maxBytes?: number;
  readonly limits?: PayloadLimits;
}

export interface VerifiedBlob {
  readonly valid: true;
  readonly code: null;
  readonly payload: MetadataBlobPayload;
  readonly no: number;
  readonly nextUpdate: string;
  /** `now` is past `nextUpdate`: a newer BLOB should exist (the BLOB stays usable). */
  readonly stale: boolean;
  /** `no` equals `previousNo`: the same BLOB again. */
  readonly unchanged: boolean;
  /** The signing path, leaf first, anchor last (DER). */
  readonly chain: readonly Uint8Array[];
}

export interface RejectedBlob {
  readonly valid: false;
  readonly code: MetadataErrorCode;
  readonly message: string;
  /** Filled only when the signature verified (e.g. a serial regression). */
  readonly no: number | null;
  readonly nextUpdate: string | null;
  readonly entries: number | null;
}

export type BlobVerification = VerifiedBlob | RejectedBlob;

const reject = (code: MetadataErrorCode, message: string, payload?: MetadataBlobPayload): RejectedBlob => ({
  valid: false,
  code,
  message,
  no: payload?.no ?? null,
  nextUpdate: payload?.nextUpdate ?? null,
  entries: payload?.entries.length ?? null,
});

const B64URL = /^[A-Za-z0-9_-]*$/;

function b64url(part: string): Uint8Array | undefined {
  if (!B64URL.test(part) || part.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(part, 'base64url'));
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Parsed once per configured root set (the default root, or a caller's array).
const parsedRoots = new WeakMap<readonly (string | Uint8Array)[], ParsedCertificate[]>();
const DEFAULT_ROOTS: readonly string[] = [FIDO_MDS_ROOT_PEM];

function rootsFor(list: readonly (string | Uint8Array)[]): ParsedCertificate[] {
  let parsed = parsedRoots.get(list);
  if (parsed === undefined) {
    parsed = list.map((r) => parseCertificateInput(r));
    parsedRoots.set(list, parsed);
  }
  return parsed;
}

/**
 * Verifies an MDS3 BLOB (FIDO Metadata Service §3.2 "Metadata BLOB object processing rules"),
 * failing closed at the first problem:
 * 1. size limit, then the JWS compact serialization (RFC 7515 §7.1) and its header: `alg`
 *    RS256 or ES256, no `crit`, no `x5u` (no hidden network); `x5c` of at most 5 certificates.
 * 2. every x5c certificate valid at `now`;
 * 3. the JWS signature, made by x5c[0]'s key (or the anchor's when x5c is absent);
 * 4. a path from x5c to one of `roots` (RFC 5280 §6 via the shared chain builder);
 * 5. revocation of every path certificate, hard-fail (RFC 5280 CRLs);
 * 6. the payload, parsed with size/depth limits;
 * 7. `no` not below `previousNo`.
 * Misuse of options throws TypeError; every problem with the BLOB is a `{ valid: false, code }`.
 */
export async function verifyMetadataBlob(
  blob: Uint8Array | string,
  options: VerifyBlobOptions,
): Promise<BlobVerification> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { now } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  const roots = rootsFor(options.roots ?? DEFAULT_ROOTS);
  if (roots.length === 0) throw new TypeError('roots must not be empty');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
  if (
    options.previousNo !== undefined &&
    (!Number.isSafeInteger(options.previousNo) || options.previousNo < 0)
  )
    throw new TypeError('previousNo must be a non-negative integer');

  // 1. JWS compact serialization.
  let text: string;
  if (typeof blob === 'string') {
    if (blob.length > maxBytes) return reject('ERR_MDS_BLOB_TOO_LARGE', 'BLOB is too large');
    text = blob;
  } else if (blob instanceof Uint8Array) {
    if (blob.length > maxBytes) return reject('ERR_MDS_BLOB_TOO_LARGE', 'BLOB is too large');
    try {
      text = fatalUtf8.decode(blob);
    } catch {
      return reject('ERR_MDS_BLOB_MALFORMED', 'BLOB is not UTF-8 text');
    }
  } else {
    throw new TypeError('blob must be a string or Uint8Array');
  }
  text = text.trim();
  const parts = text.split('.');
  if (parts.length !== 3) return reject('ERR_MDS_BLOB_MALFORMED', 'BLOB is not a JWS compact serialization');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (headerPart.length > MAX_HEADER_CHARS)
    return reject('ERR_MDS_BLOB_MALFORMED', 'JWS header is too large');
  const headerBytes = b64url(headerPart);
  const payloadBytes = b64url(payloadPart);
  const signature = b64url(signaturePart);
  if (headerBytes === undefined || payloadBytes === undefined || signature === undefined)
    return reject('ERR_MDS_BLOB_MALFORMED', 'JWS parts must be base64url');
  let header: Record<string, unknown>;
  try {
    // Strict JSON: a duplicated header member (two `alg`s) is an error, not last-wins.
    const h: unknown = parseStrictJson(fatalUtf8.decode(headerBytes), { maxDepth: 4, maxEntries: 64 });
    if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new Error('not an object');
    header = h as Record<string, unknown>;
  } catch {
    return reject('ERR_MDS_BLOB_MALFORMED', 'JWS header is not a JSON object');
  }
  const alg = header['alg'];
  if (typeof alg !== 'string' || !BLOB_ALGORITHMS.includes(alg))
    return reject('ERR_MDS_UNSUPPORTED_ALGORITHM', 'JWS alg must be RS256 or ES256');
  // RFC 7515 §4.1.11: a header parameter we do not understand that is marked critical.
  if (header['crit'] !== undefined) return reject('ERR_MDS_BLOB_MALFORMED', 'JWS crit is not supported');
  if (header['x5u'] !== undefined)
    return reject('ERR_MDS_X5U_UNSUPPORTED', 'x5u would need a network fetch; use x5c');
  const x5cValue = header['x5c'];
  let x5c: ParsedCertificate[] = [];
  if (x5cValue !== undefined) {
    if (!Array.isArray(x5cValue) || x5cValue.length === 0 || x5cValue.length > MAX_CHAIN_LENGTH)
      return reject('ERR_MDS_BLOB_MALFORMED', 'x5c must be a non-empty array of at most 5 certificates');
    try {
      // RFC 7515 §4.1.6: base64 (not base64url) DER.
      x5c = x5cValue.map((c) => {
        if (typeof c !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(c)) throw new Error('bad x5c entry');
        return parseCertificate(new Uint8Array(Buffer.from(c, 'base64')));
      });
    } catch {
      return reject('ERR_MDS_CERTIFICATE_INVALID', 'an x5c certificate could not be parsed');
    }
  }

  // 2. Validity of every presented certificate at now (before the path, for a precise code).
  const t = now.getTime();
  for (const c of x5c) {
    if (c.cert.notAfter.getTime() < t)
      return reject('ERR_MDS_CERTIFICATE_EXPIRED', `certificate ${c.cert.subject} has expired`);
    if (c.cert.notBefore.getTime() > t)
      return reject('ERR_MDS_CERTIFICATE_NOT_YET_VALID', `certificate ${c.cert.subject} is not valid yet`);
  }

  // 3. The JWS signature over ASCII(header.payload) (RFC 7515 §5.2).
  const signer = x5c[0] ?? roots[0];
  const signingInput = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (signer === undefined || !jwsSignatureValid(alg, signer, signingInput, signature))
    return reject('ERR_MDS_SIGNATURE_INVALID', 'BLOB signature is not valid');

  // 4. The signing chain to a configured root.
  let path: ParsedCertificate[];
  if (x5c.length === 0) {
    path = [signer];
  } else {
    const chain = await verifyCertificateChain(x5c, { anchors: roots, now });
    if (!chain.trusted)
      return reject('ERR_MDS_CHAIN_UNTRUSTED', `BLOB signing chain: ${chain.reason ?? 'untrusted'}`);
    path = chain.path.map((der) => [...x5c, ...roots].find((c) => c.der === der) ?? parseCertificate(der));
  }

  // 5. Revocation, hard-fail for the MDS chain.
  const revocation = await checkPathRevocation(path, now, options.revocation ?? {}, 'hard-fail');
  if (!revocation.ok) return reject(revocation.code, `BLOB signing chain: ${revocation.message}`);

  // 6. The payload.
  let payload: MetadataBlobPayload;
  try {
    payload = parseMetadataPayload(fatalUtf8.decode(payloadBytes), options.limits);
  } catch (e) {
    if (isMetadataError(e)) return reject(e.code, e.message);
    return reject('ERR_MDS_PAYLOAD_INVALID', 'payload is not UTF-8 JSON');
  }

  // 7. The serial number never goes backwards.
  if (options.previousNo !== undefined && payload.no < options.previousNo)
    return reject(
      'ERR_MDS_SERIAL_REGRESSION',
      `BLOB no ${payload.no} is below the last accepted ${options.previousNo}`,
      payload,
    );

  return {
    valid: true,
    code: null,
    payload,
    no: payload.no,
    nextUpdate: payload.nextUpdate,
    stale: Date.parse(`${payload.nextUpdate}T00:00:00Z`) < t,
    unchanged: options.previousNo === payload.no,
    chain: path.map((c) => c.der),
  };
}

function jwsSignatureValid(
  alg: string,
  signer: ParsedCertificate,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(signer.outline.spki), format: 'der', type: 'spki' });
    if (alg === 'ES256') {
      // RFC 7518 §3.4: R ‖ S, 32 octets each, on P-256.
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
        return false;
      if (signature.length !== 64) return false;
      return nodeVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    // RS256 (RFC 7518 §3.3): RSASSA-PKCS1-v1_5 with SHA-256, keys of at least 2048 bits.
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      return false;
    return nodeVerify('sha256', data, key, signature);
  } catch {
    return false;
  }
}
