import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/cli/check.ts';
import { type CliIo, main } from '../src/cli/main.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'factorkit.js');
const root = mkdtempSync(join(tmpdir(), 'factorkit-cli-'));
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
  mkdirSync(dir, { recursive: true });
  for (const [file, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

function io(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (b: Buffer) => o.push(b));
  stderr.on('data', (b: Buffer) => e.push(b));
  return {
    stdout,
    stderr,
    env,
    cwd: root,
    stdin: new PassThrough(),
    repoRoot: null,
    out: () => Buffer.concat(o).toString('utf8'),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}

function spawnCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: root,
      env: { ...process.env, FACTORKIT_CLI_FROM_SOURCE: '1', FACTORKIT_SHARED_FIXTURES: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const KEYS = ['id', 'kind', 'verified', 'code', 'expected', 'agree'];

describe.concurrent('factorkit check (spawned)', () => {
  it('--json: exactly one contract object per case on stdout, nothing else; ERR_BAD_CASE per bad file; exit 1', async () => {
    const dir = folder('mixed', {
      'good/accept.json': hotpCase('t/accept', '755224', true),
      'good/reject.json': hotpCase('t/reject', '755225', false),
      'bad/not-json.json': '{ this is not json',
      'bad/unknown-kind.json': { ...hotpCase('t/unknown', '1', true), kind: 'smoke-signal' },
      'bad/no-response.json': { id: 't/no-response', kind: 'hotp', context: {}, expect: { verified: true } },
      'MANIFEST.json': { not: 'a case' },
    });
    const r = await spawnCli(['check', '--json', dir]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const row of rows) expect(Object.keys(row)).toEqual(KEYS);
    const byId = Object.fromEntries(rows.map((row) => [row['id'], row]));
    expect(byId['t/accept']).toEqual({
      id: 't/accept',
      kind: 'hotp',
      verified: true,
      code: null,
      expected: true,
      agree: true,
    });
    expect(byId['t/reject']).toEqual({
      id: 't/reject',
      kind: 'hotp',
      verified: false,
      code: 'ERR_OTP_INVALID',
      expected: false,
      agree: true,
    });
    expect(byId['not-json']).toEqual({
      id: 'not-json',
      kind: '',
      verified: null,
      code: 'ERR_BAD_CASE',
      expected: null,
      agree: null,
    });
    expect(byId['t/unknown']).toMatchObject({
      kind: 'smoke-signal',
      verified: null,
      code: 'ERR_BAD_CASE',
      expected: true,
      agree: null,
    });
    expect(byId['t/no-response']).toMatchObject({ code: 'ERR_BAD_CASE', verified: null });
    // the table and the summary go to stderr
    expect(r.stderr).toMatch(/folder\s+cases\s+agree\s+disagree\s+disputed\s+unsupported\s+errors/);
    expect(r.stderr).toMatch(
      /factorkit check: 5 cases, 2 agree, 0 disagree, 0 disputed, 0 unsupported, 3 errors/,
    );
  });

  it('all cases agree → exit 0; the per-folder table lists each folder', async () => {
    const dir = folder('agree', {
      'a/one.json': hotpCase('a/one', '755224', true),
      'b/two.json': hotpCase('b/two', '000000', false),
    });
    const r = await spawnCli(['check', dir]);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/agree\/a\s+1\s+1\s+0\s+0\s+0/);
    expect(r.stderr).toMatch(/agree\/b\s+1\s+1\s+0\s+0\s+0/);
  });

  it('a usage error exits 2', async () => {
    const r = await spawnCli(['check', '--no-such-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: factorkit');
  });
});

describe('factorkit check (in process)', () => {
  it('a disagreement fails the run (exit 1)', async () => {
    const dir = folder('disagree', { 'x.json': hotpCase('d/x', '755224', false) });
    const t = io();
    expect(await main(['check', '--json', dir], t)).toBe(1);
    expect(JSON.parse(t.out())).toEqual({
      id: 'd/x',
      kind: 'hotp',
      verified: true,
      code: null,
      expected: false,
      agree: false,
    });
    expect(t.err()).toContain('disagree d/x');
  });

  it('a case without an expected verdict is reported, agree null, and does not fail the run', async () => {
    const dir = folder('no-verdict', { 'x.json': hotpCase('n/x', '755224', null) });
    const t = io();
    expect(await main(['check', '--json', dir], t)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ verified: true, expected: null, agree: null });
  });

  it('unsupported cases are counted in their own column with verified null / ERR_UNSUPPORTED, and do not fail', async () => {
    const dir = folder('unsupported', {
      'x.json': hotpCase('u/x', '755224', true),
      'y.json': hotpCase('u/y', '755224', true),
    });
    const summary = await runCheck([{ path: dir, label: 'u' }], {
      verifiers: { hotp: async () => ({ verified: null, code: 'ERR_UNSUPPORTED' }) },
    });
    expect(summary.total).toMatchObject({ cases: 2, agree: 0, unsupported: 2, disagree: 0, errors: 0 });
    expect(summary.ok).toBe(true);
    expect(summary.outcomes[0]).toMatchObject({ verified: null, code: 'ERR_UNSUPPORTED', agree: null });
  });

  it('a verifier that throws is reported per case (never crashes the run)', async () => {
    const dir = folder('throws', {
      'x.json': hotpCase('e/x', '755224', true),
      'y.json': hotpCase('e/y', '755224', true),
    });
    const summary = await runCheck([{ path: dir, label: 'e' }], {
      verifiers: {
        hotp: async (c) => {
          if (c.id === 'e/x') throw new RangeError('digits out of range');
          throw new Error('boom');
        },
      },
    });
    expect(summary.outcomes.map((o) => o.code)).toEqual(['ERR_BAD_CASE', 'ERR_INTERNAL']);
    expect(summary.total.errors).toBe(2);
    expect(summary.ok).toBe(false);
  });

  it('context is honoured: the TOTP clock, window and T0 come from the case', async () => {
    // RFC 6238 Appendix B, SHA-1, T = 59 s → 94287082 (8 digits).
    const base = {
      kind: 'totp',
      response: { code: '94287082' },
      context: {
        secret: '3132333435363738393031323334353637383930',
        algorithm: 'SHA1',
        digits: 8,
        period: 30,
        window: 0,
        options: { t0: 0 },
      },
      expect: { verified: true },
    };
    const dir = folder('totp', {
      'at59.json': { ...base, id: 'tt/at59', context: { ...base.context, time: 59 } },
      'at89.json': {
        ...base,
        id: 'tt/at89',
        context: { ...base.context, time: 89 },
        expect: { verified: false },
      },
      'at89w1.json': { ...base, id: 'tt/at89w1', context: { ...base.context, time: 89, window: 1 } },
      'at59t0.json': {
        ...base,
        id: 'tt/at59t0',
        context: { ...base.context, time: 59, options: { t0: 30 } },
        expect: { verified: false },
      },
    });
    const summary = await runCheck([{ path: dir, label: 'tt' }]);
    expect(summary.outcomes.map((o) => [o.id, o.verified])).toEqual([
      ['tt/at59', true],
      ['tt/at59t0', false],
      ['tt/at89', false],
      ['tt/at89w1', true],
    ]);
  });

  it('unknown commands and missing paths are usage errors (exit 2)', async () => {
    expect(await main(['frobnicate'], io())).toBe(2);
    expect(await main([], io())).toBe(2);
    expect(await main(['check', join(root, 'no-such-folder')], io())).toBe(2);
  });

  it('a file path (not a folder) is accepted; a missing path is a usage error', async () => {
    const dir = folder('single', { 'x.json': hotpCase('s/x', '755224', true) });
    const t = io();
    expect(await main(['check', '--json', join(dir, 'x.json')], t)).toBe(0);
    expect(JSON.parse(t.out()).id).toBe('s/x');
    expect(await main(['check', join(dir, 'nope')], io())).toBe(2);
  });

  it('default inputs: $FACTORKIT_SHARED_FIXTURES is read when no path is given', async () => {
    const dir = folder('shared-env', { 'vectors/x.json': hotpCase('env/x', '755224', true) });
    const t = io({ FACTORKIT_SHARED_FIXTURES: dir });
    await main(['check', '--json'], t);
    expect(t.out()).toContain('"id":"env/x"');
    expect(t.err()).toMatch(/shared\/vectors\s+1\s+1/);
  });
});
