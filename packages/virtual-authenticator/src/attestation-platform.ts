import type { AttestationInput, AttestationStatement } from './attestation.ts';

/** tpm, android-key and apple attestation statements. */
export function buildPlatformAttestation(
  input: AttestationInput,
  _signedData: Uint8Array,
): AttestationStatement {
  throw new TypeError(`attestation format not implemented yet: ${input.format}`);
}
