import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/**
 * §8.7 None attestation: attStmt must be the empty map. A non-empty statement under `none`
 * is rejected rather than ignored (conformance Resp-7 F-1, catalog ATT-2).
 */
export const verifyNoneAttestation: AttestationFormatVerifier = async ({
  attStmt,
}): Promise<AttestationOutcome> => {
  if (attStmt.size !== 0)
    return attestationFailure('ERR_ATTESTATION_INVALID', 'none attestation must have an empty attStmt');
  return { ok: true, type: 'none', trustPath: [] };
};
