import {
  type AuthenticationResponseJSON,
  mutate,
  type RegistrationResponseJSON,
} from '@factorkit/virtual-authenticator';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../src/base64url.ts';
import { verifyAuthenticationAsync } from '../src/verifyAuthentication.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import {
  authenticate,
  CHALLENGE,
  CHALLENGE_B64,
  ORIGIN,
  type Registered,
  RP_ID,
  register,
} from './helpers/ceremony.ts';

// Differential testing against @simplewebauthn/server on responses the virtual authenticator
// generates (valid ones and mutated ones). Both must agree on verified/not, except in the
// documented cases where SimpleWebAuthn is known to be more lenient than the spec or our policy.

/** Cases where SimpleWebAuthn accepts and we reject, with the reason. */
const KNOWN_LAX: Readonly<Record<string, string>> = {
  'reg: attestationObject with a trailing byte':
    'SimpleWebAuthn decodes the first CBOR item and ignores what follows (catalog CBOR-3); we reject trailing data.',
  'reg: crossOrigin true':
    'SimpleWebAuthn does not check clientData.crossOrigin during registration (catalog CD-5); we reject unless allowed.',
  'auth: crossOrigin true':
    'SimpleWebAuthn accepts crossOrigin without an expected top origin (catalog CD-5); we reject unless allowed.',
  'reg: response id differs from the attested credential id':
    'SimpleWebAuthn checks id === rawId but not that it names the attested credential (catalog OWN-2).',
};

type Reg = { name: string; response: RegistrationResponseJSON; requireUV?: boolean };
type Auth = { name: string; response: AuthenticationResponseJSON; counter?: number; requireUV?: boolean };

function registrationCases(): Reg[] {
  const packed = register();
  const none = register({}, { attestation: 'none' });
  const self = register({ selfAttestation: true });
  const u2f = register({ attestationFormat: 'fido-u2f' });
  const out: Reg[] = [
    { name: 'reg: packed ES256', response: packed.response },
    { name: 'reg: none', response: none.response },
    { name: 'reg: packed self', response: self.response },
    { name: 'reg: fido-u2f', response: u2f.response },
  ];
  for (const [alg, id] of [
    ['ES384', -35],
    ['ES512', -36],
    ['EdDSA', -8],
    ['RS256', -257],
    ['PS256', -37],
  ] as const) {
    out.push({
      name: `reg: packed ${alg}`,
      response: register({ algorithms: [alg] }, { algs: [id] }).response,
    });
  }
  const p = packed.response;
  const rs = { resign: packed.va };
  out.push(
    { name: 'reg: wrong challenge', response: mutate.setChallenge(p, new Uint8Array(32), rs) },
    { name: 'reg: wrong origin', response: mutate.setOrigin(p, 'https://evil.test', rs) },
    { name: 'reg: wrong type', response: mutate.setType(p, 'webauthn.get', rs) },
    { name: 'reg: wrong rpIdHash', response: mutate.setRpIdHash(p, 'evil.test', rs) },
    { name: 'reg: UP cleared', response: mutate.setFlag(p, 'UP', false, rs) },
    {
      name: 'reg: UV cleared with UV required',
      response: mutate.setFlag(p, 'UV', false, rs),
      requireUV: true,
    },
    { name: 'reg: signed by another key', response: mutate.resignWithOtherKey(p) },
    { name: 'reg: clientData changed without re-signing', response: mutate.patchClientData(p, { extra: 1 }) },
    { name: 'reg: unknown fmt', response: mutate.setAttestation(p, 'packed2') },
    {
      name: 'reg: attestationObject with a trailing byte',
      response: mutate.appendTrailingBytes(p, 'attestationObject'),
    },
    { name: 'reg: crossOrigin true', response: mutate.patchClientData(p, { crossOrigin: true }, rs) },
    {
      name: 'reg: response id differs from the attested credential id',
      response: { ...p, id: 'AAAAAAAAAAAAAAAAAAAAAA', rawId: 'AAAAAAAAAAAAAAAAAAAAAA' },
    },
    {
      name: 'reg: standard-alphabet base64 attestationObject',
      response: {
        ...p,
        response: { ...p.response, attestationObject: standardAlphabet(p.response.attestationObject) },
      },
    },
  );
  return out;
}

function standardAlphabet(b64url: string): string {
  if (!/[-_]/.test(b64url)) throw new Error('mutation would not change the input');
  return b64url.replace(/-/g, '+').replace(/_/g, '/');
}

function authenticationCases(reg: Registered): Auth[] {
  const a = (): AuthenticationResponseJSON => authenticate(reg);
  const rs = { resign: reg.va };
  return [
    { name: 'auth: valid', response: a() },
    { name: 'auth: counter zero on both sides', response: authenticate(reg, { signCount: 0 }) },
    { name: 'auth: wrong challenge', response: mutate.setChallenge(a(), new Uint8Array(32), rs) },
    { name: 'auth: wrong origin', response: mutate.setOrigin(a(), 'https://evil.test', rs) },
    { name: 'auth: wrong type', response: mutate.setType(a(), 'webauthn.create', rs) },
    { name: 'auth: wrong rpIdHash', response: mutate.setRpIdHash(a(), 'evil.test', rs) },
    { name: 'auth: UP cleared', response: authenticate(reg, { flags: { up: false } }) },
    {
      name: 'auth: UV cleared with UV required',
      response: authenticate(reg, { flags: { uv: false } }),
      requireUV: true,
    },
    { name: 'auth: counter replay', response: authenticate(reg, { signCount: 3 }), counter: 3 },
    { name: 'auth: counter rollback', response: authenticate(reg, { signCount: 2 }), counter: 3 },
    { name: 'auth: signed by another key', response: mutate.resignWithOtherKey(a()) },
    { name: 'auth: signature bit flip', response: mutate.corruptSignature(a(), 'flip-bit') },
    {
      name: 'auth: clientData changed without re-signing',
      response: mutate.patchClientData(a(), { extra: 1 }),
    },
    { name: 'auth: crossOrigin true', response: authenticate(reg, { crossOrigin: true }) },
  ];
}

async function swaRegistration(c: Reg): Promise<boolean> {
  try {
    const r = await verifyRegistrationResponse({
      response: c.response as never,
      expectedChallenge: CHALLENGE_B64,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: c.requireUV === true,
      // SimpleWebAuthn's default is [-8, -7, -257]; align it with what the authenticator offers.
      supportedAlgorithmIDs: [-8, -7, -35, -36, -37, -257],
    });
    return r.verified;
  } catch {
    return false;
  }
}

describe.each(BACKENDS)('differential vs @simplewebauthn/server (%s backend)', (backendName, crypto) => {
  it('registration: same verdict except documented SimpleWebAuthn leniencies', async () => {
    const disagreements: string[] = [];
    let agree = 0;
    const cases = registrationCases();
    for (const c of cases) {
      const ours = await verifyRegistration(c.response, {
        expectedChallenge: CHALLENGE,
        expectedOrigin: ORIGIN,
        expectedRpId: RP_ID,
        requireUserVerification: c.requireUV === true,
        crypto,
      });
      const theirs = await swaRegistration(c);
      if (ours.verified === theirs) agree++;
      else
        disagreements.push(
          `${c.name}: ours=${ours.verified}${ours.verified ? '' : ` (${ours.code})`} simplewebauthn=${theirs}`,
        );
      if (KNOWN_LAX[c.name] !== undefined)
        expect({ name: c.name, ours: ours.verified, theirs }).toEqual({
          name: c.name,
          ours: false,
          theirs: true,
        });
      else expect({ name: c.name, ours: ours.verified }).toEqual({ name: c.name, ours: theirs });
    }
    console.log(
      `[${backendName}] registration differential: ${agree}/${cases.length} agree; known-lax: ${disagreements.join('; ')}`,
    );
  });

  it('authentication: same verdict except documented SimpleWebAuthn leniencies', async () => {
    const reg = register();
    const v = await verifyRegistration(reg.response, {
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRpId: RP_ID,
      crypto,
    });
    if (!v.verified) throw new Error('registration failed');
    const disagreements: string[] = [];
    let agree = 0;
    const cases = authenticationCases(reg);
    for (const c of cases) {
      const ours = await verifyAuthenticationAsync(c.response, {
        expectedChallenge: CHALLENGE,
        expectedOrigin: ORIGIN,
        expectedRpId: RP_ID,
        requireUserVerification: c.requireUV === true,
        credential: { id: reg.response.id, publicKey: v.publicKey, signCount: c.counter ?? 0 },
        crypto,
      });
      let theirs: boolean;
      try {
        theirs = (
          await verifyAuthenticationResponse({
            response: c.response as never,
            expectedChallenge: CHALLENGE_B64,
            expectedOrigin: ORIGIN,
            expectedRPID: RP_ID,
            requireUserVerification: c.requireUV === true,
            credential: {
              id: reg.response.id,
              publicKey: new Uint8Array(v.publicKey),
              counter: c.counter ?? 0,
            },
          })
        ).verified;
      } catch {
        theirs = false;
      }
      if (ours.verified === theirs) agree++;
      else disagreements.push(`${c.name}: ours=${ours.verified} simplewebauthn=${theirs}`);
      if (KNOWN_LAX[c.name] !== undefined)
        expect({ name: c.name, ours: ours.verified, theirs }).toEqual({
          name: c.name,
          ours: false,
          theirs: true,
        });
      else expect({ name: c.name, ours: ours.verified }).toEqual({ name: c.name, ours: theirs });
    }
    console.log(
      `[${backendName}] authentication differential: ${agree}/${cases.length} agree; known-lax: ${disagreements.join('; ')}`,
    );
    expect(decodeBase64url(reg.response.id).length).toBeGreaterThan(0);
  });
});
