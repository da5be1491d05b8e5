import { encodeCbor, mutate } from '@factorkit/virtual-authenticator';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../src/base64url.ts';
import {
  coseKeyFromSpki,
  DEFAULT_SUPPORTED_ALGORITHMS,
  ML_DSA_PARAMETER_SETS,
  parseCoseKey,
} from '../src/cose.ts';
import { WebAuthnError } from '../src/errors.ts';
import { prepareCredentialKey } from '../src/prepareCredentialKey.ts';
import { verifyAuthentication, verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { authenticate, CHALLENGE, expectRejected, ORIGIN, RP_ID, register } from './helpers/ceremony.ts';

// ML-DSA (FIPS 204) credentials as COSE AKP keys (RFC 9964): parsing, strict lengths, the
// empty context, and full ceremonies through the virtual authenticator on both backends.

const ceremony = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID } as const;

function akp(alg: number, pub: Uint8Array, extra: [number, unknown][] = []): Uint8Array {
  return encodeCbor(new Map<number, unknown>([[1, 7], [3, alg], [-1, pub], ...extra]) as never);
}

const PARAMETER_SETS = [
  ['ML-DSA-44', -48, 1312, 2420],
  ['ML-DSA-65', -49, 1952, 3309],
  ['ML-DSA-87', -50, 2592, 4627],
] as const;

describe('COSE AKP keys (RFC 9964 §4)', () => {
  it.each(PARAMETER_SETS)('%s: alg %i, %i-byte pub, %i-byte signature', (name, alg, pkLen, sigLen) => {
    const set = ML_DSA_PARAMETER_SETS.get(alg);
    expect(set).toMatchObject({ name, publicKeyLength: pkLen, signatureLength: sigLen });
    const key = parseCoseKey(akp(alg, new Uint8Array(pkLen).fill(1)));
    expect(key).toMatchObject({ kty: 'AKP', alg });
  });

  it('is accepted by default (Standards Track RFC 9964), but not offered by default', () => {
    expect(DEFAULT_SUPPORTED_ALGORITHMS).toEqual(expect.arrayContaining([-48, -49, -50]));
  });

  it.each(PARAMETER_SETS)(
    '%s: a public key one byte short or long is ERR_INVALID_PUBLIC_KEY',
    (_n, alg, pkLen) => {
      for (const len of [pkLen - 1, pkLen + 1, 0]) {
        expect(() => parseCoseKey(akp(alg, new Uint8Array(len)))).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_PUBLIC_KEY' }),
        );
      }
    },
  );

  it('a key of one parameter set under another alg is refused (the alg fixes the set)', () => {
    expect(() => parseCoseKey(akp(-49, new Uint8Array(1312)))).toThrow(WebAuthnError);
  });

  it('refuses private key parameters (priv -2, seed -3), crv, and a non-bstr pub', () => {
    const pub = new Uint8Array(1312);
    for (const extra of [
      [[-2, new Uint8Array(2560)]],
      [[-3, new Uint8Array(32)]],
      [[2, new Uint8Array(4)]],
    ] as [number, unknown][][]) {
      expect(() => parseCoseKey(akp(-48, pub, extra))).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_PUBLIC_KEY' }),
      );
    }
    const noPub = encodeCbor(
      new Map<number, unknown>([
        [1, 7],
        [3, -48],
      ]) as never,
    );
    expect(() => parseCoseKey(noPub)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PUBLIC_KEY' }));
    expect(() => parseCoseKey(akp(-48, 'x' as never))).toThrow(WebAuthnError);
  });

  it('AKP with a classical alg, and an ML-DSA alg on an OKP key, are refused', () => {
    expect(() => parseCoseKey(akp(-7, new Uint8Array(1312)))).toThrow(WebAuthnError);
    const okp = encodeCbor(
      new Map<number, unknown>([
        [1, 1],
        [3, -48],
        [-1, 6],
        [-2, new Uint8Array(32)],
      ]) as never,
    );
    expect(() => parseCoseKey(okp)).toThrow(WebAuthnError);
  });

  it('reads an ML-DSA certificate SPKI (RFC 9881) only for the matching alg', () => {
    const { publicKey } = ml_dsa44.keygen(new Uint8Array(32).fill(3));
    const spki = new Uint8Array([
      0x30,
      0x82,
      0x05,
      0x32,
      0x30,
      0x0b,
      0x06,
      0x09,
      0x60,
      0x86,
      0x48,
      0x01,
      0x65,
      0x03,
      0x04,
      0x03,
      0x11,
      0x03,
      0x82,
      0x05,
      0x21,
      0x00,
      ...publicKey,
    ]);
    expect(coseKeyFromSpki(spki, -48)).toMatchObject({ kty: 'AKP', alg: -48 });
    expect(() => coseKeyFromSpki(spki, -49)).toThrow(WebAuthnError);
    expect(() => coseKeyFromSpki(spki, -7)).toThrow(WebAuthnError);
  });
});

describe.each(BACKENDS)('ML-DSA signatures on the %s backend', (_backend, crypto) => {
  const { publicKey, secretKey } = ml_dsa44.keygen(new Uint8Array(32).fill(9));
  const message = new TextEncoder().encode('authenticatorData || clientDataHash');
  const imported = () => crypto.importKey(parseCoseKey(akp(-48, publicKey)));

  it('verifies pure ML-DSA with the empty context', async () => {
    expect(await crypto.verify(imported(), ml_dsa44.sign(message, secretKey), message)).toBe(true);
  });

  it('rejects a signature made with a non-empty context string (COSE uses none)', async () => {
    const sig = ml_dsa44.sign(message, secretKey, { context: new Uint8Array([1]) });
    expect(await crypto.verify(imported(), sig, message)).toBe(false);
  });

  it('rejects a signature one byte short, one byte long, or empty — without throwing', async () => {
    const sig = ml_dsa44.sign(message, secretKey);
    const longer = new Uint8Array(sig.length + 1);
    longer.set(sig);
    for (const bad of [sig.subarray(0, sig.length - 1), longer, new Uint8Array(0)]) {
      expect(await crypto.verify(imported(), bad, message)).toBe(false);
    }
  });

  it('rejects HashML-DSA (prehash) signatures over the same message', async () => {
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const sig = ml_dsa44.prehash(sha256).sign(message, secretKey);
    expect(await crypto.verify(imported(), sig, message)).toBe(false);
  });
});

describe.each(BACKENDS)('ML-DSA ceremonies through the virtual authenticator (%s backend)', (_b, crypto) => {
  describe.each(PARAMETER_SETS)('%s', (name, alg, _pk, sigLen) => {
    const reg = register({ algorithms: [name] }, { algs: [alg] });

    it('registers (packed full, packed self, none) and authenticates', async () => {
      for (const attestation of ['direct', 'none'] as const) {
        const r = register({ algorithms: [name] }, { algs: [alg], attestation });
        const result = await verifyRegistration(r.response, { ...ceremony, crypto });
        expect(result).toMatchObject({ verified: true, alg });
      }
      const self = register({ algorithms: [name], selfAttestation: true }, { algs: [alg] });
      expect(await verifyRegistration(self.response, { ...ceremony, crypto })).toMatchObject({
        verified: true,
        attestation: { type: 'self' },
      });
      const registered = await verifyRegistration(reg.response, { ...ceremony, crypto });
      if (!registered.verified) throw new Error(registered.message);
      const assertion = authenticate(reg);
      expect(decodeBase64url(assertion.response.signature).length).toBe(sigLen);
      const key = prepareCredentialKey(registered.publicKey, { crypto });
      const result = await verifyAuthenticationAsync(assertion, {
        ...ceremony,
        credential: { id: reg.response.id, publicKey: key, signCount: 0 },
      });
      expect(result).toMatchObject({ verified: true });
      if (crypto.verifySync !== undefined) {
        expect(
          verifyAuthentication(assertion, {
            ...ceremony,
            crypto,
            credential: { id: reg.response.id, publicKey: registered.publicKey, signCount: 0 },
          }),
        ).toMatchObject({ verified: true });
      }
    });

    it('rejects a tampered assertion signature and data signed by another ML-DSA key', async () => {
      const registered = await verifyRegistration(reg.response, { ...ceremony, crypto });
      if (!registered.verified) throw new Error(registered.message);
      const credential = { id: reg.response.id, publicKey: registered.publicKey, signCount: 0 };
      const assertion = authenticate(reg);
      const flipped = mutate.corruptSignature(assertion, 'flip-bit');
      expectRejected(
        await verifyAuthenticationAsync(flipped, { ...ceremony, crypto, credential }),
        'ERR_INVALID_SIGNATURE',
        '7.2 step 21',
      );
      const other = mutate.resignWithOtherKey(authenticate(reg), name);
      expectRejected(
        await verifyAuthenticationAsync(other, { ...ceremony, crypto, credential }),
        'ERR_INVALID_SIGNATURE',
        '7.2 step 21',
      );
    });

    it('is refused at step 20 when the RP did not offer it', async () => {
      expectRejected(
        await verifyRegistration(reg.response, { ...ceremony, crypto, supportedAlgorithms: [-7] }),
        'ERR_ALGORITHM_NOT_ALLOWED',
        '7.1 step 20',
      );
    });
  });
});
