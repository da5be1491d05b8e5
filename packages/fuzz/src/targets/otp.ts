import { base32Encode, decodeSecret, formatOtpauthUri, hexEncode, parseOtpauthUri } from '@factorkit/otp';
import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import {
  aesGcmKeyEncryption,
  isModhex,
  MemoryYubikeyStore,
  modhexDecode,
  parseOtp,
  verifyYubicoOtp,
  YubikeyRegistry,
} from '@factorkit/yubikey';
import { shrinkString, type Target, type TargetCorpus } from '../harness.ts';
import { mutateString } from '../mutate.ts';

function stringCorpus(seeds: readonly string[], run: (s: string) => unknown): TargetCorpus<string> {
  return {
    generate: (rng) => (rng.int(50) === 0 ? rng.pick(seeds) : mutateString(rng, rng.pick(seeds), seeds)),
    run,
    size: (s) => s.length * 2,
    shrink: shrinkString,
    show: (s) => `string:${JSON.stringify(s)}`,
  };
}

const SECRET = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 0xff);

export const otpauthTarget: Target<string> = {
  name: 'otpauth-uri',
  weight: 2,
  entry: '@factorkit/otp parseOtpauthUri',
  throws: 'typed',
  setup: () =>
    stringCorpus(
      [
        formatOtpauthUri({
          type: 'totp',
          accountName: 'alice@example.com',
          issuer: 'Example',
          secret: SECRET,
        }),
        formatOtpauthUri({
          type: 'hotp',
          accountName: 'bob',
          secret: SECRET,
          counter: 42,
          digits: 8,
          algorithm: 'SHA256',
        }),
        formatOtpauthUri({
          type: 'totp',
          accountName: 'c',
          issuer: 'A&B Corp',
          secret: SECRET,
          period: 60,
          algorithm: 'SHA512',
        }),
      ],
      (s) => parseOtpauthUri(s),
    ),
};

export const secretTarget: Target<string> = {
  name: 'base32-hex-secret',
  entry: '@factorkit/otp decodeSecret (base32, hex, base64)',
  throws: 'typed',
  setup: () => {
    const seeds = [
      `b32:${base32Encode(SECRET)}`,
      `hex:${hexEncode(SECRET)}`,
      `b64:${Buffer.from(SECRET).toString('base64')}`,
    ];
    return stringCorpus(seeds, (s) => {
      const encoding = s.startsWith('hex:') ? 'hex' : s.startsWith('b64:') ? 'base64' : 'base32';
      return decodeSecret(s.slice(4), encoding);
    });
  },
};

const key = new VirtualYubiKey({ seed: 'fuzz yubikey' });
const token = key.secrets;
const otps = [key.press(), key.press(), key.press()];

export const modhexTarget: Target<string> = {
  name: 'modhex',
  entry: '@factorkit/yubikey modhexDecode, isModhex, parseOtp',
  throws: 'typed',
  setup: () =>
    stringCorpus(otps, (s) => {
      isModhex(s);
      parseOtp(s);
      return modhexDecode(s);
    }),
};

export const yubicoOtpTarget: Target<string> = {
  name: 'yubico-otp',
  entry: '@factorkit/yubikey verifyYubicoOtp',
  throws: 'never',
  setup: () => {
    const corpus = stringCorpus(otps, (otp) => verifyYubicoOtp({ otp, token, lastOtp: null }));
    return {
      ...corpus,
      // The whole OTP is the MAC'd data (AES block with CRC and private id): a changed character
      // must never verify, except a case change (yubikey-val lower-cases) of an original OTP.
      changesSignedData: (s: string) => !otps.includes(s.toLowerCase()),
    };
  },
};

const yRow = (serial: string, publicId: string, privateId: string, aesKey: string): string =>
  `${serial},${publicId},${privateId},${aesKey},000000000000,2026-01-01T12:00:00,`;

function seedImportCorpus(seeds: readonly string[]): TargetCorpus<string> {
  let registry: YubikeyRegistry | undefined;
  let uses = 0;
  const corpus = stringCorpus(seeds, (text) => {
    if (registry === undefined || ++uses % 500 === 0) {
      registry = new YubikeyRegistry({
        store: new MemoryYubikeyStore(),
        keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(3)),
        clock: () => new Date(0),
      });
    }
    return registry.importSeeds(text);
  });
  return corpus;
}

export const seedCsvTarget: Target<string> = {
  name: 'seed-csv',
  weight: 4,
  entry: '@factorkit/yubikey YubikeyRegistry.importSeeds (Yubico/Traditional CSV)',
  throws: 'never',
  setup: () =>
    seedImportCorpus([
      [
        yRow('1001', 'vvcccccccccb', '0a0b0c0d0e01', '11111111111111111111111111111101'),
        yRow('1002', 'vvcccccccccd', '0a0b0c0d0e02', '11111111111111111111111111111102'),
      ].join('\n'),
      `LOGGING START,1 janv. 2026 à 12:00\nYubico OTP,1 janv. 2026 à 12:00,1,${token.publicId},${token.privateId},${token.aesKey},,,0,0,0,0,0,0,0,0,0,0\n`,
      `\uFEFF${yRow('7', 'vvccccccccce', '0a0b0c0d0e03', '11111111111111111111111111111103')}\r\n`,
    ]),
};

export const seedOktaJsonTarget: Target<string> = {
  name: 'seed-okta-json',
  weight: 4,
  entry: '@factorkit/yubikey YubikeyRegistry.importSeeds (Okta JSON)',
  throws: 'never',
  setup: () =>
    seedImportCorpus([
      JSON.stringify({
        serialNumber: '5',
        publicId: 'vvcccccccccb',
        privateId: '0a0b0c0d0e01',
        aesKey: '11111111111111111111111111111101',
      }),
      JSON.stringify([
        {
          serialNumber: '5',
          publicId: 'vvcccccccccb',
          privateId: '0a0b0c0d0e01',
          aesKey: '11111111111111111111111111111101',
        },
        {
          serialNumber: '6',
          publicId: 'vvcccccccccd',
          privateId: '0a0b0c0d0e02',
          aesKey: '11111111111111111111111111111102',
        },
      ]),
    ]),
};
