import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type VerifyRegistrationOptions, verifyRegistration } from '../src/index.ts';
import { createTestCa, type RegisterInput, SoftU2fToken, type TestCa } from './helpers/soft-token.ts';

const appId = 'https://example.com/app-id.json';
const origin = 'https://example.com';
const challenge = 'dGhpcyBpcyBhIDMyIGJ5dGUgY2hhbGxlbmdlIGZvciB0ZXN0';

let ca: TestCa;
let otherCa: TestCa;
let token: SoftU2fToken;

beforeAll(async () => {
  ca = await createTestCa();
  otherCa = await createTestCa('CN=Other Root');
  token = await SoftU2fToken.create({ ca });
});

async function register(
  input: Partial<RegisterInput> = {},
  options: Partial<VerifyRegistrationOptions> = {},
) {
  const { response, keyHandle, publicKey } = await token.register({ appId, challenge, origin, ...input });
  const result = await verifyRegistration({
    response,
    appId,
    expectedChallenge: challenge,
    expectedFacetIds: [origin],
    ...options,
  });
  return { result, keyHandle, publicKey, response };
}

const codeOf = (r: { verified: boolean }) => (r as { code?: string }).code;

describe('verifyRegistration', () => {
  it('accepts a well-formed registration and returns what to store', async () => {
    const { result, keyHandle, publicKey } = await register();
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(result.registration.keyHandle).toBe(keyHandle);
    expect(result.registration.publicKey).toEqual(publicKey);
    expect(result.registration.counter).toBe(0);
    expect(result.registration.appId).toBe(appId);
    expect(result.attestation).toMatchObject({ verified: true, trusted: false });
  });

  it('response.version: rejects anything but U2F_V2, accepts it absent (JS API 1.0)', async () => {
    const { response } = await token.register({ appId, challenge, origin });
    const base = { appId, expectedChallenge: challenge, expectedFacetIds: origin };
    expect(codeOf(await verifyRegistration({ ...base, response: { ...response, version: 'U2F_V1' } }))).toBe(
      'ERR_VERSION_UNSUPPORTED',
    );
    const { version: _v, ...noVersion } = response;
    expect((await verifyRegistration({ ...base, response: noVersion })).verified).toBe(true);
  });

  it('clientData.typ: a getAssertion client data cannot register', async () => {
    const { result } = await register({ typ: 'navigator.id.getAssertion' });
    expect(codeOf(result)).toBe('ERR_CLIENT_DATA_TYP');
  });

  it('clientData.challenge: another challenge is rejected', async () => {
    const { result } = await register({ challenge: `${challenge.slice(0, -1)}A` });
    expect(codeOf(result)).toBe('ERR_CHALLENGE_MISMATCH');
  });

  it('clientData.origin: an origin outside the facets is rejected (exact match)', async () => {
    for (const o of [
      'https://evil.example',
      'https://example.com:443',
      'https://EXAMPLE.com',
      'https://example.com/',
    ]) {
      const { result } = await register({ origin: o });
      expect(codeOf(result), o).toBe('ERR_ORIGIN_MISMATCH');
    }
  });

  it('signature covers SHA-256(appId): a token answering for another appId fails', async () => {
    const { result } = await register({ signAppId: 'https://evil.example' });
    expect(codeOf(result)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('signature covers the key handle and the user public key', async () => {
    const swapKh = await register({
      mutate: (p) => ({ ...p, keyHandle: p.keyHandle.map((b, i) => (i === 0 ? b ^ 1 : b)) }),
    });
    expect(codeOf(swapKh.result)).toBe('ERR_SIGNATURE_INVALID');
    const other = await SoftU2fToken.newUserKey();
    const swapKey = await register({ mutate: (p) => ({ ...p, publicKey: other.publicKey }) });
    expect(codeOf(swapKey.result)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('signature covers SHA-256(clientData): client data altered after signing fails', async () => {
    const { response } = await token.register({ appId, challenge, origin });
    const forged = Buffer.from(
      JSON.stringify({ typ: 'navigator.id.finishEnrollment', challenge, origin, cid_pubkey: 'unused' }),
    ).toString('base64url');
    const result = await verifyRegistration({
      response: { ...response, clientData: forged },
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
    });
    expect(codeOf(result)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('registrationData.reservedByte must be 0x05', async () => {
    const { result } = await register({ mutate: (p) => ({ ...p, reserved: 0x04 }) });
    expect(codeOf(result)).toBe('ERR_RESERVED_BYTE');
  });

  it('registrationData.userPublicKey must be an uncompressed point on P-256', async () => {
    const notUncompressed = await register({
      mutate: (p) => ({ ...p, publicKey: Uint8Array.of(0x02, ...p.publicKey.subarray(1)) }),
    });
    expect(codeOf(notUncompressed.result)).toBe('ERR_PUBLIC_KEY_INVALID');
    const offCurve = await register({
      mutate: (p) => ({ ...p, publicKey: p.publicKey.map((b, i) => (i === 64 ? b ^ 1 : b)) }),
    });
    expect(codeOf(offCurve.result)).toBe('ERR_PUBLIC_KEY_INVALID');
  });

  it('registrationData.keyHandle: length 0 rejected, 255 accepted, length past the end truncated', async () => {
    expect(codeOf((await register({ mutate: (p) => ({ ...p, keyHandle: new Uint8Array(0) }) })).result)).toBe(
      'ERR_KEY_HANDLE_INVALID',
    );
    expect((await register({ keyHandleLength: 255 })).result.verified).toBe(true);
    const { result } = await register({
      mutate: (p) => ({
        ...p,
        keyHandleLengthByte: 255,
        cert: new Uint8Array(0),
        signature: new Uint8Array(10),
      }),
    });
    expect(codeOf(result)).toBe('ERR_MESSAGE_TRUNCATED');
  });

  it('registrationData.attestationCertificate: length comes from DER, overflow and non-DER rejected', async () => {
    // Declared certificate length larger than what follows.
    const overflow = await register({
      mutate: (p) => {
        const cert = new Uint8Array(p.cert);
        cert[3] = 0xff; // 30 82 LL LL: bump the low length byte
        return { ...p, cert, signature: new Uint8Array(0) };
      },
    });
    expect(codeOf(overflow.result)).toBe('ERR_MESSAGE_TRUNCATED');
    const notSeq = await register({
      mutate: (p) => ({ ...p, cert: Uint8Array.of(0x31, ...p.cert.subarray(1)) }),
    });
    expect(codeOf(notSeq.result)).toBe('ERR_CERTIFICATE_MALFORMED');
    const indefinite = await register({
      mutate: (p) => ({ ...p, cert: Uint8Array.of(0x30, 0x80, ...p.cert.subarray(4)) }),
    });
    expect(codeOf(indefinite.result)).toBe('ERR_CERTIFICATE_MALFORMED');
  });

  it('attestation key must be EC P-256', async () => {
    const rsaToken = await SoftU2fToken.create({ rsaAttestation: true });
    // A strict DER signature stands in for the RSA one, so parsing reaches the key-type check.
    const { response } = await rsaToken.register({
      appId,
      challenge,
      origin,
      mutate: (p) => ({ ...p, signature: Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01) }),
    });
    const result = await verifyRegistration({
      response,
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
    });
    expect(codeOf(result)).toBe('ERR_CERTIFICATE_KEY_UNSUPPORTED');
  });

  it('registrationData.signature: trailing bytes, missing and non-DER signatures rejected', async () => {
    expect(codeOf((await register({ mutate: (p) => ({ ...p, trailer: Uint8Array.of(0) }) })).result)).toBe(
      'ERR_TRAILING_BYTES',
    );
    expect(codeOf((await register({ mutate: (p) => ({ ...p, signature: new Uint8Array(0) }) })).result)).toBe(
      'ERR_MESSAGE_TRUNCATED',
    );
    // Long-form length for a short SEQUENCE (30 81 06 …) is BER, not DER.
    const longForm = Uint8Array.of(0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01);
    expect(codeOf((await register({ mutate: (p) => ({ ...p, signature: longForm }) })).result)).toBe(
      'ERR_SIGNATURE_MALFORMED',
    );
    expect(
      codeOf((await register({ mutate: (p) => ({ ...p, signature: new Uint8Array(64).fill(1) }) })).result),
    ).toBe('ERR_SIGNATURE_MALFORMED');
  });

  it('every truncation of registrationData is a typed rejection', async () => {
    const { response } = await token.register({ appId, challenge, origin });
    const raw = Buffer.from(response.registrationData, 'base64url');
    for (let n = 0; n < raw.length; n++) {
      const result = await verifyRegistration({
        response: { ...response, registrationData: raw.subarray(0, n).toString('base64url') },
        appId,
        expectedChallenge: challenge,
        expectedFacetIds: origin,
      });
      expect(result.verified, `prefix ${n}`).toBe(false);
      expect(codeOf(result), `prefix ${n}`).toMatch(/^ERR_/);
    }
  });

  it('property: any single-byte corruption of registrationData is a typed result, never a throw', async () => {
    const { response } = await token.register({ appId, challenge, origin });
    const raw = Buffer.from(response.registrationData, 'base64url');
    const keyEnd = 66;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const bad = Buffer.from(raw);
        bad[at] = (bad[at] as number) ^ xor;
        const result = await verifyRegistration({
          response: { ...response, registrationData: bad.toString('base64url') },
          appId,
          expectedChallenge: challenge,
          expectedFacetIds: origin,
        });
        if (!result.verified) expect(codeOf(result)).toMatch(/^ERR_/);
        // Bytes covered by the attestation signature (reserved byte, key, handle) can never pass.
        if (at < keyEnd + 1 + 64) expect(result.verified).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('attestation trust is reported apart from verification', async () => {
    const trusted = await register({}, { trustAnchors: [ca.pem] });
    expect(trusted.result.verified && trusted.result.attestation.trusted).toBe(true);
    const der = await register({}, { trustAnchors: [new Uint8Array(ca.cert.rawData)] });
    expect(der.result.verified && der.result.attestation.trusted).toBe(true);
    const other = await register({}, { trustAnchors: [otherCa.pem] });
    expect(other.result.verified).toBe(true);
    expect(other.result.verified && other.result.attestation.trusted).toBe(false);
    const required = await register({}, { trustAnchors: [otherCa.pem], requireTrustedAttestation: true });
    expect(codeOf(required.result)).toBe('ERR_ATTESTATION_NOT_TRUSTED');
    // Same issuer name, different key: name matching alone must not make it trusted.
    const impostor = await createTestCa('CN=factorkit U2F Test Root');
    const fake = await register({}, { trustAnchors: [impostor.pem] });
    expect(fake.result.verified && fake.result.attestation.trusted).toBe(false);
    // Validity is checked at `now` when given: leaf expired (2039) while the root is still valid (2040).
    const leafExpired = await register({}, { trustAnchors: [ca.pem], now: new Date('2039-06-01T00:00:00Z') });
    expect(leafExpired.result.verified && leafExpired.result.attestation.trusted).toBe(false);
    const inWindow = await register({}, { trustAnchors: [ca.pem], now: new Date('2030-06-01T00:00:00Z') });
    expect(inWindow.result.verified && inWindow.result.attestation.trusted).toBe(true);
    const expired = await register({}, { trustAnchors: [ca.pem], now: new Date('2045-01-01T00:00:00Z') });
    expect(expired.result.verified && expired.result.attestation.trusted).toBe(false);
    const selfSigned = await SoftU2fToken.create();
    const { response } = await selfSigned.register({ appId, challenge, origin });
    const r = await verifyRegistration({
      response,
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
      trustAnchors: [ca.pem],
    });
    expect(r.verified && r.attestation.trusted).toBe(false);
  });

  it('reads the FIDO transports extension', async () => {
    const t = await SoftU2fToken.create({ transportsExtension: Uint8Array.of(0x03, 0x02, 0x04, 0xd0) });
    const { response } = await t.register({ appId, challenge, origin });
    const result = await verifyRegistration({
      response,
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
    });
    expect(result.verified && result.registration.transports).toEqual(['bt', 'ble', 'nfc']);
  });

  it('malformed responses are typed results, never throws', async () => {
    const base = { appId, expectedChallenge: challenge, expectedFacetIds: origin };
    for (const response of [null, 42, {}, { clientData: 'x' }, { clientData: 1, registrationData: 'AA' }]) {
      const result = await verifyRegistration({ ...base, response: response as never });
      expect(codeOf(result)).toMatch(/^ERR_/);
    }
  });

  it('misuse throws TypeError naming the option', async () => {
    const { response } = await token.register({ appId, challenge, origin });
    await expect(
      verifyRegistration({ response, appId: '', expectedChallenge: challenge, expectedFacetIds: origin }),
    ).rejects.toThrow(TypeError);
    await expect(
      verifyRegistration({ response, appId, expectedChallenge: challenge, expectedFacetIds: [] }),
    ).rejects.toThrow(/expectedFacetIds/);
    await expect(
      verifyRegistration({
        response,
        appId,
        expectedChallenge: challenge,
        expectedFacetIds: origin,
        trustAnchors: ['nope'],
      }),
    ).rejects.toThrow(/trustAnchors\[0\]/);
  });
});
