import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aes128DecryptBlockNode,
  aes128DecryptBlockPortable,
  aes128EncryptBlockNode,
  aes128EncryptBlockPortable,
} from '../src/aes.ts';
import { CRC_OK_RESIDUE, crc16 } from '../src/crc16.ts';
import {
  DVORAK_MODHEX_ALPHABET,
  dvorakToModhex,
  hexDecode,
  hexEncode,
  isModhex,
  MODHEX_ALPHABET,
  modhexDecode,
  modhexEncode,
} from '../src/modhex.ts';
import { decryptOtpToken } from '../src/otp.ts';

// yubico-c test-vectors.txt worked example (spec vector, transcribed; protocols §4.2).
const WORKED = {
  key: 'ecde18dbe76fbd0c33330f1c354871db',
  tokenModhex: 'hknhfjbrjnlnldnhcujvddbikngjrtgh',
  ciphertext: '69b6481c8baba2b60e8f22179b58cd56',
  plaintext: '8792ebfe26cc130030c20011c89f23c8',
};

describe('modhex', () => {
  it('encodes and decodes the yubico-c vectors', () => {
    expect(modhexEncode(Buffer.from('test'))).toBe('ifhgieif');
    expect(modhexEncode(Buffer.from('foobar'))).toBe('hhhvhvhdhbid');
    expect(hexEncode(modhexDecode('dteffuje'))).toBe('2d344e83');
    expect(hexEncode(modhexDecode(WORKED.tokenModhex))).toBe(WORKED.ciphertext);
    expect(hexEncode(modhexDecode(MODHEX_ALPHABET))).toBe('0123456789abcdef');
    expect(hexEncode(modhexDecode('CBDEFGHIJKLNRTUV'))).toBe('0123456789abcdef');
  });

  it('rejects odd length and foreign characters with ERR_OTP_MODHEX', () => {
    expect(() => modhexDecode('cbd')).toThrow(expect.objectContaining({ code: 'ERR_OTP_MODHEX' }));
    expect(() => modhexDecode('cbdef0')).toThrow(expect.objectContaining({ code: 'ERR_OTP_MODHEX' }));
    expect(() => modhexDecode('cbdéf0')).toThrow(expect.objectContaining({ code: 'ERR_OTP_MODHEX' }));
    expect(isModhex('cbdef0ghijklnrtuv')).toBe(false);
    expect(isModhex('cbdefghijklnrtuv')).toBe(true);
    expect(isModhex('')).toBe(false);
    expect(isModhex('cba')).toBe(false); // 'a' is hex, not modhex
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(modhexDecode(modhexEncode(b))).toEqual(b);
      }),
    );
  });

  it('Dvorak variant maps position by position to modhex', () => {
    expect(dvorakToModhex(DVORAK_MODHEX_ALPHABET)).toBe(MODHEX_ALPHABET);
    expect(dvorakToModhex('JXE.')).toBe('cbde');
    expect(dvorakToModhex('jxa')).toBeUndefined();
  });

  it('hexDecode is strict', () => {
    expect(() => hexDecode('0g')).toThrow(TypeError);
    expect(() => hexDecode('abc')).toThrow(TypeError);
    expect(hexEncode(hexDecode('ABcd'))).toBe('abcd');
  });
});

describe('CRC-16', () => {
  it('matches the python-yubico / yubico-c vectors', () => {
    expect(crc16(hexDecode('0001020304'))).toBe(0xf5c7);
    expect(crc16(hexDecode('fe'))).toBe(0x1176);
    expect(crc16(hexDecode('55aa00ff'))).toBe(0xcbb5);
    expect(crc16(hexDecode('010203040506307500093dfa60ea'))).toBe(0x8a0b);
    expect(crc16(hexDecode('01020304'))).toBe(0xc66e);
    expect(crc16(hexDecode('010203049139'))).toBe(CRC_OK_RESIDUE);
  });
  it('the worked example plaintext has the residue 0xf0b8', () => {
    expect(crc16(hexDecode(WORKED.plaintext))).toBe(0xf0b8);
  });
});

describe('AES-128-ECB: node:crypto and @noble/ciphers agree', () => {
  it('spec vectors', () => {
    const k1 = Buffer.from('abcdef0123456789');
    const in1 = Buffer.from('0123456789abcdef');
    for (const dec of [aes128DecryptBlockNode, aes128DecryptBlockPortable]) {
      expect(hexEncode(dec(k1, in1))).toBe('838a467f34639551755bd32a4a2f15e1');
      expect(hexEncode(dec(hexDecode(WORKED.key), hexDecode(WORKED.ciphertext)))).toBe(WORKED.plaintext);
    }
    for (const enc of [aes128EncryptBlockNode, aes128EncryptBlockPortable]) {
      expect(hexEncode(enc(hexDecode(WORKED.key), hexDecode(WORKED.plaintext)))).toBe(WORKED.ciphertext);
    }
  });

  it('agree on random keys and blocks (1000 runs)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, block) => {
          const a = aes128DecryptBlockNode(key, block);
          expect(aes128DecryptBlockPortable(key, block)).toEqual(a);
          expect(aes128EncryptBlockPortable(key, a)).toEqual(block);
          expect(aes128EncryptBlockNode(key, block)).toEqual(aes128EncryptBlockPortable(key, block));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses wrong key or block sizes', () => {
    expect(() => aes128DecryptBlockNode(new Uint8Array(15), new Uint8Array(16))).toThrow(RangeError);
    expect(() => aes128DecryptBlockPortable(new Uint8Array(16), new Uint8Array(32))).toThrow(RangeError);
  });
});

describe('token fields (protocols §4.2 layout, little-endian)', () => {
  it('reads the worked example', () => {
    for (const aes of [aes128DecryptBlockNode, aes128DecryptBlockPortable]) {
      const f = decryptOtpToken(modhexDecode(WORKED.tokenModhex), hexDecode(WORKED.key), aes);
      expect(hexEncode(f.privateId)).toBe('8792ebfe26cc');
      expect(f.usageCounter).toBe(19);
      expect(f.capsLock).toBe(false);
      expect(f.timestamp).toBe(0xc230);
      expect(f.sessionCounter).toBe(17);
      expect(f.random).toBe(0x9fc8);
      expect(f.crc).toBe(0xc823);
      expect(f.crcOk).toBe(true);
    }
  });
});

const shared = sharedFixturesDir();
if (shared === undefined) console.warn(sharedFixturesSkipMessage('yubico-otp collection vectors'));

describe.skipIf(shared === undefined)('shared collection vectors/collections/yubico-otp.json', () => {
  interface Collection {
    modhex: { vectors: { bytesHex: string; modhex: string }[] };
    aesEcb: { keyHex: string; inputHex: string; outputHex: string }[];
    crc16: { vectors: { inputHex: string; crc: number }[] };
    otpVectors: {
      vectors: {
        aesKeyHex: string;
        tokenModhex: string;
        plaintextHex: string;
        parsed: {
          privateIdHex: string;
          usageCounter: number;
          capsLockFlag: boolean;
          timestamp24: number;
          sessionCounter: number;
          crcResidueOk: boolean;
        };
      }[];
    };
  }
  const col = (): Collection =>
    JSON.parse(
      readFileSync(join(shared as string, 'vectors/collections/yubico-otp.json'), 'utf8'),
    ) as Collection;

  it('modhex, AES, CRC and OTP vectors', () => {
    const c = col();
    let n = 0;
    for (const v of c.modhex.vectors) {
      expect(modhexEncode(hexDecode(v.bytesHex))).toBe(v.modhex);
      n++;
    }
    for (const v of c.aesEcb) {
      const key = hexDecode(v.keyHex);
      const input = hexDecode(v.inputHex);
      expect(hexEncode(aes128DecryptBlockNode(key, input))).toBe(v.outputHex);
      expect(hexEncode(aes128DecryptBlockPortable(key, input))).toBe(v.outputHex);
      n++;
    }
    for (const v of c.crc16.vectors) {
      expect(crc16(hexDecode(v.inputHex))).toBe(v.crc);
      n++;
    }
    for (const v of c.otpVectors.vectors) {
      for (const aes of [aes128DecryptBlockNode, aes128DecryptBlockPortable]) {
        const f = decryptOtpToken(modhexDecode(v.tokenModhex), hexDecode(v.aesKeyHex), aes);
        expect(hexEncode(f.privateId)).toBe(v.parsed.privateIdHex);
        expect(f.usageCounter).toBe(v.parsed.usageCounter);
        expect(f.capsLock).toBe(v.parsed.capsLockFlag);
        expect(f.timestamp).toBe(v.parsed.timestamp24);
        expect(f.sessionCounter).toBe(v.parsed.sessionCounter);
        expect(f.crcOk).toBe(v.parsed.crcResidueOk);
      }
      n++;
    }
    console.log(`yubico-otp collection: ${n} vectors agreed (node:crypto and @noble/ciphers)`);
  });
});
