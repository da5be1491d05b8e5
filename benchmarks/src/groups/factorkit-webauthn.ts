import type * as WebAuthn from '@factorkit/webauthn';
import { type BenchCase, expect } from '../model.ts';
import { loadApi } from '../packages.ts';
import type { AssertionInput } from './webauthn-assertion.ts';
import type { RegistrationInput, RegistrationKind } from './webauthn-registration.ts';

export interface FactorkitCases {
  readonly cases: BenchCase[];
  readonly pending: string[];
  readonly notes?: string[];
}

type WebAuthnApi = typeof WebAuthn;

const ASSERTION_API = [
  'verifyAuthentication',
  'verifyAuthenticationAsync',
  'prepareCredentialKey',
] as const satisfies readonly (keyof WebAuthnApi)[];

/**
 * factorkit's assertion verification four ways: a key prepared once (parsed and imported at
 * login-record load) or the stored COSE_Key decoded on every call, each on the node:crypto and
 * the portable (@noble + WebCrypto for RSA) backend.
 */
export async function factorkitAssertionCases(alg: string, input: AssertionInput): Promise<FactorkitCases> {
  const loaded = await loadApi<WebAuthnApi>('@factorkit/webauthn', ASSERTION_API);
  if (!loaded.ok) return { cases: [], pending: [`factorkit assertion: ${loaded.reason}`] };
  const {
    verifyAuthentication,
    verifyAuthenticationAsync,
    prepareCredentialKey,
    nodeBackend,
    portableBackend,
  } = loaded.api;
  const ceremony = {
    expectedChallenge: input.challenge,
    expectedOrigin: input.origin,
    expectedRpId: input.rpId,
    requireUserVerification: input.requireUserVerification,
  };
  const options = (publicKey: Uint8Array | WebAuthn.CredentialKey, crypto?: WebAuthn.CryptoBackend) => ({
    ...ceremony,
    credential: { id: input.credentialId, publicKey, signCount: input.counter },
    ...(crypto === undefined ? {} : { crypto }),
  });
  const verified = (r: WebAuthn.AuthenticationResult, what: string): void => {
    expect(r.verified, `${what}: verified (got ${r.verified ? '' : `${r.code} at ${r.step ?? '?'}`})`);
  };
  const cases: BenchCase[] = [];
  const notes: string[] = [];

  const preparedNode = prepareCredentialKey(input.cosePublicKey, { crypto: nodeBackend });
  const nodePrepared = options(preparedNode);
  const nodeCose = options(input.cosePublicKey, nodeBackend);
  cases.push(
    {
      key: 'fk-prepared',
      label: 'verifyAuthentication, prepared key (node)',
      role: 'factorkit',
      async: false,
      run: () => verifyAuthentication(input.response, nodePrepared),
      check: () => verified(verifyAuthentication(input.response, nodePrepared), `${alg} prepared (node)`),
    },
    {
      key: 'fk-cose',
      label: 'verifyAuthentication, COSE key decoded per call (node)',
      role: 'factorkit',
      async: false,
      run: () => verifyAuthentication(input.response, nodeCose),
      check: () => verified(verifyAuthentication(input.response, nodeCose), `${alg} COSE per call (node)`),
    },
  );

  let preparedPortable: WebAuthn.CredentialKey | undefined;
  try {
    preparedPortable = prepareCredentialKey(input.cosePublicKey, { crypto: portableBackend });
  } catch (error) {
    notes.push(
      `portable backend cannot import this ${alg} key: ${(error as { code?: string }).code ?? String(error)}`,
    );
  }
  if (preparedPortable !== undefined) {
    const portablePrepared = options(preparedPortable);
    const portableCose = options(input.cosePublicKey, portableBackend);
    cases.push(
      {
        key: 'fk-prepared-portable',
        label: 'verifyAuthenticationAsync, prepared key (portable)',
        role: 'factorkit',
        async: true,
        run: () => verifyAuthenticationAsync(input.response, portablePrepared),
        check: async () =>
          verified(
            await verifyAuthenticationAsync(input.response, portablePrepared),
            `${alg} prepared (portable)`,
          ),
      },
      {
        key: 'fk-cose-portable',
        label: 'verifyAuthenticationAsync, COSE key decoded per call (portable)',
        role: 'factorkit',
        async: true,
        run: () => verifyAuthenticationAsync(input.response, portableCose),
        check: async () =>
          verified(
            await verifyAuthenticationAsync(input.response, portableCose),
            `${alg} COSE per call (portable)`,
          ),
      },
    );
  }
  return { cases, pending: [], notes };
}

const EXPECTED_TYPE: Readonly<Record<RegistrationKind, readonly string[]>> = {
  none: ['none'],
  'packed-self': ['self'],
  'packed-x5c': ['basic', 'attca'],
  'fido-u2f': ['basic', 'attca'],
  'tpm-rsa': ['attca'],
  'android-key': ['basic'],
};

export async function factorkitRegistrationCases(
  kind: RegistrationKind,
  input: RegistrationInput,
): Promise<FactorkitCases> {
  const loaded = await loadApi<WebAuthnApi>('@factorkit/webauthn', ['verifyRegistration']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit registration: ${loaded.reason}`] };
  const { verifyRegistration, nodeBackend, portableBackend } = loaded.api;
  const base = {
    expectedChallenge: input.challenge,
    expectedOrigin: input.origin,
    expectedRpId: input.rpId,
    requireUserVerification: input.requireUserVerification,
    ...(input.now === undefined ? {} : { now: input.now }),
    ...(input.supportedAlgorithms === undefined ? {} : { supportedAlgorithms: input.supportedAlgorithms }),
    ...(input.trustAnchors.length > 0
      ? { trustAnchors: input.trustAnchors, requireTrustedAttestation: true }
      : {}),
  };
  const make = (key: string, label: string, crypto: WebAuthn.CryptoBackend): BenchCase => {
    const opts = { ...base, crypto };
    return {
      key,
      label,
      role: 'factorkit',
      async: true,
      run: () => verifyRegistration(input.response, opts),
      check: async () => {
        const r = await verifyRegistration(input.response, opts);
        expect(
          r.verified,
          `${kind} registration verified (got ${r.verified ? '' : `${r.code} at ${r.step ?? '?'}`})`,
        );
        expect(
          EXPECTED_TYPE[kind].includes(r.attestation.type),
          `${kind}: attestation type ${r.attestation.type} is one of ${EXPECTED_TYPE[kind].join('/')}`,
        );
        if (input.trustAnchors.length > 0)
          expect(r.attestation.trusted, `${kind}: chained to the trust anchor`);
      },
    };
  };
  return {
    cases: [
      make('fk', 'verifyRegistration (node)', nodeBackend),
      make('fk-portable', 'verifyRegistration (portable)', portableBackend),
    ],
    pending: [],
  };
}
