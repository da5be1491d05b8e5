import { encodeCbor } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { decodeCbor } from '../src/cbor.ts';
import { type VerifyRegistrationOptions, verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE, expectRejected, ORIGIN, type Registered, RP_ID, register } from './helpers/ceremony.ts';

// §8.6: a U2F device signs 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKey — not the
// AAGUID, not the flags. A client (or an attacker relaying a genuine U2F registration) can write
// any AAGUID and UV=1 into authenticatorData without breaking the signature. Catalog ATT-10,
// FIDO conformance Registration Resp-8 F-1.

/** A premium model's AAGUID, as an attacker would write it. */
const PREMIUM_AAGUID = Uint8Array.from([
  0xee, 0x88, 0x28, 0x79, 0x72, 0x1c, 0x49, 0x13, 0x97, 0x75, 0x3d, 0xfc, 0xce, 0x97, 0x07, 0x2a,
]);
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;

/** Rewrites authenticatorData bytes of a registration without re-signing anything. */
function patchAuthData(reg: Registered, fn: (authData: Uint8Array) => void): Registered['response'] {
  const ao = decodeCbor(decodeBase64url(reg.response.response.attestationObject)) as Map<string, unknown>;
  const authData = Uint8Array.from(ao.get('authData') as Uint8Array);
  fn(authData);
  const rebuilt = new Map<string, unknown>(ao);
  rebuilt.set('authData', authData);
  return {
    ...reg.response,
    response: {
      ...reg.response.response,
      attestationObject: encodeBase64url(encodeCbor(rebuilt as never)),
    },
  };
}

const AAGUID_OFFSET = 37;

describe.each(BACKENDS)('fido-u2f unsigned claims on the %s backend', (_name, crypto) => {
  const u2f = register({ attestationFormat: 'fido-u2f' });
  const packed = register();
  const anchor = u2f.va.ca.rootPem;
  const options = (over: Partial<VerifyRegistrationOptions> = {}): VerifyRegistrationOptions => ({
    expectedChallenge: CHALLENGE,
    expectedOrigin: ORIGIN,
    expectedRpId: RP_ID,
    trustAnchors: [anchor],
    crypto,
    ...over,
  });

  it('the genuine response is trusted, its AAGUID is zero and reported as not attested', async () => {
    const r = await verifyRegistration(u2f.response, options());
    expect(r).toMatchObject({
      verified: true,
      aaguid: '00000000-0000-0000-0000-000000000000',
      aaguidAttested: false,
      userVerified: false,
      attestation: { fmt: 'fido-u2f', trusted: true },
    });
  });

  it('ATT-10: a non-zero AAGUID under fido-u2f is rejected at 7.1 step 22, even with a trusted chain', async () => {
    const forged = patchAuthData(u2f, (ad) => ad.set(PREMIUM_AAGUID, AAGUID_OFFSET));
    expectRejected(
      await verifyRegistration(forged, options({ requireTrustedAttestation: true })),
      'ERR_FIDO_U2F_AAGUID_NOT_ZERO',
      '7.1 step 22',
    );
    // One byte is enough.
    const oneByte = patchAuthData(u2f, (ad) => {
      ad[AAGUID_OFFSET + 15] = 1;
    });
    expectRejected(
      await verifyRegistration(oneByte, options()),
      'ERR_FIDO_U2F_AAGUID_NOT_ZERO',
      '7.1 step 22',
    );
  });

  it('UV=1 under fido-u2f is never credited: rejected, with or without requireUserVerification', async () => {
    const uv = patchAuthData(u2f, (ad) => {
      ad[32] = (ad[32] as number) | UV;
    });
    expectRejected(await verifyRegistration(uv, options()), 'ERR_FIDO_U2F_FLAGS_INVALID', '7.1 step 22');
    const required = await verifyRegistration(uv, options({ requireUserVerification: true }));
    expect(required.verified).toBe(false);
    // The combined attack of the probe: premium AAGUID + UV=1 + trusted chain.
    const both = patchAuthData(u2f, (ad) => {
      ad.set(PREMIUM_AAGUID, AAGUID_OFFSET);
      ad[32] = (ad[32] as number) | UV;
    });
    const r = await verifyRegistration(both, options({ requireUserVerification: true }));
    expect(r.verified).toBe(false);
  });

  it('BE or BS under fido-u2f (a U2F key is never backed up) is rejected', async () => {
    for (const bits of [BE, BE | BS]) {
      const forged = patchAuthData(u2f, (ad) => {
        ad[32] = (ad[32] as number) | bits;
      });
      expectRejected(
        await verifyRegistration(forged, options()),
        'ERR_FIDO_U2F_FLAGS_INVALID',
        '7.1 step 22',
      );
    }
  });

  it('aaguidAttested is true only for an attestation certificate signing authenticatorData', async () => {
    const basic = await verifyRegistration(
      packed.response,
      options({ trustAnchors: [packed.va.ca.rootPem] }),
    );
    expect(basic).toMatchObject({ verified: true, aaguidAttested: true, attestation: { type: 'basic' } });
    const self = await verifyRegistration(register({ selfAttestation: true }).response, options());
    expect(self).toMatchObject({ verified: true, aaguidAttested: false, attestation: { type: 'self' } });
    const none = await verifyRegistration(register({}, { attestation: 'none' }).response, options());
    expect(none).toMatchObject({ verified: true, aaguidAttested: false, attestation: { type: 'none' } });
  });
});
