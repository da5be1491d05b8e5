import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/store/redis/index.ts';
import type { StoreOptions } from '../src/store/types.ts';
import { dropRedisKeys } from './helpers/engines.ts';
import { REDIS_URL, skipMessage, uniqueName } from './helpers/servers.ts';
import { credential, describeStoreContract, otpFactor, token } from './store-contract.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

if (REDIS_URL === undefined) {
  describe('RedisStore', () => {
    it.skip(skipMessage('FACTORKIT_TEST_REDIS_URL', 'RedisStore contract, faults and AOF restart'), () => {});
  });
} else {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  // Every store of this file gets a prefix under one run name, so cleanup is one SCAN.
  const run = uniqueName('fkt');
  let n = 0;
  const newPrefix = (): string => `${run}.${++n}`;
  afterAll(async () => {
    await dropRedisKeys(client, `{${run}.*`);
    client.disconnect();
  }, 60_000);
  const open = (options: StoreOptions = {}): Promise<RedisStore> =>
    RedisStore.open(client, { ...options, prefix: newPrefix() });

  describeStoreContract('RedisStore', open);

  describe('RedisStore specifics', () => {
    it('every key carries the {prefix} hash tag; no secret in any key name; secrets only as sealed values', async () => {
      const prefix = newPrefix();
      const store = await RedisStore.open(client, { prefix });
      const t = token(1);
      await store.yubikey.insertMany([t]);
      await store.otp.put(otpFactor('o1'));
      await store.credentials.put(credential('c1'));
      await store.attempts.record('k', 1, 1000);
      await store.challenges.put({
        id: 'ch',
        factor: 'u2f.sign',
        userId: null,
        origin: null,
        challenge: 'ch',
        expiresAt: 1,
        data: null,
      });
      const keys = await client.keys(`*${prefix}*`);
      expect(keys.every((k) => k.startsWith(`{${prefix}}:`))).toBe(true);
      const sealed = Buffer.from(t.sealedSecret);
      for (const k of keys) {
        expect(k).not.toContain(sealed.toString('base64'));
        expect(k).not.toContain(Buffer.from(otpFactor('o1').secret).toString('hex'));
      }
      expect(await client.hget(`{${prefix}}:yk:${t.id}`, 'sealed_secret')).toBe(sealed.toString('base64'));
      // Challenges expire on the server (SET … PX).
      const ttl = await client.pttl(`{${prefix}}:ch:ch`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    });

    it('prefix and TTL options are validated', async () => {
      await expect(RedisStore.open(client, { prefix: 'a}b' })).rejects.toThrow(TypeError);
      await expect(RedisStore.open(client, { challengeTtlMs: 5 })).rejects.toThrow(RangeError);
    });

    it('a newer key layout is refused with ERR_STORE_SCHEMA', async () => {
      const prefix = newPrefix();
      await client.set(`{${prefix}}:schema_version`, '2');
      await expect(RedisStore.open(client, { prefix })).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA' });
    });

    it('the scripts survive SCRIPT FLUSH (EVALSHA falls back to loading them again)', async () => {
      const store = await open();
      await store.otp.put(otpFactor('o1'));
      expect(await store.otp.advanceCounter('o1', 1, 1)).toBe(true);
      await client.script('FLUSH');
      expect(await store.otp.advanceCounter('o1', 2, 2)).toBe(true);
      expect(await store.otp.advanceCounter('o1', 2, 3)).toBe(false);
    });

    it('an unreachable server is ERR_STORE_UNAVAILABLE', async () => {
      const dead = new Redis({
        host: '127.0.0.1',
        port: await freePort(),
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      dead.on('error', () => {});
      await expect(RedisStore.open(dead)).rejects.toMatchObject({
        name: 'StoreError',
        code: 'ERR_STORE_UNAVAILABLE',
      });
      dead.disconnect();
    });

    it('a connection dropped mid-operation is ERR_STORE_UNAVAILABLE and nothing is half-applied', async () => {
      // A client that fails fast instead of queueing or re-sending (the recommended settings).
      const own = new Redis(REDIS_URL as string, {
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        maxRetriesPerRequest: 0,
      });
      own.on('error', () => {});
      await new Promise((r) => own.once('ready', r));
      let kill: string | undefined;
      const prefix = newPrefix();
      const store = await RedisStore.open(own, {
        prefix,
        beforeCommit: async (op) => {
          if (op !== kill) return;
          const id = await own.client('ID');
          await client.client('KILL', 'ID', String(id));
          await new Promise((r) => setTimeout(r, 50));
        },
      });
      await store.otp.put(otpFactor('o1', 5));
      kill = 'otp.advanceCounter';
      await expect(store.otp.advanceCounter('o1', 6, 1)).rejects.toMatchObject({
        code: 'ERR_STORE_UNAVAILABLE',
      });
      kill = 'yubikey.insertMany';
      await new Promise((r) => (own.status === 'ready' ? r(null) : own.once('ready', r)));
      await expect(
        store.yubikey.insertMany(Array.from({ length: 50 }, (_, i) => token(i))),
      ).rejects.toMatchObject({
        code: 'ERR_STORE_UNAVAILABLE',
      });
      kill = undefined;
      const check = await RedisStore.open(client, { prefix });
      expect(await check.otp.get('o1')).toEqual(otpFactor('o1', 5));
      expect(
        await check.yubikey.list({ filter: {}, sortBy: 'created', sortOrder: 'ASC', limit: 100 }),
      ).toEqual([]);
      own.disconnect();
    });
  });

  const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  describe('RedisStore across a server restart (AOF)', () => {
    if (redisServer === undefined) {
      it.skip('redis-server not found: AOF restart test skipped', () => {});
      return;
    }
    it('kill -9 and restart with appendonly yes / appendfsync everysec: used challenges and OTP steps stay used', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'factorkit-aof-'));
      const port = await freePort();
      const start = async (): Promise<ChildProcess> => {
        const child = spawn(
          redisServer,
          [
            '--bind',
            '127.0.0.1',
            '--port',
            String(port),
            '--dir',
            dir,
            '--appendonly',
            'yes',
            '--appendfsync',
            'everysec',
            '--save',
            '',
          ],
          { stdio: 'ignore' },
        );
        for (let i = 0; i < 100; i++) {
          const probe = new Redis({
            port,
            host: '127.0.0.1',
            lazyConnect: true,
            retryStrategy: () => null,
            maxRetriesPerRequest: 0,
          });
          probe.on('error', () => {});
          const up = await probe.connect().then(
            () => probe.ping().then(() => true),
            () => false,
          );
          probe.disconnect();
          if (up) return child;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('redis-server did not start');
      };
      let server = await start();
      try {
        let c = new Redis({ port, host: '127.0.0.1' });
        let store = await RedisStore.open(c);
        const challenge = {
          factor: 'webauthn.authentication',
          userId: 'u1',
          origin: null,
          expiresAt: 9e12,
          data: null,
        };
        await store.challenges.put({ ...challenge, id: 'used', challenge: 'used' });
        await store.challenges.put({ ...challenge, id: 'fresh', challenge: 'fresh' });
        await store.otp.put(otpFactor('o1'));
        expect(await store.challenges.consume('used')).toBeDefined();
        expect(await store.otp.advanceCounter('o1', 42, 1)).toBe(true);
        c.disconnect();
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        server = await start();
        c = new Redis({ port, host: '127.0.0.1' });
        store = await RedisStore.open(c);
        expect(await store.challenges.consume('used')).toBeUndefined();
        expect(await store.otp.advanceCounter('o1', 42, 2)).toBe(false);
        expect((await store.challenges.consume('fresh'))?.id).toBe('fresh');
        expect((await store.otp.get('o1'))?.counter).toBe(42);
        c.disconnect();
      } finally {
        server.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
}
