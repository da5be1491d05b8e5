// RFC 6238 Appendix B — TOTP test values, 8 digits, X = 30, T0 = 0.
// The seeds match the hash length (the Appendix A reference code; RFC 6238 erratum): SHA-1 uses
// the 20-byte seed, SHA-256 the 32-byte seed, SHA-512 the 64-byte seed.
import type { OtpAlgorithm } from '../../src/index.ts';

export const RFC6238_SEEDS: Readonly<Record<OtpAlgorithm, string>> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};

export interface Rfc6238Row {
  readonly time: number;
  readonly stepHex: string;
  readonly algorithm: OtpAlgorithm;
  readonly totp: string;
}

export const RFC6238_APPENDIX_B: readonly Rfc6238Row[] = [
  { time: 59, stepHex: '0000000000000001', algorithm: 'SHA1', totp: '94287082' },
  { time: 59, stepHex: '0000000000000001', algorithm: 'SHA256', totp: '46119246' },
  { time: 59, stepHex: '0000000000000001', algorithm: 'SHA512', totp: '90693936' },
  { time: 1111111109, stepHex: '00000000023523EC', algorithm: 'SHA1', totp: '07081804' },
  { time: 1111111109, stepHex: '00000000023523EC', algorithm: 'SHA256', totp: '68084774' },
  { time: 1111111109, stepHex: '00000000023523EC', algorithm: 'SHA512', totp: '25091201' },
  { time: 1111111111, stepHex: '00000000023523ED', algorithm: 'SHA1', totp: '14050471' },
  { time: 1111111111, stepHex: '00000000023523ED', algorithm: 'SHA256', totp: '67062674' },
  { time: 1111111111, stepHex: '00000000023523ED', algorithm: 'SHA512', totp: '99943326' },
  { time: 1234567890, stepHex: '000000000273EF07', algorithm: 'SHA1', totp: '89005924' },
  { time: 1234567890, stepHex: '000000000273EF07', algorithm: 'SHA256', totp: '91819424' },
  { time: 1234567890, stepHex: '000000000273EF07', algorithm: 'SHA512', totp: '93441116' },
  { time: 2000000000, stepHex: '0000000003F940AA', algorithm: 'SHA1', totp: '69279037' },
  { time: 2000000000, stepHex: '0000000003F940AA', algorithm: 'SHA256', totp: '90698825' },
  { time: 2000000000, stepHex: '0000000003F940AA', algorithm: 'SHA512', totp: '38618901' },
  { time: 20000000000, stepHex: '0000000027BC86AA', algorithm: 'SHA1', totp: '65353130' },
  { time: 20000000000, stepHex: '0000000027BC86AA', algorithm: 'SHA256', totp: '77737706' },
  { time: 20000000000, stepHex: '0000000027BC86AA', algorithm: 'SHA512', totp: '47863826' },
];

/** With the 20-byte seed misapplied, SHA-256 at t=59 gives this instead of 46119246. */
export const RFC6238_WRONG_SEED_SHA256_59 = '32247374';
