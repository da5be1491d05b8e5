/**
 * @factorkit/core — the base layer under every factorkit package. It imports nothing of theirs:
 * strict codecs (base64url/base64, DER, JSON), byte helpers, input bounds, the neutral
 * {@link CodecError} each package maps to its own codes at its edge, and the COSE key types the
 * crypto backends consume.
 */
export {
  type Base64DecodeOptions,
  decodeBase64,
  decodeBase64url,
  decodeBase64urlWithSpare,
  encodeBase64,
  encodeBase64url,
  isBase64url,
} from './base64.ts';
export { boundedBytes, boundedString, limitOption } from './bounded.ts';
export { bytesEqual, concat, copyBytes, fromHex, toHex, utf8DecodeStrict, utf8Encode } from './bytes.ts';
export {
  type AkpPublicKey,
  type CoseAlgorithm,
  type CoseKeyBase,
  type CoseKeyType,
  type CosePublicKey,
  type Ec2Curve,
  type Ec2PublicKey,
  ES256_ALGORITHM,
  es256PublicKey,
  HASH_LENGTH,
  type HashAlgorithm,
  type MlDsaParameterSet,
  type OkpCurve,
  type OkpPublicKey,
  P256_CURVE,
  type RsaPublicKey,
  type SignatureFamily,
} from './cose.ts';
export {
  assertStrictDer,
  type CertificateOutline,
  DER_BIT_STRING,
  DER_INTEGER,
  DER_NULL,
  DER_OCTET_STRING,
  DER_OID,
  DER_SEQUENCE,
  type DerElement,
  derOidToString,
  derSignatureToRaw,
  derUnsignedInteger,
  isStrictDerEcdsaSignature,
  outlineCertificate,
  parseRsaPublicKey,
  parseSpki,
  readDer,
  readDerChildren,
  readDerExact,
  type SubjectPublicKeyInfo,
} from './der.ts';
export { CodecError, type CodecErrorKind, isCodecError } from './errors.ts';
export { duplicateTopLevelMember, type JsonLimits, type JsonValue, parseStrictJson } from './json.ts';
