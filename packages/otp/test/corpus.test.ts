import { loadSharedCases, sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { hexDecode, type OtpAlgorithm, verifyHotp, verifyTotp } from '../src/index.ts';

const corpus = sharedFixturesDir();
if (corpus === undefined) console.warn(sharedFixturesSkipMessage('HOTP/TOTP corpus replay'));

interface OtpContext {
  readonly secret: string;
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  readonly counter?: number;
  readonly time?: number;
  readonly period?: number;
  readonly window: number;
  readonly options?: { readonly t0?: number };
}

describe.skipIf(corpus === undefined)('shared corpus replay', () => {
  it('vectors/hotp-rfc4226: every verdict agrees', () => {
    const cases = loadSharedCases({ under: 'vectors/hotp-rfc4226', kinds: ['hotp'] }) ?? [];
    expect(cases.length).toBeGreaterThan(0);
    let agree = 0;
    for (const { case: c } of cases) {
      const ctx = c.context as unknown as OtpContext;
      const res = verifyHotp({
        secret: hexDecode(ctx.secret),
        algorithm: ctx.algorithm,
        digits: ctx.digits,
        counter: ctx.counter ?? 0,
        lookAhead: ctx.window,
        code: c.response['code'],
      });
      expect(res.verified, c.id).toBe(c.expect.verified);
      if (res.verified) {
        const want = c.expect.result ?? {};
        if (want['nextCounter'] !== undefined) expect(res.nextCounter, c.id).toBe(want['nextCounter']);
        if (want['matchedCounter'] !== undefined) expect(res.counter, c.id).toBe(want['matchedCounter']);
      } else {
        expect(res.code, c.id).toBe('ERR_OTP_INVALID');
      }
      agree++;
    }
    console.log(`vectors/hotp-rfc4226: ${agree}/${cases.length} verdicts agree`);
    expect(agree).toBe(cases.length);
  });

  it('vectors/totp-rfc6238: every verdict agrees', () => {
    const cases = loadSharedCases({ under: 'vectors/totp-rfc6238', kinds: ['totp'] }) ?? [];
    expect(cases.length).toBeGreaterThan(0);
    let agree = 0;
    for (const { case: c } of cases) {
      const ctx = c.context as unknown as OtpContext;
      const res = verifyTotp({
        secret: hexDecode(ctx.secret),
        algorithm: ctx.algorithm,
        digits: ctx.digits,
        now: (ctx.time ?? 0) * 1000,
        period: ctx.period ?? 30,
        t0: ctx.options?.t0 ?? 0,
        window: ctx.window,
        code: c.response['code'],
      });
      expect(res.verified, c.id).toBe(c.expect.verified);
      if (res.verified) {
        const want = c.expect.result ?? {};
        if (want['T'] !== undefined) expect(res.step, c.id).toBe(want['T']);
      } else {
        expect(res.code, c.id).toBe('ERR_OTP_INVALID');
      }
      agree++;
    }
    console.log(`vectors/totp-rfc6238: ${agree}/${cases.length} verdicts agree`);
    expect(agree).toBe(cases.length);
  });
});
