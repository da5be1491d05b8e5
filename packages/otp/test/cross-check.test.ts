// Differential test against the independent OATH token of @factorkit/virtual-authenticator
// (node:crypto HMAC, BigInt arithmetic): a shared bug would have to be made twice.
import { HotpToken, hotp, TotpToken, VipCredential } from '@factorkit/virtual-authenticator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateHotp,
  hexDecode,
  MemoryOtpCounterStore,
  resyncDuoToken,
  verifyHotp,
  verifyTotp,
  verifyVipEnrollment,
  verifyVipEnrollmentWithStore,
} from '../src/index.ts';

describe('cross-check with the virtual OATH token', () => {
  it('HOTP agrees for random secrets, counters (to 2^53), algorithms and digit counts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 200 }),
        fc.maxSafeNat(),
        fc.constantFrom('SHA1' as const, 'SHA256' as const, 'SHA512' as const),
        fc.integer({ min: 6, max: 10 }),
        (secret, counter, algorithm, digits) => {
          expect(generateHotp({ secret, counter, algorithm, digits })).toBe(
            hotp(secret, counter, { algorithm, digits }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('verifies an event token that was pressed ahead, and Duo-resyncs it far ahead', () => {
    const token = new HotpToken({ seed: 'otp-cross-hotp', digits: 8 });
    const secret = hexDecode(token.secret);
    for (let i = 0; i < 7; i++) token.next(); // presses the server never saw
    expect(verifyHotp({ secret, digits: 8, counter: 0, code: token.next() })).toMatchObject({
      counter: 7,
      drift: 7,
    });
    for (let i = 0; i < 400; i++) token.next();
    const [code1, code2, code3] = [token.next(), token.next(), token.next()];
    expect(resyncDuoToken({ secret, digits: 8, counter: 8, code1, code2, code3 })).toMatchObject({
      counter: 410,
      nextCounter: 411,
    });
  });

  it('verifies a TOTP token under a shared clock, with drift', () => {
    let now = 1_750_000_000_000;
    const clock = (): number => now;
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      const token = new TotpToken({ seed: `otp-cross-${algorithm}`, algorithm, clock, period: 60 });
      const secret = hexDecode(token.secret);
      const code = token.code();
      expect(verifyTotp({ secret, algorithm, period: 60, clock, code })).toMatchObject({
        verified: true,
        drift: 0,
      });
      now += 60_000;
      expect(verifyTotp({ secret, algorithm, period: 60, clock, code })).toMatchObject({
        verified: true,
        drift: -1,
      });
      now += 60_000;
      expect(verifyTotp({ secret, algorithm, period: 60, clock, code })).toMatchObject({
        code: 'ERR_OTP_INVALID',
      });
    }
  });

  it('enrolls virtual VIP credentials (TOTP and UBHE) from their security codes', async () => {
    const now = 1_750_000_000_000;
    const mobile = new VipCredential({ seed: 'otp-cross-vip', clock: () => now });
    const pair = mobile.securityCodes();
    const base = { credentialId: mobile.credentialId, secret: hexDecode(mobile.secret), now };
    expect(verifyVipEnrollment({ ...base, ...pair })).toMatchObject({
      verified: true,
      mode: 'totp',
      drift: 1,
    });
    expect(
      verifyVipEnrollment({ ...base, passCode: pair.nextPassCode, nextPassCode: pair.passCode }),
    ).toMatchObject({ code: 'ERR_OTP_SEQUENCE_INVALID' });
    const store = new MemoryOtpCounterStore();
    expect(await verifyVipEnrollmentWithStore({ ...base, ...pair, store, factorId: 'vip' })).toMatchObject({
      verified: true,
    });
    expect(await verifyVipEnrollmentWithStore({ ...base, ...pair, store, factorId: 'vip' })).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });

    const hardware = new VipCredential({ seed: 'otp-cross-ubhe', prefix: 'UBHE', counter: 5 });
    const hw = hardware.securityCodes();
    expect(
      verifyVipEnrollment({ credentialId: hardware.credentialId, secret: hexDecode(hardware.secret), ...hw }),
    ).toMatchObject({ verified: true, mode: 'hotp', counter: 6, nextCounter: 7 });
  });
});
