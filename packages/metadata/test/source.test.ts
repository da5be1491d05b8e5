import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOW, payload, signBlob, testMds } from '@factorkit/testkit/pki';
import { afterAll, describe, expect, it } from 'vitest';
import { type FetchLike, loadMetadataFile, MemoryMetadataCache, MetadataSource } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'factorkit-mds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const URL_ = 'https://mds.test/';

interface Served {
  body: string;
  etag: string;
}

/** A fetch that serves `served.body` with an ETag and answers 304 to a matching If-None-Match. */
function fakeFetch(served: Served, calls: { headers: Readonly<Record<string, string>> }[]): FetchLike {
  return async (_url, init) => {
    calls.push({ headers: init.headers });
    const notModified = init.headers['if-none-match'] === served.etag;
    return {
      status: notModified ? 304 : 200,
      headers: {
        get: (n: string) =>
          n === 'etag' ? served.etag : n === 'last-modified' ? 'Sun, 01 Jun 2025 00:00:00 GMT' : null,
      },
      arrayBuffer: async () => new TextEncoder().encode(notModified ? '' : served.body).buffer as ArrayBuffer,
    };
  };
}

describe('MetadataSource: offline first, conditional refresh, cache seam', () => {
  it('fetch → 304 → new serial → serial regression keeps the last good BLOB; a cold start loads from the cache', async () => {
    const mds = await testMds();
    const sign = (no: number) => signBlob(payload(no), mds.signer, [mds.signer, mds.intermediate]);
    const served: Served = { body: await sign(5), etag: '"v5"' };
    const calls: { headers: Readonly<Record<string, string>> }[] = [];
    const cache = new MemoryMetadataCache();
    const options = {
      url: URL_,
      fetch: fakeFetch(served, calls),
      cache,
      clock: () => NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    };
    const source = new MetadataSource(options);
    expect(source.current).toBeUndefined();
    expect(await source.refresh()).toMatchObject({ status: 'updated', metadata: { no: 5 } });
    expect(calls[0]?.headers).toEqual({});
    expect(await source.refresh()).toMatchObject({ status: 'not-modified', metadata: { no: 5 } });
    expect(calls[1]?.headers).toMatchObject({
      'if-none-match': '"v5"',
      'if-modified-since': 'Sun, 01 Jun 2025 00:00:00 GMT',
    });
    served.body = await sign(6);
    served.etag = '"v6"';
    expect(await source.refresh()).toMatchObject({ status: 'updated', metadata: { no: 6 } });
    served.body = await sign(4);
    served.etag = '"v4"';
    expect(await source.refresh()).toMatchObject({
      status: 'rejected',
      code: 'ERR_MDS_SERIAL_REGRESSION',
      metadata: { no: 6 },
    });
    expect(source.current?.no).toBe(6);
    expect(source.nextRefreshAt().toISOString()).toBe('2025-07-01T00:00:00.000Z');

    // A new process without network: the cached BLOB (no 6, the last good one) is loaded.
    const offline = new MetadataSource({ ...options, fetch: undefined as never, url: URL_ });
    expect(await offline.refresh()).toMatchObject({ status: 'loaded-from-cache', metadata: { no: 6 } });
  });

  it('a failing fetch keeps the current BLOB; nothing at all is unavailable', async () => {
    const mds = await testMds();
    const failing: FetchLike = async () => {
      throw new Error('network down');
    };
    const source = new MetadataSource({
      url: URL_,
      fetch: failing,
      clock: () => NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(await source.refresh()).toMatchObject({
      status: 'fetch-failed',
      code: 'ERR_MDS_FETCH_FAILED',
      metadata: undefined,
    });
    expect(
      await source.load(await signBlob(payload(3), mds.signer, [mds.signer, mds.intermediate])),
    ).toMatchObject({ status: 'updated' });
    expect(await source.refresh()).toMatchObject({ status: 'fetch-failed', metadata: { no: 3 } });
    const none = new MetadataSource({ clock: () => NOW, roots: [mds.root.pem] });
    expect(await none.refresh()).toMatchObject({ status: 'unavailable', code: 'ERR_MDS_FETCH_FAILED' });
    expect(() => new MetadataSource({ fetch: failing, clock: () => NOW } as never)).toThrow(TypeError);
  });

  it('loadMetadataFile reads a BLOB from disk (size-checked)', async () => {
    const mds = await testMds();
    const file = join(dir, 'blob.jwt');
    writeFileSync(file, await signBlob(payload(9), mds.signer, [mds.signer, mds.intermediate]));
    const r = await loadMetadataFile(file, {
      now: NOW,
      roots: [mds.root.pem],
      revocation: { crls: mds.crls },
    });
    expect(r).toMatchObject({ ok: true, metadata: { no: 9 } });
    expect(await loadMetadataFile(file, { now: NOW, roots: [mds.root.pem], maxBytes: 10 })).toMatchObject({
      ok: false,
      code: 'ERR_MDS_BLOB_TOO_LARGE',
    });
  });
});
