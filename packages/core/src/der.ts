import { CodecError } from './errors.ts';

/**
 * The one strict DER reader (X.690 §10): definite lengths in their shortest form, no
 * indefinite lengths, no data past the end. Used for ECDSA signatures, SubjectPublicKeyInfo
 * and the outer layers of X.509 certificates; bounded depth, bounded by the input length.
 */
export interface DerElement {
  /** The full identifier octet (class + constructed bit + tag number < 31). */
  readonly tag: number;
  /** Contents octets. */
  readonly value: Uint8Array;
  /** The whole TLV, header included. */
  readonly raw: Uint8Array;
}

export const DER_SEQUENCE = 0x30;
export const DER_INTEGER = 0x02;
export const DER_BIT_STRING = 0x03;
export const DER_OCTET_STRING = 0x04;
export const DER_NULL = 0x05;
export const DER_OID = 0x06;

function derError(message: string): CodecError {
  return new CodecError('der', message);
}

function truncated(message: string): CodecError {
  return new CodecError('truncated', message);
}

/**
 * Reads one TLV at `offset`; returns it and the offset after it. An element that runs past the
 * input throws kind `truncated` (a framing error: U2F reports it as such), every other rule kind `der`.
 */
export function readDer(input: Uint8Array, offset: number): { element: DerElement; end: number } {
  if (offset + 2 > input.length) throw truncated('DER element truncated');
  const tag = input[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw derError('high-tag-number DER identifiers are not supported');
  const first = input[offset + 1] as number;
  let length: number;
  let pos = offset + 2;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw derError('indefinite DER length');
    if (n > 4) throw derError('DER length too large');
    if (pos + n > input.length) throw truncated('DER length truncated');
    if (input[pos] === 0) throw derError('non-minimal DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (input[pos + i] as number);
    if (length < 0x80) throw derError('non-minimal DER length');
    pos += n;
  }
  if (length > input.length - pos) throw truncated('DER length exceeds the input');
  const end = pos + length;
  return { element: { tag, value: input.subarray(pos, end), raw: input.subarray(offset, end) }, end };
}

/** Reads exactly one TLV spanning the whole input. */
export function readDerExact(input: Uint8Array, expectedTag?: number): DerElement {
  const { element, end } = readDer(input, 0);
  if (end !== input.length) throw derError('trailing data after DER element');
  if (expectedTag !== undefined && element.tag !== expectedTag) throw derError('unexpected DER tag');
  return element;
}

/** Splits the contents of a constructed element into its children. */
export function readDerChildren(value: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < value.length) {
    const { element, end } = readDer(value, pos);
    out.push(element);
    pos = end;
  }
  return out;
}

/**
 * A DER INTEGER's contents as an unsigned big-endian magnitude. Rejects empty, negative and
 * non-minimal encodings (SIG-1: a missing or superfluous 0x00 is not DER).
 */
export function derUnsignedInteger(element: DerElement): Uint8Array {
  if (element.tag !== DER_INTEGER) throw derError('expected a DER INTEGER');
  const v = element.value;
  if (v.length === 0) throw derError('empty DER INTEGER');
  if (((v[0] as number) & 0x80) !== 0) throw derError('negative DER INTEGER');
  if (v.length > 1 && v[0] === 0 && ((v[1] as number) & 0x80) === 0)
    throw derError('non-minimal DER INTEGER');
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
}

/**
 * Converts a strict DER `Ecdsa-Sig-Value` (SEQUENCE { r INTEGER, s INTEGER }) into the fixed
 * r‖s form WebCrypto and IEEE P1363 use, each half `componentLength` bytes.
 *
 * Rejects (catalog SIG-1..SIG-3): trailing bytes, long-form or non-minimal lengths, a third
 * element, negative or non-minimal integers, r or s equal to zero, and components longer than
 * the curve order allows. A raw 64-byte r‖s signature is not DER and is rejected. High-S
 * values are valid in WebAuthn and are kept as they are.
 *
 * @throws {CodecError} kind `der`
 */
export function derSignatureToRaw(signature: Uint8Array, componentLength: number): Uint8Array {
  const seq = readDerExact(signature, DER_SEQUENCE);
  const parts = readDerChildren(seq.value);
  if (parts.length !== 2) throw derError('ECDSA signature must hold exactly two INTEGERs');
  const out = new Uint8Array(componentLength * 2);
  for (let i = 0; i < 2; i++) {
    const magnitude = derUnsignedInteger(parts[i] as DerElement);
    if (magnitude.length > componentLength) throw derError('ECDSA signature component too long');
    let zero = true;
    for (const b of magnitude) if (b !== 0) zero = false;
    if (zero) throw derError('ECDSA signature component is zero');
    out.set(magnitude, componentLength * (i + 1) - magnitude.length);
  }
  return out;
}

/**
 * Reads a DER length at `pos` and returns the contents offset, or -1 when the length is not in
 * its shortest definite form or runs past `end`. The content length is left in `derLength`.
 */
let derLength = 0;
function contentStart(input: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  const first = input[pos] as number;
  pos++;
  let length = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || pos + n > end || input[pos] === 0) return -1;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (input[pos + i] as number);
    if (length < 0x80) return -1;
    pos += n;
  }
  if (length > end - pos) return -1;
  derLength = length;
  return pos;
}

/**
 * Checks one INTEGER component of an `Ecdsa-Sig-Value` at `pos` (same rules as
 * {@link derSignatureToRaw}); returns the offset after it, or -1.
 */
function ecdsaComponentEnd(input: Uint8Array, pos: number, end: number, componentLength: number): number {
  if (pos >= end || input[pos] !== DER_INTEGER) return -1;
  const start = contentStart(input, pos + 1, end);
  if (start < 0) return -1;
  const length = derLength;
  if (length === 0) return -1;
  const lead = input[start] as number;
  if ((lead & 0x80) !== 0) return -1; // negative
  let from = start;
  if (lead === 0 && length > 1) {
    if (((input[start + 1] as number) & 0x80) === 0) return -1; // non-minimal
    from = start + 1;
  }
  const stop = start + length;
  if (stop - from > componentLength) return -1;
  let nonZero = 0;
  for (let i = from; i < stop; i++) nonZero |= input[i] as number;
  return nonZero === 0 ? -1 : stop;
}

/**
 * The validation half of {@link derSignatureToRaw} without building anything: `true` exactly
 * when `derSignatureToRaw(signature, componentLength)` would succeed. Backends whose native
 * verifier takes DER (node:crypto) use it so that our strict rules (SIG-1..SIG-3: no BER, no
 * trailing bytes, minimal non-negative non-zero integers, no oversized components; high-S
 * allowed), not the native parser's, decide what a valid encoding is.
 */
export function isStrictDerEcdsaSignature(signature: Uint8Array, componentLength: number): boolean {
  const total = signature.length;
  if (total < 2 || signature[0] !== DER_SEQUENCE) return false;
  const start = contentStart(signature, 1, total);
  if (start < 0 || start + derLength !== total) return false;
  const r = ecdsaComponentEnd(signature, start, total, componentLength);
  if (r < 0) return false;
  return ecdsaComponentEnd(signature, r, total, componentLength) === total;
}

/** Encodes an OBJECT IDENTIFIER's contents as dotted text. */
export function derOidToString(element: DerElement): string {
  if (element.tag !== DER_OID) throw derError('expected a DER OBJECT IDENTIFIER');
  const v = element.value;
  if (v.length === 0 || v.length > 64) throw derError('bad OBJECT IDENTIFIER length');
  const arcs: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i] as number;
    if (acc === 0 && b === 0x80) throw derError('non-minimal OBJECT IDENTIFIER arc');
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER) throw derError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
    } else if (i === v.length - 1) {
      throw derError('truncated OBJECT IDENTIFIER');
    }
  }
  const first = arcs[0] as number;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Parsed SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
export interface SubjectPublicKeyInfo {
  readonly algorithm: string;
  /** The named curve OID for id-ecPublicKey, else undefined. */
  readonly parameters: string | undefined;
  /** The subjectPublicKey BIT STRING contents without the unused-bits octet. */
  readonly publicKey: Uint8Array;
}

export function parseSpki(spki: Uint8Array): SubjectPublicKeyInfo {
  const seq = readDerExact(spki, DER_SEQUENCE);
  const [algId, bits, ...rest] = readDerChildren(seq.value);
  if (algId === undefined || bits === undefined || rest.length > 0 || algId.tag !== DER_SEQUENCE) {
    throw derError('malformed SubjectPublicKeyInfo');
  }
  const [oid, params, ...more] = readDerChildren(algId.value);
  if (oid === undefined || more.length > 0) throw derError('malformed AlgorithmIdentifier');
  const algorithm = derOidToString(oid);
  let parameters: string | undefined;
  if (params !== undefined && params.tag === DER_OID) parameters = derOidToString(params);
  if (bits.tag !== DER_BIT_STRING || bits.value.length < 1 || bits.value[0] !== 0) {
    throw derError('malformed subjectPublicKey BIT STRING');
  }
  return { algorithm, parameters, publicKey: bits.value.subarray(1) };
}

/** Parsed RSAPublicKey (RFC 8017 §A.1.1). */
export function parseRsaPublicKey(der: Uint8Array): { n: Uint8Array; e: Uint8Array } {
  const seq = readDerExact(der, DER_SEQUENCE);
  const parts = readDerChildren(seq.value);
  if (parts.length !== 2) throw derError('malformed RSAPublicKey');
  return { n: derUnsignedInteger(parts[0] as DerElement), e: derUnsignedInteger(parts[1] as DerElement) };
}

/** The outer fields of an X.509 certificate that chain building needs, as raw DER. */
export interface CertificateOutline {
  /** 1, 2 or 3 (the encoded value + 1). */
  readonly version: number;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
  /** The signatureValue BIT STRING contents after the (zero) unused-bits octet. */
  readonly signature: Uint8Array;
}

/** Reads version, issuer, subject and SPKI from a certificate's DER (RFC 5280 §4.1). */
export function outlineCertificate(der: Uint8Array): CertificateOutline {
  const cert = readDerExact(der, DER_SEQUENCE);
  const parts = readDerChildren(cert.value);
  const [tbs, signatureAlgorithm, signature] = parts;
  if (parts.length !== 3 || tbs === undefined || tbs.tag !== DER_SEQUENCE)
    throw derError('malformed certificate');
  if (signatureAlgorithm === undefined || signatureAlgorithm.tag !== DER_SEQUENCE)
    throw derError('malformed certificate');
  // The signature BIT STRING must say "0 unused bits": a signature is a whole number of
  // octets, and parsers that ignore this octet accept altered certificates (catalog ASN-5).
  if (
    signature === undefined ||
    signature.tag !== DER_BIT_STRING ||
    signature.value.length < 2 ||
    signature.value[0] !== 0
  ) {
    throw derError('certificate signature BIT STRING is malformed');
  }
  const fields = readDerChildren(tbs.value);
  let i = 0;
  let version = 1;
  const first = fields[0];
  if (first !== undefined && first.tag === 0xa0) {
    const v = derUnsignedInteger(readDerExact(first.value, DER_INTEGER));
    if (v.length !== 1 || (v[0] as number) > 2) throw derError('bad certificate version');
    version = (v[0] as number) + 1;
    i = 1;
  }
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const issuer = fields[i + 2];
  const subject = fields[i + 4];
  const spki = fields[i + 5];
  if (issuer === undefined || subject === undefined || spki === undefined)
    throw derError('malformed TBSCertificate');
  return {
    version,
    issuer: issuer.raw,
    subject: subject.raw,
    spki: spki.raw,
    signature: signature.value.subarray(1),
  };
}
