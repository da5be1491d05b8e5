import {
  type AuthenticationResponseJSON,
  type CreateCredentialOptions,
  type RegistrationResponseJSON,
  VirtualAuthenticator,
  type VirtualAuthenticatorOptions,
} from '@factorkit/virtual-authenticator';
import { expect } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/base64url.ts';
import type { VerificationFailure, WebAuthnErrorCode } from '../../src/errors.ts';

export const RP_ID = 'example.com';
export const ORIGIN = 'https://example.com';
export const CHALLENGE: Uint8Array = new Uint8Array(32).fill(7);
export const CHALLENGE_B64: string = encodeBase64url(CHALLENGE);
export const USER_ID: Uint8Array = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

export interface Registered {
  readonly va: VirtualAuthenticator;
  readonly response: RegistrationResponseJSON;
}

/** A fresh virtual authenticator and a registration response from it. */
export function register(
  vaOptions: VirtualAuthenticatorOptions = {},
  create: Partial<Omit<CreateCredentialOptions, 'publicKey'>> & {
    readonly attestation?: 'none' | 'direct';
    readonly algs?: readonly number[];
    readonly userVerification?: 'required' | 'preferred' | 'discouraged';
    readonly rpId?: string;
    readonly residentKey?: 'required' | 'discouraged';
  } = {},
): Registered {
  const va = new VirtualAuthenticator({ seed: 'factorkit webauthn tests', ...vaOptions });
  const { attestation, algs, userVerification, rpId, residentKey, ...client } = create;
  const response = va.createCredential({
    origin: ORIGIN,
    ...client,
    publicKey: {
      rp: { id: rpId ?? RP_ID, name: 'Example' },
      user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
      challenge: CHALLENGE,
      pubKeyCredParams: (algs ?? [-7]).map((alg) => ({ type: 'public-key' as const, alg })),
      attestation: attestation ?? 'direct',
      authenticatorSelection: {
        userVerification: userVerification ?? 'preferred',
        residentKey: residentKey ?? 'required',
      },
    },
  });
  return { va, response };
}

/** An assertion from the credential `reg` created. */
export function authenticate(
  reg: Registered,
  client: Partial<Omit<Parameters<VirtualAuthenticator['getAssertion']>[0], 'publicKey'>> & {
    readonly rpId?: string;
    readonly appid?: string;
    readonly userVerification?: 'required' | 'preferred' | 'discouraged';
  } = {},
): AuthenticationResponseJSON {
  const { rpId, appid, userVerification, ...rest } = client;
  return reg.va.getAssertion({
    origin: ORIGIN,
    ...rest,
    publicKey: {
      challenge: CHALLENGE,
      rpId: rpId ?? RP_ID,
      allowCredentials: [{ type: 'public-key', id: decodeBase64url(reg.response.id) }],
      userVerification: userVerification ?? 'preferred',
      ...(appid === undefined ? {} : { extensions: { appid } }),
    },
  });
}

/** Asserts a rejection with this code at this step. */
export function expectRejected(
  result: { verified: boolean } | VerificationFailure,
  code: WebAuthnErrorCode,
  step: string,
): void {
  expect(result).toMatchObject({ verified: false, code, step });
}

/** Replaces a base64url response member with bytes. */
export function withMember<T extends { response: object }>(r: T, member: string, bytes: Uint8Array): T {
  return { ...r, response: { ...r.response, [member]: encodeBase64url(bytes) } };
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
