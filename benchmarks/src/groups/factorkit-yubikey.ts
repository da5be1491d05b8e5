import { loadApi } from '../packages.ts';
import type { FactorkitCases } from './factorkit-webauthn.ts';
import type { YubicoOtpInput } from './yubikey.ts';

export async function factorkitYubicoOtpCases(_input: YubicoOtpInput): Promise<FactorkitCases> {
  const loaded = await loadApi('@factorkit/yubikey', ['verifyYubicoOtp']);
  if (!loaded.ok) return { cases: [], pending: [`factorkit Yubico OTP: ${loaded.reason}`] };
  return { cases: [], pending: ['factorkit Yubico OTP: pending: package not landed'] };
}
