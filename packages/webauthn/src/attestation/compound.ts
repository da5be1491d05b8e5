import { isCborMap } from '../cbor.ts';
import { WebAuthnError } from '../errors.ts';
import {
  type AttestationFormatVerifier,
  type AttestationOutcome,
  attestationFailure,
  type SubStatementOutcome,
} from './types.ts';

/** At most this many statements in one compound attestation (the syntax needs at least 2). */
export const MAX_COMPOUND_STATEMENTS = 4;

const step = (n: number | string): string => `§8.9 step ${n}`;

/**
 * §8.9 Compound attestation. `attStmt = [2* {fmt, attStmt}]`, no statement itself compound.
 * Every statement is verified by its own format's procedure with the same authenticatorData
 * and clientDataHash. Relying Party policy here: ALL statements must verify (one failing
 * statement fails the registration, with its code and step). The outcome lists each
 * statement's format, type and trust path; verifyRegistration computes each one's trust.
 * The overall type is the first statement's.
 */
export const verifyCompoundAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const raw = input.rawAttStmt;
  if (!Array.isArray(raw))
    return attestationFailure('ERR_ATTESTATION_INVALID', 'compound attStmt must be an array', step(1));
  if (raw.length < 2 || raw.length > MAX_COMPOUND_STATEMENTS) {
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      `compound attStmt must hold 2 to ${MAX_COMPOUND_STATEMENTS} statements`,
      step(1),
    );
  }
  const formats = input.formats;
  if (formats === undefined) throw new TypeError('compound attestation needs the format registry');
  const statements: SubStatementOutcome[] = [];
  for (const [i, entry] of raw.entries()) {
    const at = step(`1, statement ${i}`);
    if (!isCborMap(entry) || entry.size !== 2)
      return attestationFailure(
        'ERR_ATTESTATION_INVALID',
        `compound statement ${i} must be {fmt, attStmt}`,
        at,
      );
    const fmt = entry.get('fmt');
    const attStmt = entry.get('attStmt');
    if (typeof fmt !== 'string' || !isCborMap(attStmt))
      return attestationFailure(
        'ERR_ATTESTATION_INVALID',
        `compound statement ${i} must be {fmt, attStmt}`,
        at,
      );
    if (fmt === 'compound')
      return attestationFailure(
        'ERR_ATTESTATION_INVALID',
        'a compound statement cannot contain compound',
        at,
      );
    const verifier = formats.get(fmt);
    if (verifier === undefined)
      return attestationFailure(
        'ERR_UNSUPPORTED_ATTESTATION_FORMAT',
        `compound statement ${i} has an unsupported fmt`,
        at,
      );
    let outcome: AttestationOutcome;
    try {
      outcome = await verifier({ ...input, attStmt, rawAttStmt: attStmt });
    } catch (e) {
      if (e instanceof WebAuthnError)
        return attestationFailure(e.code, `statement ${i} (${fmt}): ${e.message}`, at);
      throw e;
    }
    if (!outcome.ok) {
      return attestationFailure(
        outcome.code,
        `statement ${i} (${fmt}): ${outcome.message}`,
        `§8.9 statement ${i}${outcome.step === undefined ? '' : `, ${outcome.step}`}`,
      );
    }
    statements.push({ fmt, type: outcome.type, trustPath: outcome.trustPath });
  }
  const first = statements[0] as SubStatementOutcome;
  return { ok: true, type: first.type, trustPath: [], statements };
};
