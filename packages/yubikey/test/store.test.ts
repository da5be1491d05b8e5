// The reference semantics of the YubikeyStore contract, on the in-memory store.
import { describe, expect, it } from 'vitest';
import { MemoryYubikeyStore } from '../src/memory-store.ts';
import type { NewYubikeyTokenRecord } from '../src/store.ts';

const at = '2026-01-01T00:00:00.000Z';
function rec(
  id: string,
  publicId: string,
  extra: Partial<NewYubikeyTokenRecord> = {},
): NewYubikeyTokenRecord {
  return {
    id,
    publicId,
    serial: null,
    status: 'UNASSIGNED',
    userId: null,
    created: at,
    lastUpdated: at,
    lastVerified: null,
    activated: null,
    lastOtp: null,
    sealedSecret: Uint8Array.of(1, 2, 3),
    ...extra,
  };
}
const next = (usageCounter: number, sessionCounter: number) => ({
  usageCounter,
  sessionCounter,
  timestamp: 0,
  at,
});

describe('MemoryYubikeyStore contract', () => {
  it('insertMany is all-or-nothing: a conflict anywhere writes nothing', async () => {
    const s = new MemoryYubikeyStore();
    expect(await s.insertMany([rec('a', 'vvcccccccccb')])).toEqual({ ok: true, inserted: 1 });
    const r = await s.insertMany([
      rec('b', 'vvcccccccccd'),
      rec('c', 'vvcccccccccb'),
      rec('d', 'vvccccccccce'),
    ]);
    expect(r).toEqual({ ok: false, conflicts: ['vvcccccccccb'] });
    expect(s.size).toBe(1);
    expect(await s.insertMany([rec('e', 'vvccccccccct'), rec('f', 'vvccccccccct')])).toMatchObject({
      ok: false,
    });
    expect(await s.insertMany([rec('a', 'vvccccccccci')])).toEqual({ ok: false, conflicts: ['a'] });
    expect(s.size).toBe(1);
  });

  it('a tombstone is replaced on re-insert and its replay floor is kept', async () => {
    const s = new MemoryYubikeyStore();
    await s.insertMany([rec('a', 'vvcccccccccb')]);
    await s.compareAndSetCounter({
      id: 'a',
      next: next(5, 3),
      expectStatus: 'UNASSIGNED',
      expectUserId: null,
    });
    await s.updateStatus({
      id: 'a',
      expectStatus: ['UNASSIGNED'],
      status: 'REVOKED',
      userId: null,
      at,
      clearSecret: true,
    });
    expect(await s.getSealedSecret('a')).toBeUndefined();
    expect(await s.insertMany([rec('b', 'vvcccccccccb')])).toEqual({ ok: true, inserted: 1 });
    expect(await s.getById('a')).toBeUndefined();
    expect((await s.getByPublicId('vvcccccccccb'))?.lastOtp).toMatchObject({
      usageCounter: 5,
      sessionCounter: 3,
    });
  });

  it('compareAndSetCounter: strictly greater only; status/user must match; says why', async () => {
    const s = new MemoryYubikeyStore();
    await s.insertMany([rec('a', 'vvcccccccccb')]);
    const base = { id: 'a', expectStatus: 'UNASSIGNED' as const, expectUserId: null };
    expect((await s.compareAndSetCounter({ ...base, next: next(0, 0) })).ok).toBe(true);
    expect(await s.compareAndSetCounter({ ...base, next: next(0, 0) })).toEqual({
      ok: false,
      reason: 'REPLAYED',
    });
    expect((await s.compareAndSetCounter({ ...base, next: next(0, 1) })).ok).toBe(true);
    expect(await s.compareAndSetCounter({ ...base, next: next(0, 0) })).toEqual({
      ok: false,
      reason: 'REPLAYED',
    });
    expect((await s.compareAndSetCounter({ ...base, next: next(1, 0) })).ok).toBe(true);
    expect(await s.compareAndSetCounter({ ...base, expectUserId: 'x', next: next(9, 0) })).toEqual({
      ok: false,
      reason: 'STATE_CHANGED',
    });
    expect(await s.compareAndSetCounter({ ...base, id: 'zz', next: next(9, 0) })).toEqual({
      ok: false,
      reason: 'NOT_FOUND',
    });
    const enrolled = await s.compareAndSetCounter({ ...base, next: next(2, 0), assignUserId: 'alice' });
    expect(enrolled).toMatchObject({
      ok: true,
      record: { status: 'ACTIVE', userId: 'alice', activated: at, lastVerified: at },
    });
    expect(await s.compareAndSetCounter({ ...base, next: next(3, 0), assignUserId: 'bob' })).toEqual({
      ok: false,
      reason: 'STATE_CHANGED',
    });
  });

  it('records are frozen copies and never carry the sealed secret', async () => {
    const s = new MemoryYubikeyStore();
    const input = rec('a', 'vvcccccccccb');
    await s.insertMany([input]);
    input.sealedSecret.fill(9);
    expect(await s.getSealedSecret('a')).toEqual(Uint8Array.of(1, 2, 3));
    const r = await s.getById('a');
    expect(Object.isFrozen(r)).toBe(true);
    expect(r).not.toHaveProperty('sealedSecret');
    // Buffers too (Buffer#slice is a view, not a copy).
    const buf = Buffer.from([4, 5, 6]);
    await s.insertMany([{ ...rec('b', 'vvcccccccccd'), sealedSecret: buf }]);
    buf.fill(0);
    const out = (await s.getSealedSecret('b')) as Uint8Array;
    expect(out).toEqual(Uint8Array.of(4, 5, 6));
    out.fill(0);
    expect(await s.getSealedSecret('b')).toEqual(Uint8Array.of(4, 5, 6));
    expect(await s.delete('a')).toBe(true);
    expect(await s.delete('a')).toBe(false);
  });
});
