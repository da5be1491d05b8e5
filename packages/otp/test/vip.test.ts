import { describe, expect, it } from 'vitest';
import {
  createOtpKey,
  generateHotp,
  generateTotp,
  MemoryOtpCounterStore,
  parseVipCredentialId,
  totpStep,
  verifyVipEnrollment,
  verifyVipEnrollmentWithStore,
} from '../src/index.ts';
import { RFC_SECRET, sec } from './helpers.ts';

const key = createOtpKey(RFC_SECRET);
const now = sec(1_700_000_000);
const T = totpStep(now);
const t = (step: number): string => generateTotp({ secret: key, step });

describe('VIP credentialId shape', () => {
  it('accepts 4 letters + 8 digits, normalising case and spaces', () => {
    expect(parseVipCredentialId('VSMT14393584')).toEqual({
      credentialId: 'VSMT14393584',
      prefix: 'VSMT',
      mode: 'totp',
    });
    expect(parseVipCredentialId('vsmt 1439 3584')).toMatchObject({ credentialId: 'VSMT14393584' });
    expect(parseVipCredentialId('UBHE57586348')).toMatchObject({ mode: 'hotp' });
    expect(parseVipCredentialId('SYDC-12345678')).toMatchObject({ prefix: 'SYDC' });
  });

  it('rejects other shapes', () => {
    for (const bad of [
      'VSMT1439358',
      'VSMT143935844',
      'VSM114393584',
      '1SMT14393584',
      'VSMT1439358X',
      'VSMT',
      '',
      'VSMT14393584\n',
      'ÄSMT14393584',
      'V'.repeat(100),
    ]) {
      expect(parseVipCredentialId(bad), bad).toBeUndefined();
    }
    expect(parseVipCredentialId(14393584)).toBeUndefined();
  });

  it('narrows to allowedPrefixes', () => {
    expect(parseVipCredentialId('SYMC26070843', ['VSMT'])).toBeUndefined();
    expect(parseVipCredentialId('VSMT14393584', ['VSMT'])).toBeDefined();
  });
});

describe('VIP enrollment: passCode + nextPassCode (TOTP)', () => {
  const base = { secret: key, credentialId: 'VSMT14393584', now };

  it('accepts two consecutive codes and sets the sync point to nextPassCode', () => {
    expect(verifyVipEnrollment({ ...base, passCode: t(T - 1), nextPassCode: t(T) })).toEqual({
      verified: true,
      credentialId: 'VSMT14393584',
      mode: 'totp',
      step: T,
      drift: 0,
    });
    expect(verifyVipEnrollment({ ...base, passCode: t(T + 2), nextPassCode: t(T + 3) })).toMatchObject({
      step: T + 3,
      drift: 3,
    });
  });

  it('rejects swapped codes', () => {
    expect(verifyVipEnrollment({ ...base, passCode: t(T), nextPassCode: t(T - 1) })).toMatchObject({
      verified: false,
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('rejects a gap of 2', () => {
    expect(verifyVipEnrollment({ ...base, passCode: t(T - 1), nextPassCode: t(T + 1) })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('rejects identical codes', () => {
    expect(verifyVipEnrollment({ ...base, passCode: t(T), nextPassCode: t(T) })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('rejects a pair outside the window (default ±4)', () => {
    expect(verifyVipEnrollment({ ...base, passCode: t(T + 4), nextPassCode: t(T + 5) })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(verifyVipEnrollment({ ...base, passCode: t(T + 3), nextPassCode: t(T + 4) }).verified).toBe(true);
  });

  it('rejects a pair from a different token', () => {
    const other = createOtpKey(new Uint8Array(20).fill(7));
    const o = (s: number): string => generateTotp({ secret: other, step: s });
    expect(verifyVipEnrollment({ ...base, passCode: o(T - 1), nextPassCode: o(T) })).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('rejects a bad credentialId and malformed codes with their own codes', () => {
    expect(
      verifyVipEnrollment({ ...base, credentialId: 'VSMT123', passCode: t(T - 1), nextPassCode: t(T) }),
    ).toMatchObject({
      code: 'ERR_VIP_CREDENTIAL_ID_INVALID',
    });
    expect(verifyVipEnrollment({ ...base, passCode: 875498, nextPassCode: t(T) })).toMatchObject({
      code: 'ERR_OTP_CODE_MALFORMED',
    });
  });

  it('supports 10-digit codes (Okta example)', () => {
    const t10 = (s: number): string => generateTotp({ secret: key, step: s, digits: 10 });
    expect(
      verifyVipEnrollment({ ...base, digits: 10, passCode: t10(T), nextPassCode: t10(T + 1) }),
    ).toMatchObject({
      verified: true,
      step: T + 1,
    });
  });

  it('makes the pair single-use through the store', async () => {
    const store = new MemoryOtpCounterStore();
    const input = { ...base, store, factorId: 'f1', passCode: t(T - 1), nextPassCode: t(T) };
    expect(await verifyVipEnrollmentWithStore(input)).toMatchObject({ verified: true, step: T });
    expect(await verifyVipEnrollmentWithStore(input)).toMatchObject({ code: 'ERR_OTP_REPLAYED' });
  });
});

describe('VIP enrollment (event-based, UBHE)', () => {
  const h = (c: number): string => generateHotp({ secret: key, counter: c });

  it('accepts counters c and c+1 and advances the counter by 2', () => {
    expect(
      verifyVipEnrollment({ secret: key, credentialId: 'UBHE57586348', passCode: h(3), nextPassCode: h(4) }),
    ).toEqual({
      verified: true,
      credentialId: 'UBHE57586348',
      mode: 'hotp',
      counter: 4,
      nextCounter: 5,
      drift: 3,
    });
  });

  it('rejects swapped and gapped HOTP pairs', () => {
    const id = 'UBHE57586348';
    expect(
      verifyVipEnrollment({ secret: key, credentialId: id, passCode: h(4), nextPassCode: h(3) }),
    ).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
    expect(
      verifyVipEnrollment({ secret: key, credentialId: id, passCode: h(3), nextPassCode: h(5) }),
    ).toMatchObject({
      code: 'ERR_OTP_SEQUENCE_INVALID',
    });
  });

  it('refuses identical codes even where the token repeated a code (counters 910737/910738)', () => {
    expect(h(910737)).toBe(h(910738));
    const pair = { passCode: h(910737), nextPassCode: h(910738) };
    expect(
      verifyVipEnrollment({
        secret: key,
        credentialId: 'UBHE57586348',
        counter: 910737,
        lookAhead: 0,
        ...pair,
      }),
    ).toMatchObject({ code: 'ERR_OTP_SEQUENCE_INVALID' });
    expect(
      verifyVipEnrollment({
        secret: key,
        credentialId: 'VSMT14393584',
        now: sec(910738 * 30),
        window: 1,
        ...pair,
      }),
    ).toMatchObject({ code: 'ERR_OTP_SEQUENCE_INVALID' });
  });

  it('follows an explicit mode over the prefix', () => {
    expect(
      verifyVipEnrollment({
        secret: key,
        credentialId: 'VSMT14393584',
        mode: 'hotp',
        passCode: h(0),
        nextPassCode: h(1),
      }),
    ).toMatchObject({ verified: true, mode: 'hotp' });
  });
});
