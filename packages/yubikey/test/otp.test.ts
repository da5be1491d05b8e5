import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharedCases, sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { aes128DecryptBlockNode, aes128DecryptBlockPortable } from '../src/aes.ts';
import type { YubikeyErrorCode } from '../src/errors.ts';
import { DVORAK_MODHEX_ALPHABET, MODHEX_ALPHABET } from '../src/modhex.ts';
import { isDelayed, parseOtp, verifyYubicoOtp } from '../src/otp.ts';
import { KEY_A, KSM_KEY, KSM_OTP, makeOtp } from './helpers.ts';

const tokenA = { publicId: KEY_A.publicId, privateId: KEY_A.privateId, aesKey: KEY_A.aesKey };
const ksmToken = { publicId: KSM_KEY.publicId, privateId: KSM_KEY.privateId, aesKey: KSM_KEY.aesKey };

function toDvorak(modhex: string): string {
  return [...modhex].map((c) => DVORAK_MODHEX_ALPHABET[MODHEX_ALPHABET.indexOf(c)]).join('');
}

describe('parseOtp (protocols §4.1)', () => {
  it('splits publicId and the 32-character token', () => {
    const p = parseOtp(KSM_OTP);
    expect(p).toMatchObject({ ok: true, publicId: 'idkfefrdhtru' });
    if ('code' in p) throw new Error('unreachable');
    expect(p.ciphertext).toHaveLength(16);
  });
  it('accepts 32 (no public id) and 48 characters, rejects 31/33/49/0 with ERR_OTP_LENGTH', () => {
    const token = KSM_OTP.slice(12);
    expect(parseOtp(token)).toMatchObject({ ok: true, publicId: '' });
    expect(parseOtp(`cccccccccccccccc${token}`)).toMatchObject({ ok: true, publicId: 'cccccccccccccccc' });
    for (const bad of [token.slice(1), `c${token}`, `ccccccccccccccccc${token}`, '', 'c'.repeat(1_000_000)]) {
      expect(parseOtp(bad)).toMatchObject({ verified: false, code: 'ERR_OTP_LENGTH' });
    }
  });
  it('lower-cases input (caps lock) and rejects non-modhex with ERR_OTP_MODHEX', () => {
    expect(parseOtp(KSM_OTP.toUpperCase())).toMatchObject({ ok: true, otp: KSM_OTP });
    expect(parseOtp(`${KSM_OTP.slice(0, 43)}a`)).toMatchObject({ code: 'ERR_OTP_MODHEX' });
    expect(parseOtp(`${KSM_OTP.slice(0, 42)}\r\n`)).toMatchObject({ code: 'ERR_OTP_MODHEX' });
  });
  it('YK-5 Dvorak-typed OTPs only when the caller opts in', () => {
    const dvorak = toDvorak(KSM_OTP);
    expect(parseOtp(dvorak)).toMatchObject({ code: 'ERR_OTP_MODHEX' });
    expect(parseOtp(dvorak, { allowDvorak: true })).toMatchObject({ ok: true, otp: KSM_OTP });
    expect(verifyYubicoOtp({ otp: dvorak, token: ksmToken, allowDvorak: true })).toMatchObject({
      verified: true,
    });
    expect(verifyYubicoOtp({ otp: dvorak, token: ksmToken })).toMatchObject({ code: 'ERR_OTP_MODHEX' });
  });
  it('YK-2 failure messages never echo the input', () => {
    const evil = `${KSM_OTP.slice(0, 30)}%0astatus=OK`;
    const r = parseOtp(evil);
    expect(r).toMatchObject({ verified: false });
    expect(JSON.stringify(r)).not.toContain('status=OK');
  });
});

describe('verifyYubicoOtp: each check fails when it is removed', () => {
  const otp = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
    privateId: KEY_A.privateId,
    usageCounter: 3,
    sessionCounter: 5,
  });

  it('accepts a good OTP with either AES implementation', () => {
    for (const aes of [aes128DecryptBlockNode, aes128DecryptBlockPortable]) {
      expect(verifyYubicoOtp({ otp, token: tokenA, aes })).toMatchObject({
        verified: true,
        usageCounter: 3,
        sessionCounter: 5,
        timestamp: 0x123456,
      });
    }
  });
  it('public id: an OTP for another token is ERR_UNKNOWN_TOKEN', () => {
    const other = `vvccccffffff${otp.slice(12)}`;
    expect(verifyYubicoOtp({ otp: other, token: tokenA })).toMatchObject({ code: 'ERR_UNKNOWN_TOKEN' });
  });
  it('YK-5 CRC: a flipped ciphertext character fails ERR_OTP_CRC', () => {
    for (let pos = 12; pos < otp.length; pos += 5) {
      const c = otp[pos] === 'c' ? 'b' : 'c';
      const bad = otp.slice(0, pos) + c + otp.slice(pos + 1);
      expect(verifyYubicoOtp({ otp: bad, token: tokenA })).toMatchObject({ code: 'ERR_OTP_CRC' });
    }
  });
  it('YK-5 wrong AES key fails ERR_OTP_CRC', () => {
    expect(
      verifyYubicoOtp({ otp, token: { ...tokenA, aesKey: '0f1e2d3c4b5a69788796a5b4c3d2e1f1' } }),
    ).toMatchObject({ code: 'ERR_OTP_CRC' });
  });
  it('YK-5 private id: correct CRC under the right key but another uid fails ERR_OTP_PRIVATE_ID', () => {
    const forged = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
      privateId: '000000000000',
      usageCounter: 3,
      sessionCounter: 5,
    });
    expect(verifyYubicoOtp({ otp: forged, token: tokenA })).toMatchObject({ code: 'ERR_OTP_PRIVATE_ID' });
    expect(verifyYubicoOtp({ otp, token: { ...tokenA, privateId: 'a1b2c3d4e5f7' } })).toMatchObject({
      code: 'ERR_OTP_PRIVATE_ID',
    });
  });
  it('YK-4 replay: equal or lower pairs fail, higher pass (usage counter compared first)', () => {
    // [stored usage, stored session, OTP (3,5) accepted?]
    const cases: [number, number, boolean][] = [
      [3, 5, false], // equal pair
      [3, 6, false], // older press, same session
      [4, 0, false], // older session
      [3, 4, true], // next press
      [2, 200, true], // new session after a high session counter
    ];
    for (const [u, s, ok] of cases) {
      const r = verifyYubicoOtp({ otp, token: tokenA, lastOtp: { usageCounter: u, sessionCounter: s } });
      expect(r.verified, `${u},${s}`).toBe(ok);
    }
    expect(
      verifyYubicoOtp({ otp, token: tokenA, lastOtp: { usageCounter: 3, sessionCounter: 5 } }),
    ).toMatchObject({
      code: 'ERR_OTP_REPLAYED',
    });
  });
  it('caps-lock bit is masked off the usage counter', () => {
    const caps = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
      privateId: KEY_A.privateId,
      usageCounter: 3,
      sessionCounter: 6,
      capsLock: true,
    });
    expect(verifyYubicoOtp({ otp: caps, token: tokenA })).toMatchObject({ usageCounter: 3, capsLock: true });
    // 0x8003 must not count as greater than a stored usage counter of 4.
    expect(
      verifyYubicoOtp({ otp: caps, token: tokenA, lastOtp: { usageCounter: 4, sessionCounter: 0 } }),
    ).toMatchObject({ code: 'ERR_OTP_REPLAYED' });
  });
});

describe('phishing-delay check (yubikey-val heuristic, off by default)', () => {
  const prev = { usageCounter: 7, sessionCounter: 1, timestamp: 1000, at: '2026-01-01T00:00:00.000Z' };
  // 100 s of wall clock, token timer advanced 1 s (8 ticks): deviation 99 s, 99 %.
  const otp = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
    privateId: KEY_A.privateId,
    usageCounter: 7,
    sessionCounter: 2,
    timestamp: 1008,
  });
  const now = new Date('2026-01-01T00:01:40.000Z');

  it('off by default: a delayed OTP passes', () => {
    expect(verifyYubicoOtp({ otp, token: tokenA, lastOtp: prev, now })).toMatchObject({ verified: true });
  });
  it('when enabled, a delayed OTP fails ERR_OTP_DELAYED; a timely one passes', () => {
    expect(
      verifyYubicoOtp({ otp, token: tokenA, lastOtp: prev, now, phishingDelayCheck: true }),
    ).toMatchObject({
      code: 'ERR_OTP_DELAYED',
    });
    const timely = new Date('2026-01-01T00:00:01.000Z');
    expect(
      verifyYubicoOtp({ otp, token: tokenA, lastOtp: prev, now: timely, phishingDelayCheck: true }),
    ).toMatchObject({ verified: true });
  });
  it('both tolerances must be exceeded, and only within one session; timer wraps at 2^24', () => {
    const cur = { usageCounter: 7, sessionCounter: 2, timestamp: 1000 + 8 * 10 };
    // 10 s on the token, 25 s elapsed: deviation 15 s < 20 s → fine.
    expect(isDelayed(prev, cur, new Date('2026-01-01T00:00:25.000Z'), true)).toBe(false);
    // 10 s on the token, 35 s elapsed: deviation 25 s > 20 s and 71 % > 30 % → delayed.
    expect(isDelayed(prev, cur, new Date('2026-01-01T00:00:35.000Z'), true)).toBe(true);
    // 100 s token, 125 s elapsed: deviation 25 s > 20 s but 20 % < 30 % → fine.
    expect(isDelayed(prev, { ...cur, timestamp: 1800 }, new Date('2026-01-01T00:02:05.000Z'), true)).toBe(
      false,
    );
    // New power-up session: not judged.
    expect(
      isDelayed(
        prev,
        { ...cur, usageCounter: 8, sessionCounter: 0 },
        new Date('2026-01-02T00:00:00.000Z'),
        true,
      ),
    ).toBe(false);
    // Timer wrap: previous near 2^24, current small.
    const wrapPrev = { ...prev, timestamp: 0xffffff - 7 };
    expect(isDelayed(wrapPrev, { ...cur, timestamp: 72 }, new Date('2026-01-01T00:00:10.000Z'), true)).toBe(
      false,
    );
    // Custom tolerances are honoured.
    expect(
      isDelayed(prev, cur, new Date('2026-01-01T00:00:25.000Z'), {
        absoluteToleranceSeconds: 5,
        relativeTolerance: 0.1,
      }),
    ).toBe(true);
  });
});

const cases = loadSharedCases({ under: 'vectors/yubico-otp', kinds: ['yubico-otp'] });
if (cases === undefined) console.warn(sharedFixturesSkipMessage('vectors/yubico-otp replay'));

const ERROR_CODES: Record<string, YubikeyErrorCode> = {
  crc: 'ERR_OTP_CRC',
  replay: 'ERR_OTP_REPLAYED',
  'private id': 'ERR_OTP_PRIVATE_ID',
  unknown: 'ERR_UNKNOWN_TOKEN',
};

describe.skipIf(cases === undefined)('shared corpus vectors/yubico-otp', () => {
  it('every case gets its expected verdict (node:crypto and portable AES)', () => {
    const list = cases ?? [];
    expect(list.length).toBeGreaterThanOrEqual(11);
    let agree = 0;
    let accepted = 0;
    let rejected = 0;
    for (const { case: c } of list) {
      const token = c.context['token'] as { publicId: string; privateId: string; aesKey: string };
      const state = c.context['state'] as { counter: number | null; session: number | null };
      const lastOtp =
        state.counter === null || state.session === null
          ? null
          : { usageCounter: state.counter, sessionCounter: state.session };
      for (const aes of [aes128DecryptBlockNode, aes128DecryptBlockPortable]) {
        const r = verifyYubicoOtp({ otp: c.response['otp'] as string, token, lastOtp, aes });
        expect(r.verified, c.id).toBe(c.expect.verified);
        if (r.verified) {
          const want = c.expect.result as { counter: number; session: number; timestamp: number };
          expect(r.usageCounter, c.id).toBe(want.counter);
          expect(r.sessionCounter, c.id).toBe(want.session);
          expect(r.timestamp, c.id).toBe(want.timestamp);
        } else {
          expect(r.code, c.id).toBe(ERROR_CODES[c.expect.error ?? '']);
        }
      }
      agree++;
      if (c.expect.verified) accepted++;
      else rejected++;
    }
    console.log(
      `vectors/yubico-otp: ${agree}/${list.length} cases agree (${accepted} accepted, ${rejected} rejected)`,
    );
    expect(agree).toBe(list.length);
  });
});

const sharedDir = sharedFixturesDir();
describe.skipIf(sharedDir === undefined)(
  'shared collection yubikey-val-replay.json (replay decision table)',
  () => {
    it('every row: OK exactly when the OTP pair is greater; REPLAYED_REQUEST/REPLAYED_OTP both refuse', () => {
      const col = JSON.parse(
        readFileSync(join(sharedDir as string, 'vectors/collections/yubikey-val-replay.json'), 'utf8'),
      ) as {
        cases: {
          description: string;
          stored: { counter: number; use: number };
          otp: { counter: number; use: number };
          expected: string;
        }[];
      };
      let n = 0;
      for (const c of col.cases) {
        const otp = makeOtp(KEY_A.publicId, KEY_A.aesKey, {
          privateId: KEY_A.privateId,
          usageCounter: c.otp.counter,
          sessionCounter: c.otp.use,
        });
        // yubikey-val stores -1/-1 for a token never seen: that is our `null`.
        const lastOtp =
          c.stored.counter < 0 ? null : { usageCounter: c.stored.counter, sessionCounter: c.stored.use };
        const r = verifyYubicoOtp({ otp, token: tokenA, lastOtp });
        // No validation-protocol nonce here: a resend of the same request is a replayed OTP too.
        if (c.expected === 'OK') expect(r, c.description).toMatchObject({ verified: true });
        else expect(r, c.description).toMatchObject({ code: 'ERR_OTP_REPLAYED' });
        n++;
      }
      console.log(`yubikey-val-replay: ${n}/${col.cases.length} decisions agree`);
    });
  },
);
