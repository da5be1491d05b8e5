// tinybench: one Yubico OTP token decryption (node:crypto vs @noble/ciphers) and full verification.
// Run: npx tsx packages/yubikey/scripts/bench-aes.ts   (authoritative numbers live in benchmarks/)
import { Bench } from 'tinybench';
import {
  aes128DecryptBlockNode,
  aes128DecryptBlockPortable,
  aesGcmKeyEncryption,
  MemoryYubikeyStore,
  verifyYubicoOtp,
  YubikeyRegistry,
} from '../src/index.ts';

const token = {
  publicId: 'idkfefrdhtru',
  privateId: '609963eae7b5',
  aesKey: 'c68c9df8cbfe7d2f994cb904046c7218',
};
const otp = 'idkfefrdhtrutjduvtcjbfeuvhehdvjjlbchtlenfgku';
const key = Buffer.from(token.aesKey, 'hex');
const block = Buffer.from('69b6481c8baba2b60e8f22179b58cd56', 'hex');

const registry = new YubikeyRegistry({
  store: new MemoryYubikeyStore(),
  keyEncryption: aesGcmKeyEncryption(new Uint8Array(32).fill(3)),
});
await registry.uploadToken({ serialNumber: '1', ...token });

const bench = new Bench({ time: 1000 });
bench
  .add('AES-128-ECB block decrypt, node:crypto', () => {
    aes128DecryptBlockNode(key, block);
  })
  .add('AES-128-ECB block decrypt, @noble/ciphers', () => {
    aes128DecryptBlockPortable(key, block);
  })
  .add('verifyYubicoOtp (stateless), node:crypto', () => {
    verifyYubicoOtp({ otp, token, aes: aes128DecryptBlockNode });
  })
  .add('verifyYubicoOtp (stateless), @noble/ciphers', () => {
    verifyYubicoOtp({ otp, token, aes: aes128DecryptBlockPortable });
  })
  .add('registry.verify, unknown user (lookup + reject)', async () => {
    await registry.verify({ userId: 'nobody', passCode: otp });
  });
await bench.run();
// Works with tinybench 2 (`hz`, `mean`) and 6 (`throughput`, `latency`).
type AnyResult = { hz?: number; mean?: number; throughput?: { mean: number }; latency?: { mean: number } };
console.table(
  bench.tasks.map((t) => {
    const r = t.result as AnyResult | undefined;
    const meanMs = r?.latency?.mean ?? r?.mean ?? 0;
    return {
      task: t.name,
      'ops/s': Math.round(r?.throughput?.mean ?? r?.hz ?? 0),
      'mean µs': Number((meanMs * 1000).toFixed(2)),
    };
  }),
);
