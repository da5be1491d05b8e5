// Negatives for the android-safetynet and compound registration groups (WebAuthn §8.5, §8.9),
// hooked into registrationGroup. Each one breaks a single step of the format's procedure.
import type { FixtureContext, FixtureExpect } from '@factorkit/testkit';
import {
  type CborValue,
  decodeCborMap,
  encodeCbor,
  fromBase64url,
  mutate,
  type RegistrationResponseJSON,
  toBase64url,
} from '../src/index.ts';

type Add = (
  stem: string,
  response: RegistrationResponseJSON,
  expect: FixtureExpect,
  notes: string,
  context?: FixtureContext,
) => void;

const fail = (error: string): FixtureExpect => ({ verified: false, scope: 'ceremony', error, result: {} });

/** Replaces the attestationObject's attStmt with any CBOR value (compound's is an array). */
function withAttStmt(r: RegistrationResponseJSON, attStmt: CborValue): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(r.response.attestationObject));
  ao.set('attStmt', attStmt);
  return { ...r, response: { ...r.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

function attStmtOf(r: RegistrationResponseJSON): CborValue {
  return decodeCborMap(fromBase64url(r.response.attestationObject)).get('attStmt') as CborValue;
}

export function attestationFormatNegatives(
  format: 'android-safetynet' | 'compound',
  reg: RegistrationResponseJSON,
  create: (options: {
    readonly safetyNet?: { readonly ctsProfileMatch?: boolean };
    readonly clock?: () => Date;
  }) => RegistrationResponseJSON,
  add: Add,
  ctx: (extra?: Partial<FixtureContext>) => FixtureContext,
): void {
  // Changing authenticatorData after attestation breaks what every statement is bound to.
  add(
    'registration-statement-stale',
    mutate.setFlag(reg, 'UV', false),
    fail(format === 'compound' ? 'ERR_INVALID_SIGNATURE' : 'ERR_ATTESTATION_CHALLENGE_MISMATCH'),
    format === 'compound'
      ? 'UV flag cleared after attestation: the first statement (packed) no longer verifies over authenticatorData ‖ clientDataHash (§8.9, §8.2).'
      : 'UV flag cleared after attestation: the JWS nonce is no longer base64(SHA-256(authenticatorData ‖ clientDataHash)) (§8.5 step 3).',
  );
  if (format === 'android-safetynet') {
    add(
      'registration-cts-profile-mismatch',
      create({ safetyNet: { ctsProfileMatch: false } }),
      fail('ERR_ATTESTATION_DEVICE_INTEGRITY'),
      'ctsProfileMatch false in the JWS payload; required by default (context.options.attestationSafetyNetEnforceCTSCheck unset).',
    );
    add(
      'registration-cts-profile-relaxed',
      create({ safetyNet: { ctsProfileMatch: false } }),
      { verified: true, scope: 'ceremony', error: null, result: { fmt: 'android-safetynet' } },
      'ctsProfileMatch false, accepted because the RP relaxed the check (context.options.attestationSafetyNetEnforceCTSCheck = false).',
      ctx({ options: { attestationSafetyNetEnforceCTSCheck: false } }),
    );
    add(
      'registration-timestamp-stale',
      create({ clock: () => new Date('2025-05-31T23:58:00.000Z') }),
      fail('ERR_ATTESTATION_EXPIRED'),
      'timestampMs two minutes before context.now: older than the 60 s window (§8.5, SafetyNet guidance).',
    );
    const jws = new TextDecoder().decode((attStmtOf(reg) as Map<string, Uint8Array>).get('response'));
    const [h, p, s] = jws.split('.') as [string, string, string];
    const flipped = `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
    add(
      'registration-jws-signature-corrupted',
      withAttStmt(
        reg,
        new Map<string, CborValue>([
          ['ver', (attStmtOf(reg) as Map<string, CborValue>).get('ver') as string],
          ['response', new TextEncoder().encode(`${h}.${p}.${flipped}`)],
        ]),
      ),
      fail('ERR_INVALID_SIGNATURE'),
      'One character of the JWS signature changed (§8.5 step 4).',
    );
  } else {
    const stmts = attStmtOf(reg) as CborValue[];
    add(
      'registration-single-statement',
      withAttStmt(reg, stmts.slice(0, 1)),
      fail('ERR_ATTESTATION_INVALID'),
      'compound attStmt with one statement: the syntax needs at least two (§8.9).',
    );
    add(
      'registration-nested-compound',
      withAttStmt(reg, [
        stmts[0] as CborValue,
        new Map<string, CborValue>([
          ['fmt', 'compound'],
          ['attStmt', new Map()],
        ]),
      ]),
      fail('ERR_ATTESTATION_INVALID'),
      'A compound statement inside compound (§8.9 nonCompoundAttStmt).',
    );
  }
}
