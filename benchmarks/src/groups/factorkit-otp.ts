import type * as Otp from '@factorkit/otp';
import { type BenchCase, expect } from '../model.ts';
import { loadApi } from '../packages.ts';
import type { FactorkitCases } from './factorkit-webauthn.ts';
import { LOOK_AHEAD, type OtpInput } from './otp.ts';

type OtpApi = typeof Otp;

export async function factorkitTotpCases(input: OtpInput): Promise<FactorkitCases> {
  const loaded = await loadApi<OtpApi>('@factorkit/otp', ['verifyTotp', 'createOtpKey']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit TOTP: ${loaded.reason}`] };
  const { verifyTotp, createOtpKey } = loaded.api;
  const now = input.time * 1000;
  const step = input.counter;
  const base = {
    algorithm: input.algorithm,
    digits: input.digits,
    period: input.period,
    now,
    window: 1,
  } as const;
  const key = createOtpKey(input.secret, { algorithm: input.algorithm });
  const variants = [
    ['fk-accept', 'verifyTotp ±1, accept', input.secret, input.acceptCode, true],
    ['fk-reject', 'verifyTotp ±1, reject', input.secret, input.rejectCode, false],
    ['fk-key-accept', 'verifyTotp ±1 with a prepared OtpKey, accept', key, input.acceptCode, true],
  ] as const;
  const cases = variants.map(([k, label, secret, code, ok]): BenchCase => {
    const opts = { ...base, secret, code };
    return {
      key: k,
      label: `@factorkit/otp ${label}`,
      role: 'factorkit',
      async: false,
      run: () => verifyTotp(opts),
      check: () => {
        const r = verifyTotp(opts);
        if (ok) expect(r.verified && r.step === step && r.drift === 0, `${label}: verified at step ${step}`);
        else expect(!r.verified && r.code === 'ERR_OTP_INVALID', `${label}: rejected with ERR_OTP_INVALID`);
      },
    };
  });
  return { cases, pending: [] };
}

export async function factorkitHotpCases(input: OtpInput): Promise<FactorkitCases> {
  const loaded = await loadApi<OtpApi>('@factorkit/otp', ['verifyHotp']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit HOTP: ${loaded.reason}`] };
  const { verifyHotp } = loaded.api;
  const base = {
    secret: input.secret,
    algorithm: input.algorithm,
    digits: input.digits,
    counter: input.counter,
    lookAhead: LOOK_AHEAD,
  } as const;
  const accept = { ...base, code: input.acceptCode };
  const reject = { ...base, code: input.rejectCode };
  const matched = input.counter + LOOK_AHEAD;
  return {
    cases: [
      {
        key: 'fk-accept',
        label: '@factorkit/otp verifyHotp look-ahead 10, accept at +10',
        role: 'factorkit',
        async: false,
        run: () => verifyHotp(accept),
        check: () => {
          const r = verifyHotp(accept);
          expect(
            r.verified && r.counter === matched && r.nextCounter === matched + 1,
            'HOTP accepts the +10 code',
          );
        },
      },
      {
        key: 'fk-reject',
        label: '@factorkit/otp verifyHotp look-ahead 10, reject',
        role: 'factorkit',
        async: false,
        run: () => verifyHotp(reject),
        check: () => {
          const r = verifyHotp(reject);
          expect(
            !r.verified && r.code === 'ERR_OTP_INVALID',
            'HOTP rejects the wrong code with ERR_OTP_INVALID',
          );
        },
      },
    ],
    pending: [],
  };
}
