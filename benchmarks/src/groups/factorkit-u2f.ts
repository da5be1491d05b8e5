import { loadApi } from '../packages.ts';
import type { FactorkitCases } from './factorkit-webauthn.ts';
import type { U2fSignInput } from './u2f.ts';

export async function factorkitU2fSignCases(_input: U2fSignInput): Promise<FactorkitCases> {
  const loaded = await loadApi('@factorkit/u2f', ['verifySignResponse']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit U2F sign: ${loaded.reason}`] };
  return { cases: [], pending: ['factorkit U2F sign: pending: package not landed'] };
}
