import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { readCase, sharedFixturesDir } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { APPLE_WEBAUTHN_ROOT, GOOGLE_HARDWARE_ATTESTATION_ROOTS } from '../src/anchors.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';

// The shipped anchors are the published roots (fingerprints pinned here and in the source
// comments), and real device chains reach them when the caller opts in.

const fingerprint = (pem: string): string =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

describe('shipped trust anchors', () => {
  it('are the published roots', () => {
    expect(GOOGLE_HARDWARE_ATTESTATION_ROOTS.map(fingerprint)).toEqual([
      'cedb1cb6dc896ae5ec797348bce9286753c2b38ee71ce0fbe34a9a1248800dfc',
      'ab6641178a36e179aa0c1cdddf9a16eb45fa20943e2b8cd7c7c05c26cf8b487a',
      '1ef1a04b8ba58ab94589ac498c8982a783f24ea7307e0159a0c3a73b377d87cc',
      '6d9db4ce6c5c0b293166d08986e05774a8776ceb525d9e4329520de12ba4bcc0',
    ]);
    expect(fingerprint(APPLE_WEBAUTHN_ROOT)).toBe(
      '0915dd5c07a28db549d1f677bb5a75d4bfbe9561a773424327762e9e02f9bb29',
    );
    for (const pem of [...GOOGLE_HARDWARE_ATTESTATION_ROOTS, APPLE_WEBAUTHN_ROOT]) {
      const c = new X509Certificate(pem);
      expect(c.ca).toBe(true);
      expect(c.checkIssued(c)).toBe(true);
    }
  });
});

const dir = sharedFixturesDir();
describe.skipIf(dir === undefined).each(BACKENDS)(
  'opt-in anchors on real devices (%s backend)',
  (_n, crypto) => {
    const replay = (id: string, trustAnchors: readonly string[]) => {
      const c = readCase(join(dir as string, `real/webauthn/${id}.json`));
      return verifyRegistration(c.response, {
        expectedChallenge: c.context.challenge as string,
        expectedOrigin: c.context.origin as string,
        expectedRpId: (c.context.rpId as string | undefined) ?? new URL(c.context.origin as string).hostname,
        now: new Date(c.context.now as string),
        trustAnchors,
        requireTrustedAttestation: true,
        crypto,
      });
    };
    it('a Pixel android-key chain reaches the Google roots', async () => {
      expect(
        await replay('py-webauthn/registration-android-key-1', GOOGLE_HARDWARE_ATTESTATION_ROOTS),
      ).toMatchObject({
        verified: true,
        attestation: { fmt: 'android-key', trusted: true },
      });
    });
    it('an Apple device chain reaches the Apple WebAuthn root, and not the Google ones', async () => {
      expect(await replay('simplewebauthn/registration-apple-1', [APPLE_WEBAUTHN_ROOT])).toMatchObject({
        verified: true,
        attestation: { fmt: 'apple', type: 'anonca', trusted: true },
      });
      expect(
        await replay('simplewebauthn/registration-apple-1', GOOGLE_HARDWARE_ATTESTATION_ROOTS),
      ).toMatchObject({
        verified: false,
        code: 'ERR_ATTESTATION_NOT_TRUSTED',
      });
    });
  },
);
