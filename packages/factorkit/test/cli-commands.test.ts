import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { U2FToken, VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../src/cli/main.ts';
import { SqliteStore } from '../src/store/sqlite/index.ts';

const root = mkdtempSync(join(tmpdir(), 'factorkit-cmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function io(
  env: NodeJS.ProcessEnv = {},
  stdinText?: string,
): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (b: Buffer) => o.push(b));
  stderr.on('data', (b: Buffer) => e.push(b));
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText);
  return {
    stdout,
    stderr,
    env,
    cwd: root,
    stdin,
    repoRoot: null,
    out: () => Buffer.concat(o).toString('utf8'),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}

// RFC 6238 Appendix B seed "12345678901234567890" in base32.
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('factorkit otp', () => {
  it('code: RFC 6238 (T = 59 s, 8 digits) and RFC 4226 (counter 0)', async () => {
    const t = io();
    expect(await main(['otp', 'code', '--secret', SECRET, '--time', '59', '--digits', '8'], t)).toBe(0);
    expect(t.out()).toBe('94287082\n');
    const h = io({ FACTORKIT_OTP_SECRET: SECRET });
    expect(await main(['otp', 'code', '--type', 'hotp', '--counter', '0'], h)).toBe(0);
    expect(h.out()).toBe('755224\n');
  });

  it('verify: valid → exit 0, invalid → exit 1 with the code, window honoured', async () => {
    const ok = io();
    expect(
      await main(
        [
          'otp',
          'verify',
          '--secret',
          SECRET,
          '--time',
          '59',
          '--digits',
          '8',
          '--code',
          '94287082',
          '--json',
        ],
        ok,
      ),
    ).toBe(0);
    expect(JSON.parse(ok.out())).toEqual({ verified: true, step: 1, drift: 0 });
    const bad = io();
    expect(
      await main(
        [
          'otp',
          'verify',
          '--secret',
          SECRET,
          '--time',
          '89',
          '--digits',
          '8',
          '--code',
          '94287082',
          '--window',
          '0',
        ],
        bad,
      ),
    ).toBe(1);
    expect(bad.out()).toBe('invalid: ERR_OTP_INVALID\n');
  });

  it('uri (with --qr) prints the otpauth URI and a terminal QR code', async () => {
    const t = io();
    expect(
      await main(
        ['otp', 'uri', '--secret', SECRET, '--account', 'alice@example.com', '--issuer', 'Example', '--qr'],
        t,
      ),
    ).toBe(0);
    const out = t.out();
    expect(out).toContain(`otpauth://totp/Example:alice@example.com?secret=${SECRET}&issuer=Example`);
    expect(out).toContain('▄');
  });

  it('usage errors: no subcommand, missing secret, bad secret', async () => {
    expect(await main(['otp'], io())).toBe(2);
    expect(await main(['otp', 'code'], io())).toBe(2);
    expect(await main(['otp', 'code', '--secret', '!!!'], io())).toBe(2);
    expect(await main(['otp', 'uri', '--secret', SECRET], io())).toBe(2);
  });
});

describe('factorkit import-yubikey', () => {
  const good =
    '7886622,vvccccfiluij,267e04f1ded7,b05aea09c8f0a61ba17e2ba8d2d9aa2a,000000000000,2016-03-01T12:00:00,\n' +
    '7886623,vvccccfiluik,367e04f1ded8,c05aea09c8f0a61ba17e2ba8d2d9aa2a,000000000000,2016-03-01T12:00:00,\n';
  const kek = '11'.repeat(32);

  it('validates without --db (nothing kept), reports per line, never prints the AES key', async () => {
    writeFileSync(join(root, 'good.csv'), good);
    writeFileSync(
      join(root, 'bad.csv'),
      `${good}7886624,xx,267e04f1ded9,d05aea09c8f0a61ba17e2ba8d2d9aa2a,000000000000,2016-03-01T12:00:00,\n`,
    );
    const ok = io();
    expect(await main(['import-yubikey', 'good.csv'], ok)).toBe(0);
    expect(ok.out()).toContain('format yubico: 2 imported, 0 rejected');
    const bad = io();
    expect(await main(['import-yubikey', 'bad.csv'], bad)).toBe(1);
    expect(bad.out()).toMatch(/line 3, column 2: ERR_SEED_PUBLIC_ID/);
    expect(bad.out()).toContain('0 imported'); // all-or-nothing by default
    expect(bad.out()).not.toContain('d05aea09c8f0a61ba17e2ba8d2d9aa2a');
  });

  it('--db imports into SQLite with sealed seeds; a second import reports the duplicates', async () => {
    const db = join(root, 'tokens.sqlite');
    expect(await main(['import-yubikey', 'good.csv', '--db', db], io())).toBe(2); // no KEK
    const first = io({ FACTORKIT_KEK: kek });
    expect(await main(['import-yubikey', 'good.csv', '--db', db], first)).toBe(0);
    const again = io({ FACTORKIT_KEK: kek });
    expect(await main(['import-yubikey', 'good.csv', '--db', db], again)).toBe(1);
    expect(again.out()).toContain('ERR_SEED_PUBLIC_ID_EXISTS');
    const store = new SqliteStore(db);
    const tokens = await store.yubikey.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 10 });
    expect(tokens.map((t) => [t.publicId, t.serial, t.status])).toEqual([
      ['vvccccfiluij', '000007886622', 'UNASSIGNED'],
      ['vvccccfiluik', '000007886623', 'UNASSIGNED'],
    ]);
    const sealed = await store.yubikey.getSealedSecret(tokens[0]?.id as string);
    expect(Buffer.from(sealed ?? []).includes(Buffer.from('b05aea09c8f0a61ba17e2ba8d2d9aa2a', 'hex'))).toBe(
      false,
    );
    await store.close();
  });

  it('reads stdin with -', async () => {
    const t = io({}, good);
    expect(await main(['import-yubikey', '-'], t)).toBe(0);
    expect(t.out()).toContain('2 imported');
  });
});

describe('factorkit inspect', () => {
  it('explains a WebAuthn registration and authentication', async () => {
    const authenticator = new VirtualAuthenticator({ seed: 'inspect', attestationFormat: 'packed' });
    const challenge = Buffer.alloc(32, 1).toString('base64url');
    const reg = authenticator.createCredential({
      origin: 'https://example.com',
      publicKey: {
        rp: { id: 'example.com', name: 'Example' },
        user: { id: 'dXNlcg', name: 'user', displayName: 'User' },
        challenge,
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        attestation: 'direct',
      },
    });
    writeFileSync(join(root, 'reg.json'), JSON.stringify(reg));
    const t = io();
    expect(await main(['inspect', 'reg.json'], t)).toBe(0);
    expect(t.out()).toContain('fmt: packed');
    expect(t.out()).toMatch(/flags: 0x[0-9a-f]{2} \(UP/);
    expect(t.out()).toContain('alg: -7 (ES256)');
    expect(t.out()).toContain('subject:');
    expect(t.out()).toContain(`challenge: ${challenge}`);
    const auth = authenticator.getAssertion({
      origin: 'https://example.com',
      publicKey: { rpId: 'example.com', challenge, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    const j = io({}, JSON.stringify(auth));
    expect(await main(['inspect', '-', '--json'], j)).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({
      type: 'WebAuthn authentication (AuthenticationResponseJSON)',
      authenticatorData: { flags: expect.stringContaining('UP') },
    });
  });

  it('explains U2F register and sign messages', async () => {
    const token = new U2FToken({ seed: 'inspect-u2f' });
    const reg = token.register({
      appId: 'https://example.com',
      challenge: 'abc',
      origin: 'https://example.com',
    });
    const t = io({}, JSON.stringify(reg));
    expect(await main(['inspect', '-', '--json'], t)).toBe(0);
    const out = JSON.parse(t.out());
    expect(out.type).toBe('FIDO U2F registration (RegisterResponse)');
    expect(out.attestationCertificate.subject).toMatch(/CN=/);
    expect(out.clientData).toMatchObject({ typ: 'navigator.id.finishEnrollment', challenge: 'abc' });
  });

  it('malformed input is reported with a code, exit 1; not JSON → exit 1; no file → exit 2', async () => {
    const t = io({}, JSON.stringify({ response: { attestationObject: 'AAAA', clientDataJSON: 'e30' } }));
    expect(await main(['inspect', '-'], t)).toBe(1);
    expect(t.err()).toMatch(/factorkit inspect: ERR_/);
    expect(await main(['inspect', '-'], io({}, 'nope'))).toBe(1);
    expect(await main(['inspect', 'missing.json'], io())).toBe(2);
  });
});
