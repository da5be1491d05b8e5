import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import {
  CONFORMANCE_CRLS,
  CONFORMANCE_ROOT_PEM,
  NOW,
  payload,
  signBlob,
  testMds,
} from '@factorkit/testkit/pki';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { captureIo } from './helpers/cli-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'factorkit-mds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (): ReturnType<typeof captureIo> => captureIo(dir);

const file = (name: string, content: string | Uint8Array): string => {
  writeFileSync(join(dir, name), content);
  return name;
};

const shared = sharedFixturesDir();
const conformance =
  shared === undefined
    ? undefined
    : join(shared, 'real/webauthn/simplewebauthn/mds/fido-conformance-mds3-blob.jwt');
const haveConformance = conformance !== undefined && existsSync(conformance);
if (!haveConformance) console.warn(sharedFixturesSkipMessage('the FIDO conformance MDS3 BLOB'));

describe('factorkit mds verify', () => {
  it.skipIf(!haveConformance)('the conformance BLOB verifies (exit 0) with its root and CRLs', async () => {
    const root = file('conf-root.pem', CONFORMANCE_ROOT_PEM);
    const crl1 = file('ca.crl', CONFORMANCE_CRLS[0] as string);
    const crl2 = file('root.crl', CONFORMANCE_CRLS[1] as string);
    const t = io();
    const args = ['mds', 'verify', conformance as string, '--root', root, '--crl', crl1, '--crl', crl2];
    expect(await main([...args, '--now', '2019-06-01T00:00:00Z', '--json'], t)).toBe(0);
    expect(JSON.parse(t.out())).toEqual({
      valid: true,
      code: null,
      no: 42,
      nextUpdate: '2023-11-08',
      entries: 200,
    });
    const text = io();
    expect(await main([...args, '--now', '2019-06-01'], text)).toBe(0);
    expect(text.out()).toContain('valid: no 42');
    // Default root (the FIDO production root): not trusted.
    const prod = io();
    expect(await main(['mds', 'verify', conformance as string, '--now', '2019-06-01', '--json'], prod)).toBe(
      1,
    );
    expect(JSON.parse(prod.out())).toEqual({
      valid: false,
      code: 'ERR_MDS_CHAIN_UNTRUSTED',
      no: null,
      nextUpdate: null,
      entries: null,
    });
  });

  it('generated BLOBs: valid, --previous serial regression, tampered', async () => {
    const mds = await testMds();
    const root = file('root.pem', mds.root.pem);
    const crlA = file('a.crl', mds.crls[0] as Uint8Array);
    const crlB = file('b.crl', mds.crls[1] as Uint8Array);
    const b7 = file('b7.jwt', await signBlob(payload(7), mds.signer, [mds.signer, mds.intermediate]));
    const b8 = file('b8.jwt', await signBlob(payload(8), mds.signer, [mds.signer, mds.intermediate]));
    const base = ['--root', root, '--crl', crlA, '--crl', crlB, '--now', NOW.toISOString(), '--json'];
    const ok = io();
    expect(await main(['mds', 'verify', b8, '--previous', b7, ...base], ok)).toBe(0);
    expect(JSON.parse(ok.out())).toMatchObject({ valid: true, no: 8 });
    const back = io();
    expect(await main(['mds', 'verify', b7, '--previous', b8, ...base], back)).toBe(1);
    expect(JSON.parse(back.out())).toEqual({
      valid: false,
      code: 'ERR_MDS_SERIAL_REGRESSION',
      no: 7,
      nextUpdate: '2025-07-01',
      entries: 0,
    });
    const noCrl = io();
    expect(
      await main(['mds', 'verify', b8, '--root', root, '--now', NOW.toISOString(), '--json'], noCrl),
    ).toBe(1);
    expect(JSON.parse(noCrl.out()).code).toBe('ERR_REVOCATION_UNAVAILABLE');
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['mds'],
      ['mds', 'verify'],
      ['mds', 'verify', 'missing.jwt'],
      ['mds', 'verify', file('x.jwt', 'a.b.c'), '--now', 'yesterday'],
      ['mds', 'verify', file('y.jwt', 'a.b.c'), '--bogus'],
      ['mds', 'verify', file('z.jwt', 'a.b.c'), '--root', 'nope.pem'],
    ]) {
      const t = io();
      expect(await main(args, t)).toBe(2);
    }
    const t = io();
    expect(await main(['mds', 'verify', file('w.jwt', 'a.b.c'), '--json'], t)).toBe(1);
    expect(JSON.parse(t.out())).toMatchObject({ valid: false, code: 'ERR_MDS_BLOB_MALFORMED' });
  });
});
