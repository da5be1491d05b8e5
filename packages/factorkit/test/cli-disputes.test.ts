import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/cli/check.ts';
import { type DisputedVerdict, parseDisputes } from '../src/cli/disputes.ts';
import { type CliIo, main } from '../src/cli/main.ts';

const root = mkdtempSync(join(tmpdir(), 'factorkit-disputes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** RFC 4226 Appendix D: counter 0 → 755224 (a spec fact, transcribed). */
function hotpCase(id: string, code: string, expected: boolean | null): object {
  return {
    id,
    kind: 'hotp',
    format: null,
    response: { code },
    context: {
      secret: '3132333435363738393031323334353637383930',
      algorithm: 'SHA1',
      digits: 6,
      counter: 0,
      window: 0,
    },
    expect: { verified: expected, scope: 'ceremony', error: null, result: {} },
  };
}

function folder(name: string, files: Record<string, object | string>): string {
  const dir = join(root, name);
  for (const [file, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

function io(repoRoot: string | null = null): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (b: Buffer) => o.push(b));
  stderr.on('data', (b: Buffer) => e.push(b));
  return {
    stdout,
    stderr,
    env: {},
    cwd: root,
    stdin: new PassThrough(),
    repoRoot,
    out: () => Buffer.concat(o).toString('utf8'),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}

// The corpus says the right code 755224 fails; we verify it: a documented dispute.
const disputed = (d: Partial<DisputedVerdict> = {}): ReadonlyMap<string, DisputedVerdict> =>
  new Map([['dp/x', { verified: true, code: null, reason: 'the source is wrong', ...d }]]);

describe('documented disputes', () => {
  const dir = folder('runs', {
    'x.json': hotpCase('dp/x', '755224', false),
    'y.json': hotpCase('dp/y', '755224', true),
  });

  it('a dispute whose verdict and code are the documented ones counts as disputed and does not fail', async () => {
    const summary = await runCheck([{ path: dir, label: 'dp' }], { disputes: disputed() });
    expect(summary.total).toMatchObject({ cases: 2, agree: 1, disagree: 0, disputed: 1, errors: 0 });
    expect(summary.ok).toBe(true);
    // the per-case verdict stays truthful: agree is verified === expected
    expect(summary.outcomes[0]).toMatchObject({
      id: 'dp/x',
      status: 'disputed',
      expected: false,
      agree: false,
    });
  });

  it('without the dispute the same case is a failing disagreement', async () => {
    const summary = await runCheck([{ path: dir, label: 'dp' }]);
    expect(summary.total).toMatchObject({ disagree: 1, disputed: 0 });
    expect(summary.ok).toBe(false);
  });

  it('a changed verdict or code is a disagreement (the list cannot go stale)', async () => {
    const otherVerdict = await runCheck([{ path: dir, label: 'dp' }], {
      disputes: disputed({ verified: false, code: 'ERR_OTP_INVALID' }),
    });
    expect(otherVerdict.ok).toBe(false);
    expect(otherVerdict.outcomes[0]).toMatchObject({ status: 'disagree' });
    expect(otherVerdict.outcomes[0]?.detail).toContain('documented dispute no longer holds');

    const rejectDir = folder('code', { 'x.json': hotpCase('dp/x', '000000', true) });
    const otherCode = await runCheck([{ path: rejectDir, label: 'dp' }], {
      disputes: disputed({ verified: false, code: 'ERR_SOMETHING_ELSE' }),
    });
    expect(otherCode.outcomes[0]).toMatchObject({
      verified: false,
      code: 'ERR_OTP_INVALID',
      status: 'disagree',
    });
    expect(otherCode.ok).toBe(false);
  });

  it('--disputes: exit 0, the table and summary count it, the --json line keeps its contract', async () => {
    const file = join(root, 'disputes-ok.json');
    writeFileSync(file, JSON.stringify({ 'dp/x': { verified: true, code: null, reason: 'why' } }));
    const t = io();
    expect(await main(['check', '--json', '--disputes', file, dir], t)).toBe(0);
    const lines = t
      .out()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      id: 'dp/x',
      kind: 'hotp',
      verified: true,
      code: null,
      expected: false,
      agree: false,
    });
    expect(Object.keys(lines[0] ?? {})).toEqual(['id', 'kind', 'verified', 'code', 'expected', 'agree']);
    expect(t.err()).toMatch(/folder\s+cases\s+agree\s+disagree\s+disputed\s+unsupported\s+errors/);
    expect(t.err()).toMatch(/runs\s+2\s+1\s+0\s+1\s+0\s+0/);
    expect(t.err()).toContain('1 disputed');
    expect(t.err()).toContain('disputed dp/x');
  });

  it("default: the repo's fixtures/disputed-verdicts.json is read, and the walker does not take it for a case", async () => {
    const repo = folder('repo', {
      'fixtures/disputed-verdicts.json': { 'dp/x': { verified: true, code: null, reason: 'why' } },
      'fixtures/cases/x.json': hotpCase('dp/x', '755224', false),
    });
    const t = io(repo);
    expect(await main(['check', '--json'], t)).toBe(0);
    expect(t.out().trimEnd().split('\n')).toHaveLength(1);
    expect(t.err()).toContain('1 cases, 0 agree, 0 disagree, 1 disputed');
  });

  it('an unusable disputes file is a usage error (exit 2)', async () => {
    const bad = join(root, 'disputes-bad.json');
    writeFileSync(bad, '{ nope');
    expect(await main(['check', '--disputes', bad, dir], io())).toBe(2);
    expect(await main(['check', '--disputes', join(root, 'missing.json'), dir], io())).toBe(2);
  });

  it('parseDisputes validates every entry', () => {
    expect(parseDisputes({ a: { verified: false, code: 'ERR_X', reason: 'r' } }).get('a')).toEqual({
      verified: false,
      code: 'ERR_X',
      reason: 'r',
    });
    for (const bad of [
      [],
      null,
      { a: 'r' },
      { a: { verified: 'yes', code: null, reason: 'r' } },
      { a: { verified: false, code: null, reason: 'r' } },
      { a: { verified: true, code: 'ERR_X', reason: 'r' } },
      { a: { verified: true, code: null, reason: '' } },
      { a: { verified: true, code: null } },
    ]) {
      expect(() => parseDisputes(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_BAD_DISPUTES_FILE' }),
      );
    }
  });
});
