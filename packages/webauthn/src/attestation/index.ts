import { verifyAndroidKeyAttestation } from './androidKey.ts';
import { verifyAndroidSafetyNetAttestation } from './androidSafetyNet.ts';
import { verifyAppleAttestation } from './apple.ts';
import { verifyCompoundAttestation } from './compound.ts';
import { verifyFidoU2fAttestation } from './fidoU2f.ts';
import { verifyNoneAttestation } from './none.ts';
import { verifyPackedAttestation } from './packed.ts';
import { verifyTpmAttestation } from './tpm.ts';
import type { AttestationFormatVerifier } from './types.ts';

export { OID_FIDO_GEN_CE_AAGUID } from './packed.ts';
export type {
  AndroidKeyRevocationStatus,
  AttestationFormatVerifier,
  AttestationInput,
  AttestationOutcome,
  AttestationPolicy,
  AttestationType,
  SubStatementOutcome,
} from './types.ts';

/**
 * Attestation statement format identifiers → verification procedures (WebAuthn §8,
 * IANA "WebAuthn Attestation Statement Format Identifiers"). `fmt` is matched
 * case-sensitively (§7.1 step 21). A new format is one more entry here.
 */
export const ATTESTATION_FORMATS: ReadonlyMap<string, AttestationFormatVerifier> = new Map([
  ['none', verifyNoneAttestation],
  ['packed', verifyPackedAttestation],
  ['fido-u2f', verifyFidoU2fAttestation],
  ['tpm', verifyTpmAttestation],
  ['android-key', verifyAndroidKeyAttestation],
  ['android-safetynet', verifyAndroidSafetyNetAttestation],
  ['apple', verifyAppleAttestation],
  ['compound', verifyCompoundAttestation],
]);

/**
 * Registered formats this version does not verify yet; they are rejected as unsupported. Empty:
 * every format of the IANA registry (WebAuthn §8.2–§8.9) is verified.
 */
export const PENDING_ATTESTATION_FORMATS: readonly string[] = [];
