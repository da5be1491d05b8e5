import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LoadedCase,
  loadSharedCases,
  repoFixturesDir,
  sharedFixturesDir,
  sharedFixturesSkipMessage,
} from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, isBase64url } from '../src/base64url.ts';
import type { CryptoBackend } from '../src/crypto/types.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { type VerifyRegistrationOptions, verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';

// Replays every WebAuthn case of the shared corpus and compares our verdict with the source's.

/** Formats of the next wave: counted and listed as unsupported, never verified. */
const NEXT_WAVE_FORMATS = new Set(['tpm', 'android-key', 'android-safetynet', 'apple']);
const corpusDir = sharedFixturesDir();
if (corpusDir === undefined) console.warn(sharedFixturesSkipMessage('WebAuthn corpus replay'));

type Ctx = LoadedCase['case']['context'];

function challengeOf(ctx: Ctx): string | ((c: string) => boolean) {
  const c = ctx.challenge ?? '';
  return isBase64url(c) ? c : (received: string) => received === c;
}

function unsupportedReason(c: LoadedCase['case']): string | undefined {
  if (c.kind === 'webauthn.registration' && typeof c.format === 'string' && NEXT_WAVE_FORMATS.has(c.format)) {
    return `attestation format ${c.format} (next wave)`;
  }
  return undefined;
}

async function replay(
  c: LoadedCase['case'],
  crypto: CryptoBackend,
): Promise<{ verified: boolean; detail: string; code?: string }> {
  const ctx = c.context;
  const o = (ctx.options ?? {}) as Record<string, unknown>;
  const common = {
    expectedChallenge: challengeOf(ctx),
    expectedOrigin: (o['allowedOrigins'] as string[] | undefined) ?? (ctx.origin as string | string[]),
    expectedRpId: ctx.rpId as string | string[],
    ...(o['expectedType'] === undefined ? {} : { expectedType: o['expectedType'] as string | string[] }),
    ...(o['allowCrossOrigin'] === undefined ? {} : { allowCrossOrigin: o['allowCrossOrigin'] as boolean }),
    ...(o['allowedTopOrigins'] === undefined
      ? {}
      : { expectedTopOrigin: o['allowedTopOrigins'] as string[] }),
    requireUserVerification: ctx.requireUserVerification === true,
    crypto,
  };
  if (c.kind === 'webauthn.registration') {
    const anchors = ctx.trustAnchors ?? [];
    const options: VerifyRegistrationOptions = {
      ...common,
      requireUserPresence: ctx.requireUserPresence !== false,
      trustAnchors: anchors,
      extraIntermediates: (o['extraIntermediates'] as string[] | undefined) ?? [],
      // Corpus convention: the sources that configure roots for a case (py_webauthn,
      // SimpleWebAuthn) fail the ceremony when the chain does not reach them.
      requireTrustedAttestation: o['requireTrustedAttestation'] === true || anchors.length > 0,
      ...(o['supportedAlgorithms'] === undefined
        ? {}
        : { supportedAlgorithms: o['supportedAlgorithms'] as number[] }),
      ...(ctx.now ? { now: new Date(ctx.now) } : {}),
    };
    const r = await verifyRegistration(c.response, options);
    return r.verified
      ? { verified: true, detail: `ok ${r.attestation.type} trusted=${r.attestation.trusted}` }
      : { verified: false, detail: `${r.code} @ ${r.step}: ${r.message}`, code: r.code };
  }
  const cred = ctx.credential ?? {};
  const r = await verifyAuthenticationAsync(c.response, {
    ...common,
    credential: {
      id: cred['id'] as string,
      publicKey: decodeBase64url(cred['publicKey'] as string),
      signCount: (cred['counter'] as number | undefined) ?? 0,
      ...(cred['backupEligible'] === undefined ? {} : { backupEligible: cred['backupEligible'] as boolean }),
      ...(cred['userHandle'] === undefined ? {} : { userHandle: cred['userHandle'] as string }),
    },
    ...(o['allowCredentials'] === undefined ? {} : { allowCredentials: o['allowCredentials'] as string[] }),
    ...(o['appid'] === undefined ? {} : { appid: o['appid'] as string }),
  });
  return r.verified
    ? { verified: true, detail: 'ok' }
    : { verified: false, detail: `${r.code} @ ${r.step}: ${r.message}`, code: r.code };
}

/**
 * Cases whose corpus verdict we believe is wrong for this library, with the reason. Their
 * verdict is still asserted (as ours), so a behaviour change shows up. One list, shared with
 * `factorkit check`: the repo's fixtures/disputed-verdicts.json (case id → our verdict, code, reason).
 */
const DISAGREEMENTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(
    JSON.parse(readFileSync(join(repoFixturesDir(), 'disputed-verdicts.json'), 'utf8')) as Record<
      string,
      { reason: string }
    >,
  ).map(([id, d]) => [id, d.reason]),
);

/**
 * Cases that cannot be replayed through our API by design; the test asserts how our API
 * refuses them instead.
 */
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'simplewebauthn/registration-none-8':
    'the source ran without an expected RP ID (SimpleWebAuthn then skips the rpIdHash check); ' +
    'our expectedRpId is required (§7.1 step 14 is not optional), so the call is a TypeError',
};

/** For some rejections the reason matters as much as the verdict. */
const EXPECTED_CODES: Readonly<Record<string, string>> = {
  'simplewebauthn/registration-packed-9': 'ERR_ATTESTATION_AAGUID_MISMATCH',
  'go-webauthn/registration-packed-3': 'ERR_INVALID_CBOR',
  'py-webauthn/registration-packed-3': 'ERR_ATTESTATION_NOT_TRUSTED',
  'py-webauthn/registration-unknown-fmt-1': 'ERR_UNSUPPORTED_ATTESTATION_FORMAT',
  'fido2-lib/authentication-es256-3': 'ERR_COUNTER_ROLLBACK',
  'fido2-lib/authentication-es256-5': 'ERR_CREDENTIAL_NOT_ALLOWED',
  'go-webauthn/authentication-w3c-none-es256-6': 'ERR_RP_ID_HASH_MISMATCH',
  'go-webauthn/authentication-w3c-none-es256-7': 'ERR_BACKUP_ELIGIBILITY_CHANGED',
  'go-webauthn/authentication-w3c-none-es256-8': 'ERR_USER_HANDLE_MISMATCH',
  'go-webauthn/registration-w3c-none-es256-1': 'ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY',
  'simplewebauthn/authentication-security-key-7': 'ERR_USER_VERIFICATION_REQUIRED',
};

describe.skipIf(corpusDir === undefined)('shared corpus replay: real/webauthn/**', () => {
  const cases =
    loadSharedCases({
      under: 'real/webauthn',
      kinds: ['webauthn.registration', 'webauthn.authentication'],
    }) ?? [];

  describe.each(BACKENDS)('backend %s', (backendName, crypto) => {
    it('agrees with expect.verified on every supported case', async () => {
      const perFolder = new Map<
        string,
        { agree: number; total: number; unsupported: number; disagree: number }
      >();
      const mismatches: string[] = [];
      const unsupported: string[] = [];
      for (const { folder, case: c } of cases) {
        const stats = perFolder.get(folder) ?? { agree: 0, total: 0, unsupported: 0, disagree: 0 };
        perFolder.set(folder, stats);
        const reason = unsupportedReason(c);
        if (reason !== undefined) {
          stats.unsupported++;
          unsupported.push(`${c.id}: ${reason}`);
          continue;
        }
        if (NOT_APPLICABLE[c.id] !== undefined) {
          await expect(replay(c, crypto)).rejects.toThrow(TypeError);
          stats.unsupported++;
          unsupported.push(`${c.id}: ${NOT_APPLICABLE[c.id]}`);
          continue;
        }
        stats.total++;
        let verified: boolean;
        let detail: string;
        let code: string | undefined;
        try {
          ({ verified, detail, code } = await replay(c, crypto));
        } catch (e) {
          mismatches.push(`${c.id}: threw ${String(e)}`);
          continue;
        }
        const disagree = DISAGREEMENTS[c.id] !== undefined;
        const expected = disagree ? !c.expect.verified : c.expect.verified;
        const wantCode = EXPECTED_CODES[c.id];
        if (wantCode !== undefined && code !== wantCode)
          mismatches.push(`${c.id}: expected ${wantCode}, got ${detail}`);
        if (verified === expected && disagree) stats.disagree++;
        else if (verified === expected) stats.agree++;
        else mismatches.push(`${c.id}: expected ${String(c.expect.verified)}, got ${verified} (${detail})`);
      }
      const lines = [...perFolder].map(
        ([f, s]) =>
          `  ${f}: ${s.agree}/${s.total} agree, ${s.disagree} documented disagreement(s), ${s.unsupported} unsupported/skipped`,
      );
      console.log(`[${backendName}] corpus agreement per folder:\n${lines.join('\n')}`);
      const disagreements = Object.entries(DISAGREEMENTS).map(([id, why]) => `${id}: ${why}`);
      console.log(
        `[${backendName}] cases we disagree with (verdict inverted on purpose):\n  ${disagreements.join('\n  ')}`,
      );
      if (unsupported.length > 0)
        console.log(`[${backendName}] unsupported (skipped):\n  ${unsupported.join('\n  ')}`);
      expect(mismatches).toEqual([]);
      expect(cases.length).toBeGreaterThan(0);
    });
  });
});
