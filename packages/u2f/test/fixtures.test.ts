import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LoadedCase,
  loadSharedCases,
  sharedFixturesDir,
  sharedFixturesSkipMessage,
} from '@factorkit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeWebsafeBase64,
  parseAttestationCertificate,
  parseRegistrationData,
  parseSignatureData,
  type U2fErrorCode,
  type U2fFailure,
  verifyAuthentication,
  verifyRegistration,
} from '../src/index.ts';

/**
 * Replays every U2F case of the shared corpus (vectors/u2f-spec and real/u2f/**) and
 * requires our verdict to equal the source's. The reason is checked too: each source error
 * text maps to the code we must give.
 */
const EXPECTED_CODE: Record<string, U2fErrorCode> = {
  typ: 'ERR_CLIENT_DATA_TYP',
  challenge: 'ERR_CHALLENGE_MISMATCH',
  origin: 'ERR_ORIGIN_MISMATCH',
  signature: 'ERR_SIGNATURE_INVALID',
  'user presence': 'ERR_USER_PRESENCE_REQUIRED',
  counter: 'ERR_COUNTER_NOT_INCREASED',
};

/**
 * Cases where we reject at an earlier, stricter step than the source did. Each is justified:
 * php-u2flib's "bad signature" test changed the last base64 character of signatureData from
 * `g` to `G`; `G` leaves non-zero trailing bits, which strict websafe base64 (RFC 4648 §3.5,
 * required by our issue) rejects before the signature is ever checked.
 */
const STRICTER_REASON: Record<string, U2fErrorCode> = {
  'php-u2flib-server/php-u2flib-sign-bad-signature': 'ERR_BASE64_INVALID',
};

const dir = sharedFixturesDir();
if (dir === undefined) console.warn(sharedFixturesSkipMessage('U2F corpus replay'));

async function run(c: LoadedCase['case']) {
  const ctx = c.context as Record<string, unknown>;
  const facets = (ctx['facets'] as string[] | undefined) ?? [ctx['origin'] as string];
  if (c.kind === 'u2f.register') {
    return verifyRegistration({
      response: c.response as never,
      appId: ctx['appId'] as string,
      expectedChallenge: ctx['challenge'] as string,
      expectedFacetIds: facets,
      trustAnchors: (ctx['trustAnchors'] as string[] | undefined) ?? [],
    });
  }
  const cred = ctx['credential'] as { keyHandle: string; publicKey: string; counter: number };
  return verifyAuthentication({
    response: c.response as never,
    appId: ctx['appId'] as string,
    expectedChallenge: ctx['challenge'] as string,
    expectedFacetIds: facets,
    credential: cred,
    requireUserPresence: ctx['requireUserPresence'] !== false,
  });
}

describe.skipIf(dir === undefined)('shared corpus replay', () => {
  const cases = [
    ...(loadSharedCases({ under: 'vectors/u2f-spec' }) ?? []),
    ...(loadSharedCases({ under: 'real/u2f' }) ?? []),
  ].filter((c) => c.case.kind === 'u2f.register' || c.case.kind === 'u2f.sign');
  const tally = new Map<string, { total: number; agree: number }>();
  afterAll(() => {
    const lines = [...tally].map(([folder, t]) => `  ${folder}: ${t.agree}/${t.total} agree`);
    console.log(`U2F corpus agreement per folder:\n${lines.join('\n')}`);
  });

  it('has cases in both folders', () => {
    expect(cases.some((c) => c.folder.startsWith('vectors/u2f-spec'))).toBe(true);
    expect(cases.some((c) => c.folder.startsWith('real/u2f'))).toBe(true);
  });

  it.each(cases.map((c) => [c.case.id, c] as const))('%s', async (_id, loaded) => {
    const c = loaded.case;
    const t = tally.get(loaded.folder) ?? { total: 0, agree: 0 };
    tally.set(loaded.folder, t);
    t.total++;
    const result = await run(c);
    expect(result.verified).toBe(c.expect.verified);
    if (result.verified) {
      const expected = c.expect.result ?? {};
      if ('registration' in result) {
        if (typeof expected['keyHandle'] === 'string')
          expect(result.registration.keyHandle).toBe(expected['keyHandle']);
        if (typeof expected['publicKey'] === 'string') {
          expect(Buffer.from(result.registration.publicKey).toString('base64url')).toBe(
            expected['publicKey'],
          );
        }
        if (typeof expected['attestationCertSha256'] === 'string') {
          expect(result.attestation.certificateSha256).toBe(expected['attestationCertSha256']);
        }
        // A case configured with anchors (the Yubico U2F root) must come out trusted.
        const anchors = (c.context.trustAnchors ?? []) as string[];
        expect(result.attestation.trusted).toBe(
          anchors.length > 0 && expected['chainsToYubicoRootAfterFix'] === true,
        );
      } else {
        expect(result.counter).toBe(expected['counter']);
        expect(result.userPresent).toBe(expected['userPresent']);
      }
    } else {
      const code = (result as U2fFailure).code;
      const want = STRICTER_REASON[c.id] ?? EXPECTED_CODE[String(c.expect.error)];
      expect(want, `no code mapping for source error ${String(c.expect.error)}`).toBeDefined();
      expect(code).toBe(want);
    }
    t.agree++;
  });
});

interface RealDevices {
  yubicoU2fRootCaPem: string;
  certsNeedingUnusedBitsFix: { sha256List: string[] };
  parseOnly: Record<string, unknown>[];
}

describe.skipIf(dir === undefined)('u2f-real-devices collection', () => {
  // Collected even when skipped: read only when the corpus exists.
  const collection: RealDevices | undefined =
    dir === undefined
      ? undefined
      : (JSON.parse(
          readFileSync(join(dir, 'vectors', 'collections', 'u2f-real-devices.json'), 'utf8'),
        ) as RealDevices);

  it('the unused-bits fix list is the one shipped', async () => {
    const { YUBICO_UNUSED_BITS_CERT_SHA256 } = await import('../src/index.ts');
    expect([...YUBICO_UNUSED_BITS_CERT_SHA256].sort()).toEqual(
      [...(collection?.certsNeedingUnusedBitsFix.sha256List ?? [])].sort(),
    );
  });

  it('with the Yubico U2F root as anchor, trust matches chainsToYubicoRootAfterFix for every real registration', async () => {
    const cases = (loadSharedCases({ under: 'real/u2f', kinds: ['u2f.register'] }) ?? []).filter(
      (c) => typeof c.case.expect.result?.['chainsToYubicoRootAfterFix'] === 'boolean',
    );
    expect(cases.length).toBeGreaterThanOrEqual(5);
    let trusted = 0;
    for (const { case: c } of cases) {
      const ctx = c.context as Record<string, unknown>;
      const result = await verifyRegistration({
        response: c.response as never,
        appId: ctx['appId'] as string,
        expectedChallenge: ctx['challenge'] as string,
        expectedFacetIds: ctx['facets'] as string[],
        trustAnchors: [collection?.yubicoU2fRootCaPem ?? ''],
      });
      expect(result.verified, c.id).toBe(true);
      const want = c.expect.result?.['chainsToYubicoRootAfterFix'];
      expect(result.verified && result.attestation.trusted, c.id).toBe(want);
      if (want === true) trusted++;
    }
    console.log(
      `Yubico root trust: ${trusted}/${cases.length} real registrations chain (as the corpus records)`,
    );
  });

  it('parse-only vectors: registrationData and signatureData fields', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    let n = 0;
    for (const v of collection?.parseOnly ?? []) {
      const parsed = v['parsed'] as Record<string, unknown> | undefined;
      if (typeof v['registrationDataB64url'] === 'string' && parsed !== undefined) {
        const reg = parseRegistrationData(decodeWebsafeBase64(v['registrationDataB64url']));
        expect(hex(reg.userPublicKey)).toBe(parsed['userPublicKeyHex']);
        expect(reg.keyHandle.length).toBe(parsed['keyHandleLength']);
        expect(Buffer.from(reg.keyHandle).toString('base64url')).toBe(parsed['keyHandleB64url']);
        expect(hex(reg.signature)).toBe(parsed['signatureHex']);
        expect(parseAttestationCertificate(reg.attestationCertificate).sha256).toBe(
          parsed['attestationCertSha256Hex'],
        );
        n++;
      }
      if (typeof v['signatureDataB64url'] === 'string' && parsed !== undefined) {
        const sig = parseSignatureData(decodeWebsafeBase64(v['signatureDataB64url']));
        expect(sig.userPresence).toBe(parsed['userPresence']);
        expect(sig.counter).toBe(parsed['counter']);
        expect(hex(sig.signature)).toBe(parsed['signatureHex']);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(3);
  });
});
