import { ATTESTATION_FORMATS, encodeBase64url, PENDING_ATTESTATION_FORMATS } from '@factorkit/webauthn';
import { describe, expect, it } from 'vitest';
import type { Case } from '../src/cli/cases.ts';
import { attestationFormatOf, pendingAttestationFormat, VERIFIERS } from '../src/cli/verifiers.ts';
import { createFactorkit } from '../src/facade/create.ts';

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const text = (s: string): number[] => [0x60 + s.length, ...utf8(s)];

/** A minimal attestationObject {fmt, attStmt: {}, authData: 37 zero bytes}, hand-encoded CBOR. */
function attestationObject(fmt: string): string {
  const bytes = [0xa3, ...text('fmt'), ...text(fmt), ...text('attStmt'), 0xa0];
  bytes.push(...text('authData'), 0x58, 37, ...new Array<number>(37).fill(0));
  return encodeBase64url(Uint8Array.from(bytes));
}

/**
 * A registration that every verifier rejects early (the client data is not the ceremony's), so
 * any verdict other than "unsupported" would come from a step before the format's own.
 */
function registration(fmt: string | null, format: string | null = fmt): Case {
  return {
    id: `fmt/${String(fmt)}`,
    kind: 'webauthn.registration',
    format,
    response: {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: {
        clientDataJSON: encodeBase64url(Uint8Array.from(utf8('{"type":"webauthn.get"}'))),
        attestationObject: fmt === null ? '!!not base64url!!' : attestationObject(fmt),
      },
      clientExtensionResults: {},
    },
    context: { challenge: 'AAAA', origin: 'https://example.com', rpId: 'example.com', trustAnchors: [] },
    expect: { verified: true },
  };
}

describe('check: attestation formats this build does not implement', () => {
  const verify = VERIFIERS['webauthn.registration'];

  it('the format is read from the attestationObject, else from the case', () => {
    expect(attestationFormatOf(registration('tpm', 'packed'))).toBe('tpm');
    expect(attestationFormatOf(registration(null, 'apple'))).toBe('apple');
  });

  it('every pending format of the webauthn package is unsupported before any other step rejects it', async () => {
    expect(PENDING_ATTESTATION_FORMATS.length).toBeGreaterThan(0);
    for (const fmt of PENDING_ATTESTATION_FORMATS) {
      expect(pendingAttestationFormat(registration(fmt))).toBe(fmt);
      expect(await verify(registration(fmt))).toMatchObject({ verified: null, code: 'ERR_UNSUPPORTED' });
    }
    // undecodable attestationObject: the case's format decides
    expect(await verify(registration(null, 'android-key'))).toMatchObject({
      verified: null,
      code: 'ERR_UNSUPPORTED',
    });
  });

  it('implemented formats and unregistered fmt values get a verdict (§7.1 step 21 rejects the latter)', async () => {
    for (const fmt of [...ATTESTATION_FORMATS.keys(), 'not_real_fmt']) {
      expect(pendingAttestationFormat(registration(fmt))).toBeUndefined();
      const v = await verify(registration(fmt));
      expect(v.verified, fmt).toBe(false);
      expect(v.code).not.toBe('ERR_UNSUPPORTED');
    }
  });
});

// yubico-c tests/selftest.c, otp_testvectors[4] (a spec vector, transcribed): all-zero
// private id and AES key; public id cccccccccccc; counters (0, 0), timer 0.
const VECTOR_4 = {
  otp: 'cccccccccccckkkncjnvcnenkjvjgncjihljiibgbhbh',
  token: { publicId: 'cccccccccccc', privateId: '000000000000', aesKey: '00000000000000000000000000000000' },
};

describe('yubikey.verifyOtp (stateless) and yubico-otp cases', () => {
  const fk = createFactorkit({ rp: { id: 'localhost', name: 't' }, origins: ['https://localhost'] });

  it('verifies the spec vector that the registry refuses to import', async () => {
    expect(fk.yubikey.verifyOtp(VECTOR_4)).toEqual({
      factorResult: 'SUCCESS',
      code: null,
      details: { publicId: 'cccccccccccc', usageCounter: 0, sessionCounter: 0, timestamp: 0 },
    });
    // the registry's import policy is unchanged for real uploads
    const upload = await fk.yubikey.uploadToken({ serialNumber: '1', ...VECTOR_4.token });
    expect(upload.ok).toBe(false);
    expect(upload.ok ? [] : upload.errors.map((e) => e.code)).toContain('ERR_SEED_WEAK_AES_KEY');
  });

  it('every check still runs: counters, private id, public id, shape', () => {
    expect(
      fk.yubikey.verifyOtp({ ...VECTOR_4, lastOtp: { usageCounter: 0, sessionCounter: 0 } }),
    ).toMatchObject({
      factorResult: 'PASSCODE_REPLAYED',
      code: 'ERR_OTP_REPLAYED',
    });
    expect(
      fk.yubikey.verifyOtp({ ...VECTOR_4, token: { ...VECTOR_4.token, privateId: '000000000001' } }),
    ).toMatchObject({ code: 'ERR_OTP_PRIVATE_ID' });
    expect(
      fk.yubikey.verifyOtp({ ...VECTOR_4, token: { ...VECTOR_4.token, aesKey: `${'0'.repeat(31)}1` } }),
    ).toMatchObject({ code: 'ERR_OTP_CRC' });
    expect(
      fk.yubikey.verifyOtp({ ...VECTOR_4, token: { ...VECTOR_4.token, publicId: 'cccccccccccb' } }),
    ).toMatchObject({ code: 'ERR_UNKNOWN_TOKEN' });
    expect(() => fk.yubikey.verifyOtp({ ...VECTOR_4, token: { ...VECTOR_4.token, aesKey: '00' } })).toThrow(
      RangeError,
    );
    // The OTP is request data: a non-string is a typed rejection, not a throw.
    expect(fk.yubikey.verifyOtp({ otp: 1 } as never)).toMatchObject({
      factorResult: 'REJECTED',
      code: 'ERR_MALFORMED_REQUEST',
    });
    expect(() => fk.yubikey.verifyOtp(null as never)).toThrow(TypeError);
  });

  it('a yubico-otp case is replayed through verifyOtp with the case state as the last OTP', async () => {
    const base: Case = {
      id: 'y/4',
      kind: 'yubico-otp',
      format: null,
      response: { otp: VECTOR_4.otp },
      context: { token: VECTOR_4.token, state: { counter: null, session: null } },
      expect: { verified: true },
    };
    expect(await VERIFIERS['yubico-otp'](base)).toEqual({ verified: true, code: null });
    const replayed = { ...base, context: { ...base.context, state: { counter: 0, session: 0 } } };
    expect(await VERIFIERS['yubico-otp'](replayed)).toMatchObject({
      verified: false,
      code: 'ERR_OTP_REPLAYED',
    });
  });
});
