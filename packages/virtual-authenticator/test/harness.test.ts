// The harness itself: it must call a naive RP wrong and an RP that refuses everything wrong too.
// (The example auth server's suite runs it against a real RP over HTTP.)
import { describe, expect, it } from 'vitest';
import {
  formatJson,
  formatMarkdown,
  type HarnessTarget,
  runHarness,
  type Verdict,
} from '../src/harness/index.ts';

const ORIGIN = 'https://rp.example';
const options = (challenge: string) => ({
  rp: { id: 'rp.example', name: 'RP' },
  user: { id: 'dXNlcg', name: 'u', displayName: 'u' },
  challenge,
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
});
let n = 0;
const nextChallenge = () => Buffer.from(`challenge-${++n}-0123456789abcdef`).toString('base64url');

/** An RP whose routes hand out options and answer every finish with `answer`. */
function fake(answer: (what: string) => Verdict): HarnessTarget {
  return {
    origin: ORIGIN,
    webauthn: {
      startRegistration: async () => ({ options: options(nextChallenge()) }),
      finishRegistration: async () => answer('registration'),
      startAuthentication: async () => ({
        rpId: 'rp.example',
        challenge: nextChallenge(),
        userVerification: 'preferred',
      }),
      finishAuthentication: async () => answer('authentication'),
    },
    totp: {
      enroll: async () => ({ secret: 'JBSWY3DPEHPK3PXP' }),
      verify: async () => answer('totp'),
    },
  };
}

describe('runHarness', () => {
  it('an RP that accepts everything: every attack is a wrong verdict', async () => {
    const report = await runHarness(
      fake(() => ({ accepted: true })),
      { seed: 'harness-naive' },
    );
    expect(report.ok).toBe(false);
    const wrong = report.rows.filter((r) => !r.pass).map((r) => r.id);
    expect(wrong).toEqual(
      expect.arrayContaining([
        'replay',
        'challenge-reuse',
        'origin-swap',
        'rpidhash-swap',
        'up-cleared',
        'counter-regression',
      ]),
    );
    expect(wrong).toEqual(
      expect.arrayContaining(['cross-user-with-userhandle', 'totp-replay', 'totp-previous-window']),
    );
    expect(report.rows.filter((r) => r.expected === 'accept').every((r) => r.pass)).toBe(true);
    expect(report.rows.find((r) => r.id === 'appid')?.got).toBe('skipped');
    expect(report.counts.wrong).toBe(wrong.length);
  });

  it('an RP that refuses everything: the controls are wrong', async () => {
    const report = await runHarness(
      fake(() => ({ accepted: false, code: 'ERR_NOPE' })),
      { seed: 'harness-refuse' },
    );
    expect(report.ok).toBe(false);
    expect(report.rows.find((r) => r.id === 'register')).toMatchObject({
      got: 'reject',
      pass: false,
      code: 'ERR_NOPE',
    });
    expect(report.rows.find((r) => r.id === 'totp-accept')).toMatchObject({ pass: false });
  });

  it('an exception in a route is an error row (wrong), and the run goes on', async () => {
    const target = fake(() => ({ accepted: true }));
    const report = await runHarness(
      {
        ...target,
        totp: {
          enroll: async () => Promise.reject(new Error('boom')),
          verify: async () => ({ accepted: true }),
        },
      },
      { seed: 'harness-error' },
    );
    expect(report.rows.find((r) => r.id === 'totp-enroll')).toMatchObject({
      got: 'error',
      pass: false,
      note: 'Error: boom',
    });
    expect(report.rows.find((r) => r.id === 'totp-cases')?.got).toBe('skipped');
  });

  it('markdown and JSON reports', async () => {
    const report = await runHarness({ origin: ORIGIN }, { seed: 'harness-empty' });
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ pass: 0, wrong: 0, skipped: 3 });
    const md = formatMarkdown(report);
    expect(md).toContain('| # | group | attack | expected | RP answered | code | verdict |');
    expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBe(5);
    expect(JSON.parse(formatJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
