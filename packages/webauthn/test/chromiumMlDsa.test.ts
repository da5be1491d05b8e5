// Chromium's own CDP virtual authenticator (Chromium ≥ 156 offers ML-DSA-44) registers an ML-DSA
// credential and logs in on a localhost page; both responses must verify on both backends.
import { type ChromiumPage, chromiumAvailable, openChromiumPage } from '@factorkit/testkit/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64url } from '../src/base64url.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';

const available = chromiumAvailable('Chromium ML-DSA test');

type Json = Record<string, unknown> & { id: string; response: Record<string, unknown> };

describe.skipIf(!available)('Chromium virtual authenticator: ML-DSA-44 credentials', () => {
  let browser: ChromiumPage;

  beforeAll(async () => {
    browser = await openChromiumPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('registers and authenticates; factorkit verifies both on every backend', async () => {
    const { origin } = browser;
    const authenticator = {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    };
    await browser.withAuthenticator(authenticator, async () => {
      const challenge = encodeBase64url(new Uint8Array(32).fill(0x48));
      const reg = await browser.create<Json>({
        rp: { id: 'localhost', name: 'factorkit' },
        user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
        challenge,
        pubKeyCredParams: [{ type: 'public-key', alg: -48 }],
        attestation: 'direct',
        authenticatorSelection: { userVerification: 'preferred', residentKey: 'required' },
      });
      expect(reg.response['publicKeyAlgorithm']).toBe(-48);
      const assertionChallenge = encodeBase64url(new Uint8Array(32).fill(0x49));
      const assertion = await browser.get<Json>({
        rpId: 'localhost',
        challenge: assertionChallenge,
        allowCredentials: [{ type: 'public-key', id: reg.id }],
        userVerification: 'preferred',
      });
      for (const [, crypto] of BACKENDS) {
        const registered = await verifyRegistration(reg, {
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRpId: 'localhost',
          supportedAlgorithms: [-48],
          crypto,
        });
        expect(registered).toMatchObject({ verified: true, alg: -48 });
        if (!registered.verified) return;
        const login = (expectedChallenge: string) =>
          verifyAuthenticationAsync(assertion, {
            expectedChallenge,
            expectedOrigin: origin,
            expectedRpId: 'localhost',
            credential: {
              id: registered.credentialId,
              publicKey: registered.publicKey,
              signCount: registered.signCount,
            },
            crypto,
          });
        expect(await login(assertionChallenge)).toMatchObject({ verified: true });
        // The same assertion under a different expected challenge fails: the verdict is real.
        expect(await login(challenge)).toMatchObject({ verified: false, code: 'ERR_CHALLENGE_MISMATCH' });
      }
    });
  }, 60_000);
});
