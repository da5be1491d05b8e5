// Test helper: builds Yubico OTPs the way a YubiKey does (protocols §4.2), with node:crypto.
import { aes128EncryptBlockNode } from '../src/aes.ts';
import { crc16 } from '../src/crc16.ts';
import { aesGcmKeyEncryption } from '../src/key-encryption.ts';
import { MemoryYubikeyStore } from '../src/memory-store.ts';
import { hexDecode, modhexEncode } from '../src/modhex.ts';
import { YubikeyRegistry, type YubikeyRegistryOptions, type YubikeySeedUpload } from '../src/registry.ts';
import type { YubikeyStore } from '../src/store.ts';

export interface OtpFields {
  privateId: string; // 12 hex
  usageCounter: number;
  sessionCounter: number;
  timestamp?: number;
  random?: number;
  capsLock?: boolean;
}

export function tokenPlaintext(f: OtpFields): Uint8Array {
  const p = new Uint8Array(16);
  p.set(hexDecode(f.privateId), 0);
  const ctr = (f.usageCounter & 0x7fff) | (f.capsLock === true ? 0x8000 : 0);
  p[6] = ctr & 0xff;
  p[7] = ctr >> 8;
  const ts = f.timestamp ?? 0x123456;
  p[8] = ts & 0xff;
  p[9] = (ts >> 8) & 0xff;
  p[10] = (ts >> 16) & 0xff;
  p[11] = f.sessionCounter & 0xff;
  const rnd = f.random ?? 0xbeef;
  p[12] = rnd & 0xff;
  p[13] = rnd >> 8;
  const crc = ~crc16(p.subarray(0, 14)) & 0xffff;
  p[14] = crc & 0xff;
  p[15] = crc >> 8;
  return p;
}

export function makeOtp(publicId: string, aesKeyHex: string, f: OtpFields): string {
  return publicId + modhexEncode(aes128EncryptBlockNode(hexDecode(aesKeyHex), tokenPlaintext(f)));
}

export const KEY_A = {
  serial: '1234567',
  publicId: 'vvccccdddddd',
  privateId: 'a1b2c3d4e5f6',
  aesKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
};
export const KEY_B = {
  serial: '7654321',
  publicId: 'vvcccceeeeee',
  privateId: '112233445566',
  aesKey: '00112233445566778899aabbccddeeff',
};

/** The yubikey-ksm selftest key (public vector) as an Okta upload body. */
export const KSM_KEY = {
  serialNumber: '1234567',
  publicId: 'idkfefrdhtru',
  privateId: '609963eae7b5',
  aesKey: 'c68c9df8cbfe7d2f994cb904046c7218',
};
export const KSM_OTP = 'idkfefrdhtrutjduvtcjbfeuvhehdvjjlbchtlenfgku';

export const KEK: Uint8Array = new Uint8Array(32).fill(7);

/** A clock that advances one second each time it is read (deterministic ordering). */
export function steppingClock(start = '2026-01-01T00:00:00.000Z'): {
  clock: () => Date;
  set(iso: string): void;
} {
  let t = Date.parse(start);
  return {
    clock: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
    set(iso: string) {
      t = Date.parse(iso);
    },
  };
}

export function newRegistry(extra: Partial<YubikeyRegistryOptions> & { store?: YubikeyStore } = {}): {
  registry: YubikeyRegistry;
  store: YubikeyStore;
} {
  const store = extra.store ?? new MemoryYubikeyStore();
  const registry = new YubikeyRegistry({
    keyEncryption: aesGcmKeyEncryption(KEK),
    clock: steppingClock().clock,
    ...extra,
    store,
  });
  return { registry, store };
}

export function uploadBody(k: {
  serial: string;
  publicId: string;
  privateId: string;
  aesKey: string;
}): YubikeySeedUpload {
  return { serialNumber: k.serial, publicId: k.publicId, privateId: k.privateId, aesKey: k.aesKey };
}

/** A store that forwards to `inner` except for the overridden methods. */
export function wrapStore(inner: YubikeyStore, overrides: Partial<YubikeyStore>): YubikeyStore {
  return {
    insertMany: (r) => inner.insertMany(r),
    getById: (id) => inner.getById(id),
    getByPublicId: (p) => inner.getByPublicId(p),
    getSealedSecret: (id) => inner.getSealedSecret(id),
    list: (q) => inner.list(q),
    compareAndSetCounter: (u) => inner.compareAndSetCounter(u),
    updateStatus: (u) => inner.updateStatus(u),
    delete: (id) => inner.delete(id),
    ...overrides,
  };
}
