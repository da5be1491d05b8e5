// Bad input never crashes and never throws an untyped error (fast-check, 10^3 runs per property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODHEX_ALPHABET } from '../src/modhex.ts';
import { parseOtp, verifyYubicoOtp } from '../src/otp.ts';
import { KSM_KEY, KSM_OTP, newRegistry } from './helpers.ts';

const token = { publicId: KSM_KEY.publicId, privateId: KSM_KEY.privateId, aesKey: KSM_KEY.aesKey };
const modhexString = (min: number, max: number) =>
  fc.array(fc.constantFrom(...MODHEX_ALPHABET), { minLength: min, maxLength: max }).map((a) => a.join(''));

describe('OTP parser and verifier on arbitrary input', () => {
  it('any string gives a result with a code, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 64 }), modhexString(28, 52)), (s) => {
        const r = verifyYubicoOtp({ otp: s, token, allowDvorak: true });
        if (!r.verified) expect(r.code).toMatch(/^ERR_/);
      }),
      { numRuns: 1000 },
    );
  });

  it('random 44-character modhex OTPs under the right public id fail (CRC or private id), never verify', () => {
    fc.assert(
      fc.property(modhexString(32, 32), (body) => {
        const r = verifyYubicoOtp({ otp: KSM_KEY.publicId + body, token });
        expect(r.verified).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseOtp is case-insensitive and idempotent on its normalised output', () => {
    fc.assert(
      fc.property(
        modhexString(32, 48).filter((s) => s.length % 2 === 0),
        (s) => {
          const a = parseOtp(s.toUpperCase());
          const b = parseOtp(s);
          expect(a).toEqual(b);
          if ('otp' in b) expect(parseOtp(b.otp)).toEqual(b);
        },
      ),
    );
  });
});

describe('seed importer on arbitrary input', () => {
  it('random text and random CSV-ish lines give a report with codes, never a throw, never a partial write', async () => {
    const line = fc
      .array(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('', '"', 'LOGGING START', 'Yubico OTP', KSM_KEY.publicId, KSM_KEY.aesKey),
        ),
        { maxLength: 20 },
      )
      .map((f) => f.join(','));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        async (lines, eol) => {
          const { registry, store } = newRegistry();
          const r = await registry.importSeeds(lines.join(eol));
          for (const e of r.errors) expect(e.code).toMatch(/^ERR_SEED_/);
          const stored = await store.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 100 });
          // All-or-nothing: either the whole file was good, or nothing is stored.
          expect(stored.length).toBe(r.ok ? r.imported : 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes are handled (encoding errors are typed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        const r = await newRegistry().registry.importSeeds(bytes);
        for (const e of r.errors) expect(e.code).toMatch(/^ERR_SEED_/);
      }),
      { numRuns: 300 },
    );
  });

  it('prototype keys in JSON leave Object.prototype untouched (G15)', async () => {
    const { registry } = newRegistry();
    await registry.importSeeds('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    expect((await registry.enroll({ userId: 'u', passCode: KSM_OTP })).verified).toBe(false);
  });
});
