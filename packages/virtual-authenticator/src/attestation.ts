// Attestation statements (WebAuthn §8). Each builder returns the `attStmt` map for one
// format; certificates come from a test CA so relying parties can configure its root.
import { concat, toHex } from './bytes.ts';
import type { CborValue } from './cbor.ts';
import type { SigningKey } from './keys.ts';
import type { AttestationFormat } from './webauthn-types.ts';
import { ext, type IssuedCertificate, type TestCertificateAuthority } from './x509.ts';

export interface AttestationInput {
  readonly format: AttestationFormat;
  readonly selfAttestation: boolean;
  readonly credentialKey: SigningKey;
  readonly credentialId: Uint8Array;
  readonly aaguid: Uint8Array;
  readonly authenticatorData: Uint8Array;
  readonly clientDataHash: Uint8Array;
  readonly rpIdHash: Uint8Array;
  readonly ca: TestCertificateAuthority;
  /** android-safetynet: the JWS timestampMs clock (default: the fixtures' clock, see attestation-safetynet.ts). */
  readonly now?: Date | undefined;
  /** android-safetynet: the integrity verdict in the payload (default ctsProfileMatch true). */
  readonly safetyNet?: { readonly ctsProfileMatch?: boolean } | undefined;
  /** compound: its statements as [format, selfAttestation] (default packed x5c, packed self). */
  readonly compound?: readonly (readonly [AttestationFormat, boolean])[] | undefined;
}

/** A format's attStmt: a map, or for compound (§8.9) an array of {fmt, attStmt}. */
export type AttestationStatement = Map<string, CborValue> | CborValue[];

/** The packed attestation certificate for an AAGUID (WebAuthn §8.2.1 requirements). */
export function packedAttestationCertificate(
  ca: TestCertificateAuthority,
  aaguid: Uint8Array,
): IssuedCertificate {
  return ca.issueLeaf({
    keyLabel: `packed/${toHex(aaguid)}`,
    // §8.2.1: Subject C (ISO 3166), O, OU = "Authenticator Attestation", CN; Basic
    // Constraints CA=false (added by issueLeaf); id-fido-gen-ce-aaguid matching authData.
    subject: [
      ['C', 'US'],
      ['O', 'factorkit'],
      ['OU', 'Authenticator Attestation'],
      ['CN', 'factorkit Virtual Authenticator'],
    ],
    extensions: [ext.aaguid(aaguid)],
  });
}

/** The FIDO U2F attestation certificate shared by the U2F token and `fido-u2f` credentials. */
export function u2fAttestationCertificate(ca: TestCertificateAuthority): IssuedCertificate {
  return ca.issueLeaf({
    keyLabel: 'fido-u2f',
    issuedBy: 'root',
    subject: [
      ['C', 'US'],
      ['O', 'factorkit'],
      ['OU', 'Authenticator Attestation'],
      ['CN', 'factorkit Virtual U2F Token'],
    ],
    extensions: [ext.u2fTransports([2])],
  });
}

/** Builds the `attStmt` for `input.format`. Throws `TypeError` when the format cannot carry the key. */
export function buildAttestationStatement(input: AttestationInput): AttestationStatement {
  const signedData = concat(input.authenticatorData, input.clientDataHash);
  switch (input.format) {
    case 'none':
      return new Map();
    case 'packed': {
      if (input.selfAttestation) {
        // §8.2 self attestation: alg of the credential key, signed by the credential key, no x5c.
        return new Map<string, CborValue>([
          ['alg', input.credentialKey.coseAlg],
          ['sig', input.credentialKey.sign(signedData)],
        ]);
      }
      const leaf = packedAttestationCertificate(input.ca, input.aaguid);
      return new Map<string, CborValue>([
        ['alg', leaf.key.coseAlg],
        ['sig', leaf.key.sign(signedData)],
        ['x5c', [leaf.certificate, input.ca.intermediate.certificate]],
      ]);
    }
    case 'fido-u2f': {
      const point = input.credentialKey.publicPoint;
      if (input.credentialKey.alg !== 'ES256' || point === undefined) {
        throw new TypeError('fido-u2f attestation requires an ES256 credential');
      }
      const leaf = u2fAttestationCertificate(input.ca);
      // §8.6 verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F
      const verificationData = concat(
        Uint8Array.of(0x00),
        input.rpIdHash,
        input.clientDataHash,
        input.credentialId,
        point,
      );
      return new Map<string, CborValue>([
        ['sig', leaf.key.sign(verificationData)],
        ['x5c', [leaf.certificate]],
      ]);
    }
    default:
      return buildExtendedAttestation(input, signedData);
  }
}

// tpm, android-key and apple live in attestation-platform.ts; this indirection keeps the
// common formats free of their (larger) builders.
import { buildCompoundAttestation } from './attestation-compound.ts';
import { buildPlatformAttestation } from './attestation-platform.ts';
import { buildSafetyNetAttestation } from './attestation-safetynet.ts';

function buildExtendedAttestation(input: AttestationInput, signedData: Uint8Array): AttestationStatement {
  if (input.format === 'android-safetynet') return buildSafetyNetAttestation(input, signedData);
  if (input.format === 'compound') return buildCompoundAttestation(input, buildAttestationStatement);
  return buildPlatformAttestation(input, signedData);
}
