import { createDecipheriv } from 'node:crypto';
import type { FixtureCase } from '@factorkit/testkit';
import { fixtureSource, obj, pickCase, str } from '../fixtures.ts';
import { type BenchCase, expect, type Group } from '../model.ts';
import { factorkitYubicoOtpCases } from './factorkit-yubikey.ts';

export interface YubicoOtpInput {
  readonly fixture: FixtureCase;
  readonly otp: string;
  readonly publicId: string;
  readonly privateIdHex: string;
  readonly aesKeyHex: string;
}

const MODHEX = 'cbdefghijklnrtuv';

/** Modhex → bytes (Yubico OTP format: 16 modhex letters stand for the 16 hex digits). */
function modhexDecode(s: string): Buffer {
  const out = Buffer.alloc(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = MODHEX.indexOf(s[2 * i] ?? '') * 16 + MODHEX.indexOf(s[2 * i + 1] ?? '');
  }
  return out;
}

export async function yubikeyGroups(): Promise<Group[]> {
  const fixture = pickCase(
    'vectors/yubico-otp',
    ['yubico-otp'],
    ['yubico-otp/ksm-selftest', 'virtual/yubico-otp/positive-first-use'],
    (c) => c.expect.verified === true,
  );
  if (fixture === undefined) {
    return [
      {
        id: 'yubico-otp',
        title: 'Yubico OTP verify',
        input: '—',
        cases: [],
        comparisons: [],
        pending: [`no yubico-otp vector in the ${fixtureSource()}`],
        notes: [],
      },
    ];
  }
  const token = obj(fixture.context['token'], 'token');
  const y: YubicoOtpInput = {
    fixture,
    otp: str(fixture.response['otp'], 'otp'),
    publicId: str(token['publicId'], 'publicId'),
    privateIdHex: str(token['privateId'], 'privateId'),
    aesKeyHex: str(token['aesKey'], 'aesKey'),
  };
  const key = Buffer.from(y.aesKeyHex, 'hex');
  const block = modhexDecode(y.otp.slice(-32));
  const privateId = Buffer.from(y.privateIdHex, 'hex');
  const decrypt = (): Buffer => {
    const d = createDecipheriv('aes-128-ecb', key, null);
    d.setAutoPadding(false);
    return d.update(block);
  };
  const kept = createDecipheriv('aes-128-ecb', key, null);
  kept.setAutoPadding(false);
  const limits: BenchCase[] = [
    {
      key: 'raw-aes',
      label: 'one raw AES-128 block decrypt (node:crypto, key set up per call)',
      role: 'limit',
      async: false,
      run: decrypt,
      check: () =>
        expect(decrypt().subarray(0, 6).equals(privateId), 'the decrypted block starts with the private id'),
    },
    {
      key: 'raw-aes-reused',
      label: 'one raw AES-128 block decrypt (node:crypto, decipher reused)',
      role: 'limit',
      async: false,
      run: () => kept.update(block),
      check: () =>
        expect(kept.update(block).subarray(0, 6).equals(privateId), 'the reused decipher decrypts'),
    },
  ];
  const fk = await factorkitYubicoOtpCases(y);
  return [
    {
      id: 'yubico-otp',
      title: 'Yubico OTP verify',
      input: `${fixture.id} (${fixture.device ?? '?'})`,
      cases: [...fk.cases, ...limits],
      comparisons: fk.cases.flatMap((c) => [
        { key: `${c.key}/raw-aes`, subject: c.key, baseline: 'raw-aes' },
        { key: `${c.key}/raw-aes-reused`, subject: c.key, baseline: 'raw-aes-reused' },
      ]),
      pending: fk.pending,
      notes: fk.notes ?? [],
    },
  ];
}
