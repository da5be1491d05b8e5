import {
  encodeCbor,
  type RegistrationResponseJSON,
  VirtualAuthenticator,
  decodeCborMap as vaDecodeCborMap,
} from '@factorkit/virtual-authenticator';
import {
  decodeBase64url,
  decodeCbor,
  derSignatureToRaw,
  encodeBase64url,
  nodeBackend,
  parseAuthenticatorData,
  parseClientDataJSON,
  parseCoseKey,
  portableBackend,
  verifyAuthentication,
  verifyRegistration,
} from '@factorkit/webauthn';
import { bytesCorpus, shrinkBytes, type Target, type TargetCorpus, toHexString } from '../harness.ts';
import { mutateBytesStacked } from '../mutate.ts';
import type { Rng } from '../rng.ts';

export const RP_ID = 'example.com';
export const ORIGIN = 'https://example.com';
export const CHALLENGE: Uint8Array = new Uint8Array(32).fill(7);

type Format = 'packed' | 'self' | 'none' | 'fido-u2f';
interface Registration {
  readonly format: Format;
  readonly response: RegistrationResponseJSON;
  readonly authData: Uint8Array;
  readonly clientDataJSON: Uint8Array;
  readonly attestationObject: Uint8Array;
  readonly va: VirtualAuthenticator;
}

const ALGS: Record<string, number> = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
  RS256: -257,
  PS256: -37,
  EdDSA: -8,
};

function registration(format: Format, alg: keyof typeof ALGS, n: number): Registration {
  const va = new VirtualAuthenticator({
    seed: `fuzz ${format} ${alg} ${n}`,
    algorithms: [alg as never],
    ...(format === 'fido-u2f' ? { attestationFormat: 'fido-u2f' as const } : {}),
    ...(format === 'self' ? { selfAttestation: true } : {}),
  });
  const response = va.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: Uint8Array.of(1, 2, 3, 4), name: 'alice', displayName: 'Alice' },
      challenge: CHALLENGE,
      pubKeyCredParams: [{ type: 'public-key', alg: ALGS[alg] as number }],
      attestation: format === 'none' ? 'none' : 'direct',
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    },
  });
  const attestationObject = decodeBase64url(response.response.attestationObject);
  const ao = decodeCbor(attestationObject) as Map<string, unknown>;
  return {
    format,
    response,
    authData: ao.get('authData') as Uint8Array,
    clientDataJSON: decodeBase64url(response.response.clientDataJSON),
    attestationObject,
    va,
  };
}

let corpusCache: Registration[] | undefined;
/** The registration corpus: every supported format, several algorithms. */
export function registrations(): Registration[] {
  corpusCache ??= [
    registration('packed', 'ES256', 0),
    registration('packed', 'RS256', 0),
    registration('packed', 'EdDSA', 0),
    registration('packed', 'ES384', 0),
    registration('self', 'ES256', 0),
    registration('self', 'PS256', 0),
    registration('none', 'ES256', 0),
    registration('none', 'ES512', 0),
    registration('fido-u2f', 'ES256', 0),
  ];
  return corpusCache;
}

/** The COSE_Key inside attested credential data (after rpIdHash, flags, counter, AAGUID, id). */
const credentialPublicKeyOf = (authData: Uint8Array): Uint8Array =>
  authData.subarray(55 + (((authData[53] as number) << 8) | (authData[54] as number)));

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

const ceremony = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID } as const;

// ---- standalone parsers ----

export const cborTarget: Target<Uint8Array> = {
  name: 'cbor',
  entry: '@factorkit/webauthn decodeCbor',
  throws: 'typed',
  setup: () =>
    bytesCorpus(
      registrations().flatMap((r) => [r.attestationObject, credentialPublicKeyOf(r.authData)]),
      (b) => decodeCbor(b),
    ),
};

export const coseTarget: Target<Uint8Array> = {
  name: 'cose-key',
  entry: '@factorkit/webauthn parseCoseKey + backend importKey (node, portable)',
  throws: 'typed',
  setup: () => {
    const seeds = registrations().map((r) => {
      const idLen = ((r.authData[53] as number) << 8) | (r.authData[54] as number);
      return r.authData.subarray(55 + idLen);
    });
    const node = nodeBackend;
    const portable = portableBackend;
    let flip = 0;
    return bytesCorpus(seeds, (b) => {
      const key = parseCoseKey(b);
      return (flip++ & 1 ? node : portable).importKey(key);
    });
  },
};

export const authenticatorDataTarget: Target<Uint8Array> = {
  name: 'authenticator-data',
  entry: '@factorkit/webauthn parseAuthenticatorData',
  throws: 'typed',
  setup: () =>
    bytesCorpus(
      registrations().map((r) => r.authData),
      (b) => parseAuthenticatorData(b),
    ),
};

export const clientDataTarget: Target<Uint8Array> = {
  name: 'client-data-json',
  entry: '@factorkit/webauthn parseClientDataJSON',
  throws: 'typed',
  setup: () =>
    bytesCorpus(
      registrations().map((r) => r.clientDataJSON),
      (b) => parseClientDataJSON(b),
    ),
};

export const derSignatureTarget: Target<Uint8Array> = {
  name: 'der-signature',
  entry: '@factorkit/webauthn derSignatureToRaw + node backend verify (ES256)',
  throws: 'typed',
  setup: async () => {
    const reg = registrations()[0] as Registration;
    const assertion = reg.va.getAssertion({
      origin: ORIGIN,
      publicKey: { challenge: CHALLENGE, rpId: RP_ID, allowCredentials: [] },
    });
    const sig = decodeBase64url(assertion.response.signature);
    const idLen = ((reg.authData[53] as number) << 8) | (reg.authData[54] as number);
    const backend = nodeBackend;
    const key = backend.importKey(parseCoseKey(reg.authData.subarray(55 + idLen)));
    const data = Uint8Array.of(1, 2, 3);
    const seeds = [sig, Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00)];
    const verifySync = backend.verifySync as NonNullable<typeof backend.verifySync>;
    return bytesCorpus(seeds, (b) => {
      derSignatureToRaw(b, 32);
      return verifySync(key, b, data);
    });
  },
};

// ---- full ceremonies ----

interface RegistrationInput {
  readonly seed: Registration;
  readonly clientDataJSON: Uint8Array;
  readonly attestationObject: Uint8Array;
}

function authDataOf(attestationObject: Uint8Array): Uint8Array | undefined {
  try {
    const ao = decodeCbor(attestationObject) as Map<string, unknown>;
    const a = ao.get('authData');
    return a instanceof Uint8Array ? a : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes each format's attestation signature covers, as a comparable string. */
function signedPart(format: Format, authData: Uint8Array, clientDataJSON: Uint8Array): string | undefined {
  if (format === 'none') return undefined; // none signs nothing
  const cd = toHexString(clientDataJSON);
  if (format === 'fido-u2f') {
    // §8.6: rpIdHash, clientDataHash, credentialId, public key (flags, counter and AAGUID are not signed)
    return `${toHexString(authData.subarray(0, 32))}|${toHexString(authData.subarray(53))}|${cd}`;
  }
  return `${toHexString(authData)}|${cd}`;
}

function mutateAttestationObject(rng: Rng, seed: Registration): Uint8Array {
  const choice = rng.int(3);
  if (choice === 0) return mutateBytesStacked(rng, seed.attestationObject);
  // Re-encode with a mutated member (authData or attStmt), so the mutation reaches deeper steps.
  const ao = vaDecodeCborMap(seed.attestationObject) as Map<string, unknown>;
  if (choice === 1) ao.set('authData', mutateBytesStacked(rng, seed.authData));
  else {
    const stmt = new Map(ao.get('attStmt') as Map<string, unknown>);
    const keys = [...stmt.keys()];
    if (keys.length > 0) {
      const k = rng.pick(keys);
      const v = stmt.get(k);
      if (v instanceof Uint8Array) stmt.set(k, mutateBytesStacked(rng, v));
      else if (Array.isArray(v) && v[0] instanceof Uint8Array)
        stmt.set(k, [mutateBytesStacked(rng, v[0]), ...v.slice(1)]);
      else stmt.set(k, rng.pick([-7, -257, -8, -35, 0, 'x', new Uint8Array(0)]));
    } else {
      stmt.set(rng.pick(['sig', 'x5c', 'alg']), new Uint8Array(8));
    }
    ao.set('attStmt', stmt);
  }
  return encodeCbor(ao as never);
}

function registrationCorpus(mutateCert: boolean): TargetCorpus<RegistrationInput> {
  const corpus = registrations().filter(
    (r) => !mutateCert || r.format === 'packed' || r.format === 'fido-u2f',
  );
  const toResponse = (i: RegistrationInput) => ({
    ...i.seed.response,
    response: {
      ...i.seed.response.response,
      clientDataJSON: encodeBase64url(i.clientDataJSON),
      attestationObject: encodeBase64url(i.attestationObject),
    },
  });
  return {
    generate(rng) {
      const seed = rng.pick(corpus);
      if (mutateCert) {
        const ao = vaDecodeCborMap(seed.attestationObject) as Map<string, unknown>;
        const stmt = new Map(ao.get('attStmt') as Map<string, unknown>);
        const x5c = stmt.get('x5c') as Uint8Array[];
        stmt.set('x5c', [mutateBytesStacked(rng, x5c[0] as Uint8Array), ...x5c.slice(1)]);
        ao.set('attStmt', stmt);
        return { seed, clientDataJSON: seed.clientDataJSON, attestationObject: encodeCbor(ao as never) };
      }
      const which = rng.int(4);
      return {
        seed,
        clientDataJSON: which === 0 ? mutateBytesStacked(rng, seed.clientDataJSON) : seed.clientDataJSON,
        attestationObject: which === 0 ? seed.attestationObject : mutateAttestationObject(rng, seed),
      };
    },
    run: (i) => verifyRegistration(toResponse(i), ceremony),
    size: (i) => i.clientDataJSON.length + i.attestationObject.length,
    changesSignedData(i) {
      const authData = authDataOf(i.attestationObject);
      if (authData === undefined) return true;
      const before = signedPart(i.seed.format, i.seed.authData, i.seed.clientDataJSON);
      const after = signedPart(i.seed.format, authData, i.clientDataJSON);
      return before !== undefined && before !== after;
    },
    *shrink(i) {
      for (const a of shrinkBytes(i.attestationObject)) yield { ...i, attestationObject: a };
      for (const c of shrinkBytes(i.clientDataJSON)) yield { ...i, clientDataJSON: c };
    },
    show: (i) => JSON.stringify({ format: i.seed.format, response: toResponse(i) }),
  };
}

export const registrationTarget: Target<RegistrationInput> = {
  name: 'registration-response',
  entry: '@factorkit/webauthn verifyRegistration (none, packed, packed self, fido-u2f)',
  throws: 'never',
  weight: 12,
  setup: () => registrationCorpus(false),
};

export const certificateTarget: Target<RegistrationInput> = {
  name: 'x5c-certificate',
  entry: '@factorkit/webauthn verifyRegistration with a mutated attestation certificate (packed, fido-u2f)',
  throws: 'never',
  weight: 40,
  setup: () => registrationCorpus(true),
};

interface AssertionInput {
  readonly index: number;
  readonly authenticatorData: Uint8Array;
  readonly clientDataJSON: Uint8Array;
  readonly signature: Uint8Array;
  readonly userHandle: string | null;
}

export const authenticationTarget: Target<AssertionInput> = {
  name: 'authentication-response',
  entry: '@factorkit/webauthn verifyAuthentication (ES256, RS256, EdDSA)',
  throws: 'never',
  weight: 8,
  setup() {
    const seeds = registrations()
      .filter((r) => r.format === 'packed')
      .map((r) => {
        const a = r.va.getAssertion({
          origin: ORIGIN,
          publicKey: { challenge: CHALLENGE, rpId: RP_ID, allowCredentials: [] },
        });
        const idLen = ((r.authData[53] as number) << 8) | (r.authData[54] as number);
        return {
          id: r.response.id,
          publicKey: r.authData.subarray(55 + idLen),
          authenticatorData: decodeBase64url(a.response.authenticatorData),
          clientDataJSON: decodeBase64url(a.response.clientDataJSON),
          signature: decodeBase64url(a.response.signature),
          userHandle: a.response.userHandle ?? null,
        };
      });
    const options = seeds.map((s) => ({
      ...ceremony,
      credential: { id: s.id, publicKey: s.publicKey, signCount: 0, userHandle: s.userHandle ?? undefined },
    }));
    return {
      generate(rng) {
        const index = rng.int(seeds.length);
        const s = seeds[index] as (typeof seeds)[number];
        const which = rng.int(4);
        return {
          index,
          authenticatorData: which === 0 ? mutateBytesStacked(rng, s.authenticatorData) : s.authenticatorData,
          clientDataJSON: which === 1 ? mutateBytesStacked(rng, s.clientDataJSON) : s.clientDataJSON,
          signature: which === 2 ? mutateBytesStacked(rng, s.signature) : s.signature,
          userHandle: which === 3 ? rng.pick([null, '', 'AAAA', s.userHandle ?? null, '!!']) : s.userHandle,
        };
      },
      run(i) {
        const s = seeds[i.index] as (typeof seeds)[number];
        return verifyAuthentication(
          {
            id: s.id,
            rawId: s.id,
            type: 'public-key',
            response: {
              authenticatorData: encodeBase64url(i.authenticatorData),
              clientDataJSON: encodeBase64url(i.clientDataJSON),
              signature: encodeBase64url(i.signature),
              userHandle: i.userHandle,
            },
            clientExtensionResults: {},
          },
          options[i.index] as never,
        );
      },
      size: (i) => i.authenticatorData.length + i.clientDataJSON.length + i.signature.length,
      changesSignedData(i) {
        const s = seeds[i.index] as (typeof seeds)[number];
        return !equal(i.authenticatorData, s.authenticatorData) || !equal(i.clientDataJSON, s.clientDataJSON);
      },
      *shrink(i) {
        for (const a of shrinkBytes(i.authenticatorData)) yield { ...i, authenticatorData: a };
        for (const c of shrinkBytes(i.clientDataJSON)) yield { ...i, clientDataJSON: c };
        for (const g of shrinkBytes(i.signature)) yield { ...i, signature: g };
      },
      show: (i) =>
        JSON.stringify({
          credential: (seeds[i.index] as (typeof seeds)[number]).id,
          authenticatorData: toHexString(i.authenticatorData),
          clientDataJSON: toHexString(i.clientDataJSON),
          signature: toHexString(i.signature),
          userHandle: i.userHandle,
        }),
    };
  },
};
