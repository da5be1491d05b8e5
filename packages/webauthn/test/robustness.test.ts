import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../src/base64url.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { authenticate, CHALLENGE, ORIGIN, RP_ID, register, withMember } from './helpers/ceremony.ts';

// Catalog RT-2: bad input never throws and never verifies. Random byte flips in every
// binary member of valid responses must give `{ verified: false }` with a known code.

describe.each(BACKENDS)('robustness on the %s backend', (_name, crypto) => {
  const reg = register();
  const options = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID, crypto };

  const flip = (bytes: Uint8Array, index: number, mask: number): Uint8Array => {
    const out = bytes.slice();
    const i = index % out.length;
    out[i] = (out[i] as number) ^ (mask || 1);
    return out;
  };

  it('registration: a flipped byte anywhere is rejected, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('attestationObject', 'clientDataJSON'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (member, index, mask) => {
          const original = decodeBase64url(
            (reg.response.response as unknown as Record<string, string>)[member] as string,
          );
          // With an anchor and the trust policy the certificates in x5c are covered too: without
          // one, bytes of a certificate outside its public key are verified by nothing.
          const r = await verifyRegistration(withMember(reg.response, member, flip(original, index, mask)), {
            ...options,
            trustAnchors: [reg.va.ca.rootPem],
            requireTrustedAttestation: true,
          });
          expect(r.verified).toBe(false);
          if (!r.verified) expect(r.code).toMatch(/^ERR_/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('authentication: a flipped byte anywhere is rejected, never thrown', async () => {
    const v = await verifyRegistration(reg.response, options);
    if (!v.verified) throw new Error('registration failed');
    const a = authenticate(reg);
    const authOptions = {
      ...options,
      credential: { id: reg.response.id, publicKey: v.publicKey, signCount: 0 },
    };
    expect((await verifyAuthenticationAsync(a, authOptions)).verified).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('authenticatorData', 'clientDataJSON', 'signature'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (member, index, mask) => {
          const original = decodeBase64url(
            (a.response as unknown as Record<string, string>)[member] as string,
          );
          const r = await verifyAuthenticationAsync(
            withMember(a, member, flip(original, index, mask)),
            authOptions,
          );
          expect(r.verified).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('arbitrary JSON values as the response are rejected, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const r = await verifyRegistration(value, options);
        expect(r.verified).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
