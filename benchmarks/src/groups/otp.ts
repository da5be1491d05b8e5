import { createHmac } from 'node:crypto';
import type { FixtureCase } from '@factorkit/testkit';
import { HOTP, Secret, TOTP } from 'otpauth';
import { verify as otplibVerify, verifySync as otplibVerifySync } from 'otplib';
import { fixtureSource, pickCase, str } from '../fixtures.ts';
import { type BenchCase, type Comparison, expect, type Group } from '../model.ts';
import { factorkitHotpCases, factorkitTotpCases } from './factorkit-otp.ts';

/** A TOTP/HOTP input: the token's parameters and an accepted and a rejected code. */
export interface OtpInput {
  readonly fixture: FixtureCase;
  readonly secretHex: string;
  readonly secret: Uint8Array;
  readonly digits: 6 | 8;
  readonly algorithm: 'SHA1';
  readonly period: number;
  /** Unix seconds (TOTP). */
  readonly time: number;
  /** Server counter (HOTP): look-ahead covers counter … counter + LOOK_AHEAD. */
  readonly counter: number;
  readonly acceptCode: string;
  readonly rejectCode: string;
}

/** HOTP look-ahead: counters `counter … counter + 10` are tried (RFC 4226 §7.4). */
export const LOOK_AHEAD = 10;

function hotpCode(secret: Uint8Array, counter: number, digits: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** A code matching none of `counters` (so the reject path does the full window of work). */
function codeOutside(secret: Uint8Array, counters: readonly number[], digits: number): string {
  const taken = new Set(counters.map((c) => hotpCode(secret, c, digits)));
  for (let i = 0; ; i++) {
    const code = String(i).padStart(digits, '0');
    if (!taken.has(code)) return code;
  }
}

function digitsOf(v: unknown): 6 | 8 {
  if (v === 6 || v === 8) return v;
  throw new Error(`unsupported digits ${String(v)}`);
}

function rawHmacLimit(secret: Uint8Array): BenchCase {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(1n);
  return {
    key: 'raw-hmac',
    label: 'one raw HMAC-SHA1 (node:crypto)',
    role: 'limit',
    async: false,
    run: () => createHmac('sha1', secret).update(msg).digest(),
    check: () =>
      expect(createHmac('sha1', secret).update(msg).digest().length === 20, 'HMAC-SHA1 is 20 bytes'),
  };
}

function totpGroupInput(): OtpInput | undefined {
  const fixture = pickCase(
    'vectors/totp-rfc6238',
    ['totp'],
    ['totp-rfc6238/sha1-59', 'totp-rfc6238/sha1-1111111109', 'virtual/totp/sha1-6/positive'],
    (c) => c.expect.verified === true && c.context['algorithm'] === 'SHA1',
  );
  if (fixture === undefined) return undefined;
  const secretHex = str(fixture.context['secret'], 'secret');
  const secret = new Uint8Array(Buffer.from(secretHex, 'hex'));
  const digits = digitsOf(fixture.context['digits']);
  const period = Number(fixture.context['period'] ?? 30);
  const time = Number(fixture.context['time']);
  const step = Math.floor(time / period);
  return {
    fixture,
    secretHex,
    secret,
    digits,
    algorithm: 'SHA1',
    period,
    time,
    counter: step,
    acceptCode: str(fixture.response['code'], 'code'),
    rejectCode: codeOutside(secret, [step - 1, step, step + 1], digits),
  };
}

function hotpGroupInput(): OtpInput | undefined {
  const fixture = pickCase(
    'vectors/hotp-rfc4226',
    ['hotp'],
    ['hotp-rfc4226/counter-0', 'virtual/hotp/sha1-6/positive'],
    (c) => c.expect.verified === true && c.context['algorithm'] === 'SHA1',
  );
  if (fixture === undefined) return undefined;
  const secretHex = str(fixture.context['secret'], 'secret');
  const secret = new Uint8Array(Buffer.from(secretHex, 'hex'));
  const digits = digitsOf(fixture.context['digits']);
  const counter = Number(fixture.context['counter'] ?? 0);
  const window = Array.from({ length: LOOK_AHEAD + 1 }, (_, i) => counter + i);
  return {
    fixture,
    secretHex,
    secret,
    digits,
    algorithm: 'SHA1',
    period: 30,
    time: 0,
    counter,
    // The last code of the window: the accept path's worst case.
    acceptCode: hotpCode(secret, counter + LOOK_AHEAD, digits),
    rejectCode: codeOutside(secret, window, digits),
  };
}

function totpPeers(o: OtpInput): BenchCase[] {
  const otplibOpts = (token: string) => ({
    secret: o.secret,
    token,
    algorithm: 'sha1' as const,
    digits: o.digits,
    period: o.period,
    epoch: o.time,
    epochTolerance: o.period,
  });
  const accept = otplibOpts(o.acceptCode);
  const reject = otplibOpts(o.rejectCode);
  const secret = Secret.fromHex(o.secretHex);
  const otpauth = (token: string) => ({
    token,
    secret,
    algorithm: o.algorithm,
    digits: o.digits,
    period: o.period,
    timestamp: o.time * 1000,
    window: 1,
  });
  const oa = otpauth(o.acceptCode);
  const or = otpauth(o.rejectCode);
  return [
    {
      key: 'otplib-accept',
      label: 'otplib verifySync ±1, accept',
      role: 'peer',
      async: false,
      run: () => otplibVerifySync(accept),
      check: () => expect(otplibVerifySync(accept).valid, 'otplib accepts the current code'),
    },
    {
      key: 'otplib-reject',
      label: 'otplib verifySync ±1, reject',
      role: 'peer',
      async: false,
      run: () => otplibVerifySync(reject),
      check: () => expect(!otplibVerifySync(reject).valid, 'otplib rejects the wrong code'),
    },
    {
      key: 'otplib-async-accept',
      label: 'otplib verify (async) ±1, accept',
      role: 'peer',
      async: true,
      run: () => otplibVerify(accept),
      check: async () => expect((await otplibVerify(accept)).valid, 'otplib async accepts the current code'),
    },
    {
      key: 'otpauth-accept',
      label: 'otpauth TOTP.validate ±1, accept (stops at the match)',
      role: 'peer',
      async: false,
      run: () => TOTP.validate(oa),
      check: () => expect(TOTP.validate(oa) === 0, 'otpauth accepts the current code'),
    },
    {
      key: 'otpauth-reject',
      label: 'otpauth TOTP.validate ±1, reject',
      role: 'peer',
      async: false,
      run: () => TOTP.validate(or),
      check: () => expect(TOTP.validate(or) === null, 'otpauth rejects the wrong code'),
    },
    rawHmacLimit(o.secret),
  ];
}

function hotpPeers(o: OtpInput): BenchCase[] {
  const otplibOpts = (token: string) => ({
    strategy: 'hotp' as const,
    secret: o.secret,
    token,
    algorithm: 'sha1' as const,
    digits: o.digits,
    counter: o.counter,
    counterTolerance: LOOK_AHEAD,
  });
  const accept = otplibOpts(o.acceptCode);
  const reject = otplibOpts(o.rejectCode);
  const secret = Secret.fromHex(o.secretHex);
  // otpauth's window is symmetric: centre it so it covers exactly counter … counter + 10.
  const half = LOOK_AHEAD / 2;
  const otpauth = (token: string) => ({
    token,
    secret,
    algorithm: o.algorithm,
    digits: o.digits,
    counter: o.counter + half,
    window: half,
  });
  const oa = otpauth(o.acceptCode);
  const or = otpauth(o.rejectCode);
  return [
    {
      key: 'otplib-accept',
      label: 'otplib verifySync look-ahead 10, accept at +10',
      role: 'peer',
      async: false,
      run: () => otplibVerifySync(accept),
      check: () => expect(otplibVerifySync(accept).valid, 'otplib accepts the +10 code'),
    },
    {
      key: 'otplib-reject',
      label: 'otplib verifySync look-ahead 10, reject',
      role: 'peer',
      async: false,
      run: () => otplibVerifySync(reject),
      check: () => expect(!otplibVerifySync(reject).valid, 'otplib rejects the wrong code'),
    },
    {
      key: 'otpauth-accept',
      label: 'otpauth HOTP.validate (window centred on +5), accept at +10',
      role: 'peer',
      async: false,
      run: () => HOTP.validate(oa),
      check: () => expect(HOTP.validate(oa) === half, 'otpauth accepts the +10 code'),
    },
    {
      key: 'otpauth-reject',
      label: 'otpauth HOTP.validate (window centred on +5), reject',
      role: 'peer',
      async: false,
      run: () => HOTP.validate(or),
      check: () => expect(HOTP.validate(or) === null, 'otpauth rejects the wrong code'),
    },
    rawHmacLimit(o.secret),
  ];
}

function comparisonsFor(fk: readonly BenchCase[], peers: readonly BenchCase[]): Comparison[] {
  const out: Comparison[] = [];
  for (const c of fk) {
    const path = c.key.endsWith('accept') ? 'accept' : 'reject';
    for (const p of peers) {
      if (p.role === 'limit' || p.key.endsWith(path)) {
        out.push({ key: `${c.key}/${p.key}`, subject: c.key, baseline: p.key });
      }
    }
  }
  return out;
}

function pendingGroup(id: string, title: string, what: string): Group {
  return {
    id,
    title,
    input: '—',
    cases: [],
    comparisons: [],
    pending: [`no ${what} in the ${fixtureSource()}`],
    notes: [],
  };
}

export async function otpGroups(): Promise<Group[]> {
  const groups: Group[] = [];
  const totp = totpGroupInput();
  if (totp === undefined) groups.push(pendingGroup('totp', 'TOTP ±1 step', 'TOTP vector'));
  else {
    const fk = await factorkitTotpCases(totp);
    const peers = totpPeers(totp);
    groups.push({
      id: 'totp',
      title: 'TOTP ±1 step (RFC 6238)',
      input: `${totp.fixture.id} (SHA-1, ${totp.digits} digits, ${totp.period} s); reject = a code of none of the 3 steps`,
      cases: [...fk.cases, ...peers],
      comparisons: comparisonsFor(fk.cases, peers),
      pending: fk.pending,
      notes: [],
    });
  }
  const hotp = hotpGroupInput();
  if (hotp === undefined) groups.push(pendingGroup('hotp', 'HOTP look-ahead 10', 'HOTP vector'));
  else {
    const fk = await factorkitHotpCases(hotp);
    const peers = hotpPeers(hotp);
    groups.push({
      id: 'hotp',
      title: 'HOTP look-ahead 10 (RFC 4226 §7.4)',
      input: `${hotp.fixture.id} secret, counter ${hotp.counter}: window ${hotp.counter}…${hotp.counter + LOOK_AHEAD} (11 HMACs on reject)`,
      cases: [...fk.cases, ...peers],
      comparisons: comparisonsFor(fk.cases, peers),
      pending: fk.pending,
      notes: [],
    });
  }
  return groups;
}
