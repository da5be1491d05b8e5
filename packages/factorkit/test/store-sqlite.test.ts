import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from '../src/store/sqlite/index.ts';
import { credential, describeStoreContract, otpAt, otpFactor, token } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'factorkit-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `db-${++n}.sqlite`);

describeStoreContract('SqliteStore (file, WAL)', async (options) => new SqliteStore(file(), options));
describeStoreContract('SqliteStore (:memory:)', async (options) => new SqliteStore(':memory:', options));

describe('SqliteStore specifics', () => {
  it('migrates on open: schema_version, WAL journal, data survives reopen', async () => {
    const path = file();
    const s = new SqliteStore(path);
    expect(s.schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
    await s.credentials.put(credential('a'));
    await s.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: SQLITE_SCHEMA_VERSION,
    });
    raw.close();
    const again = new SqliteStore(path);
    expect(await again.credentials.get('a')).toEqual(credential('a'));
    await again.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = file();
    new SqliteStore(path).close();
    const raw = new Database(path);
    raw.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    expect(() => new SqliteStore(path)).toThrow(expect.objectContaining({ code: 'ERR_STORE_SCHEMA' }));
  });

  it('a failed migration leaves the database at its old version', () => {
    const path = file();
    const raw = new Database(path);
    // A table the first migration wants to create already exists: the migration fails.
    raw.exec('CREATE TABLE credentials (x INTEGER)');
    raw.close();
    expect(() => new SqliteStore(path)).toThrow();
    const check = new Database(path, { readonly: true });
    expect(
      check.prepare("SELECT name FROM sqlite_master WHERE name IN ('schema_version', 'challenges')").all(),
    ).toEqual([]);
    check.close();
  });

  it('several connections on one file: 100 concurrent Yubico OTP verifications across them → exactly one', async () => {
    const path = file();
    const stores = Array.from({ length: 4 }, () => new SqliteStore(path));
    const t = token(1, { status: 'ACTIVE', userId: 'alice' });
    await stores[0]?.yubikey.insertMany([t]);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        stores[i % 4]?.yubikey.compareAndSetCounter({
          id: t.id,
          next: otpAt(1, 0),
          expectStatus: 'ACTIVE',
          expectUserId: 'alice',
        }),
      ),
    );
    expect(results.filter((r) => r?.ok === true)).toHaveLength(1);
    for (const s of stores) await s.close();
  });

  it('several connections on one file: 100 concurrent consumes across them → exactly one', async () => {
    const path = file();
    const stores = Array.from({ length: 4 }, () => new SqliteStore(path));
    await stores[0]?.challenges.put({
      id: 'c',
      factor: 'u2f.sign',
      userId: null,
      origin: null,
      challenge: 'c',
      expiresAt: 1,
      data: null,
    });
    const got = await Promise.all(
      Array.from({ length: 100 }, (_, i) => stores[i % 4]?.challenges.consume('c')),
    );
    expect(got.filter((r) => r !== undefined)).toHaveLength(1);
    for (const s of stores) await s.close();
  });

  it('records are parsed once at the store boundary: a mistyped stored member is ERR_STORE_CORRUPT', async () => {
    const path = file();
    const s = new SqliteStore(path);
    await s.credentials.put(credential('a'));
    await s.otp.put(otpFactor('o'));
    const raw = new Database(path);
    raw.prepare('UPDATE credentials SET data = ?').run('{"transports":"usb"}');
    raw.prepare('UPDATE otp_factors SET params = ?').run('{"algorithm":"MD5"}');
    raw.close();
    await expect(s.credentials.get('a')).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    await expect(s.otp.get('o')).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    await s.close();
  });

  it('a closed store rejects with ERR_STORE_CLOSED', async () => {
    const s = new SqliteStore(':memory:');
    await s.close();
    await expect(s.credentials.get('a')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    await expect(s.challenges.consume('a')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });

  it('four processes racing on one file: every challenge consumed once, every Yubico OTP accepted once', async () => {
    const path = file();
    const setup = new SqliteStore(path);
    const N = 100;
    for (let i = 0; i < N; i++) {
      await setup.challenges.put({
        id: `c${i}`,
        factor: 'u2f.sign',
        userId: null,
        origin: null,
        challenge: `c${i}`,
        expiresAt: 1,
        data: null,
      });
    }
    const t = token(1, { status: 'ACTIVE', userId: 'alice' });
    await setup.yubikey.insertMany([t]);
    await setup.close();
    const go = join(dir, `go-${n}`);
    const script = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'sqlite-racer.mjs');
    let ready = 0;
    let allReady: () => void = () => {};
    const started = new Promise<void>((r) => {
      allReady = r;
    });
    const racers = Array.from(
      { length: 4 },
      (_, k) =>
        new Promise<{ challenges: number[]; otps: number[] }>((resolve, reject) => {
          const child = spawn(process.execPath, [script, path, String(N), t.id, go, String(k * 25)]);
          let out = '';
          let err = '';
          child.stdout.on('data', (b: Buffer) => {
            if (out === '' && b[0] === 0x52 && ++ready === 4) allReady();
            out += b.toString();
          });
          child.stderr.on('data', (b: Buffer) => {
            err += b.toString();
          });
          child.on('close', (code) =>
            code === 0 ? resolve(JSON.parse(out.slice(out.indexOf('\n') + 1))) : reject(new Error(err)),
          );
        }),
    );
    await started; // every process has opened the store: they race from here
    writeFileSync(go, '');
    const results = await Promise.all(racers);
    const challenges = results.flatMap((r) => r.challenges).sort((a, b) => a - b);
    expect(challenges).toEqual(Array.from({ length: N }, (_, i) => i));
    // Each OTP pair (1, i) is accepted by at most one process, and accepted pairs only increase.
    const otps = results.flatMap((r) => r.otps);
    console.log(
      `4-process race: challenges won per process ${results.map((r) => r.challenges.length).join('/')}, ` +
        `OTPs accepted per process ${results.map((r) => r.otps.length).join('/')}`,
    );
    expect(new Set(otps).size).toBe(otps.length);
    for (const r of results) expect(r.otps).toEqual([...r.otps].sort((a, b) => a - b));
    const check = new SqliteStore(path);
    expect((await check.yubikey.getById(t.id))?.lastOtp?.sessionCounter).toBe(Math.max(...otps));
    await check.close();
  }, 60_000);
});
