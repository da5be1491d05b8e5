import { createTestCa } from '@factorkit/virtual-authenticator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeBase64urlWithSpare, isBase64url } from '../src/base64url.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { authenticate, CHALLENGE, expectRejected, ORIGIN, RP_ID, register } from './helpers/ceremony.ts';

// The authentication hot path skips work without skipping checks: ids are compared as strict
// base64url text, RP ID hashes are cached, authenticatorData is decoded with room for the
// clientDataJSON hash. These tests pin that each shortcut decides exactly as the long way.

describe('B64-1: the allocation-free validator and the spare-room decoder agree with the decoder', () => {
  const chars = fc.constantFrom(...'AQgw_-Zz09+/= .\u00e9'.split(''));
  it('isBase64url(s) holds exactly when decodeBase64url(s) does not throw', () => {
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 14 }), (cs) => {
        const s = cs.join('');
        let decodes = true;
        try {
          decodeBase64url(s);
        } catch {
          decodes = false;
        }
        expect(isBase64url(s)).toBe(decodes);
      }),
      { numRuns: 2000 },
    );
  });
  it('decodeBase64urlWithSpare = decoded bytes followed by zeros', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), (bytes, spare) => {
        const s = Buffer.from(bytes).toString('base64url');
        const out = decodeBase64urlWithSpare(s, spare);
        expect(out.length).toBe(bytes.length + spare);
        expect(out.subarray(0, bytes.length)).toEqual(bytes);
        expect(out.subarray(bytes.length).every((b) => b === 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe.each(BACKENDS)('§7.2 hot-path shortcuts on the %s backend', (_name, crypto) => {
  const reg = register({}, { attestation: 'none' });
  const other = register({ seed: 'another authenticator' }, { attestation: 'none' });
  const stored = async () => {
    const v = await verifyRegistration(reg.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
    });
    if (!v.verified) throw new Error(`registration failed: ${v.code}`);
    return v;
  };
  const base = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, crypto };

  it('7.2 steps 5–6: ids as base64url text and as bytes decide identically', async () => {
    const v = await stored();
    const a = authenticate(reg);
    for (const id of [reg.response.id, v.credentialId]) {
      const credential = { id, publicKey: v.publicKey, signCount: 0 };
      const ok = await verifyAuthenticationAsync(a, { ...base, expectedRpId: RP_ID, credential });
      expect(ok.verified).toBe(true);
      const allowed = await verifyAuthenticationAsync(a, {
        ...base,
        expectedRpId: RP_ID,
        credential,
        allowCredentials: [other.response.id, id],
      });
      expect(allowed.verified).toBe(true);
      const notAllowed = await verifyAuthenticationAsync(a, {
        ...base,
        expectedRpId: RP_ID,
        credential,
        allowCredentials: [other.response.id, decodeBase64url(other.response.id)],
      });
      expectRejected(notAllowed, 'ERR_CREDENTIAL_NOT_ALLOWED', '7.2 step 5');
    }
    for (const id of [other.response.id, decodeBase64url(other.response.id)]) {
      const r = await verifyAuthenticationAsync(a, {
        ...base,
        expectedRpId: RP_ID,
        credential: { id, publicKey: v.publicKey, signCount: 0 },
      });
      expectRejected(r, 'ERR_CREDENTIAL_MISMATCH', '7.2 step 6');
    }
  });

  it('7.2 step 15: the RP ID hash cache never answers for another value, and survives eviction', async () => {
    const v = await stored();
    const a = authenticate(reg);
    const credential = { id: reg.response.id, publicKey: v.publicKey, signCount: 0 };
    // More distinct RP IDs than the cache holds, the right one last: the cache is cleared on the
    // way and the match is still found; without it in the list the same response is rejected.
    const many = Array.from({ length: 300 }, (_, i) => `rp${i}.example.com`);
    expectRejected(
      await verifyAuthenticationAsync(a, { ...base, expectedRpId: many, credential }),
      'ERR_RP_ID_HASH_MISMATCH',
      '7.2 step 15',
    );
    const ok = await verifyAuthenticationAsync(a, { ...base, expectedRpId: [...many, RP_ID], credential });
    expect(ok).toMatchObject({ verified: true, rpId: RP_ID });
    expectRejected(
      await verifyAuthenticationAsync(a, { ...base, expectedRpId: 'evil.example.com', credential }),
      'ERR_RP_ID_HASH_MISMATCH',
      '7.2 step 15',
    );
  });
});

describe.each(BACKENDS)(
  '7.1 step 24: parsed trust anchors are cached by content on the %s backend',
  (_name, crypto) => {
    const packed = register();
    const stranger = {
      va: { ca: createTestCa({ seed: 'a different attestation CA', organization: 'elsewhere' }) },
    };
    const options = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID, crypto };
    const pemToDer = (pem: string): Uint8Array =>
      decodeBase64url(
        pem
          .replace(/-----[A-Z ]+-----/g, '')
          .replace(/\s+/g, '')
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, ''),
      );

    it('a DER anchor buffer overwritten by the caller after use is not trusted from the cache', async () => {
      const anchor = pemToDer(packed.va.ca.rootPem);
      const strangerRoot = pemToDer(stranger.va.ca.rootPem);
      const policy = { ...options, requireTrustedAttestation: true };
      expect(await verifyRegistration(packed.response, { ...policy, trustAnchors: [anchor] })).toMatchObject({
        verified: true,
        attestation: { trusted: true },
      });
      // The same buffer now holds another CA's root: the earlier parse must not be reused.
      const reused = new Uint8Array(strangerRoot.length);
      reused.set(strangerRoot);
      expectRejected(
        await verifyRegistration(packed.response, { ...policy, trustAnchors: [reused] }),
        'ERR_ATTESTATION_NOT_TRUSTED',
        '7.1 step 24',
      );
      anchor.fill(0, 0, Math.min(anchor.length, strangerRoot.length));
      anchor.set(strangerRoot.subarray(0, anchor.length));
      expectRejected(
        await verifyRegistration(packed.response, { ...policy, trustAnchors: [anchor] }),
        'ERR_ATTESTATION_NOT_TRUSTED',
        '7.1 step 24',
      );
      // PEM and DER of the right root, repeated past the cache bound, still anchor the chain.
      for (let i = 0; i < 70; i++) {
        const fresh = pemToDer(packed.va.ca.rootPem);
        const r = await verifyRegistration(packed.response, {
          ...policy,
          trustAnchors: i % 2 === 0 ? [packed.va.ca.rootPem] : [fresh],
        });
        expect(r.verified).toBe(true);
      }
    });
  },
);
