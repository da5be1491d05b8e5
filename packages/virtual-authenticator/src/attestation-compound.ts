// compound (§8.9): an array of {fmt, attStmt}, each statement built by its own format over the
// same authenticatorData and clientDataHash. No statement is itself compound.
import type { AttestationInput, AttestationStatement } from './attestation.ts';
import type { CborValue } from './cbor.ts';
import type { AttestationFormat } from './webauthn-types.ts';

/** The statements of a compound attestation by default: packed with x5c, then packed self. */
export const DEFAULT_COMPOUND_FORMATS: readonly (readonly [AttestationFormat, boolean])[] = [
  ['packed', false],
  ['packed', true],
];

export function buildCompoundAttestation(
  input: AttestationInput,
  build: (input: AttestationInput) => AttestationStatement,
): AttestationStatement {
  const parts = input.compound ?? DEFAULT_COMPOUND_FORMATS;
  if (parts.length < 2) throw new TypeError('compound attestation needs at least two statements');
  return parts.map(([format, selfAttestation]): CborValue => {
    if (format === 'compound') throw new TypeError('a compound statement cannot contain compound');
    return new Map<string, CborValue>([
      ['fmt', format],
      ['attStmt', build({ ...input, format, selfAttestation }) as CborValue],
    ]);
  });
}
