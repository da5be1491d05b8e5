import { describe, expect, it } from 'vitest';
import { bytesCorpus, isTypedError, runTarget, type Target } from '../src/harness.ts';
import { TARGETS } from '../src/targets/index.ts';

// The harness must find what it claims to find: each property is shown failing on a planted
// bug (with the seed and a minimised input), and every real target runs clean on a short run.

class CodedError extends Error {
  readonly code = 'ERR_PLANTED';
}

const seeds = [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)];

describe('fuzz harness properties', () => {
  it('an untyped throw is a failure, reported with the seed and a minimised input', async () => {
    const planted: Target<Uint8Array> = {
      name: 'planted-untyped',
      entry: 'test',
      throws: 'typed',
      setup: () =>
        bytesCorpus(seeds, (b) => {
          if (b.includes(0xff)) throw new TypeError('boom');
          if (b.length < 4) throw new CodedError('short');
          return b.length;
        }),
    };
    const s = await runTarget(planted, { seed: 7, count: 100_000, maxSeconds: 60 });
    expect(s.failure).toMatchObject({ kind: 'untyped-throw', seed: 7, target: 'planted-untyped' });
    expect(s.failure?.detail).toContain('TypeError');
    // Minimised to the single offending byte.
    expect(s.failure?.input).toBe('hex:ff');
  });

  it('a typed throw from a function that must answer is a failure', async () => {
    const planted: Target<Uint8Array> = {
      name: 'planted-throw',
      entry: 'test',
      throws: 'never',
      setup: () =>
        bytesCorpus(seeds, (b) => {
          if (b.length > 20) throw new CodedError('long');
          return { verified: false };
        }),
    };
    expect((await runTarget(planted, { seed: 1, count: 100_000, maxSeconds: 60 })).failure?.kind).toBe(
      'throw',
    );
  });

  it('verified:true for a changed byte of the signed data is a failure', async () => {
    const original = seeds[0] as Uint8Array;
    const corpus = bytesCorpus(seeds, (b) => ({ verified: b[0] === 1 })); // "checks" one byte only
    const planted: Target<Uint8Array> = {
      name: 'planted-forgery',
      entry: 'test',
      throws: 'never',
      setup: () => ({
        ...corpus,
        changesSignedData: (b) => b.length !== original.length || b.some((x, i) => x !== original[i]),
      }),
    };
    expect((await runTarget(planted, { seed: 3, count: 100_000, maxSeconds: 60 })).failure?.kind).toBe(
      'forged-verified',
    );
  });

  it('an input over 50 ms (on every re-run) is a failure', async () => {
    const planted: Target<Uint8Array> = {
      name: 'planted-slow',
      entry: 'test',
      throws: 'typed',
      setup: () =>
        bytesCorpus(seeds, (b) => {
          if (b.length > 30) {
            // 60 ms of CPU, not of wall time (the bound is on CPU time).
            const start = process.cpuUsage();
            while (process.cpuUsage(start).user < 60_000) {}
          }
          return 0;
        }),
    };
    expect((await runTarget(planted, { seed: 5, count: 100_000, maxSeconds: 60 })).failure?.kind).toBe(
      'slow',
    );
  });

  it('an input that allocates more than 8 MiB is a failure', async () => {
    const kept: Uint8Array[] = [];
    const planted: Target<Uint8Array> = {
      name: 'planted-memory',
      entry: 'test',
      throws: 'typed',
      setup: () =>
        bytesCorpus(seeds, (b) => {
          if (b.length > 30) kept.push(new Uint8Array(9 * 1024 * 1024));
          return 0;
        }),
    };
    const s = await runTarget(planted, { seed: 5, count: 100_000, maxSeconds: 60 });
    kept.length = 0;
    expect(s.failure?.kind).toBe('memory');
  });

  it('the same seed gives the same run', async () => {
    const t = TARGETS.find((x) => x.name === 'cbor') as Target<never>;
    const a = await runTarget(t, { seed: 42, count: 500, maxSeconds: 60 });
    const b = await runTarget(t, { seed: 42, count: 500, maxSeconds: 60 });
    expect([a.answered, a.typedErrors]).toEqual([b.answered, b.typedErrors]);
  });

  it('typed errors are our coded errors, not built-ins', () => {
    expect(isTypedError(new CodedError('x'))).toBe(true);
    expect(isTypedError(Object.assign(new TypeError('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isTypedError(Object.assign(new Error('x'), { code: 'ERR_X' }))).toBe(false);
    expect(isTypedError('ERR_X')).toBe(false);
  });
});

describe.each(TARGETS.map((t) => [t.name, t] as const))('target %s (short run)', (_name, target) => {
  it('runs clean for 300 inputs', async () => {
    const s = await runTarget(target, { seed: 99, count: 300, maxSeconds: 60 });
    expect(s.failure).toBeUndefined();
    expect(s.inputs).toBe(300);
  }, 120_000);
});
