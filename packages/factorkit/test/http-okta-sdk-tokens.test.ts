/**
 * The real Okta client, `@okta/okta-sdk-nodejs` 8.x, unmodified, against the handler on
 * 127.0.0.1 over SQLite: YubiKey seed upload, listing with filter and paging through `after`
 * (the SDK's collection iterator follows our RFC 8288 `Link: rel="next"`), get by id.
 */

import { VirtualYubiKey } from '@factorkit/virtual-authenticator';
import { Client } from '@okta/okta-sdk-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  FACTORS_TOKEN,
  HTTP_TEST_BACKENDS,
  startTestServer,
  type TestServer,
} from './helpers/http-server.ts';

describe.each(HTTP_TEST_BACKENDS)('Okta SDK: YubiKey token (seed) API (%s store)', (backend) => {
  let s: TestServer;
  let client: Client;
  const keys = Array.from({ length: 7 }, (_, i) => new VirtualYubiKey({ seed: `sdk-token-${i}` }));

  beforeAll(async () => {
    s = await startTestServer({ backend });
    client = new Client({ orgUrl: s.orgUrl, token: ADMIN_TOKEN });
  });
  afterAll(async () => s?.close());

  it('uploadYubikeyOtpTokenSeed: UNASSIGNED token, serial zero-padded, no secret echoed', async () => {
    for (const [i, key] of keys.entries()) {
      const token = await client.userFactorApi.uploadYubikeyOtpTokenSeed({
        uploadYubikeyOtpTokenSeedRequest: { serialNumber: String(7886620 + i), ...key.secrets },
      });
      expect(token.status).toBe('UNASSIGNED');
      expect(token.profile?.['serial']).toBe(`00000${7886620 + i}`);
      expect(token.id).toMatch(/^ykk/);
      expect(token.created).toBeInstanceOf(Date);
      expect(token._links?.self?.href).toBe(
        `${s.orgUrl}/api/v1/org/factors/yubikey_token/tokens/${token.id}`,
      );
      expect(JSON.stringify(token)).not.toContain(key.secrets.aesKey);
      expect(JSON.stringify(token)).not.toContain(key.secrets.privateId);
    }
  });

  it('uploadYubikeyOtpTokenSeed of a bad seed: OktaApiError 400 E0000001 with causes', async () => {
    const err = await client.userFactorApi
      .uploadYubikeyOtpTokenSeed({
        uploadYubikeyOtpTokenSeedRequest: {
          serialNumber: '1',
          publicId: 'cccccccccccb',
          privateId: 'zz',
          aesKey: '00112233445566778899aabbccddeeff',
        },
      })
      .catch(
        (e: unknown) => e as { status: number; errorCode: string; errorCauses: { errorSummary: string }[] },
      );
    expect(err).toMatchObject({ status: 400, errorCode: 'E0000001' });
    expect(JSON.stringify(err)).not.toContain('00112233445566778899aabbccddeeff');
  });

  it('listYubikeyOtpTokens: the collection iterator pages through `after` (limit 3 → 3 pages)', async () => {
    const seen: string[] = [];
    const collection = await client.userFactorApi.listYubikeyOtpTokens({ limit: 3 });
    for await (const t of collection) seen.push(t?.id as string);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    // created ASC, ties in upload order.
    const serials: string[] = [];
    for await (const t of await client.userFactorApi.listYubikeyOtpTokens({
      limit: 2,
      sortBy: 'profile.serial',
      sortOrder: 'DESC',
    }))
      serials.push(t?.profile?.['serial'] as string);
    expect(serials).toEqual([...serials].sort().reverse());
    expect(serials).toHaveLength(7);
  });

  it('listYubikeyOtpTokens with a filter; expand=user embeds the bound user', async () => {
    // Bind one token to a user (the first touch) so the filters have something to tell apart.
    const enrolled = await s.fk.yubikey.enroll({
      userId: 'u-sdk',
      passCode: (keys[2] as VirtualYubiKey).press(),
    });
    expect(enrolled.factorResult).toBe('SUCCESS');
    const active: string[] = [];
    const filter = 'status eq "ACTIVE"' as 'status';
    for await (const t of await client.userFactorApi.listYubikeyOtpTokens({ filter, expand: 'user' })) {
      active.push(t?.id as string);
      expect(t?._embedded?.['user']).toMatchObject({ id: 'u-sdk' });
      expect(t?._links?.user?.href).toBe(`${s.orgUrl}/api/v1/users/u-sdk`);
    }
    expect(active).toHaveLength(1);
    const bySerial: string[] = [];
    const serialFilter = 'profile.serial eq "7886625"' as 'profile.serial';
    for await (const t of await client.userFactorApi.listYubikeyOtpTokens({ filter: serialFilter }))
      bySerial.push(t?.profile?.['serial'] as string);
    expect(bySerial).toEqual(['000007886625']);
    const byUser: string[] = [];
    for await (const t of await client.userFactorApi.listYubikeyOtpTokens({
      filter: 'user.id eq "u-sdk"' as 'user.id',
    }))
      byUser.push(t?.status as string);
    expect(byUser).toEqual(['ACTIVE']);
  });

  it('listYubikeyOtpTokens with a filter the API refuses: 400 E0000031', async () => {
    const err = await client.userFactorApi
      .listYubikeyOtpTokens({ filter: 'status eq "SPARKLING"' as 'status' })
      .then(async (c) => {
        for await (const _ of c) {
          // drain
        }
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, errorCode: 'E0000031' });
  });

  it('getYubikeyOtpTokenById, and a 404 for an unknown id', async () => {
    const first = (await (await client.userFactorApi.listYubikeyOtpTokens({ limit: 1 })).next()).value;
    const token = await client.userFactorApi.getYubikeyOtpTokenById({ tokenId: first?.id as string });
    expect(token.id).toBe(first?.id);
    expect(token.status).toBe('UNASSIGNED');
    const err = await client.userFactorApi
      .getYubikeyOtpTokenById({ tokenId: 'ykkNope' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, errorCode: 'E0000007' });
  });

  it('a factors-scoped token cannot manage seeds (403), a wrong token is 401', async () => {
    const factorsClient = new Client({ orgUrl: s.orgUrl, token: FACTORS_TOKEN });
    const err = await factorsClient.userFactorApi
      .getYubikeyOtpTokenById({ tokenId: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, errorCode: 'E0000006' });
    const wrong = new Client({ orgUrl: s.orgUrl, token: 'wrong-token-0123456789abcdef' });
    const err2 = await wrong.userFactorApi.getYubikeyOtpTokenById({ tokenId: 'x' }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ status: 401, errorCode: 'E0000011' });
  });
});
