import { bytesEqual, concat as concatBytes } from '@factorkit/core';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ExtendedKeyUsage, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { basicConstraints, extensionByOid, type ParsedCertificate } from '../certificate.ts';
import { type CosePublicKey, coseAlgorithm, EC2_CURVES } from '../cose.ts';
import { DER_SEQUENCE, readDerExact } from '../der.ts';
import { WebAuthnError } from '../errors.ts';
import {
  aaguidExtensionProblem,
  attStmtBytes,
  attStmtInt,
  attStmtX5c,
  checkAttStmtKeys,
  signedAttestationData,
  verifyWithCertificate,
} from './common.ts';
import {
  parseCertInfo,
  parsePubArea,
  TPM_ECC_CURVES,
  TPM_GENERATED_VALUE,
  TPM_HASH_ALGORITHMS,
  TPM_ST_ATTEST_CERTIFY,
  type TpmtPublic,
} from './tpmStructures.ts';
import { tpmManufacturer } from './tpmVendors.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/** TCG OIDs (TPM 2.0 EK Credential Profile §3.2.9, §4): SAN attributes and the AIK EKU. */
export const OID_TCG_AT_TPM_MANUFACTURER = '2.23.133.2.1';
export const OID_TCG_AT_TPM_MODEL = '2.23.133.2.2';
export const OID_TCG_AT_TPM_VERSION = '2.23.133.2.3';
export const OID_TCG_KP_AIK_CERTIFICATE = '2.23.133.8.3';

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EXT_KEY_USAGE = '2.5.29.37';

const step = (n: number | string): string => `§8.3 step ${n}`;

/**
 * §8.3 TPM attestation. `attStmt = {ver: "2.0", alg, x5c: [aikCert, *caCert], sig, certInfo,
 * pubArea}`. The procedure, in the spec's order:
 * 1. attStmt is well formed (exactly these members; ver "2.0");
 * 2. the key in pubArea (parameters + unique) is the credential public key;
 * 3. attToBeSigned = authenticatorData ‖ clientDataHash;
 * 4. certInfo: magic TPM_GENERATED_VALUE, type TPM_ST_ATTEST_CERTIFY, extraData =
 *    Hash_alg(attToBeSigned), attested.name = pubArea.nameAlg ‖ H_nameAlg(pubArea);
 * 5. x5c is present;
 * 7. sig verifies over certInfo with aikCert's key under `alg` — `alg` fixes the key type and
 *    padding (RS256 = PKCS#1 v1.5 on an RSA key, PS256 = PSS, ES256 = ECDSA on P-256);
 * 8. aikCert meets §8.3.1;
 * 9. an id-fido-gen-ce-aaguid extension, when present, equals the AAGUID;
 * 10. the attestation type is AttCA, the trust path x5c.
 */
export const verifyTpmAttestation: AttestationFormatVerifier = async (input): Promise<AttestationOutcome> => {
  const { attStmt, authData, credential, clientDataHash, crypto } = input;

  // Step 1: syntax.
  checkAttStmtKeys(attStmt, ['ver', 'alg', 'x5c', 'sig', 'certInfo', 'pubArea']);
  if (attStmt.get('ver') !== '2.0')
    return attestationFailure('ERR_ATTESTATION_INVALID', 'tpm ver must be "2.0"', step(1));
  const alg = attStmtInt(attStmt, 'alg');
  const sig = attStmtBytes(attStmt, 'sig');
  const certInfoBytes = attStmtBytes(attStmt, 'certInfo');
  const pubAreaBytes = attStmtBytes(attStmt, 'pubArea');
  let algorithm: ReturnType<typeof coseAlgorithm>;
  try {
    algorithm = coseAlgorithm(alg);
  } catch (e) {
    return attestationFailure(
      (e as WebAuthnError).code ?? 'ERR_UNSUPPORTED_ALGORITHM',
      `tpm alg ${alg} is not supported`,
      step(1),
    );
  }
  if (algorithm.hash === undefined || algorithm.family === 'EdDSA') {
    // extraData is "the hash of attToBeSigned using the hash algorithm employed in alg".
    return attestationFailure('ERR_ATTESTATION_INVALID', `tpm alg ${algorithm.name} has no hash`, step(4));
  }
  let pubArea: TpmtPublic;
  let certInfo: ReturnType<typeof parseCertInfo>;
  try {
    pubArea = parsePubArea(pubAreaBytes);
  } catch (e) {
    return rethrownAs(e, step(2));
  }
  try {
    certInfo = parseCertInfo(certInfoBytes);
  } catch (e) {
    return rethrownAs(e, step(4));
  }

  // Step 2: pubArea names the credential public key.
  const keyProblem = pubAreaKeyProblem(pubArea, credential.publicKey);
  if (keyProblem !== undefined)
    return attestationFailure('ERR_ATTESTATION_KEY_MISMATCH', `pubArea ${keyProblem}`, step(2));

  // Step 3.
  const attToBeSigned = signedAttestationData(authData, clientDataHash);

  // Step 4: certInfo.
  if (certInfo.magic !== TPM_GENERATED_VALUE)
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'certInfo.magic is not TPM_GENERATED_VALUE',
      step(4),
    );
  if (certInfo.type !== TPM_ST_ATTEST_CERTIFY || certInfo.attested === undefined)
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'certInfo.type is not TPM_ST_ATTEST_CERTIFY',
      step(4),
    );
  if (!bytesEqual(certInfo.extraData, crypto.digest(algorithm.hash, attToBeSigned))) {
    return attestationFailure(
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      `certInfo.extraData is not the ${algorithm.hash} hash of authenticatorData ‖ clientDataHash`,
      step(4),
    );
  }
  // TPM 2.0 Part 1 §16: Name = nameAlg ‖ H_nameAlg(TPMT_PUBLIC), with pubArea's own nameAlg
  // (not the algorithm the attested name claims in its first two octets).
  const nameHash = TPM_HASH_ALGORITHMS.get(pubArea.nameAlg);
  if (nameHash === undefined) {
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      `pubArea.nameAlg 0x${pubArea.nameAlg.toString(16)} is not supported`,
      step(4),
    );
  }
  const expectedName = concatBytes(
    Uint8Array.of(pubArea.nameAlg >> 8, pubArea.nameAlg & 0xff),
    crypto.digest(nameHash, pubAreaBytes),
  );
  if (!bytesEqual(certInfo.attested.name, expectedName)) {
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'certInfo.attested.name is not the Name of pubArea under its nameAlg',
      step(4),
    );
  }

  // Step 5: x5c is present (an ECDAA-only statement no longer exists in Level 3).
  if (!attStmt.has('x5c'))
    return attestationFailure('ERR_ATTESTATION_INVALID', 'tpm attStmt lacks x5c', step(5));
  const x5c = attStmtX5c(attStmt.get('x5c'));
  const aikCert = x5c[0] as ParsedCertificate;

  // Step 7: sig over certInfo with the AIK key under alg.
  const signed = await verifyWithCertificate(crypto, aikCert, alg, sig, certInfoBytes);
  if (signed !== true)
    return attestationFailure(signed.code, `tpm (aikCert over certInfo): ${signed.message}`, step(7));

  // Step 8: §8.3.1 certificate requirements.
  let certProblem: string | undefined;
  try {
    certProblem = aikCertificateProblem(aikCert);
  } catch {
    // A known extension that does not decode (e.g. a malformed authorityKeyIdentifier).
    certProblem = 'aikCert extensions could not be decoded';
  }
  if (certProblem !== undefined)
    return attestationFailure('ERR_ATTESTATION_CERTIFICATE_INVALID', certProblem, step('8 (§8.3.1)'));

  // Step 9: AAGUID extension.
  const aaguidProblem = aaguidExtensionProblem(aikCert, credential.aaguid, step(9));
  if (aaguidProblem !== undefined) return aaguidProblem;

  // Step 10.
  return { ok: true, type: 'attca', trustPath: x5c };
};

function rethrownAs(e: unknown, at: string): AttestationOutcome {
  if (e instanceof WebAuthnError) return attestationFailure(e.code, e.message, at);
  throw e;
}

/** Left-pads a TPM2B ECC coordinate to the curve size; undefined when it is longer. */
function coordinate(v: Uint8Array, size: number): Uint8Array | undefined {
  if (v.length > size) return undefined;
  if (v.length === size) return v;
  const out = new Uint8Array(size);
  out.set(v, size - v.length);
  return out;
}

/** Why pubArea does not describe `key`, or undefined when it does (§8.3 step 2). */
export function pubAreaKeyProblem(pubArea: TpmtPublic, key: CosePublicKey): string | undefined {
  if (pubArea.type === 0x0001) {
    if (key.kty !== 'RSA') return 'is an RSA key, the credential key is not';
    if (!bytesEqual(pubArea.unique, key.n)) return 'unique (modulus) differs from the credential key';
    if (pubArea.keyBits !== key.n.length * 8) return 'keyBits does not match the modulus';
    // Part 2 §12.2.3.5: an exponent of zero means the default 2^16 + 1. Big-endian (COSE-3).
    const exponent = pubArea.exponent === 0 ? 65537 : pubArea.exponent;
    let e = 0;
    for (const b of key.e) e = e * 256 + b;
    if (exponent !== e) return 'exponent differs from the credential key';
    return undefined;
  }
  if (key.kty !== 'EC2') return 'is an ECC key, the credential key is not';
  const crv = TPM_ECC_CURVES.get(pubArea.curveId);
  const curve = crv === undefined ? undefined : EC2_CURVES.get(crv);
  if (curve === undefined || curve.crv !== key.curve.crv)
    return 'curveID differs from the credential key curve';
  const x = coordinate(pubArea.x, curve.size);
  const y = coordinate(pubArea.y, curve.size);
  if (x === undefined || y === undefined || !bytesEqual(x, key.x) || !bytesEqual(y, key.y))
    return 'unique (point) differs from the credential key';
  return undefined;
}

/** The TPM identity of an AIK certificate's SAN directoryName (EK profile §3.2.9). */
export interface TpmDeviceAttributes {
  readonly manufacturer: string | undefined;
  readonly model: string | undefined;
  readonly version: string | undefined;
}

/** Reads tcg-at-tpmManufacturer/Model/Version from the SAN's directoryName(s). */
export function tpmDeviceAttributes(extnValue: Uint8Array): TpmDeviceAttributes {
  const san = AsnConvert.parse(extnValue, SubjectAlternativeName);
  const found: Record<string, string> = {};
  for (const name of san) {
    if (name.directoryName === undefined) continue;
    for (const rdn of name.directoryName) {
      for (const atv of rdn) {
        if (atv.type in found)
          throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'duplicate TPM attribute');
        found[atv.type] = atv.value.toString();
      }
    }
  }
  return {
    manufacturer: found[OID_TCG_AT_TPM_MANUFACTURER],
    model: found[OID_TCG_AT_TPM_MODEL],
    version: found[OID_TCG_AT_TPM_VERSION],
  };
}

/** §8.3.1 TPM attestation statement certificate requirements; a reason, or undefined. */
export function aikCertificateProblem(aikCert: ParsedCertificate): string | undefined {
  if (aikCert.outline.version !== 3) return 'aikCert must be X.509 version 3';
  let subjectEmpty: boolean;
  try {
    subjectEmpty = readDerExact(aikCert.outline.subject, DER_SEQUENCE).value.length === 0;
  } catch {
    subjectEmpty = false;
  }
  if (!subjectEmpty) return 'aikCert subject must be empty';
  // SAN per the EK profile §3.2.9: present, critical (RFC 5280 §4.2.1.6: the subject is
  // empty), naming the TPM's manufacturer, model and version.
  const san = extensionByOid(aikCert, OID_SUBJECT_ALT_NAME);
  if (san === undefined) return 'aikCert lacks the subject alternative name';
  if (!san.critical) return 'aikCert subject alternative name must be critical';
  let device: TpmDeviceAttributes;
  try {
    device = tpmDeviceAttributes(new Uint8Array(san.value));
  } catch {
    return 'aikCert subject alternative name is malformed';
  }
  if (device.manufacturer === undefined || device.model === undefined || device.version === undefined)
    return 'aikCert subject alternative name lacks TPM manufacturer, model or version';
  if (tpmManufacturer(device.manufacturer) === undefined)
    return `aikCert TPM manufacturer ${device.manufacturer} is not in the TCG vendor registry`;
  // EKU contains tcg-kp-AIKCertificate — anywhere in the list, not only first.
  const eku = extensionByOid(aikCert, OID_EXT_KEY_USAGE);
  if (eku === undefined) return 'aikCert lacks the extended key usage extension';
  let usages: string[];
  try {
    usages = [...AsnConvert.parse(new Uint8Array(eku.value), ExtendedKeyUsage)];
  } catch {
    return 'aikCert extended key usage is malformed';
  }
  if (!usages.includes(OID_TCG_KP_AIK_CERTIFICATE))
    return 'aikCert EKU lacks tcg-kp-AIKCertificate (2.23.133.8.3)';
  const bc = basicConstraints(aikCert);
  if (bc === null) return 'aikCert lacks basic constraints';
  if (bc.ca) return 'aikCert must not be a CA';
  return undefined;
}
