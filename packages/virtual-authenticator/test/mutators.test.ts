import { describe, expect, it } from 'vitest';
import { decodeCborMap, mutate, VirtualAuthenticator } from '../src/index.ts';
import { b64u, checkAssertion, checkRegistration, parseAuthData } from './independent.ts';

const origin = 'https://example.com';
const rpId = 'example.com';
const challenge = 'AAECAwQFBgcICQ';

function setup(format: 'packed' | 'fido-u2f' | 'none' = 'packed', alg = -7) {
  const va = new VirtualAuthenticator({ seed: `mut-${format}-${alg}`, attestationFormat: format });
  const reg = va.createCredential({
    origin,
    publicKey: {
      rp: { name: 'x' },
      user: { id: 'AQ', name: 'u', displayName: 'u' },
      challenge,
      pubKeyCredParams: [{ type: 'public-key', alg }],
      attestation: 'direct',
    },
  });
  const publicKey = checkRegistration(reg, {
    challenge,
    origin,
    rpId,
    trustAnchor: va.ca.rootPem,
  }).credentialPublicKey;
  const auth = va.getAssertion({
    origin,
    publicKey: { challenge, allowCredentials: [{ type: 'public-key', id: reg.id }] },
  });
  return { va, reg, auth, publicKey };
}

const fails = (fn: () => unknown, message: string) => expect(fn).toThrow(message);

describe('WebAuthn mutators', () => {
  it('flipFlag with resign: only the flag changes, the signature stays valid', () => {
    const { va, auth, publicKey } = setup();
    const m = mutate.flipFlag(auth, 'UV', { resign: va });
    const p = checkAssertion(m, { challenge, origin, rpId, publicKey });
    expect(p.flags & 0x04).toBe(0);
    fails(
      () => checkAssertion(mutate.flipFlag(auth, 'UV'), { challenge, origin, rpId, publicKey }),
      'signature',
    );
    fails(
      () =>
        checkAssertion(mutate.setFlag(auth, 'UP', false, { resign: va }), {
          challenge,
          origin,
          rpId,
          publicKey,
        }),
      'UP',
    );
  });

  it('origin, challenge, type and rpIdHash mutations fail the matching check', () => {
    const { va, auth, publicKey } = setup();
    const opts = { resign: va };
    fails(
      () =>
        checkAssertion(mutate.setOrigin(auth, 'https://evil.example', opts), {
          challenge,
          origin,
          rpId,
          publicKey,
        }),
      'origin',
    );
    fails(
      () => checkAssertion(mutate.setChallenge(auth, 'AAAA', opts), { challenge, origin, rpId, publicKey }),
      'challenge',
    );
    fails(
      () =>
        checkAssertion(mutate.setType(auth, 'webauthn.create', opts), { challenge, origin, rpId, publicKey }),
      'type',
    );
    fails(
      () =>
        checkAssertion(mutate.setRpIdHash(auth, 'evil.example', opts), {
          challenge,
          origin,
          rpId,
          publicKey,
        }),
      'rpIdHash',
    );
  });

  it('setSignCount replays an old counter with a valid signature', () => {
    const { va, auth, publicKey } = setup();
    expect(
      checkAssertion(mutate.setSignCount(auth, 0, { resign: va }), { challenge, origin, rpId, publicKey })
        .signCount,
    ).toBe(0);
  });

  it('truncate / append trailing bytes / corrupt / other key', () => {
    const { va, auth, publicKey } = setup();
    expect(b64u(mutate.truncate(auth, 'signature', 2).response.signature).length).toBe(
      b64u(auth.response.signature).length - 2,
    );
    const trailing = mutate.appendTrailingBytes(auth, 'authenticatorData', Uint8Array.of(0xa0), {
      resign: va,
    });
    expect(parseAuthData(b64u(trailing.response.authenticatorData)).rest).toBe(1);
    const der = b64u(mutate.corruptSignature(auth).response.signature);
    expect(der[1]).toBe(der.length - 1);
    fails(
      () => checkAssertion(mutate.corruptSignature(auth, 'flip-bit'), { challenge, origin, rpId, publicKey }),
      'signature',
    );
    fails(
      () => checkAssertion(mutate.resignWithOtherKey(auth), { challenge, origin, rpId, publicKey }),
      'signature',
    );
  });

  it('registration mutations re-attest with the same format', () => {
    for (const format of ['packed', 'fido-u2f'] as const) {
      const { va, reg } = setup(format);
      const m = mutate.setOrigin(reg, 'https://evil.example', { resign: va });
      expect(
        checkRegistration(m, { challenge, origin: 'https://evil.example', rpId, trustAnchor: va.ca.rootPem })
          .fmt,
      ).toBe(format);
      fails(
        () =>
          checkRegistration(mutate.setOrigin(reg, 'https://evil.example'), {
            challenge,
            origin: 'https://evil.example',
            rpId,
          }),
        'sig',
      );
      fails(() => checkRegistration(mutate.resignWithOtherKey(reg), { challenge, origin, rpId }), 'sig');
      fails(
        () => checkRegistration(mutate.corruptSignature(reg, 'flip-bit'), { challenge, origin, rpId }),
        'sig',
      );
    }
  });

  it('swap algorithms and replace the attestation', () => {
    const { reg } = setup('packed');
    const swapped = mutate.swapAttestationAlgorithm(reg, -257);
    expect(
      (decodeCborMap(b64u(swapped.response.attestationObject)).get('attStmt') as Map<string, unknown>).get(
        'alg',
      ),
    ).toBe(-257);
    const keySwap = mutate.swapCredentialAlgorithm(reg, -8);
    const ad = parseAuthData(
      decodeCborMap(b64u(keySwap.response.attestationObject)).get('authData') as Uint8Array,
    );
    expect(decodeCborMap(ad.credentialPublicKey as Uint8Array).get(3)).toBe(-8);
    const none = mutate.setAttestation(reg, 'none', new Map());
    expect(decodeCborMap(b64u(none.response.attestationObject)).get('fmt')).toBe('none');
  });
});
