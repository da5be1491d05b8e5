import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { hexToModhex } from '../src/modhex.ts';
import type { SeedImportReport } from '../src/seed/import.ts';
import { KSM_KEY, KSM_OTP, newRegistry } from './helpers.ts';

// Rows in the Personalization Tool's "Yubico format" (protocols §5.6), built for these tests.
const yRow = (serial: string, publicId: string, privateId: string, aesKey: string): string =>
  `${serial},${publicId},${privateId},${aesKey},000000000000,2026-01-01T12:00:00,`;
const GOOD = [
  yRow('1001', 'vvcccccccccb', '0a0b0c0d0e01', '11111111111111111111111111111101'),
  yRow('1002', 'vvcccccccccd', '0a0b0c0d0e02', '11111111111111111111111111111102'),
  yRow('1003', 'vvccccccccce', '0a0b0c0d0e03', '11111111111111111111111111111103'),
];

function codes(r: SeedImportReport): string[] {
  return r.errors.map((e) => e.code);
}

describe('format detection', () => {
  it('Yubico format (no header, trailing comma) imports every row UNASSIGNED with 12-digit serials', async () => {
    const { registry } = newRegistry();
    const r = await registry.importSeeds(`${GOOD.join('\n')}\n`);
    expect(r).toMatchObject({ ok: true, format: 'yubico', imported: 3, rejectedRows: 0, errors: [] });
    const list = await registry.listTokens();
    if (!list.ok) throw new Error('list');
    expect(list.tokens.map((t) => [t.profile.serial, t.status])).toEqual([
      ['000000001001', 'UNASSIGNED'],
      ['000000001002', 'UNASSIGNED'],
      ['000000001003', 'UNASSIGNED'],
    ]);
  });

  it('Yubico format without the trailing comma is accepted too', async () => {
    const { registry } = newRegistry();
    const r = await registry.importSeeds(GOOD.map((l) => l.slice(0, -1)).join('\n'));
    expect(r).toMatchObject({ ok: true, imported: 3 });
  });

  it('Traditional format: LOGGING START lines skipped, only "Yubico OTP" events imported, serial null', async () => {
    const { registry } = newRegistry();
    const text = [
      'LOGGING START,1/1/26 12:00 PM',
      `Yubico OTP,1/1/26 12:00 PM,1,${KSM_KEY.publicId},${KSM_KEY.privateId},${KSM_KEY.aesKey},,,0,0,0,0,0,0,0,0,0,0`,
      'OATH-HOTP,1/1/26 12:01 PM,2,vvcccccccccc,,0123456789abcdef0123456789abcdef01234567,,,0,0,0,6,0,0,0,0,0,0',
      'LOGGING START,"Jan 2, 2026 9:00 AM"',
      // Locale timestamps can contain commas: columns are counted from the right.
      'Yubico OTP,Jan 2, 2026 9:01 AM,1,vvcccccccccb,0a0b0c0d0e01,11111111111111111111111111111101,,,0,0,0,0,0,0,0,0,0,0',
    ].join('\r\n');
    const r = await registry.importSeeds(text);
    expect(r).toMatchObject({ ok: true, format: 'traditional', imported: 2, skippedRows: 3 });
    const t = await registry.enroll({ userId: 'alice', passCode: KSM_OTP });
    expect(t).toMatchObject({ verified: true, token: { profile: { serial: null } } });
  });

  it('Okta JSON body: one object or an array', async () => {
    const { registry } = newRegistry();
    expect(await registry.importSeeds(JSON.stringify(KSM_KEY))).toMatchObject({
      ok: true,
      format: 'okta-json',
      imported: 1,
    });
    const arr = [
      {
        serialNumber: '5',
        publicId: 'vvcccccccccb',
        privateId: '0a0b0c0d0e01',
        aesKey: '11111111111111111111111111111101',
      },
      {
        serialNumber: '6',
        publicId: 'vvcccccccccd',
        privateId: '0a0b0c0d0e02',
        aesKey: '11111111111111111111111111111102',
      },
    ];
    expect(await registry.importSeeds(JSON.stringify(arr, null, 2))).toMatchObject({ ok: true, imported: 2 });
    // A minified array longer than the CSV line limit is still fine (JSON has its own body limit).
    const many = Array.from({ length: 30 }, (_, i) => ({
      serialNumber: String(100 + i),
      publicId: `vvcc${hexToModhex((0x1000 + i).toString(16).padStart(8, '0'))}`,
      privateId: '0a0b0c0d0e0f',
      aesKey: `22222222222222222222222222${(0x100000 + i).toString(16)}`,
    }));
    expect(await newRegistry().registry.importSeeds(JSON.stringify(many))).toMatchObject({
      ok: true,
      imported: 30,
    });
  });

  it('Okta JSON: unknown fields, missing fields, non-objects and bad JSON are typed errors', async () => {
    const { registry } = newRegistry();
    const r = await registry.importSeeds(
      JSON.stringify([{ ...KSM_KEY, __proto__x: 1 }, { publicId: 'vvcccccccccb' }, 42]).replace(
        '__proto__x',
        '__proto__',
      ),
    );
    expect(r.ok).toBe(false);
    expect(r.imported).toBe(0);
    expect(new Set(codes(r))).toEqual(
      new Set(['ERR_SEED_FIELD_UNKNOWN', 'ERR_SEED_FIELD_MISSING', 'ERR_SEED_JSON']),
    );
    expect(r.errors.find((e) => e.code === 'ERR_SEED_JSON')?.record).toBe(3);
    expect(({} as Record<string, unknown>)['serialNumber']).toBeUndefined(); // no prototype pollution
    expect(await registry.importSeeds('{"serialNumber": ')).toMatchObject({
      ok: false,
      errors: [{ code: 'ERR_SEED_JSON' }],
    });
  });

  it('anything else is ERR_SEED_FORMAT_UNKNOWN (KSM provisioning file, random text, wrong column count)', async () => {
    const { registry } = newRegistry();
    for (const text of [
      '# ykksm 1\n4711,dlcfffckrcde,ca62baca62ba,ecde18dbe76fbd0c33330f1c354871db,be70aeca62ba,2009-01-22 00:25:11,',
      'hello world',
      'a,b,c',
    ]) {
      expect(await registry.importSeeds(text)).toMatchObject({
        ok: false,
        imported: 0,
        errors: [{ code: 'ERR_SEED_FORMAT_UNKNOWN' }],
      });
    }
  });

  it('empty input is ERR_SEED_EMPTY', async () => {
    const { registry } = newRegistry();
    expect(await registry.importSeeds('')).toMatchObject({ ok: false, errors: [{ code: 'ERR_SEED_EMPTY' }] });
    expect(await registry.importSeeds('\n\n   \n')).toMatchObject({
      ok: false,
      errors: [{ code: 'ERR_SEED_EMPTY' }],
    });
    expect(await registry.importSeeds('LOGGING START,today\n')).toMatchObject({
      ok: false,
      errors: [{ code: 'ERR_SEED_EMPTY' }],
    });
  });
});

describe('CSV-1 row validation: line and column, never the secret', () => {
  const SECRET_KEY = '0123456789abcdef0123456789abcde'; // 31 hex: invalid
  const SECRET_UID = '9f8e7d6c5b4a3'; // 13 hex: invalid
  const bad = [
    GOOD[0],
    yRow('12a4', 'vvccccccccct', '0a0b0c0d0e04', '11111111111111111111111111111104'), // line 2 serial
    yRow('1005', 'vvcccccccca', '0a0b0c0d0e05', '11111111111111111111111111111105'), // line 3 publicId odd + non-modhex
    yRow('1006', 'vvcccccccccf', SECRET_UID, SECRET_KEY), // line 4 privateId + aesKey
    yRow('1007', 'vvcccccccccg', '0a0b0c0d0e07', '00000000000000000000000000000000'), // line 5 weak key
    '1008,vvccccccccch,0a0b0c0d0e08', // line 6 column count
    GOOD[1],
  ];

  it('all-or-nothing (default): one bad row imports nothing and every bad row is reported', async () => {
    const { registry, store } = newRegistry();
    const r = await registry.importSeeds(bad.join('\n'));
    expect(r).toMatchObject({ ok: false, format: 'yubico', imported: 0, rejectedRows: 5 });
    expect(r.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [2, 1, 'ERR_SEED_SERIAL'],
      [3, 2, 'ERR_SEED_PUBLIC_ID'],
      [4, 3, 'ERR_SEED_PRIVATE_ID'],
      [4, 4, 'ERR_SEED_AES_KEY'],
      [5, 4, 'ERR_SEED_WEAK_AES_KEY'],
      [6, undefined, 'ERR_SEED_COLUMN_COUNT'],
    ]);
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SECRET_UID);
    expect((await store.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 100 })).length).toBe(
      0,
    );
  });

  it('importGoodRows: the good rows are imported and the rest reported', async () => {
    const { registry } = newRegistry();
    const r = await registry.importSeeds(bad.join('\n'), { importGoodRows: true });
    expect(r).toMatchObject({ ok: false, imported: 2, rejectedRows: 5 });
    expect(r.errors).toHaveLength(6);
  });

  it('field edge cases: publicId 0/2/16/17/18 chars, privateId 11/13, aesKey 31/33/48/64, homoglyph digits, NUL', async () => {
    const cases: [string, string][] = [
      [yRow('1', '', '0a0b0c0d0e01', '1'.repeat(32)), 'ERR_SEED_PUBLIC_ID'],
      [yRow('1', 'c'.repeat(17), '0a0b0c0d0e01', '1'.repeat(32)), 'ERR_SEED_PUBLIC_ID'],
      [yRow('1', 'c'.repeat(18), '0a0b0c0d0e01', '1'.repeat(32)), 'ERR_SEED_PUBLIC_ID'],
      [yRow('1', 'vvcccccccccc', '0a0b0c0d0e0', '1'.repeat(32)), 'ERR_SEED_PRIVATE_ID'],
      [yRow('1', 'vvcccccccccc', '0a0b0c0d0e011', '1'.repeat(32)), 'ERR_SEED_PRIVATE_ID'],
      [yRow('1', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(33)), 'ERR_SEED_AES_KEY'],
      [yRow('1', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(48)), 'ERR_SEED_AES_KEY'],
      [yRow('1', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(64)), 'ERR_SEED_AES_KEY'],
      [yRow('１２３', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(32)), 'ERR_SEED_SERIAL'],
      [yRow('1234567890123', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(32)), 'ERR_SEED_SERIAL'],
      [
        yRow('1', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(32)).replace('000000000000', '00000000000g'),
        'ERR_SEED_ACCESS_CODE',
      ],
      [`${yRow('1', 'vvcccccccccc', '0a0b0c0d0e01', '1'.repeat(32))}\u0000`, 'ERR_SEED_ENCODING'],
    ];
    for (const [line, code] of cases) {
      const r = await newRegistry().registry.importSeeds(`${GOOD[0]}\n${line}`);
      expect(codes(r), line).toEqual([code]);
    }
    for (const ok of [
      yRow('1', 'vv', '0a0b0c0d0e01', '1'.repeat(32)),
      yRow('1', 'v'.repeat(16), '0a0b0c0d0e01', '1'.repeat(32)),
    ]) {
      expect((await newRegistry().registry.importSeeds(ok)).ok).toBe(true);
    }
  });

  it('BOM, CRLF, mixed endings, blank lines and upper-case hex are accepted', async () => {
    const text = `\uFEFF${GOOD[0]}\r\n\r\n${GOOD[1]?.toUpperCase().replace('VV', 'vv')}\n${GOOD[2]}`;
    expect(await newRegistry().registry.importSeeds(text)).toMatchObject({ ok: true, imported: 3 });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD.join('\r\n'))]);
    expect(await newRegistry().registry.importSeeds(new Uint8Array(bytes))).toMatchObject({
      ok: true,
      imported: 3,
    });
  });

  it('quoted fields: well-formed quotes are read, broken quotes are ERR_SEED_CSV_QUOTE', async () => {
    const quoted =
      '"1001","vvcccccccccb","0a0b0c0d0e01","11111111111111111111111111111101","000000000000","2026-01-01T12:00:00",';
    expect(await newRegistry().registry.importSeeds(quoted)).toMatchObject({ ok: true, imported: 1 });
    const embedded = `${GOOD[0]}\n1002,"vvccc,ccccccd",0a0b0c0d0e02,11111111111111111111111111111102,000000000000,x,`;
    // The quoted comma stays inside the field, which then is no public id.
    expect(codes(await newRegistry().registry.importSeeds(embedded))).toEqual(['ERR_SEED_PUBLIC_ID']);
    const broken = `${GOOD[0]}\n1002,"vvcccccccccd,0a0b0c0d0e02,11111111111111111111111111111102,000000000000,x,`;
    const r = await newRegistry().registry.importSeeds(broken);
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, column: 2, code: 'ERR_SEED_CSV_QUOTE' })]);
    const stray = `${GOOD[0]}\n1002,vv"ccccccccd,0a0b0c0d0e02,11111111111111111111111111111102,000000000000,x,`;
    expect(codes(await newRegistry().registry.importSeeds(stray))).toEqual(['ERR_SEED_CSV_QUOTE']);
  });

  it('CSV line-length limit: an over-long line is rejected by number, without buffering it', async () => {
    const long = `${GOOD[0]}\n${'1'.repeat(5000)}\n${GOOD[1]}`;
    const r = await newRegistry().registry.importSeeds(long);
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, code: 'ERR_SEED_LINE_TOO_LONG' })]);
    expect(r.imported).toBe(0);
    expect(await newRegistry().registry.importSeeds(long, { importGoodRows: true })).toMatchObject({
      imported: 2,
    });
    const custom = await newRegistry().registry.importSeeds(GOOD.join('\n'), { maxLineLength: 50 });
    expect(custom.errors.map((e) => e.code)).toEqual(['ERR_SEED_FORMAT_UNKNOWN']);
  });

  it('size limits: maxBytes and maxRows abort the import and write nothing', async () => {
    const { registry, store } = newRegistry();
    expect(await registry.importSeeds(GOOD.join('\n'), { maxBytes: 150 })).toMatchObject({
      ok: false,
      imported: 0,
      errors: [{ code: 'ERR_SEED_FILE_TOO_LARGE' }],
    });
    expect(await registry.importSeeds(GOOD.join('\n'), { maxRows: 2 })).toMatchObject({
      ok: false,
      imported: 0,
      errors: [{ code: 'ERR_SEED_TOO_MANY_ROWS', line: 3 }],
    });
    expect(await registry.importSeeds(GOOD.join('\n'), { maxRows: 3 })).toMatchObject({
      ok: true,
      imported: 3,
    });
    expect(await registry.importSeeds(JSON.stringify(KSM_KEY), { maxJsonBytes: 40 })).toMatchObject({
      errors: [{ code: 'ERR_SEED_FILE_TOO_LARGE' }],
    });
    expect((await store.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 10 })).length).toBe(3);
  });

  it('invalid UTF-8 bytes are ERR_SEED_ENCODING', async () => {
    const bytes = Buffer.concat([Buffer.from(`${GOOD[0]}\n`), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expect(await newRegistry().registry.importSeeds(new Uint8Array(bytes))).toMatchObject({
      ok: false,
      errors: [{ code: 'ERR_SEED_ENCODING' }],
    });
  });
});

describe('duplicates (YK-7)', () => {
  it('within the file: publicId, serial and AES key repeats are errors naming the earlier line', async () => {
    const text = [
      GOOD[0],
      yRow('2001', 'vvcccccccccb', '0a0b0c0d0e09', '33333333333333333333333333333301'), // publicId of line 1
      yRow('1001', 'vvcccccccccj', '0a0b0c0d0e0a', '33333333333333333333333333333302'), // serial of line 1
      yRow('2003', 'vvccccccccck', '0a0b0c0d0e0b', '11111111111111111111111111111101'), // AES key of line 1
    ].join('\n');
    const r = await newRegistry().registry.importSeeds(text);
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'ERR_SEED_DUPLICATE_PUBLIC_ID'],
      [3, 'ERR_SEED_DUPLICATE_SERIAL'],
      [4, 'ERR_SEED_DUPLICATE_AES_KEY'],
    ]);
    expect(r.errors[0]?.message).toContain('line 1');
    expect(JSON.stringify(r)).not.toContain('11111111111111111111111111111101');
    expect(r.imported).toBe(0);
  });

  it('against the registry: a publicId already registered is ERR_SEED_PUBLIC_ID_EXISTS; re-import of the same file fails whole', async () => {
    const { registry } = newRegistry();
    expect((await registry.importSeeds(GOOD.join('\n'))).imported).toBe(3);
    const again = await registry.importSeeds(
      [GOOD[2], yRow('1004', 'vvccccccccci', '0a0b0c0d0e04', `${'1'.repeat(31)}4`)].join('\n'),
    );
    expect(again).toMatchObject({
      ok: false,
      imported: 0,
      errors: [{ line: 1, column: 2, code: 'ERR_SEED_PUBLIC_ID_EXISTS' }],
    });
    const partial = await registry.importSeeds(
      [GOOD[2], yRow('1004', 'vvccccccccci', '0a0b0c0d0e04', `${'1'.repeat(31)}4`)].join('\n'),
      {
        importGoodRows: true,
      },
    );
    expect(partial).toMatchObject({ imported: 1, rejectedRows: 1 });
  });
});

describe('streaming input', () => {
  it('an AsyncIterable of small string chunks gives the same result as one string', async () => {
    const text = `${GOOD.join('\r\n')}\r\n`;
    async function* chunked(): AsyncGenerator<string> {
      for (let i = 0; i < text.length; i += 7) yield text.slice(i, i + 7);
    }
    expect(await newRegistry().registry.importSeeds(chunked())).toMatchObject({ ok: true, imported: 3 });
  });

  it('a Node Readable of byte chunks, split inside a multi-byte character, decodes correctly', async () => {
    const text = `LOGGING START,1 janv. 2026 à 12:00\nYubico OTP,1 janv. 2026 à 12:00,1,${KSM_KEY.publicId},${KSM_KEY.privateId},${KSM_KEY.aesKey},,,0,0,0,0,0,0,0,0,0,0\n`;
    const bytes = Buffer.from(text);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 3) pieces.push(bytes.subarray(i, i + 3));
    const r = await newRegistry().registry.importSeeds(Readable.from(pieces));
    expect(r).toMatchObject({ ok: true, format: 'traditional', imported: 1 });
  });

  it('a failing stream is ERR_SEED_INPUT and writes nothing', async () => {
    const { registry, store } = newRegistry();
    async function* failing(): AsyncGenerator<string> {
      yield `${GOOD[0]}\n`;
      throw new Error('disk on fire');
    }
    const r = await registry.importSeeds(failing());
    expect(r).toMatchObject({ ok: false, imported: 0, errors: [{ code: 'ERR_SEED_INPUT' }] });
    expect(JSON.stringify(r)).not.toContain('disk on fire');
    expect((await store.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 10 })).length).toBe(0);
  });
});

/** Yubico-format rows generated on the fly: the 100 000-row file is never held in memory. */
async function* generatedSeedFile(rows: number, chunkRows = 500): AsyncGenerator<string> {
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const hex = i.toString(16).padStart(8, '0');
    chunk += `${1_000_000 + i},vvcc${hexToModhex(hex)},${'0a0b'}${hex},a${hex}${'b'.repeat(23)},000000000000,2026-01-01T12:00:00,\n`;
    if ((i + 1) % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

describe('100 000-row seed file', () => {
  // Generous harness timeout: a few seconds on an idle machine, but CI hosts can be shared.
  it('imports all rows from a stream (bounded memory: the file is generated chunk by chunk)', {
    timeout: 180_000,
  }, async () => {
    const { registry, store } = newRegistry();
    const r = await registry.importSeeds(generatedSeedFile(100_000));
    expect(r).toMatchObject({ ok: true, imported: 100_000, rejectedRows: 0 });
    const page = await registry.listTokens({ filter: 'profile.serial eq "1099999"' });
    expect(page).toMatchObject({ ok: true, tokens: [{ profile: { serial: '000001099999' } }] });
    expect((await store.getByPublicId(`vvcc${hexToModhex('0001869f')}`))?.serial).toBe('000001099999');
  });
});

const shared = sharedFixturesDir();
if (shared === undefined) console.warn(sharedFixturesSkipMessage('yubikey-seed-files collection'));

describe.skipIf(shared === undefined)('shared collection yubikey-seed-files.json', () => {
  it('the constructed rows of both formats import, and their OTP enrolls', async () => {
    const col = JSON.parse(
      readFileSync(join(shared as string, 'vectors/collections/yubikey-seed-files.json'), 'utf8'),
    ) as {
      constructedRows: (
        | { format: 'yubicoFormat'; line: string; validOtpForThisRow: string }
        | { format: 'traditionalFormat'; lines: string[] }
      )[];
    };
    let n = 0;
    for (const row of col.constructedRows) {
      const { registry } = newRegistry();
      const text = row.format === 'yubicoFormat' ? row.line : row.lines.join('\n');
      const r = await registry.importSeeds(text);
      expect(r).toMatchObject({
        ok: true,
        imported: 1,
        format: row.format === 'yubicoFormat' ? 'yubico' : 'traditional',
      });
      expect(await registry.enroll({ userId: 'u', passCode: KSM_OTP })).toMatchObject({ verified: true });
      n++;
    }
    console.log(`yubikey-seed-files: ${n} constructed rows imported and enrolled`);
  });
});
