/**
 * factorkit — one import for an auth server: WebAuthn, FIDO U2F, YubiKey OTP and
 * HOTP/TOTP verification behind one façade and one store seam.
 */
export * from './store/index.ts';
