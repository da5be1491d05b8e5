import { beforeAll, describe, expect, it } from 'vitest';
import { type U2fCredential, type VerifyAuthenticationOptions, verifyAuthentication } from '../src/index.ts';
import { type SignInput, SoftU2fToken } from './helpers/soft-token.ts';

const appId = 'https://example.com/app-id.json';
const origin = 'https://example.com';
const challenge = 'c2lnbiBjaGFsbGVuZ2UgZm9yIHRoZSBhdXRoZW50aWNhdGlvbiB0ZXN0';

let token: SoftU2fToken;
let credential: U2fCredential;

beforeAll(async () => {
  token = await SoftU2fToken.create();
  const reg = await token.register({ appId, challenge: 'reg', origin });
  credential = { keyHandle: reg.keyHandle, publicKey: reg.publicKey, counter: 0 };
});

async function authenticate(
  input: Partial<SignInput> = {},
  options: Partial<VerifyAuthenticationOptions> = {},
) {
  const response = token.sign({ appId, challenge, origin, keyHandle: credential.keyHandle, ...input });
  return verifyAuthentication({
    response,
    appId,
    expectedChallenge: challenge,
    expectedFacetIds: [origin],
    credential: { ...credential, counter: token.counter - 1 },
    ...options,
  });
}

const codeOf = (r: { verified: boolean }) => (r as { code?: string }).code;

describe('verifyAuthentication', () => {
  it('accepts a fresh assertion and returns the new counter', async () => {
    const result = await authenticate();
    expect(result.verified).toBe(true);
    if (!result.verified) return;
    expect(result.counter).toBe(token.counter);
    expect(result.userPresent).toBe(true);
    expect(result.counterRegressed).toBe(false);
    expect(result.keyHandle).toBe(credential.keyHandle);
  });

  it('accepts the public key as websafe base64 too', async () => {
    const pk = Buffer.from(credential.publicKey as Uint8Array).toString('base64url');
    expect(
      (await authenticate({}, { credential: { ...credential, publicKey: pk, counter: 0 } })).verified,
    ).toBe(true);
  });

  it('clientData.typ: enrollment client data is not an assertion', async () => {
    expect(codeOf(await authenticate({ typ: 'navigator.id.finishEnrollment' }))).toBe('ERR_CLIENT_DATA_TYP');
    expect(codeOf(await authenticate({ typ: 'navigator.id.getassertion' }))).toBe('ERR_CLIENT_DATA_TYP');
  });

  it('clientData.challenge: another challenge is rejected', async () => {
    expect(codeOf(await authenticate({ challenge: 'b3RoZXI' }))).toBe('ERR_CHALLENGE_MISMATCH');
  });

  it('clientData.origin: another origin is rejected', async () => {
    for (const o of ['https://evil-example.com', 'https://example.com.evil.com', 'http://example.com']) {
      expect(codeOf(await authenticate({ origin: o })), o).toBe('ERR_ORIGIN_MISMATCH');
    }
  });

  it('signatureData.userPresence: UP 0 rejected unless the caller explicitly allows it', async () => {
    expect(codeOf(await authenticate({ userPresence: 0x00 }))).toBe('ERR_USER_PRESENCE_REQUIRED');
    // Reserved bits set but bit 0 clear is still "not present".
    expect(codeOf(await authenticate({ userPresence: 0xfe }))).toBe('ERR_USER_PRESENCE_REQUIRED');
    const allowed = await authenticate({ userPresence: 0x00 }, { requireUserPresence: false });
    expect(allowed.verified && allowed.userPresent).toBe(false);
    expect(allowed.verified).toBe(true);
  });

  it('signature: another key’s signature, another appId, or a flipped counter byte fails', async () => {
    const other = await SoftU2fToken.newUserKey();
    expect(codeOf(await authenticate({ signingKey: other.privateKey }))).toBe('ERR_SIGNATURE_INVALID');
    expect(codeOf(await authenticate({}, { appId: 'https://example.org/app-id.json' }))).toBe(
      'ERR_SIGNATURE_INVALID',
    );
    const flipped = await authenticate({
      mutate: (raw) => raw.map((b, i) => (i === 4 ? b ^ 0x80 : b)),
    });
    expect(codeOf(flipped)).toBe('ERR_SIGNATURE_INVALID');
    const upFlipped = await authenticate({
      userPresence: 0x01,
      mutate: (raw) => raw.map((b, i) => (i === 0 ? 0x03 : b)),
    });
    expect(codeOf(upFlipped)).toBe('ERR_SIGNATURE_INVALID');
  });

  it('signature is checked over credential.appId when the key was registered under another AppID', async () => {
    const legacy = 'https://legacy.example.com/appid';
    const ok = await authenticate(
      { appId: legacy },
      { credential: { ...credential, appId: legacy, counter: 0 } },
    );
    expect(ok.verified).toBe(true);
    expect(codeOf(await authenticate({ appId: legacy }))).toBe('ERR_SIGNATURE_INVALID');
  });

  it('signCount: equal or lower counter rejected (cloned token), both zero accepted', async () => {
    const c = token.counter + 1;
    expect(codeOf(await authenticate({ counter: c }, { credential: { ...credential, counter: c } }))).toBe(
      'ERR_COUNTER_NOT_INCREASED',
    );
    expect(
      codeOf(await authenticate({ counter: c - 1 }, { credential: { ...credential, counter: c } })),
    ).toBe('ERR_COUNTER_NOT_INCREASED');
    expect(codeOf(await authenticate({ counter: 0 }, { credential: { ...credential, counter: 5 } }))).toBe(
      'ERR_COUNTER_NOT_INCREASED',
    );
    expect((await authenticate({ counter: 0 }, { credential: { ...credential, counter: 0 } })).verified).toBe(
      true,
    );
    const max = await authenticate(
      { counter: 0xffffffff },
      { credential: { ...credential, counter: 0xfffffffe } },
    );
    expect(max.verified && max.counter).toBe(0xffffffff);
    const flagged = await authenticate(
      { counter: 3 },
      { credential: { ...credential, counter: 3 }, allowCounterRegression: true },
    );
    expect(flagged.verified && flagged.counterRegressed).toBe(true);
  });

  it('keyHandle: a response for another key handle is rejected before anything else', async () => {
    const reg2 = await token.register({ appId, challenge: 'x', origin });
    const response = token.sign({ appId, challenge, origin, keyHandle: reg2.keyHandle });
    const result = await verifyAuthentication({
      response,
      appId,
      expectedChallenge: challenge,
      expectedFacetIds: origin,
      credential: { ...credential, counter: 0 },
    });
    expect(codeOf(result)).toBe('ERR_KEY_HANDLE_INVALID');
  });

  it('signatureData framing: truncation, trailing bytes and non-DER signatures are typed', async () => {
    const response = token.sign({ appId, challenge, origin, keyHandle: credential.keyHandle });
    const raw = Buffer.from(response.signatureData, 'base64url');
    for (let n = 0; n < raw.length; n++) {
      const result = await verifyAuthentication({
        response: { ...response, signatureData: raw.subarray(0, n).toString('base64url') },
        appId,
        expectedChallenge: challenge,
        expectedFacetIds: origin,
        credential: { ...credential, counter: 0 },
      });
      expect(codeOf(result), `prefix ${n}`).toMatch(
        n === 0
          ? /ERR_RESPONSE_MALFORMED/
          : n <= 5
            ? /ERR_MESSAGE_TRUNCATED/
            : /^ERR_(MESSAGE_TRUNCATED|SIGNATURE_MALFORMED)$/,
      );
    }
    expect(codeOf(await authenticate({ mutate: (r) => Uint8Array.of(...r, 0) }))).toBe('ERR_TRAILING_BYTES');
    const rawSig = await authenticate({
      mutate: (r) => Uint8Array.of(...r.subarray(0, 5), ...new Uint8Array(64).fill(7)),
    });
    expect(codeOf(rawSig)).toBe('ERR_SIGNATURE_MALFORMED');
    // r with a superfluous leading zero: BER, not DER.
    const ber = await authenticate({
      mutate: (r) => Uint8Array.of(...r.subarray(0, 5), 0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01),
    });
    expect(codeOf(ber)).toBe('ERR_SIGNATURE_MALFORMED');
    const zero = await authenticate({
      mutate: (r) => Uint8Array.of(...r.subarray(0, 5), 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00),
    });
    expect(codeOf(zero)).toBe('ERR_SIGNATURE_MALFORMED');
  });

  it('high-S signatures are accepted (U2F tokens never normalised S)', async () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    let sawHigh = false;
    for (let i = 0; i < 8; i++) {
      const response = token.sign({ appId, challenge, origin, keyHandle: credential.keyHandle });
      const raw = Buffer.from(response.signatureData, 'base64url');
      // Re-encode the same signature with s' = n - s: the other valid ECDSA signature.
      const sig = raw.subarray(5);
      const rLen = sig[3] as number;
      const r = sig.subarray(4, 4 + rLen);
      const s = BigInt(`0x${Buffer.from(sig.subarray(6 + rLen)).toString('hex')}`);
      const s2 = n - s;
      let hex = s2.toString(16);
      if (hex.length % 2) hex = `0${hex}`;
      let sBytes = Buffer.from(hex, 'hex');
      if ((sBytes[0] as number) & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
      const body = Buffer.concat([
        Buffer.from([0x02, r.length]),
        r,
        Buffer.from([0x02, sBytes.length]),
        sBytes,
      ]);
      const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
      if (s2 > n / 2n) sawHigh = true;
      const result = await verifyAuthentication({
        response: {
          ...response,
          signatureData: Buffer.concat([raw.subarray(0, 5), der]).toString('base64url'),
        },
        appId,
        expectedChallenge: challenge,
        expectedFacetIds: origin,
        credential: { ...credential, counter: 0 },
      });
      expect(result.verified).toBe(true);
    }
    expect(sawHigh).toBe(true);
  });

  it('misuse: bad stored credential throws TypeError/RangeError', async () => {
    const response = token.sign({ appId, challenge, origin, keyHandle: credential.keyHandle });
    const base = { response, appId, expectedChallenge: challenge, expectedFacetIds: origin };
    await expect(
      verifyAuthentication({ ...base, credential: { ...credential, counter: -1 } }),
    ).rejects.toThrow(RangeError);
    await expect(
      verifyAuthentication({ ...base, credential: { ...credential, publicKey: new Uint8Array(65) } }),
    ).rejects.toThrow(TypeError);
  });
});
