import { describe, expect, it } from 'vitest';
import { parseTokenFilter } from '../src/filter.ts';
import { hexToModhex } from '../src/modhex.ts';
import type { ListTokensResult, YubikeyToken } from '../src/registry.ts';
import { KEY_A, makeOtp, newRegistry } from './helpers.ts';

function rows(n: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) {
    const hex = i.toString(16).padStart(8, '0');
    out.push(
      `${5000 + i},vvcc${hexToModhex(hex)},0a0b${hex},c${hex}${'d'.repeat(23)},000000000000,2026-01-01T00:00:00,`,
    );
  }
  return out.join('\n');
}

function tokens(r: ListTokensResult): readonly YubikeyToken[] {
  if (!r.ok) throw new Error(`list failed: ${r.code}`);
  return r.tokens;
}

async function setup(n: number) {
  const ctx = newRegistry();
  // One import per row so that `created` differs (the test clock ticks once per read).
  for (let i = 0; i < n; i++) expect((await ctx.registry.importSeeds(rows(1, i))).imported).toBe(1);
  return ctx;
}

describe('listTokens (Okta GET …/tokens)', () => {
  it('limit defaults to 20; the opaque after cursor pages through every token exactly once', async () => {
    const { registry } = await setup(45);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const r = await registry.listTokens(after === undefined ? {} : { after });
      if (!r.ok) throw new Error('list');
      seen.push(...r.tokens.map((t) => t.id));
      after = r.after;
      pages++;
      if (pages === 1) expect(r.tokens).toHaveLength(20);
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(45);
    const created = (await Promise.all(seen.map((id) => registry.getToken(id)))).map((t) => t?.created ?? '');
    expect([...created].sort()).toEqual(created);
  });

  it('tokens of one import share ties on created but list in file order (ids increase)', async () => {
    const { registry } = newRegistry({ clock: () => new Date('2026-02-02T00:00:00.000Z') });
    expect((await registry.importSeeds(rows(50))).imported).toBe(50);
    const listed = tokens(await registry.listTokens({ limit: 50 }));
    expect(listed.map((t) => t.profile.serial)).toEqual(
      Array.from({ length: 50 }, (_, i) => String(5000 + i).padStart(12, '0')),
    );
    expect(new Set(listed.map((t) => t.created)).size).toBe(1);
    for (const t of listed) expect(t.id).toMatch(/^ykk[0-9A-Za-z]{17}$/);
  });

  it('DESC order and other sort fields page without gaps or repeats, even with tied keys', async () => {
    const { registry } = await setup(25);
    for (const sortBy of ['created', 'status', 'profile.serial', 'user.id', 'lastVerified'] as const) {
      for (const sortOrder of ['ASC', 'DESC'] as const) {
        const seen: string[] = [];
        let after: string | undefined;
        do {
          const r = await registry.listTokens({
            sortBy,
            sortOrder,
            limit: 7,
            ...(after === undefined ? {} : { after }),
          });
          if (!r.ok) throw new Error('list');
          seen.push(...r.tokens.map((t) => t.id));
          after = r.after;
        } while (after !== undefined);
        expect(new Set(seen).size, `${sortBy} ${sortOrder}`).toBe(25);
      }
    }
    const desc = tokens(await registry.listTokens({ sortBy: 'profile.serial', sortOrder: 'DESC', limit: 3 }));
    expect(desc.map((t) => t.profile.serial)).toEqual(['000000005024', '000000005023', '000000005022']);
  });

  it('limit is clamped to 200; a non-positive limit is misuse', async () => {
    const { registry } = newRegistry();
    expect((await registry.importSeeds(rows(230))).imported).toBe(230);
    expect(tokens(await registry.listTokens({ limit: 500 }))).toHaveLength(200);
    expect(tokens(await registry.listTokens({ limit: 201 }))).toHaveLength(200);
    expect(tokens(await registry.listTokens({ limit: 1 }))).toHaveLength(1);
    await expect(registry.listTokens({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(registry.listTokens({ limit: 2.5 })).rejects.toThrow(RangeError);
  });

  it('filters: status, user, serial, created/lastVerified ranges (structured and Okta expressions)', async () => {
    const { registry } = await setup(5);
    const all = tokens(await registry.listTokens());
    const first = all[0] as YubikeyToken;
    // Enroll the key behind token 0 requires its OTP: upload a known key instead.
    const up = await registry.uploadToken({
      serialNumber: '777',
      publicId: KEY_A.publicId,
      privateId: KEY_A.privateId,
      aesKey: KEY_A.aesKey,
    });
    if (!up.ok) throw new Error('upload');
    await registry.enroll({
      userId: 'alice',
      passCode: makeOtp(KEY_A.publicId, KEY_A.aesKey, {
        privateId: KEY_A.privateId,
        usageCounter: 1,
        sessionCounter: 0,
      }),
    });
    expect(tokens(await registry.listTokens({ filter: 'status eq "ACTIVE"' })).map((t) => t.id)).toEqual([
      up.token.id,
    ]);
    expect(tokens(await registry.listTokens({ filter: { status: ['UNASSIGNED'] } }))).toHaveLength(5);
    expect(tokens(await registry.listTokens({ filter: 'user.id eq "alice"' })).map((t) => t.id)).toEqual([
      up.token.id,
    ]);
    expect(tokens(await registry.listTokens({ filter: { userId: null } }))).toHaveLength(5);
    expect(tokens(await registry.listTokens({ filter: 'profile.serial eq "777"' })).map((t) => t.id)).toEqual(
      [up.token.id],
    );
    expect(tokens(await registry.listTokens({ filter: `created gt "${first.created}"` }))).toHaveLength(5);
    expect(tokens(await registry.listTokens({ filter: `created lt "${first.created}"` }))).toHaveLength(0);
    expect(
      tokens(
        await registry.listTokens({ filter: `status eq "UNASSIGNED" and created gt "${first.created}"` }),
      ),
    ).toHaveLength(4);
    expect(
      tokens(await registry.listTokens({ filter: 'lastVerified gt "2000-01-01T00:00:00.000Z"' })).map(
        (t) => t.id,
      ),
    ).toEqual([up.token.id]);
  });

  it('bad filters are ERR_INVALID_FILTER, never echoed', () => {
    for (const f of [
      'status eq "NOPE"',
      'status gt "ACTIVE"',
      'created eq "2020-01-01T00:00:00.000Z"',
      'created gt "yesterday"',
      'profile.email eq "a@b"',
      'status eq "ACTIVE" or status eq "BLOCKED"',
      'status eq "ACTIVE" and status eq "BLOCKED"',
      'x'.repeat(2000),
    ]) {
      const r = parseTokenFilter(f);
      expect(r, f).toMatchObject({ verified: false, code: 'ERR_INVALID_FILTER' });
      expect(JSON.stringify(r)).not.toContain('NOPE');
    }
  });

  it('bad or foreign cursors are ERR_INVALID_CURSOR', async () => {
    const { registry } = await setup(3);
    const r = await registry.listTokens({ limit: 1 });
    if (!r.ok || r.after === undefined) throw new Error('expected a cursor');
    for (const after of [
      '',
      'not base64!',
      'eyJ2IjoxfQ',
      'A'.repeat(600),
      Buffer.from('{"v":1,"b":"created","o":"ASC","k":1,"i":"x"}').toString('base64url'),
    ]) {
      expect(await registry.listTokens({ after }), after).toMatchObject({ code: 'ERR_INVALID_CURSOR' });
    }
    // A cursor belongs to its sort: reusing it with another sortBy/sortOrder is refused.
    expect(await registry.listTokens({ after: r.after, sortOrder: 'DESC' })).toMatchObject({
      code: 'ERR_INVALID_CURSOR',
    });
    expect(await registry.listTokens({ after: r.after, sortBy: 'status' })).toMatchObject({
      code: 'ERR_INVALID_CURSOR',
    });
    expect(await registry.listTokens({ sortBy: 'profile.email' as never })).toMatchObject({
      code: 'ERR_INVALID_FILTER',
    });
  });
});

describe('downloadTokensCsv (forDownload=true)', () => {
  it('has a header, one line per token, no secrets; default limit 1000 with a cursor', async () => {
    const { registry } = newRegistry();
    expect((await registry.importSeeds(rows(1005))).imported).toBe(1005);
    const r = await registry.downloadTokensCsv();
    if (!r.ok) throw new Error('csv');
    const lines = r.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,serial,publicId,status,userId,created,lastUpdated,lastVerified,activated');
    expect(lines).toHaveLength(1001);
    expect(r.after).toBeDefined();
    expect(r.csv).not.toMatch(/dddddddddd/); // AES keys of these rows end in 23 'd's
    expect(r.csv).not.toContain('0a0b00000001'); // a private id
    const rest = await registry.downloadTokensCsv({ ...(r.after === undefined ? {} : { after: r.after }) });
    if (!rest.ok) throw new Error('csv');
    expect(rest.csv.trimEnd().split('\r\n')).toHaveLength(6);
    expect(rest.after).toBeUndefined();
  });

  it('CSV-2 cells that a spreadsheet would run as formulas are neutralised', async () => {
    const { registry } = newRegistry();
    await registry.uploadToken({
      serialNumber: '1',
      publicId: KEY_A.publicId,
      privateId: KEY_A.privateId,
      aesKey: KEY_A.aesKey,
    });
    const evil = '=HYPERLINK("http://x","y")';
    await registry.enroll({
      userId: evil,
      passCode: makeOtp(KEY_A.publicId, KEY_A.aesKey, {
        privateId: KEY_A.privateId,
        usageCounter: 1,
        sessionCounter: 0,
      }),
    });
    const r = await registry.downloadTokensCsv();
    if (!r.ok) throw new Error('csv');
    expect(r.csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(r.csv).not.toMatch(/,=HYPERLINK/);
  });
});
