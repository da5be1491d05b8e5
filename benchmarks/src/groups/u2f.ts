import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import type { FixtureCase } from '@factorkit/testkit';
import { p256 } from '@noble/curves/nist.js';
import { b64url, fixtureSource, obj, pickCase, str } from '../fixtures.ts';
import { type BenchCase, expect, type Group } from '../model.ts';
import { factorkitU2fSignCases } from './factorkit-u2f.ts';

export interface U2fSignInput {
  readonly fixture: FixtureCase;
  readonly appId: string;
  readonly challenge: string;
  readonly origin: string;
  readonly keyHandle: string;
  readonly clientData: string;
  readonly signatureData: string;
  /** 65-byte uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  readonly counter: number;
}

function input(fixture: FixtureCase): U2fSignInput {
  const cred = obj(fixture.context.credential, 'credential');
  return {
    fixture,
    appId: str(fixture.context['appId'], 'appId'),
    challenge: str(fixture.context.challenge, 'challenge'),
    origin: str(fixture.context.origin, 'origin'),
    keyHandle: str(fixture.response['keyHandle'], 'keyHandle'),
    clientData: str(fixture.response['clientData'], 'clientData'),
    signatureData: str(fixture.response['signatureData'], 'signatureData'),
    publicKey: b64url(str(cred['publicKey'], 'credential.publicKey')),
    counter: typeof cred['counter'] === 'number' ? cred['counter'] : 0,
  };
}

export async function u2fGroups(): Promise<Group[]> {
  const fixture = pickCase(
    'real/u2f',
    ['u2f.sign'],
    [
      'tstranex-u2f/tstranex-yubikey-chrome-sign',
      'python-u2flib-server/python-u2flib-fixed-sign',
      'virtual/u2f/sign-positive',
    ],
    (c) => c.expect.verified === true && (c.provenance === 'real-device' || c.provenance === 'virtual'),
  );
  if (fixture === undefined) {
    return [
      {
        id: 'u2f-sign',
        title: 'FIDO U2F sign verify',
        input: '—',
        cases: [],
        comparisons: [],
        pending: [`no u2f.sign fixture in the ${fixtureSource()}`],
        notes: [],
      },
    ];
  }
  const u = input(fixture);
  // FIDO U2F raw message formats §5.4: the signature covers
  // SHA-256(appId) ‖ user presence ‖ counter ‖ SHA-256(clientData).
  const sigData = b64url(u.signatureData);
  const signed = Buffer.concat([
    createHash('sha256').update(u.appId).digest(),
    sigData.subarray(0, 5),
    createHash('sha256').update(b64url(u.clientData)).digest(),
  ]);
  const sig = sigData.subarray(5);
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(u.publicKey.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(u.publicKey.subarray(33, 65)).toString('base64url'),
    },
    format: 'jwk',
  });
  const nobleOpts = { format: 'der', lowS: false } as const;
  const limits: BenchCase[] = [
    {
      key: 'raw-node',
      label: 'node:crypto verify, cached KeyObject',
      role: 'limit',
      async: false,
      run: () => nodeVerify('sha256', signed, key, sig),
      check: () => expect(nodeVerify('sha256', signed, key, sig), 'raw U2F signature verifies'),
    },
    {
      key: 'raw-noble',
      label: '@noble/curves p256 verify (portable limit)',
      role: 'limit',
      async: false,
      run: () => p256.verify(sig, signed, u.publicKey, nobleOpts),
      check: () => expect(p256.verify(sig, signed, u.publicKey, nobleOpts), 'noble U2F signature verifies'),
    },
  ];
  const fk = await factorkitU2fSignCases(u);
  return [
    {
      id: 'u2f-sign',
      title: 'FIDO U2F sign verify',
      input: `${fixture.id} (${fixture.provenance ?? '?'}: ${fixture.device ?? '?'})`,
      cases: [...fk.cases, ...limits],
      comparisons: fk.cases.map((c) => {
        const limit = c.key.endsWith('-portable') ? 'raw-noble' : 'raw-node';
        return { key: `${c.key}/${limit}`, subject: c.key, baseline: limit };
      }),
      pending: fk.pending,
      notes: fk.notes ?? [],
    },
  ];
}
