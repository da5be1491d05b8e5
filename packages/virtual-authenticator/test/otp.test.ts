import { describe, expect, it } from 'vitest';
import { HotpToken, hotp, TotpToken, VipCredential } from '../src/index.ts';

// RFC 4226 Appendix D and RFC 6238 Appendix B (spec vectors, transcribed).
const RFC4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];
const SEED1 = Buffer.from('12345678901234567890').toString('hex');
const SEED256 = Buffer.from('12345678901234567890123456789012').toString('hex');
const SEED512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234').toString(
  'hex',
);
const RFC6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('HOTP (RFC 4226)', () => {
  it('Appendix D vectors; next() advances the counter', () => {
    const token = new HotpToken({ secret: SEED1 });
    expect(RFC4226.map(() => token.next())).toEqual(RFC4226);
    expect(token.counter).toBe(10);
    expect(token.codeAt(0)).toBe('755224');
  });
  it('rejects bad parameters', () => {
    expect(() => hotp(new Uint8Array(20), 0, { digits: 5 })).toThrow(RangeError);
    expect(() => hotp(new Uint8Array(20), -1)).toThrow(RangeError);
  });
});

describe('TOTP (RFC 6238)', () => {
  it.each(RFC6238)('t=%d', (t, sha1, sha256, sha512) => {
    expect(new TotpToken({ secret: SEED1, digits: 8 }).code(t)).toBe(sha1);
    expect(new TotpToken({ secret: SEED256, digits: 8, algorithm: 'SHA256' }).code(t)).toBe(sha256);
    expect(new TotpToken({ secret: SEED512, digits: 8, algorithm: 'SHA512' }).code(t)).toBe(sha512);
  });
  it('uses the clock and period', () => {
    const t = new TotpToken({ secret: SEED1, digits: 8, period: 60, clock: () => 59_000 });
    expect(t.step()).toBe(0);
    expect(t.code()).toBe(hotp(Buffer.from(SEED1, 'hex'), 0, { digits: 8 }));
  });
});

describe('VIP credential', () => {
  it('credential id format and two consecutive codes', () => {
    const vip = new VipCredential({ seed: 'vip' });
    expect(vip.credentialId).toMatch(/^VSMT\d{8}$/);
    const totp = new TotpToken({ secret: vip.secret });
    const { passCode, nextPassCode } = vip.securityCodes(1_700_000_000);
    expect(passCode).toBe(totp.codeAtStep(totp.step(1_700_000_000)));
    expect(nextPassCode).toBe(totp.codeAtStep(totp.step(1_700_000_000) + 1));
    expect(new VipCredential({ seed: 'vip' }).credentialId).toBe(vip.credentialId);
  });
  it('UBHE is event based', () => {
    const vip = new VipCredential({ seed: 'vip', prefix: 'UBHE' });
    expect(vip.kind).toBe('hotp');
    const h = new HotpToken({ secret: vip.secret });
    expect(vip.securityCodes()).toEqual({ passCode: h.codeAt(0), nextPassCode: h.codeAt(1) });
  });
});
