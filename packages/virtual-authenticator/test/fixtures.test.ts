import { createDecipheriv, createHmac, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type LoadedCase, loadCases, repoFixturesDir } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { generateFixtures } from '../scripts/fixtures-lib.ts';
import { b64u, checkAssertion, checkRegistration, sha256 } from './independent.ts';

const root = repoFixturesDir();
const virtualDir = join(root, 'virtual');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

const generated = generateFixtures();
const cases: LoadedCase[] = loadCases(root, { under: 'virtual' });

describe('fixtures/virtual', () => {
  it('regenerates byte-identically (run `npm run fixtures` after changing the generator)', () => {
    expect(listFiles(virtualDir)).toEqual(generated.map((f) => f.path));
    for (const f of generated)
      expect(readFileSync(join(root, ...f.path.split('/')), 'utf8'), f.path).toBe(f.content);
  });

  it('has ≥ 1 positive and ≥ 3 negatives per folder and kind, each with a verdict and context.now where clocks matter', () => {
    const groups = new Map<string, { pos: number; neg: number }>();
    for (const { folder, case: c } of cases) {
      const g = groups.get(`${folder} ${c.kind}`) ?? { pos: 0, neg: 0 };
      if (c.expect.verified === true) g.pos++;
      else if (c.expect.verified === false) g.neg++;
      groups.set(`${folder} ${c.kind}`, g);
      expect(c.provenance).toBe('virtual');
      if (c.kind !== 'hotp') expect(c.context.now, c.id).toBe('2025-06-01T00:00:00.000Z');
      if (c.expect.verified === false) expect(c.expect.error, c.id).toMatch(/^ERR_[A-Z0-9_]+$/);
    }
    expect(groups.size).toBeGreaterThanOrEqual(30);
    for (const [name, g] of groups) {
      expect(g.pos, name).toBeGreaterThanOrEqual(1);
      expect(g.neg, name).toBeGreaterThanOrEqual(3);
    }
  });
});

// Each positive is re-verified here with node:crypto only: an independent path, so the
// generator cannot emit a wrong positive.
const SPKI_P256 = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const MODHEX = 'cbdefghijklnrtuv';

function hotpCode(secretHex: string, counter: number, digits: number, algorithm: string): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm.toLowerCase().replace('sha', 'sha'), Buffer.from(secretHex, 'hex'))
    .update(msg)
    .digest();
  const o = (mac[mac.length - 1] ?? 0) & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}

function independentlyValid(c: LoadedCase['case']): void {
  const ctx = c.context as Record<string, unknown>;
  const r = c.response as Record<string, unknown>;
  switch (c.kind) {
    case 'webauthn.registration': {
      const anchor = (ctx['trustAnchors'] as string[])[0];
      const out = checkRegistration(r as never, {
        challenge: ctx['challenge'] as string,
        origin: ctx['origin'] as string,
        rpId: ctx['rpId'] as string,
        ...(anchor === undefined ? {} : { trustAnchor: anchor }),
      });
      expect(out.fmt).toBe(c.format);
      if (anchor !== undefined) {
        const now = new Date(ctx['now'] as string);
        const stmt = out.fmt;
        expect(stmt).not.toBe('none');
        const root = new X509Certificate(anchor);
        expect(new Date(root.validFrom) <= now && now <= new Date(root.validTo)).toBe(true);
      }
      return;
    }
    case 'webauthn.authentication': {
      const cred = ctx['credential'] as { publicKey: string; counter: number; backupEligible?: boolean };
      // FIDO AppID extension: the RP asked for it and the client reports it was used.
      const appid = (ctx['options'] as { appid?: string } | undefined)?.appid;
      const usedAppid = (r['clientExtensionResults'] as { appid?: boolean } | undefined)?.appid === true;
      const parsed = checkAssertion(r as never, {
        challenge: ctx['challenge'] as string,
        origin: ctx['origin'] as string,
        rpId: usedAppid && appid !== undefined ? appid : (ctx['rpId'] as string),
        publicKey: b64u(cred.publicKey),
      });
      // §7.2 step 22: both zero is fine; otherwise strictly greater.
      if (parsed.signCount !== 0 || cred.counter !== 0)
        expect(parsed.signCount).toBeGreaterThan(cred.counter);
      if (cred.backupEligible !== undefined) expect(Boolean(parsed.flags & 0x08)).toBe(cred.backupEligible);
      if (parsed.flags & 0x10) expect(parsed.flags & 0x08).toBe(0x08);
      if (ctx['requireUserVerification'] === true) expect(parsed.flags & 0x04).toBe(0x04);
      expect(parsed.rest).toBe(0);
      return;
    }
    case 'u2f.register': {
      const d = b64u(r['registrationData'] as string);
      expect(d[0]).toBe(5);
      expect(d[1]).toBe(4); // uncompressed P-256 point
      const kh = d.subarray(67, 67 + (d[66] ?? 0));
      const certStart = 67 + kh.length;
      const cert = new X509Certificate(d.subarray(certStart, certStart + 4 + d.readUInt16BE(certStart + 2)));
      const sig = d.subarray(certStart + cert.raw.length);
      const cd = JSON.parse(b64u(r['clientData'] as string).toString());
      expect(cd).toMatchObject({
        typ: 'navigator.id.finishEnrollment',
        challenge: ctx['challenge'],
        origin: ctx['origin'],
      });
      const signed = Buffer.concat([
        Buffer.of(0),
        sha256(ctx['appId'] as string),
        sha256(b64u(r['clientData'] as string)),
        kh,
        d.subarray(1, 66),
      ]);
      expect(verify('sha256', signed, cert.publicKey, sig)).toBe(true);
      expect(cert.verify(new X509Certificate((ctx['trustAnchors'] as string[])[0] ?? '').publicKey)).toBe(
        true,
      );
      return;
    }
    case 'u2f.sign': {
      const cred = ctx['credential'] as { publicKey: string; counter: number; keyHandle: string };
      const s = b64u(r['signatureData'] as string);
      const cd = JSON.parse(b64u(r['clientData'] as string).toString());
      expect(cd).toMatchObject({
        typ: 'navigator.id.getAssertion',
        challenge: ctx['challenge'],
        origin: ctx['origin'],
      });
      expect((s[0] ?? 0) & 1).toBe(1);
      expect(s.readUInt32BE(1)).toBeGreaterThan(cred.counter);
      expect(r['keyHandle']).toBe(cred.keyHandle);
      const key = createPublicKey({
        key: Buffer.concat([SPKI_P256, b64u(cred.publicKey)]),
        format: 'der',
        type: 'spki',
      });
      const signed = Buffer.concat([
        sha256(ctx['appId'] as string),
        s.subarray(0, 5),
        sha256(b64u(r['clientData'] as string)),
      ]);
      expect(verify('sha256', signed, key, s.subarray(5))).toBe(true);
      return;
    }
    case 'hotp': {
      const { secret, counter, window, digits, algorithm } = ctx as {
        secret: string;
        counter: number;
        window: number;
        digits: number;
        algorithm: string;
      };
      const hits = [];
      for (let i = counter; i <= counter + window; i++)
        if (hotpCode(secret, i, digits, algorithm) === r['code']) hits.push(i);
      expect(hits.length).toBeGreaterThan(0);
      expect(c.expect.result?.['nextCounter']).toBe((hits[0] ?? 0) + 1);
      return;
    }
    case 'totp': {
      const { secret, time, period, window, digits, algorithm } = ctx as {
        secret: string;
        time: number;
        period: number;
        window: number;
        digits: number;
        algorithm: string;
      };
      const T = Math.floor(time / period);
      const match = (code: unknown): number | undefined => {
        for (let i = T - window; i <= T + window; i++)
          if (hotpCode(secret, i, digits, algorithm) === code) return i;
        return undefined;
      };
      const first = match(r['code']);
      expect(first).toBeDefined();
      if (r['nextCode'] !== undefined)
        expect(hotpCode(secret, (first ?? 0) + 1, digits, algorithm)).toBe(r['nextCode']);
      return;
    }
    case 'yubico-otp': {
      const otp = r['otp'] as string;
      const token = ctx['token'] as { publicId: string; privateId: string; aesKey: string };
      const state = ctx['state'] as { counter: number | null; session: number | null };
      expect(otp.slice(0, -32)).toBe(token.publicId);
      const cipher = Buffer.from(
        otp.slice(-32).replace(/./g, (ch) => MODHEX.indexOf(ch).toString(16)),
        'hex',
      );
      const d = createDecipheriv('aes-128-ecb', Buffer.from(token.aesKey, 'hex'), null);
      d.setAutoPadding(false);
      const t = Buffer.concat([d.update(cipher), d.final()]);
      expect(t.subarray(0, 6).toString('hex')).toBe(token.privateId);
      let crc = 0xffff;
      for (const b of t) {
        crc ^= b;
        for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0x8408 : crc >> 1;
      }
      expect(crc).toBe(0xf0b8);
      const counter = t.readUInt16LE(6) & 0x7fff;
      const session = t[11] ?? 0;
      if (state.counter !== null && state.session !== null) {
        expect(counter > state.counter || (counter === state.counter && session > state.session)).toBe(true);
      }
      expect(c.expect.result).toEqual({ counter, session });
      return;
    }
    default:
      throw new Error(`no independent check for ${c.kind}`);
  }
}

describe('every generated positive verifies independently (node:crypto only)', () => {
  const positives = cases.filter((c) => c.case.expect.verified === true);
  it('there are positives for every kind', () => {
    expect(new Set(positives.map((c) => c.case.kind))).toEqual(
      new Set([
        'webauthn.registration',
        'webauthn.authentication',
        'u2f.register',
        'u2f.sign',
        'hotp',
        'totp',
        'yubico-otp',
      ]),
    );
  });
  it.each(positives.map((c) => [c.case.id, c] as const))('%s', (_id, c) => {
    independentlyValid(c.case);
  });
});

describe('negatives fail the independent check where it covers the step', () => {
  // Policy steps (counters, UV, BE/BS, crossOrigin, trailing bytes, AAGUID extension, x5c count,
  // OTP replay windows, VIP sequence and credential id rules) are beyond this minimal checker.
  const POLICY =
    /counter|uv-required|bs-without-be|cross-origin|trailing|aaguid|x5c-two|replayed|previous|vip\/|beyond-window|duplicate-type|userhandle|secret-too-short|appid-not-requested|appid-other|be-changed|cts-profile|timestamp-stale/;
  const negatives = cases.filter((c) => c.case.expect.verified === false && !POLICY.test(c.case.id));
  it.each(negatives.map((c) => [c.case.id, c] as const))('%s', (_id, c) => {
    expect(() => independentlyValid(c.case)).toThrow();
  });
});
