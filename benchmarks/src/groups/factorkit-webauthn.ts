import type { BenchCase } from '../model.ts';
import { loadApi } from '../packages.ts';
import type { AssertionInput } from './webauthn-assertion.ts';
import type { RegistrationInput, RegistrationKind } from './webauthn-registration.ts';

export interface FactorkitCases {
  readonly cases: BenchCase[];
  readonly pending: string[];
}

const ASSERTION_API = ['verifyAuthenticationResponse'];

export async function factorkitAssertionCases(_alg: string, _input: AssertionInput): Promise<FactorkitCases> {
  const loaded = await loadApi('@factorkit/webauthn', ASSERTION_API);
  if (!loaded.ok) return { cases: [], pending: [`factorkit assertion: ${loaded.reason}`] };
  return { cases: [], pending: ['factorkit assertion: pending: package not landed'] };
}

export async function factorkitRegistrationCases(
  _kind: RegistrationKind,
  _input: RegistrationInput,
): Promise<FactorkitCases> {
  const loaded = await loadApi('@factorkit/webauthn', ['verifyRegistrationResponse']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit registration: ${loaded.reason}`] };
  return { cases: [], pending: ['factorkit registration: pending: package not landed'] };
}
