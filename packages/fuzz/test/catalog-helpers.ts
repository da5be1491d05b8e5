import {
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  VirtualAuthenticator,
  type VirtualAuthenticatorOptions,
} from '@factorkit/virtual-authenticator';
import {
  type AuthenticationResult,
  decodeBase64url,
  decodeCbor,
  encodeBase64url,
  type RegistrationResult,
  type VerifyAuthenticationOptions,
  type VerifyRegistrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from '@factorkit/webauthn';

export const RP_ID = 'example.com';
export const ORIGIN = 'https://example.com';
export const CHALLENGE: Uint8Array = new Uint8Array(32).fill(5);
export const USER_ID: Uint8Array = Uint8Array.of(9, 8, 7, 6);

export interface Reg {
  readonly va: VirtualAuthenticator;
  readonly response: RegistrationResponseJSON;
}

export function reg(
  va: VirtualAuthenticatorOptions = {},
  o: { attestation?: 'none' | 'direct'; alg?: number; uv?: 'required' | 'discouraged' | 'preferred' } = {},
): Reg {
  const authenticator = new VirtualAuthenticator({ seed: 'catalog', ...va });
  const response = authenticator.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: USER_ID, name: 'alice', displayName: 'Alice' },
      challenge: CHALLENGE,
      pubKeyCredParams: [{ type: 'public-key', alg: o.alg ?? -7 }],
      attestation: o.attestation ?? 'direct',
      authenticatorSelection: { residentKey: 'required', userVerification: o.uv ?? 'preferred' },
    },
  });
  return { va: authenticator, response };
}

export function assertion(
  r: Reg,
  uv: 'required' | 'discouraged' | 'preferred' = 'preferred',
): AuthenticationResponseJSON {
  return r.va.getAssertion({
    origin: ORIGIN,
    publicKey: {
      challenge: CHALLENGE,
      rpId: RP_ID,
      allowCredentials: [{ type: 'public-key', id: decodeBase64url(r.response.id) }],
      userVerification: uv,
    },
  });
}

export const regOptions = (over: Partial<VerifyRegistrationOptions> = {}): VerifyRegistrationOptions => ({
  expectedChallenge: CHALLENGE,
  expectedOrigin: ORIGIN,
  expectedRpId: RP_ID,
  ...over,
});

export function credentialKey(r: Reg): Uint8Array {
  const ao = decodeCbor(decodeBase64url(r.response.response.attestationObject)) as Map<string, unknown>;
  const ad = ao.get('authData') as Uint8Array;
  return ad.subarray(55 + (((ad[53] as number) << 8) | (ad[54] as number)));
}

export const authOptions = (
  r: Reg,
  over: Partial<VerifyAuthenticationOptions> & { signCount?: number; backupEligible?: boolean } = {},
): VerifyAuthenticationOptions => {
  const { signCount, backupEligible, ...rest } = over;
  return {
    expectedChallenge: CHALLENGE,
    expectedOrigin: ORIGIN,
    expectedRpId: RP_ID,
    credential: {
      id: r.response.id,
      publicKey: credentialKey(r),
      signCount: signCount ?? 0,
      userHandle: USER_ID,
      ...(backupEligible === undefined ? {} : { backupEligible }),
    },
    ...rest,
  };
};

export async function registers(
  response: unknown,
  over: Partial<VerifyRegistrationOptions> = {},
): Promise<RegistrationResult> {
  return verifyRegistration(response, regOptions(over));
}

export function authenticates(
  response: unknown,
  r: Reg,
  over: Parameters<typeof authOptions>[1] = {},
): AuthenticationResult {
  return verifyAuthentication(response, authOptions(r, over));
}

export const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Replaces one member of `response.response` with bytes (base64url-encoded). */
export function withBytes<T extends { response: object }>(r: T, member: string, bytes: Uint8Array): T {
  return { ...r, response: { ...r.response, [member]: encodeBase64url(bytes) } };
}

export function clientDataOf(r: { response: { clientDataJSON: string } }): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(decodeBase64url(r.response.clientDataJSON))) as Record<
    string,
    unknown
  >;
}

/** Re-encodes clientDataJSON with `text` verbatim (no re-signing). */
export function withClientDataText<T extends { response: { clientDataJSON: string } }>(
  r: T,
  text: string,
): T {
  return withBytes(r as never, 'clientDataJSON', utf8(text)) as T;
}
