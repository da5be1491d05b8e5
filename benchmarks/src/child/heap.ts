/**
 * Child process (run with --expose-gc): heap growth over many verifications.
 *
 *   otp      TOTP verifications cycling through more distinct secrets than @factorkit/otp's
 *            bounded key cache holds, so the cache evicts all the time.
 *   webauthn ES256 assertions verified with the stored COSE key decoded on every call.
 *
 * Prints one JSON line: heap used after a warm-up and after the run (both after full GCs).
 */
import { createHmac } from 'node:crypto';

const kind = process.argv[2] ?? 'otp';
const iterations = Number(process.argv[3] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('run with --expose-gc\n');
  process.exit(2);
}

function fullGc(): void {
  for (let i = 0; i < 3; i++) gc?.();
}

function totpCode(secret: Uint8Array, step: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = (mac[19] ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, '0');
}

async function makeStep(): Promise<{ step: () => boolean | Promise<boolean>; note: string }> {
  if (kind === 'otp') {
    const { verifyTotp, KEY_CACHE_SIZE } = await import('@factorkit/otp');
    const distinct = KEY_CACHE_SIZE * 8;
    const now = 1_700_000_000_000;
    const t = Math.floor(now / 30_000);
    const secrets = Array.from({ length: distinct }, (_, i) => {
      const s = new Uint8Array(20);
      new DataView(s.buffer).setUint32(0, i);
      s.fill(0x5a, 4);
      return s;
    });
    const codes = secrets.map((s) => totpCode(s, t));
    let i = 0;
    return {
      step: () => {
        const k = i++ % distinct;
        return verifyTotp({ secret: secrets[k] as Uint8Array, code: codes[k], now, window: 1 }).verified;
      },
      note: `verifyTotp ±1 over ${distinct} secrets (key cache bound ${KEY_CACHE_SIZE})`,
    };
  }
  if (kind === 'webauthn') {
    const json = process.argv[4];
    if (json === undefined) throw new Error('webauthn needs the fixture case (JSON) as the third argument');
    const c = JSON.parse(json);
    const { verifyAuthentication } = await import('@factorkit/webauthn');
    const opts = {
      expectedChallenge: c.context.challenge,
      expectedOrigin: c.context.origin,
      expectedRpId: c.context.rpId,
      requireUserVerification: c.context.requireUserVerification === true,
      credential: {
        id: c.context.credential.id,
        publicKey: new Uint8Array(Buffer.from(c.context.credential.publicKey, 'base64url')),
        signCount: c.context.credential.counter,
      },
    };
    return {
      step: () => verifyAuthentication(c.response, opts).verified,
      note: `verifyAuthentication (${c.id}), COSE key decoded per call`,
    };
  }
  throw new Error(`unknown kind ${kind}`);
}

const { step, note } = await makeStep();
const warmup = Math.max(1000, Math.floor(iterations / 10));
for (let i = 0; i < warmup; i++) if (!(await step())) throw new Error('verification failed during warm-up');
fullGc();
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
let failures = 0;
for (let i = 0; i < iterations; i++) if (!(await step())) failures++;
const seconds = (performance.now() - t0) / 1000;
fullGc();
const after = process.memoryUsage().heapUsed;
if (failures > 0) {
  process.stderr.write(`${failures} verifications failed\n`);
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ kind, note, iterations, seconds, heapBeforeMiB: before / 2 ** 20, heapAfterMiB: after / 2 ** 20, growthMiB: (after - before) / 2 ** 20 })}\n`,
);
