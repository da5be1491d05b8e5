import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMetadata, type Metadata } from '@factorkit/metadata';
import { sharedFixturesDir, sharedFixturesSkipMessage } from '@factorkit/testkit';
import { NOW, testBlob, yubicoEntry } from '@factorkit/testkit/pki';
import {
  type CborValue,
  decodeCborMap,
  encodeCbor,
  VirtualAuthenticator,
} from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { type CreateFactorkitOptions, createFactorkit, type Factorkit } from '../src/index.ts';

const shared = sharedFixturesDir();
const packedFile =
  shared === undefined
    ? undefined
    : join(shared, 'real/webauthn/java-webauthn-server/registration-packed-1.json');
const haveYubiKey = packedFile !== undefined && existsSync(packedFile);
if (!haveYubiKey) console.warn(sharedFixturesSkipMessage('the YubiKey 5 NFC registration'));

const YUBIKEY_5_NFC = 'fa2b99dc-9e39-4257-8f92-4a30d23c4118';
const CHALLENGE = 'Y2hhbGxlbmdl';

async function metadataWith(statusReports: unknown[], no = 1): Promise<Metadata> {
  const b = await testBlob([yubicoEntry(YUBIKEY_5_NFC, 'YubiKey 5 Series with NFC', statusReports)], no);
  const r = await loadMetadata(b.jwt, { now: NOW, roots: [b.rootPem], revocation: { crls: b.crls } });
  if (!r.ok) throw new Error(r.code);
  return r.metadata;
}

function facade(options: Partial<CreateFactorkitOptions> = {}): Factorkit {
  return createFactorkit({
    rp: { id: 'example.com', name: 'Example' },
    origins: ['https://example.com'],
    clock: () => NOW,
    ...options,
  });
}

/** The fixture's challenge, issued as if the façade had started the ceremony. */
async function seed(fk: Factorkit, userId = 'alice'): Promise<void> {
  await fk.store.challenges.put({
    id: `webauthn:${CHALLENGE}`,
    factor: 'webauthn.registration',
    userId,
    origin: 'https://example.com',
    challenge: CHALLENGE,
    expiresAt: NOW.getTime() + 60_000,
    data: null,
  });
}

const packed = haveYubiKey
  ? (JSON.parse(readFileSync(packedFile as string, 'utf8')) as {
      response: { id: string; response: { attestationObject: string } };
    })
  : undefined;

function asNone(): unknown {
  const response = structuredClone(packed?.response) as { response: { attestationObject: string } };
  const ao = decodeCborMap(Buffer.from(response.response.attestationObject, 'base64url'));
  const none = new Map<string, CborValue>([
    ['fmt', 'none'],
    ['attStmt', new Map()],
    ['authData', ao.get('authData') as Uint8Array],
  ]);
  response.response.attestationObject = Buffer.from(encodeCbor(none)).toString('base64url');
  return response;
}

describe.skipIf(!haveYubiKey)('façade with FIDO metadata', () => {
  it('a real YubiKey registration is trusted through metadata alone, with model name and assurance', async () => {
    const fk = facade({
      metadata: await metadataWith([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' }]),
    });
    await seed(fk);
    const r = await fk.webauthn.finishRegistration({ userId: 'alice', response: packed?.response });
    expect(r.factorResult).toBe('SUCCESS');
    expect(r.details?.trusted).toBe(false); // no configured anchor…
    expect(r.details?.assurance).toMatchObject({
      attestationTrusted: true, // …trusted through the metadata entry's roots
      aaguid: YUBIKEY_5_NFC,
      description: 'YubiKey 5 Series with NFC',
      metadataStatus: 'FIDO_CERTIFIED_L1',
      certificationLevel: 'FIDO_CERTIFIED_L1',
      hardwareBound: true,
      phishingResistant: true,
      aal: 'AAL1',
      amr: ['hwk', 'user'],
    });
    const stored = await fk.store.credentials.get(r.details?.credentialId as string);
    expect((stored?.data['assurance'] as { trustedByMetadata?: boolean })?.trustedByMetadata).toBe(true);
  });

  it('the same authenticatorData under none (forged AAGUID): verified but unattested; an allow list refuses it and stores nothing', async () => {
    const metadata = await metadataWith([]);
    const open = facade({ metadata });
    await seed(open);
    const r = await open.webauthn.finishRegistration({ userId: 'alice', response: asNone() });
    expect(r.factorResult).toBe('SUCCESS');
    expect(r.details?.aaguid).toBe(YUBIKEY_5_NFC); // the raw claim, as verified
    expect(r.details?.assurance).toMatchObject({
      aaguid: null,
      aaguidSource: 'unattested',
      attestationTrusted: false,
      hardwareBound: false,
      description: null,
      amr: ['swk', 'user'],
    });
    const strict = facade({ metadata, policies: { authenticator: { allowAaguids: [YUBIKEY_5_NFC] } } });
    await seed(strict);
    const refused = await strict.webauthn.finishRegistration({ userId: 'alice', response: asNone() });
    expect(refused).toMatchObject({ factorResult: 'REJECTED', code: 'ERR_METADATA_AAGUID_UNATTESTED' });
    expect(await strict.store.credentials.list('alice')).toEqual([]);
  });

  it('status policy from metadata refuses a compromised model at registration', async () => {
    const fk = facade({
      metadata: await metadataWith([{ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2024-01-01' }]),
    });
    await seed(fk);
    const r = await fk.webauthn.finishRegistration({ userId: 'alice', response: packed?.response });
    expect(r).toMatchObject({ factorResult: 'REJECTED', code: 'ERR_AUTHENTICATOR_STATUS_DENIED' });
    expect(await fk.store.credentials.list('alice')).toEqual([]);
  });

  it('reassessCredentials: a new BLOB reporting a compromise marks the stored credential', async () => {
    const fk = facade({
      metadata: await metadataWith([{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' }]),
    });
    await seed(fk);
    const r = await fk.webauthn.finishRegistration({ userId: 'alice', response: packed?.response });
    expect(r.factorResult).toBe('SUCCESS');
    const same = await fk.reassessCredentials({ userId: 'alice' });
    expect(same).toMatchObject([{ found: true, allowed: true, changes: [] }]);
    const next = await metadataWith(
      [
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2020-01-01' },
        { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-05-01' },
      ],
      2,
    );
    const changed = await fk.reassessCredentials({ userId: 'alice', metadata: next });
    expect(changed).toMatchObject([
      {
        id: r.details?.credentialId,
        found: true,
        allowed: false,
        code: 'ERR_AUTHENTICATOR_STATUS_DENIED',
        latestStatus: 'ATTESTATION_KEY_COMPROMISE',
        changes: ['status-denied', 'status-changed'],
      },
    ]);
    const gone = await testBlob([], 3);
    const empty = await loadMetadata(gone.jwt, {
      now: NOW,
      roots: [gone.rootPem],
      revocation: { crls: gone.crls },
    });
    if (!empty.ok) throw new Error(empty.code);
    expect(await fk.reassessCredentials({ userId: 'alice', metadata: empty.metadata })).toMatchObject([
      { found: false, changes: ['entry-removed'] },
    ]);
  });
});

describe('façade assurance without metadata', () => {
  it('none attestation: AAL2 with UV, AAL1 without; hardware-bound-only refuses it', async () => {
    const fk = createFactorkit({
      rp: { id: 'login.example.com', name: 'x' },
      origins: ['https://login.example.com'],
      clock: () => NOW,
    });
    const authenticator = new VirtualAuthenticator({ seed: 'assurance-1' });
    const options = await fk.webauthn.startRegistration({
      userId: 'bob',
      userName: 'bob',
      origin: 'https://login.example.com',
    });
    const response = authenticator.createCredential({
      origin: 'https://login.example.com',
      publicKey: options as never,
    });
    const r = await fk.webauthn.finishRegistration({ userId: 'bob', response });
    expect(r.factorResult).toBe('SUCCESS');
    const uv = r.details?.assurance.userVerified === true;
    expect(r.details?.assurance).toMatchObject({
      attestationTrusted: false,
      hardwareBound: false,
      aaguid: null,
      aal: uv ? 'AAL2' : 'AAL1',
    });
    const login = await fk.webauthn.startAuthentication({
      userId: 'bob',
      origin: 'https://login.example.com',
    });
    const assertion = authenticator.getAssertion({
      origin: 'https://login.example.com',
      publicKey: login as never,
    });
    const a = await fk.webauthn.finishAuthentication({ userId: 'bob', response: assertion });
    expect(a.factorResult).toBe('SUCCESS');
    expect(a.details?.assurance).toMatchObject({
      phishingResistant: true,
      hardwareBound: false,
      aaguidSource: 'unattested',
    });
    expect(a.details?.assurance.amr[0]).toBe('swk');

    const strict = createFactorkit({
      rp: { id: 'login.example.com', name: 'x' },
      origins: ['https://login.example.com'],
      clock: () => NOW,
      policies: { authenticator: { hardwareBoundOnly: true } },
    });
    const o2 = await strict.webauthn.startRegistration({
      userId: 'bob',
      userName: 'bob',
      origin: 'https://login.example.com',
    });
    const r2 = await strict.webauthn.finishRegistration({
      userId: 'bob',
      response: new VirtualAuthenticator({ seed: 'assurance-2' }).createCredential({
        origin: 'https://login.example.com',
        publicKey: o2 as never,
      }),
    });
    expect(r2).toMatchObject({ factorResult: 'REJECTED', code: 'ERR_AUTHENTICATOR_NOT_HARDWARE_BOUND' });
    expect(await strict.store.credentials.list('bob')).toEqual([]);
  });
});
