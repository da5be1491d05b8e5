import { describe, expect, it } from 'vitest';
import {
  decodeOktaSharedSecret,
  generateTotp,
  hexEncode,
  isOtpError,
  oktaProfileToOtpConfig,
  verifyTotp,
} from '../src/index.ts';

const fieldsOf = (profile: unknown): readonly string[] => {
  try {
    oktaProfileToOtpConfig(profile);
  } catch (e) {
    if (isOtpError(e, 'ERR_OKTA_PROFILE_INVALID')) return e.fields;
    throw e;
  }
  return [];
};

describe('Okta custom OTP profile mapping', () => {
  it('maps the Identity Engine custom_otp example settings', () => {
    expect(
      oktaProfileToOtpConfig({
        protocol: 'TOTP',
        acceptableAdjacentIntervals: 3,
        timeIntervalInSeconds: 30,
        encoding: 'base32',
        algorithm: 'HMacSHA256',
        passCodeLength: 6,
      }),
    ).toEqual({
      type: 'totp',
      algorithm: 'SHA256',
      digits: 6,
      period: 30,
      window: 3,
      secretEncoding: 'base32',
    });
  });

  it('maps the classic hotp factor profile (Terraform defaults) and hexadecimal secrets', () => {
    expect(
      oktaProfileToOtpConfig({
        timeBased: true,
        otpLength: 6,
        timeStep: 15,
        acceptableAdjacentIntervals: 3,
        encoding: 'hexadecimal',
        hmacAlgorithm: 'HMacSHA512',
      }),
    ).toEqual({ type: 'totp', algorithm: 'SHA512', digits: 6, period: 15, window: 3, secretEncoding: 'hex' });
  });

  it('maps Terraform resource names and event-based profiles', () => {
    expect(
      oktaProfileToOtpConfig({
        timeBased: false,
        otpLength: 8,
        hmacAlgorithm: 'HMacSHA1',
        clockDriftInterval: 5,
        sharedSecretEncoding: 'base64',
      }),
    ).toEqual({ type: 'hotp', algorithm: 'SHA1', digits: 8, lookAhead: 5, secretEncoding: 'base64' });
  });

  it('defaults encoding to base32 and the window to ±1', () => {
    expect(
      oktaProfileToOtpConfig({ algorithm: 'HMacSHA1', passCodeLength: 10, timeIntervalInSeconds: 60 }),
    ).toMatchObject({
      digits: 10,
      window: 1,
      secretEncoding: 'base32',
    });
  });

  it('reports every invalid field at once (names only)', () => {
    expect(
      fieldsOf({
        protocol: 'SYMANTEC',
        algorithm: 'HMacMD5',
        passCodeLength: 7,
        timeIntervalInSeconds: 0,
        acceptableAdjacentIntervals: 11,
        encoding: 'base58',
      }),
    ).toEqual([
      'protocol',
      'algorithm',
      'passCodeLength',
      'timeIntervalInSeconds',
      'acceptableAdjacentIntervals',
      'encoding',
    ]);
  });

  it('rejects missing required settings, wrong types and conflicting aliases', () => {
    expect(fieldsOf({})).toEqual(['algorithm', 'passCodeLength', 'timeIntervalInSeconds']);
    expect(fieldsOf({ algorithm: 'HMacSHA1', passCodeLength: '6', timeIntervalInSeconds: 30 })).toEqual([
      'passCodeLength',
    ]);
    expect(fieldsOf({ algorithm: 'HMacSHA1', passCodeLength: 12, timeIntervalInSeconds: 30 })).toEqual([
      'passCodeLength',
    ]);
    expect(fieldsOf({ algorithm: 'HMacSHA1', passCodeLength: 6, timeIntervalInSeconds: 30.5 })).toEqual([
      'timeIntervalInSeconds',
    ]);
    expect(
      fieldsOf({
        algorithm: 'HMacSHA1',
        hmacAlgorithm: 'HMacSHA256',
        passCodeLength: 6,
        timeIntervalInSeconds: 30,
      }),
    ).toEqual(['hmacAlgorithm']);
    expect(
      fieldsOf({ algorithm: 'HMacSHA1', passCodeLength: 6, timeIntervalInSeconds: 30, timeBased: 'yes' }),
    ).toEqual(['timeBased']);
    expect(
      fieldsOf({ protocol: 'TOTP', timeBased: false, algorithm: 'HMacSHA1', passCodeLength: 6 }),
    ).toEqual(['timeBased']);
    expect(fieldsOf(null)).toEqual(['profile']);
    expect(fieldsOf([])).toEqual(['profile']);
  });

  it('decodes the shared secret with the profile encoding and verifies end to end', () => {
    const config = oktaProfileToOtpConfig({
      algorithm: 'HMacSHA1',
      passCodeLength: 6,
      timeIntervalInSeconds: 60,
      acceptableAdjacentIntervals: 5,
      encoding: 'hexadecimal',
    });
    const { secret, warnings } = decodeOktaSharedSecret('484f97be3213b117e3a20438e291540a', config);
    expect(hexEncode(secret)).toBe('484f97be3213b117e3a20438e291540a');
    expect(warnings).toEqual([]);
    const now = 1_700_000_000_000;
    // 5 intervals of 60 s: a code from 300 s earlier is still accepted, 360 s is not.
    const old = generateTotp({ secret, now: now - 300_000, period: config.period ?? 30 });
    expect(
      verifyTotp({ secret, now, code: old, period: config.period ?? 30, window: config.window ?? 1 })
        .verified,
    ).toBe(true);
    const older = generateTotp({ secret, now: now - 360_000, period: 60 });
    expect(verifyTotp({ secret, now, code: older, period: 60, window: config.window ?? 1 }).verified).toBe(
      false,
    );
    expect(() => decodeOktaSharedSecret('zz', config)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_ENCODING' }),
    );
    expect(() => decodeOktaSharedSecret(42, config)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_ENCODING' }),
    );
  });
});
