import { createHash, type KeyObject, verify as nodeVerify } from 'node:crypto';
import type { FixtureCase } from '@factorkit/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { coseToKeyObject, decodeCoseKey, digestFor } from '../cose.ts';
import { b64url, fixtureSource, obj, pickCase, str } from '../fixtures.ts';
import { type BenchCase, type Comparison, expect, type Group } from '../model.ts';
import { factorkitAssertionCases } from './factorkit-webauthn.ts';

interface AlgSpec {
  readonly name: 'ES256' | 'EdDSA' | 'RS256' | 'ML-DSA-44';
  readonly alg: number;
  readonly preferred: readonly string[];
  /** Provenances accepted for the input (default: hardware first, then platform, then virtual). */
  readonly provenance?: readonly string[];
}

const ALGS: readonly AlgSpec[] = [
  {
    name: 'ES256',
    alg: -7,
    preferred: [
      'py-webauthn/authentication-es256-1',
      'java-webauthn-server/authentication-yubikey-5-nfc-1',
      'simplewebauthn/authentication-security-key-1',
      'virtual/webauthn/assertion-es256/authentication-positive',
    ],
  },
  {
    name: 'EdDSA',
    alg: -8,
    preferred: [
      'py-webauthn/authentication-eddsa-1',
      'virtual/webauthn/assertion-eddsa/authentication-positive',
    ],
  },
  {
    name: 'RS256',
    alg: -257,
    preferred: [
      'py-webauthn/authentication-rs256-1',
      'fido2-lib/authentication-rs256-1',
      'virtual/webauthn/assertion-rs256/authentication-positive',
    ],
  },
  {
    // Only captures exist (prototype authenticators, webauthn.io); their provenance is unrecorded.
    name: 'ML-DSA-44',
    alg: -48,
    preferred: [
      'py-webauthn/authentication-ml-dsa-44-1',
      'java-webauthn-server/authentication-ml-dsa-44-credential-prototype-authenticator-1',
    ],
    provenance: ['unknown'],
  },
];

/** Hardware first; RS256 exists only from platform authenticators (Windows Hello). */
const PROVENANCE = ['real-device', 'platform', 'virtual'];

function credentialAlg(c: FixtureCase): number | undefined {
  try {
    const cred = obj(c.context.credential, 'credential');
    const alg = decodeCoseKey(b64url(str(cred['publicKey'], 'credential.publicKey'))).get(3);
    return typeof alg === 'number' ? alg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A plain ceremony: no extra verifier options (appid, topOrigin, allowCredentials…) and no
 * client extension outputs, so the same call works for every verifier in the group.
 */
export function plain(c: FixtureCase): boolean {
  const options = c.context.options ?? {};
  const ext = c.response['clientExtensionResults'];
  const noExt =
    ext === undefined || (typeof ext === 'object' && ext !== null && Object.keys(ext).length === 0);
  return Object.keys(options).length === 0 && noExt;
}

/** Everything an assertion benchmark needs, decoded once from a fixture. */
export interface AssertionInput {
  readonly fixture: FixtureCase;
  readonly response: AuthenticationResponseJSON;
  readonly challenge: string;
  readonly origin: string;
  readonly rpId: string;
  readonly requireUserVerification: boolean;
  readonly credentialId: string;
  readonly cosePublicKey: Uint8Array<ArrayBuffer>;
  readonly counter: number;
  readonly authenticatorData: Uint8Array;
  readonly clientDataJSON: Uint8Array;
  readonly signature: Uint8Array;
}

function first(v: unknown, what: string): string {
  return Array.isArray(v) ? str(v[0], what) : str(v, what);
}

export function assertionInput(fixture: FixtureCase): AssertionInput {
  const r = obj(fixture.response['response'], 'response.response');
  const cred = obj(fixture.context.credential, 'context.credential');
  return {
    fixture,
    response: fixture.response as unknown as AuthenticationResponseJSON,
    challenge: str(fixture.context.challenge, 'challenge'),
    origin: first(fixture.context.origin, 'origin'),
    rpId: first(fixture.context.rpId, 'rpId'),
    requireUserVerification: fixture.context.requireUserVerification === true,
    credentialId: str(cred['id'], 'credential.id'),
    cosePublicKey: b64url(str(cred['publicKey'], 'credential.publicKey')),
    counter: typeof cred['counter'] === 'number' ? cred['counter'] : 0,
    authenticatorData: b64url(str(r['authenticatorData'], 'authenticatorData')),
    clientDataJSON: b64url(str(r['clientDataJSON'], 'clientDataJSON')),
    signature: b64url(str(r['signature'], 'signature')),
  };
}

export function pickAssertion(spec: {
  alg: number;
  preferred: readonly string[];
  provenance?: readonly string[];
}): FixtureCase | undefined {
  return pickCase('real/webauthn', ['webauthn.authentication'], spec.preferred, (c) => {
    return (
      c.expect.verified === true &&
      (c.expect.scope ?? 'ceremony') === 'ceremony' &&
      (spec.provenance ?? PROVENANCE).includes(c.provenance ?? '') &&
      plain(c) &&
      credentialAlg(c) === spec.alg
    );
  });
}

/** authenticatorData ‖ SHA-256(clientDataJSON): what the authenticator signed (WebAuthn §7.2 step 20). */
export function signedData(input: AssertionInput): Uint8Array {
  const hash = createHash('sha256').update(input.clientDataJSON).digest();
  return Buffer.concat([input.authenticatorData, hash]);
}

/**
 * ML-DSA: node:crypto has no ML-DSA on Node 20, so the limit is @noble/post-quantum's verify on
 * the signed data (what both factorkit backends call), and no JS peer can verify it on Node 20
 * (SimpleWebAuthn needs WebCrypto ML-DSA).
 */
function mlDsaLimitCases(input: AssertionInput): BenchCase[] {
  const pub = decodeCoseKey(input.cosePublicKey).get(-1) as Uint8Array;
  const data = signedData(input);
  const sig = input.signature;
  return [
    {
      key: 'raw-noble',
      label: '@noble/post-quantum ml_dsa44.verify (limit)',
      role: 'limit',
      async: false,
      run: () => ml_dsa44.verify(sig, data, pub),
      check: () => expect(ml_dsa44.verify(sig, data, pub), 'noble ml_dsa44 verify is true'),
    },
  ];
}

function limitCases(spec: AlgSpec, input: AssertionInput): BenchCase[] {
  if (spec.name === 'ML-DSA-44') return mlDsaLimitCases(input);
  const { key } = coseToKeyObject(input.cosePublicKey);
  const digest = digestFor(spec.alg);
  const data = signedData(input);
  const sig = input.signature;
  const raw: BenchCase = {
    key: 'raw-node',
    label: `node:crypto verify, cached KeyObject`,
    role: 'limit',
    async: false,
    run: () => nodeVerify(digest, data, key, sig),
    check: () => expect(nodeVerify(digest, data, key, sig) === true, 'raw node:crypto verify is true'),
  };
  const out = [raw, minimalPipeline(digest, key, input)];
  const cose = decodeCoseKey(input.cosePublicKey);
  if (spec.name === 'ES256') {
    const x = cose.get(-2) as Uint8Array;
    const y = cose.get(-3) as Uint8Array;
    const point = Uint8Array.from([4, ...x, ...y]);
    const opts = { format: 'der', lowS: false } as const;
    out.push({
      key: 'raw-noble',
      label: '@noble/curves p256 verify (portable limit)',
      role: 'limit',
      async: false,
      run: () => p256.verify(sig, data, point, opts),
      check: () => expect(p256.verify(sig, data, point, opts), 'noble p256 verify is true'),
    });
  }
  if (spec.name === 'EdDSA') {
    const x = cose.get(-2) as Uint8Array;
    out.push({
      key: 'raw-noble',
      label: '@noble/curves ed25519 verify (portable limit)',
      role: 'limit',
      async: false,
      run: () => ed25519.verify(sig, data, x),
      check: () => expect(ed25519.verify(sig, data, x), 'noble ed25519 verify is true'),
    });
  }
  return out;
}

/**
 * A reference, not a verifier: the least work an assertion check can do with a cached key —
 * decode the three fields, parse clientDataJSON and compare type/challenge/origin, compare
 * rpIdHash and the UP flag, hash clientDataJSON, verify. It shows how much of factorkit's
 * overhead over the raw verify is inherent to the ceremony.
 */
function minimalPipeline(digest: string | null, key: KeyObject, input: AssertionInput): BenchCase {
  const r = obj(input.response.response, 'response.response');
  const fields = {
    authenticatorData: str(r['authenticatorData'], 'authenticatorData'),
    clientDataJSON: str(r['clientDataJSON'], 'clientDataJSON'),
    signature: str(r['signature'], 'signature'),
  };
  const rpIdHash = createHash('sha256').update(input.rpId).digest();
  const run = (): boolean => {
    const authData = Buffer.from(fields.authenticatorData, 'base64url');
    const clientDataJSON = Buffer.from(fields.clientDataJSON, 'base64url');
    const sig = Buffer.from(fields.signature, 'base64url');
    const cd = JSON.parse(clientDataJSON.toString('utf8')) as Record<string, unknown>;
    if (
      cd['type'] !== 'webauthn.get' ||
      cd['challenge'] !== input.challenge ||
      cd['origin'] !== input.origin
    ) {
      return false;
    }
    if (!authData.subarray(0, 32).equals(rpIdHash) || ((authData[32] ?? 0) & 1) === 0) return false;
    const hash = createHash('sha256').update(clientDataJSON).digest();
    return nodeVerify(digest, Buffer.concat([authData, hash]), key, sig);
  };
  return {
    key: 'minimal',
    label: 'minimal pipeline with cached KeyObject (reference)',
    role: 'limit',
    async: false,
    run,
    check: () => expect(run(), 'the minimal pipeline accepts the assertion'),
  };
}

function simpleWebAuthnCase(input: AssertionInput): BenchCase {
  const opts = {
    response: input.response,
    expectedChallenge: input.challenge,
    expectedOrigin: input.origin,
    expectedRPID: input.rpId,
    credential: { id: input.credentialId, publicKey: input.cosePublicKey, counter: input.counter },
    requireUserVerification: input.requireUserVerification,
  };
  return {
    key: 'simplewebauthn',
    label: '@simplewebauthn/server verifyAuthenticationResponse',
    role: 'peer',
    async: true,
    run: () => verifyAuthenticationResponse(opts),
    check: async () => {
      const r = await verifyAuthenticationResponse(opts);
      expect(r.verified, 'SimpleWebAuthn verified the assertion');
    },
  };
}

export async function assertionGroups(): Promise<Group[]> {
  const groups: Group[] = [];
  for (const spec of ALGS) {
    const fixture = pickAssertion(spec);
    const id = `assertion-${spec.name.toLowerCase()}`;
    const title = `WebAuthn assertion ${spec.name}`;
    if (fixture === undefined) {
      groups.push({
        id,
        title,
        input: '—',
        cases: [],
        comparisons: [],
        pending: [`no ${spec.name} authentication fixture in the ${fixtureSource()}`],
        notes: [],
      });
      continue;
    }
    const input = assertionInput(fixture);
    const fk = await factorkitAssertionCases(spec.name, input);
    const mlDsa = spec.name === 'ML-DSA-44';
    const peers = mlDsa ? [] : [simpleWebAuthnCase(input)];
    const cases: BenchCase[] = [...fk.cases, ...peers, ...limitCases(spec, input)];
    const keys = new Set(cases.map((c) => c.key));
    const comparisons: Comparison[] = [];
    const notes = [...(fk.notes ?? [])];
    if (mlDsa) notes.push('no peer row: @simplewebauthn/server needs WebCrypto ML-DSA, which Node 20 lacks');
    for (const c of fk.cases) {
      if (!mlDsa)
        comparisons.push({ key: `${c.key}/simplewebauthn`, subject: c.key, baseline: 'simplewebauthn' });
      const limit =
        (c.key.endsWith('-portable') || mlDsa) && keys.has('raw-noble') ? 'raw-noble' : 'raw-node';
      comparisons.push({ key: `${c.key}/${limit}`, subject: c.key, baseline: limit });
      if (c.key === 'fk-prepared' && keys.has('minimal'))
        comparisons.push({ key: `${c.key}/minimal`, subject: c.key, baseline: 'minimal' });
    }
    groups.push({
      id,
      title,
      input: `${fixture.id} (${fixture.provenance ?? '?'}: ${fixture.device ?? '?'})`,
      cases,
      comparisons,
      pending: fk.pending,
      notes,
    });
  }
  return groups;
}
