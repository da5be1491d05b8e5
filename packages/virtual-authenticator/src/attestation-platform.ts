// tpm (§8.3), android-key (§8.4) and apple (§8.8) attestation statements, issued by the
// test CA in place of the TPM vendor, Google and Apple roots.
import { createHash } from 'node:crypto';
import type { AttestationInput, AttestationStatement } from './attestation.ts';
import { concat, toHex, uint16be, uint32be, utf8 } from './bytes.ts';
import { type CborValue, decodeCborMap } from './cbor.ts';
import { explicit, integer, octets, oid, seq, set, tlv, utf8String } from './der.ts';
import { VirtualAuthenticatorError } from './errors.ts';
import { type CoseAlgorithmName, createSigningKey, KEY_SEED_LENGTH, type SigningKey } from './keys.ts';
import { derive, seedBytes } from './seed.ts';
import { type CertificateExtension, ext } from './x509.ts';

/** Credential algorithms each platform format can carry. */
export const PLATFORM_ALGORITHMS: Readonly<
  Record<'tpm' | 'android-key' | 'apple', readonly CoseAlgorithmName[]>
> = {
  tpm: ['ES256', 'ES384', 'ES512', 'RS256', 'PS256'],
  'android-key': ['ES256', 'ES384', 'ES512', 'RS256'],
  apple: ['ES256'],
};

export function buildPlatformAttestation(
  input: AttestationInput,
  signedData: Uint8Array,
): AttestationStatement {
  const allowed = PLATFORM_ALGORITHMS[input.format as 'tpm' | 'android-key' | 'apple'];
  if (allowed === undefined) throw new TypeError(`unsupported attestation format: ${input.format}`);
  if (!allowed.includes(input.credentialKey.alg)) {
    throw new VirtualAuthenticatorError(
      'ERR_NOT_SUPPORTED',
      `${input.format} attestation cannot carry ${input.credentialKey.alg}`,
    );
  }
  switch (input.format) {
    case 'tpm':
      return tpmStatement(input, signedData);
    case 'android-key':
      return androidKeyStatement(input, signedData);
    default:
      return appleStatement(input, signedData);
  }
}

// ---- tpm ------------------------------------------------------------------------------------

const TPM_ALG_RSA = 0x0001;
const TPM_ALG_SHA256 = 0x000b;
const TPM_ALG_NULL = 0x0010;
const TPM_ALG_ECC = 0x0023;
const TPM_ECC_CURVE: Readonly<Record<string, number>> = { ES256: 0x0003, ES384: 0x0004, ES512: 0x0005 };
const TPM_GENERATED_VALUE = 0xff544347;
const TPM_ST_ATTEST_CERTIFY = 0x8017;

const tpm2b = (b: Uint8Array): Uint8Array => concat(uint16be(b.length), b);

/** TPMT_PUBLIC of the credential key (TPM 2.0 Part 2 §12.2.4). */
export function tpmPublicArea(key: SigningKey): Uint8Array {
  const cose = decodeCborMap(key.coseKey);
  // fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | sign
  const objectAttributes = uint32be(0x00060472);
  if (key.alg === 'RS256' || key.alg === 'PS256') {
    const n = cose.get(-1) as Uint8Array;
    return concat(
      uint16be(TPM_ALG_RSA),
      uint16be(TPM_ALG_SHA256),
      objectAttributes,
      tpm2b(new Uint8Array(0)),
      uint16be(TPM_ALG_NULL), // symmetric
      // scheme TPM_ALG_NULL, as Windows Hello keys carry it (a non-NULL TPMT_RSA_SCHEME would
      // be followed by its hashAlg, Part 2 §11.2.4.2).
      uint16be(TPM_ALG_NULL),
      uint16be(n.length * 8),
      uint32be(0), // exponent 0 = default 65537
      tpm2b(n),
    );
  }
  return concat(
    uint16be(TPM_ALG_ECC),
    uint16be(TPM_ALG_SHA256),
    objectAttributes,
    tpm2b(new Uint8Array(0)),
    uint16be(TPM_ALG_NULL),
    uint16be(TPM_ALG_NULL), // scheme (see the RSA case)
    uint16be(TPM_ECC_CURVE[key.alg] ?? 0),
    uint16be(TPM_ALG_NULL), // kdf
    tpm2b(cose.get(-2) as Uint8Array),
    tpm2b(cose.get(-3) as Uint8Array),
  );
}

const HASH_FOR: Readonly<Record<string, string>> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  RS256: 'sha256',
  PS256: 'sha256',
  EdDSA: 'sha512',
};

function tpmStatement(input: AttestationInput, signedData: Uint8Array): AttestationStatement {
  const rsa = input.credentialKey.alg === 'RS256' || input.credentialKey.alg === 'PS256';
  const aikAlg: CoseAlgorithmName = rsa ? 'RS256' : 'ES256';
  const aik = createSigningKey(
    aikAlg,
    derive(seedBytes('factorkit virtual TPM'), `aik/${aikAlg}`, KEY_SEED_LENGTH),
  );
  const pubArea = tpmPublicArea(input.credentialKey);
  const name = concat(uint16be(TPM_ALG_SHA256), digest('sha256', pubArea));
  // extraData = hash of attToBeSigned with the hash of the AIK signature algorithm (§8.3.1).
  const extraData = digest(HASH_FOR[aikAlg] ?? 'sha256', signedData);
  const clock = derive(input.credentialId, 'tpm/clock', 8);
  const certInfo = concat(
    uint32be(TPM_GENERATED_VALUE),
    uint16be(TPM_ST_ATTEST_CERTIFY),
    tpm2b(concat(uint16be(TPM_ALG_SHA256), digest('sha256', aik.spki))), // qualifiedSigner
    tpm2b(extraData),
    clock, // TPMS_CLOCK_INFO.clock
    uint32be(1), // resetCount
    uint32be(0), // restartCount
    Uint8Array.of(1), // safe
    utf8('fkvtpm01'), // firmwareVersion (8 bytes)
    tpm2b(name), // attested.name
    tpm2b(concat(uint16be(TPM_ALG_SHA256), digest('sha256', name))), // attested.qualifiedName
  );
  const aikCert = input.ca.issueLeaf({
    keyLabel: `tpm-aik/${aikAlg}`,
    key: aik,
    // §8.3.1: Subject empty; SAN (critical) names the TPM; EKU tcg-kp-AIKCertificate; CA=false.
    subject: [],
    extensions: [tpmSubjectAltName(), tpmExtendedKeyUsage(), ext.aaguid(input.aaguid)],
  });
  return new Map<string, CborValue>([
    ['ver', '2.0'],
    ['alg', aik.coseAlg],
    ['x5c', [aikCert.certificate, input.ca.intermediate.certificate]],
    ['sig', aik.sign(certInfo)],
    ['certInfo', certInfo],
    ['pubArea', pubArea],
  ]);
}

/** SAN directoryName with tcg-at-tpmManufacturer/Model/Version (TPM EK profile §3.2.9). */
function tpmSubjectAltName(): CertificateExtension {
  const attr = (o: string, v: string): Uint8Array => set(seq(oid(o), utf8String(v)));
  const directoryName = seq(
    attr('2.23.133.2.1', 'id:FFFFF1D0'), // the FIDO conformance test vendor id
    attr('2.23.133.2.2', 'factorkit vTPM'),
    attr('2.23.133.2.3', 'id:00020008'),
  );
  return { oid: '2.5.29.17', critical: true, value: seq(explicit(4, directoryName)) };
}

function tpmExtendedKeyUsage(): CertificateExtension {
  return { oid: '2.5.29.37', value: seq(oid('2.23.133.8.3')) };
}

// ---- android-key --------------------------------------------------------------------------

/** Context tag of an AuthorizationList field (EXPLICIT, possibly high-tag-number form). */
function authTag(n: number, inner: Uint8Array): Uint8Array {
  if (n < 31) return explicit(n, inner);
  const num: number[] = [];
  let v = n;
  num.unshift(v & 0x7f);
  v >>= 7;
  while (v > 0) {
    num.unshift((v & 0x7f) | 0x80);
    v >>= 7;
  }
  const body = inner;
  const len = body.length < 0x80 ? Uint8Array.of(body.length) : Uint8Array.of(0x81, body.length);
  return concat(Uint8Array.of(0xbf, ...num), len, body);
}

/** The Android Key Attestation extension (KeyDescription, attestation version 3). */
export function androidKeyDescription(clientDataHash: Uint8Array, key: SigningKey): Uint8Array {
  const rsa = key.alg === 'RS256';
  const hardwareEnforced = seq(
    authTag(1, set(integer(2))), // purpose: KM_PURPOSE_SIGN
    authTag(2, integer(rsa ? 1 : 3)), // algorithm: RSA / EC
    authTag(3, integer(rsa ? 2048 : key.alg === 'ES256' ? 256 : key.alg === 'ES384' ? 384 : 521)), // keySize
    authTag(5, set(integer(rsa ? 4 : key.alg === 'ES256' ? 4 : key.alg === 'ES384' ? 5 : 6))), // digest
    ...(rsa ? [] : [authTag(10, integer(key.alg === 'ES256' ? 1 : key.alg === 'ES384' ? 2 : 3))]), // ecCurve
    authTag(702, integer(0)), // origin: KM_ORIGIN_GENERATED
  );
  return seq(
    integer(3), // attestationVersion
    tlv(0x0a, Uint8Array.of(1)), // attestationSecurityLevel: TrustedEnvironment
    integer(4), // keymasterVersion
    tlv(0x0a, Uint8Array.of(1)), // keymasterSecurityLevel
    octets(clientDataHash), // attestationChallenge
    octets(new Uint8Array(0)), // uniqueId
    seq(), // softwareEnforced
    hardwareEnforced,
  );
}

function androidKeyStatement(input: AttestationInput, signedData: Uint8Array): AttestationStatement {
  const leaf = input.ca.issueLeaf({
    keyLabel: `android-key/${toHex(input.credentialId)}`,
    key: input.credentialKey,
    subject: [['CN', 'Android Keystore Key']],
    extensions: [
      {
        oid: '1.3.6.1.4.1.11129.2.1.17',
        value: androidKeyDescription(input.clientDataHash, input.credentialKey),
      },
    ],
  });
  // §8.4: sig is by the credential private key, whose public key is in the leaf certificate.
  return new Map<string, CborValue>([
    ['alg', input.credentialKey.coseAlg],
    ['sig', input.credentialKey.sign(signedData)],
    // Android key attestation chains carry the root too (Google's root there; the test root here).
    ['x5c', [leaf.certificate, input.ca.intermediate.certificate, input.ca.root.certificate]],
  ]);
}

// ---- apple --------------------------------------------------------------------------------

function appleStatement(input: AttestationInput, signedData: Uint8Array): AttestationStatement {
  // §8.8: nonce = SHA-256(authenticatorData || clientDataHash) in extension 1.2.840.113635.100.8.2.
  const nonce = digest('sha256', signedData);
  const leaf = input.ca.issueLeaf({
    keyLabel: `apple/${toHex(input.credentialId)}/${toHex(nonce)}`,
    key: input.credentialKey,
    subject: [
      ['CN', toHex(digest('sha256', input.credentialId))],
      ['O', 'factorkit'],
      ['ST', 'California'],
    ],
    extensions: [{ oid: '1.2.840.113635.100.8.2', value: seq(explicit(1, octets(nonce))) }],
  });
  return new Map<string, CborValue>([['x5c', [leaf.certificate, input.ca.intermediate.certificate]]]);
}

function digest(alg: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(alg).update(data).digest());
}
