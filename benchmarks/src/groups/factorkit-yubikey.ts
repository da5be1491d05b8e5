import type * as Yubikey from '@factorkit/yubikey';
import { type BenchCase, expect } from '../model.ts';
import { loadApi } from '../packages.ts';
import type { FactorkitCases } from './factorkit-webauthn.ts';
import type { YubicoOtpInput } from './yubikey.ts';

type YubikeyApi = typeof Yubikey;

/** Stateless verification of one OTP against its token (parse, decrypt, CRC, private id, replay). */
export async function factorkitYubicoOtpCases(input: YubicoOtpInput): Promise<FactorkitCases> {
  const loaded = await loadApi<YubikeyApi>('@factorkit/yubikey', [
    'verifyYubicoOtp',
    'aes128DecryptBlockPortable',
  ]);
  if (!loaded.ok) return { cases: [], pending: [`factorkit Yubico OTP: ${loaded.reason}`] };
  const { verifyYubicoOtp, aes128DecryptBlockPortable } = loaded.api;
  const token = { publicId: input.publicId, privateId: input.privateIdHex, aesKey: input.aesKeyHex };
  const make = (key: string, label: string, extra: { aes?: Yubikey.AesBlockCipher }): BenchCase => {
    const opts = { otp: input.otp, token, lastOtp: null, ...extra };
    return {
      key,
      label,
      role: 'factorkit',
      async: false,
      run: () => verifyYubicoOtp(opts),
      check: () => {
        const r = verifyYubicoOtp(opts);
        expect(r.verified === true, `Yubico OTP verified (got ${'code' in r ? r.code : 'ok'})`);
        const want = input.fixture.expect.result?.['counter'];
        if (typeof want === 'number') expect(r.usageCounter === want, `usage counter is ${want}`);
      },
    };
  };
  return {
    cases: [
      make('fk', '@factorkit/yubikey verifyYubicoOtp (node AES)', {}),
      make('fk-portable', '@factorkit/yubikey verifyYubicoOtp (portable AES)', {
        aes: aes128DecryptBlockPortable,
      }),
    ],
    pending: [],
  };
}
