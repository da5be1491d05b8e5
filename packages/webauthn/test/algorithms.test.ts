import { generateKeyPairSync, sign } from 'node:crypto';
import {
  decodeAuthenticatorData,
  encodeAuthenticatorData,
  encodeCbor,
  mutate,
} from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { decodeCbor } from '../src/cbor.ts';
import { DEFAULT_SUPPORTED_ALGORITHMS } from '../src/cose.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import {
  authenticate,
  CHALLENGE,
  expectRejected,
  ORIGIN,
  RP_ID,
  register,
  withMember,
} from './helpers/ceremony.ts';

// Opt-in algorithms (ES256K, RS1), the policy list on the stored key, and keys the virtual
// authenticator does not make: built here with node:crypto under `none` attestation.

function coseFor(kind: 'secp256k1' | 'rsa'): {
  cose: Uint8Array;
  signer: (data: Uint8Array) => Uint8Array;
  alg: number;
} {
  if (kind === 'secp256k1') {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = encodeCbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -47],
        [-1, 8],
        [-2, decodeBase64url(jwk.x as string)],
        [-3, decodeBase64url(jwk.y as string)],
      ]) as never,
    );
    return { cose, alg: -47, signer: (d) => sign('sha256', d, privateKey) };
  }
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = encodeCbor(
    new Map<number, unknown>([
      [1, 3],
      [3, -65535],
      [-1, decodeBase64url(jwk.n as string)],
      [-2, decodeBase64url(jwk.e as string)],
    ]) as never,
  );
  return { cose, alg: -65535, signer: (d) => sign('sha1', d, privateKey) };
}

describe.each(BACKENDS)('algorithm policy on the %s backend', (_name, crypto) => {
  const base = register({}, { attestation: 'none' });

  /** A none-attestation registration whose credential key is replaced by `cose`. */
  function registrationWith(cose: Uint8Array): unknown {
    return mutate.setAttestation(
      (() => {
        const ao = decodeCbor(decodeBase64url(base.response.response.attestationObject)) as Map<
          string,
          Uint8Array
        >;
        const parts = decodeAuthenticatorData(ao.get('authData') as Uint8Array);
        const acd = parts.attestedCredentialData;
        if (acd === undefined) throw new Error('no credential');
        const authData = encodeAuthenticatorData({
          ...parts,
          attestedCredentialData: { ...acd, credentialPublicKey: cose },
        });
        return withMember(
          base.response,
          'attestationObject',
          encodeCbor(
            new Map<string, unknown>([
              ['fmt', 'none'],
              ['attStmt', new Map()],
              ['authData', authData],
            ]) as never,
          ),
        );
      })(),
      'none',
    );
  }

  for (const kind of ['secp256k1', 'rsa'] as const) {
    it(`${kind === 'rsa' ? 'RS1' : 'ES256K'} is opt-in at registration (7.1 step 20) and verifies when listed`, async () => {
      const { cose, alg, signer } = coseFor(kind);
      expect(DEFAULT_SUPPORTED_ALGORITHMS).not.toContain(alg);
      const reg = registrationWith(cose);
      const opts = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID, crypto };
      expectRejected(await verifyRegistration(reg, opts), 'ERR_ALGORITHM_NOT_ALLOWED', '7.1 step 20');
      const ok = await verifyRegistration(reg, { ...opts, supportedAlgorithms: [-7, alg] });
      expect(ok).toMatchObject({ verified: true, alg });
      // An assertion signed with that key, checked against the stored key under the same policy.
      const a = authenticate(base);
      const authData = decodeBase64url(a.response.authenticatorData);
      const hash = new Uint8Array(
        await globalThis.crypto.subtle.digest('SHA-256', decodeBase64url(a.response.clientDataJSON)),
      );
      const signed = withMember(a, 'signature', signer(new Uint8Array([...authData, ...hash])));
      const authOpts = { ...opts, credential: { id: a.id, publicKey: cose, signCount: 0 } };
      expectRejected(
        await verifyAuthenticationAsync(signed, authOpts),
        'ERR_ALGORITHM_NOT_ALLOWED',
        '7.2 step 6',
      );
      expect(
        (await verifyAuthenticationAsync(signed, { ...authOpts, supportedAlgorithms: [alg] })).verified,
      ).toBe(true);
      expectRejected(
        await verifyAuthenticationAsync(a, { ...authOpts, supportedAlgorithms: [alg] }),
        'ERR_INVALID_SIGNATURE',
        '7.2 step 21',
      );
    });
  }

  it('7.2 step 7: an assertion whose authenticatorData carries attested credential data is rejected', async () => {
    const a = authenticate(base);
    const ao = decodeCbor(decodeBase64url(base.response.response.attestationObject)) as Map<
      string,
      Uint8Array
    >;
    const regAuthData = ao.get('authData') as Uint8Array;
    const cdj = decodeBase64url(a.response.clientDataJSON);
    const sig = base.va.signAssertion(a.id, regAuthData, cdj);
    const withAt = withMember(withMember(a, 'authenticatorData', regAuthData), 'signature', sig);
    const v = await verifyRegistration(base.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
    });
    if (!v.verified) throw new Error('registration failed');
    const opts = {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
      credential: { id: a.id, publicKey: v.publicKey, signCount: 0 },
    };
    expect((await verifyAuthenticationAsync(a, opts)).verified).toBe(true);
    expectRejected(
      await verifyAuthenticationAsync(withAt, opts),
      'ERR_AUTHENTICATOR_DATA_INVALID',
      '7.2 step 7',
    );
    expect(encodeBase64url(regAuthData).length).toBeGreaterThan(0);
  });
});
