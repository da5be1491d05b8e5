import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { encodeCbor } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { parseCoseKey } from '../src/cose.ts';
import { WebAuthnError } from '../src/errors.ts';
import { BACKENDS } from './helpers/backends.ts';

// Wycheproof ML-DSA verification vectors (C2SP), run through the path a WebAuthn credential takes:
// the public key is wrapped as a COSE AKP key (RFC 9964), parsed by parseCoseKey, imported by
// the backend and verified with the backend's verify. How the vector verdicts map:
// - valid with no `ctx` or an empty one: must verify;
// - valid with a non-empty `ctx`: must NOT verify — COSE ML-DSA signs with the empty context,
//   so a signature bound to another context is not a WebAuthn signature;
// - IncorrectPublicKeyLength: the COSE key parser refuses the key (ERR_INVALID_PUBLIC_KEY);
// - every other invalid: verify returns false (never throws).

const dir = sharedFixturesDir();
if (dir === undefined) console.warn(sharedFixturesSkipMessage('Wycheproof ML-DSA vectors'));

interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly msg: string;
  readonly sig: string;
  readonly ctx?: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly flags: readonly string[];
}
interface Group {
  readonly publicKey: string;
  readonly tests: readonly Vector[];
}

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const SETS = [
  ['mldsa_44_verify_test.json', -48],
  ['mldsa_65_verify_test.json', -49],
  ['mldsa_87_verify_test.json', -50],
] as const;

describe.skipIf(dir === undefined).each(BACKENDS)(
  'Wycheproof ML-DSA through COSE keys (%s)',
  (_b, crypto) => {
    it.each(SETS)('%s', async (file, alg) => {
      const data = JSON.parse(
        readFileSync(join(dir as string, 'vectors/collections/wycheproof', file), 'utf8'),
      ) as { numberOfTests: number; testGroups: readonly Group[] };
      const failures: string[] = [];
      const tally = { verified: 0, rejected: 0, keyRefused: 0 };
      let count = 0;
      for (const group of data.testGroups) {
        const cose = encodeCbor(
          new Map<number, unknown>([
            [1, 7],
            [3, alg],
            [-1, hex(group.publicKey)],
          ]) as never,
        );
        let key: ReturnType<typeof crypto.importKey> | undefined;
        try {
          key = crypto.importKey(parseCoseKey(cose));
        } catch (e) {
          if (!(e instanceof WebAuthnError) || e.code !== 'ERR_INVALID_PUBLIC_KEY') throw e;
        }
        for (const t of group.tests) {
          count++;
          const expectValid = t.result === 'valid' && (t.ctx === undefined || t.ctx === '');
          if (t.result === 'acceptable') failures.push(`tcId ${t.tcId}: unexpected "acceptable" verdict`);
          if (key === undefined) {
            tally.keyRefused++;
            if (expectValid || !t.flags.includes('IncorrectPublicKeyLength'))
              failures.push(`tcId ${t.tcId} (${t.comment}): key refused`);
            continue;
          }
          const ok = await crypto.verify(key, hex(t.sig), hex(t.msg));
          if (ok) tally.verified++;
          else tally.rejected++;
          if (ok !== expectValid)
            failures.push(`tcId ${t.tcId} (${t.comment} ${t.flags.join(',')}): got ${ok}`);
        }
      }
      expect(failures).toEqual([]);
      expect(count).toBe(data.numberOfTests);
      expect(tally.verified).toBeGreaterThan(50);
      expect(tally.keyRefused).toBeGreaterThan(0);
    });
  },
);
