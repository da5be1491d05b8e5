import type * as U2f from '@factorkit/u2f';
import { expect } from '../model.ts';
import { loadApi } from '../packages.ts';
import type { FactorkitCases } from './factorkit-webauthn.ts';
import type { U2fSignInput } from './u2f.ts';

type U2fApi = typeof U2f;

export async function factorkitU2fSignCases(input: U2fSignInput): Promise<FactorkitCases> {
  const loaded = await loadApi<U2fApi>('@factorkit/u2f', ['verifyAuthentication']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit U2F sign: ${loaded.reason}`] };
  const { verifyAuthentication } = loaded.api;
  const options = {
    response: {
      keyHandle: input.keyHandle,
      clientData: input.clientData,
      signatureData: input.signatureData,
    },
    appId: input.appId,
    expectedChallenge: input.challenge,
    expectedFacetIds: input.origin,
    credential: { keyHandle: input.keyHandle, publicKey: input.publicKey, counter: input.counter },
  };
  return {
    cases: [
      {
        key: 'fk',
        label: '@factorkit/u2f verifyAuthentication (node)',
        role: 'factorkit',
        async: true,
        run: () => verifyAuthentication(options),
        check: async () => {
          const r = await verifyAuthentication(options);
          expect(r.verified, `U2F sign verified (got ${r.verified ? '' : r.code})`);
          expect(r.counter > input.counter && r.userPresent, 'U2F sign: counter advanced, user present');
        },
      },
    ],
    pending: [],
    notes: [
      '@factorkit/u2f has one (node:crypto) backend; validated points are imported once and cached (bounded, keyed by the full 65 bytes).',
    ],
  };
}
