// The example server's routes, described for the conformance harness's HTTP target.
import { type HarnessTarget, httpTarget } from '@factorkit/virtual-authenticator/harness';

export function exampleTarget(baseUrl: string): HarnessTarget {
  return httpTarget({
    baseUrl,
    routes: {
      registrationStart: '/api/webauthn/register/start',
      registrationFinish: '/api/webauthn/register/finish',
      authenticationStart: '/api/webauthn/authenticate/start',
      authenticationFinish: '/api/webauthn/authenticate/finish',
      u2fRegistrationStart: '/account/u2f/start',
      u2fRegistrationFinish: '/account/u2f/finish',
      totpEnroll: '/account/totp/start',
      totpConfirm: '/account/totp/confirm',
      totpVerify: '/signin/otp',
      yubicoProvision: '/account/yubikey/seed',
      yubicoEnroll: '/account/yubikey/enroll',
      yubicoVerify: '/signin/yubikey',
    },
    registrationBody: { kind: 'passkey' },
    // The CSRF token of this session (it changes when the session signs in).
    headers: async (session) => {
      const res = await session.request('/api/session', { headers: { accept: 'application/json' } });
      const { csrfToken } = (await res.json()) as { csrfToken: string };
      return { 'x-csrf-token': csrfToken };
    },
  });
}
