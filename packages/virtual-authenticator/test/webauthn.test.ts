import { createHash, X509Certificate } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import {
  type AttestationFormat,
  COSE_ALGORITHMS,
  type CoseAlgorithmName,
  decodeCborMap,
  U2FToken,
  VirtualAuthenticator,
  VirtualAuthenticatorError,
} from '../src/index.ts';
import {
  b64u,
  checkAssertion,
  checkRegistration,
  findExtension,
  parseAuthData,
  sha256,
} from './independent.ts';

const origin = 'https://login.example.com';
const rpId = 'example.com';
const challenge = 'Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2U';

function create(
  va: VirtualAuthenticator,
  alg: number,
  extra: Partial<Parameters<VirtualAuthenticator['createCredential']>[0]> = {},
) {
  return va.createCredential({
    origin,
    publicKey: {
      rp: { id: rpId, name: 'Example' },
      user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
      challenge,
      pubKeyCredParams: [{ type: 'public-key', alg }],
      attestation: 'direct',
    },
    ...extra,
  });
}

// node:crypto (the independent checker) has no ML-DSA on Node 20: those keys are checked with
// @noble/post-quantum below.
const ML_DSA_ALGS = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const;
const ALGS = (Object.keys(COSE_ALGORITHMS) as CoseAlgorithmName[]).filter(
  (a) => !(ML_DSA_ALGS as readonly string[]).includes(a),
);
const CASES: [AttestationFormat, boolean, CoseAlgorithmName][] = [];
for (const alg of ALGS) {
  CASES.push(['none', false, alg], ['packed', true, alg], ['packed', false, alg]);
}
CASES.push(['fido-u2f', false, 'ES256']);
for (const alg of ['ES256', 'ES384', 'ES512', 'RS256', 'PS256'] as const) CASES.push(['tpm', false, alg]);
for (const alg of ['ES256', 'ES384', 'ES512', 'RS256'] as const) CASES.push(['android-key', false, alg]);
CASES.push(['apple', false, 'ES256']);

describe('createCredential / getAssertion verify with node:crypto', () => {
  it.each(CASES)('%s (self=%s) %s', (format, self, alg) => {
    const va = new VirtualAuthenticator({
      seed: `t-${format}-${alg}`,
      attestationFormat: format,
      selfAttestation: self,
    });
    const reg = create(va, COSE_ALGORITHMS[alg]);
    const checked = checkRegistration(reg, { challenge, origin, rpId, trustAnchor: va.ca.rootPem });
    expect(checked.fmt).toBe(format);
    expect(reg.id).toBe(reg.rawId);
    expect(b64u(reg.id).equals(checked.credentialId)).toBe(true);
    expect(reg.response.publicKeyAlgorithm).toBe(COSE_ALGORITHMS[alg]);
    expect(
      b64u(reg.response.authenticatorData).equals(
        Buffer.from(decodeCborMap(b64u(reg.response.attestationObject)).get('authData') as Uint8Array),
      ),
    ).toBe(true);
    if (format === 'fido-u2f') {
      expect(checked.authData.aaguid?.equals(Buffer.alloc(16))).toBe(true);
      expect(checked.credentialId.length).toBe(64);
    } else {
      expect(checked.authData.aaguid?.equals(Buffer.from(va.aaguid))).toBe(true);
    }
    const a1 = va.getAssertion({
      origin,
      publicKey: { challenge: 'AQID', rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    const p1 = checkAssertion(a1, {
      challenge: 'AQID',
      origin,
      rpId,
      publicKey: checked.credentialPublicKey,
    });
    expect(p1.signCount).toBe(1);
    const a2 = va.getAssertion({
      origin,
      publicKey: { challenge: 'BAUG', rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    expect(
      checkAssertion(a2, { challenge: 'BAUG', origin, rpId, publicKey: checked.credentialPublicKey })
        .signCount,
    ).toBe(2);
  });

  it('the packed leaf meets §8.2.1 and chains leaf → intermediate → root', () => {
    const va = new VirtualAuthenticator({ seed: 'chain', attestationFormat: 'packed' });
    const reg = create(va, -7);
    const stmt = decodeCborMap(b64u(reg.response.attestationObject)).get('attStmt') as Map<string, unknown>;
    const [leafDer, intDer] = stmt.get('x5c') as Uint8Array[];
    const leaf = new X509Certificate(leafDer as Uint8Array);
    const int = new X509Certificate(intDer as Uint8Array);
    const root = new X509Certificate(va.ca.rootPem);
    expect(leaf.subject).toContain('C=US');
    expect(leaf.subject).toContain('O=factorkit');
    expect(leaf.subject).toContain('OU=Authenticator Attestation');
    expect(leaf.subject).toContain('CN=');
    expect(leaf.ca).toBe(false);
    expect(int.ca).toBe(true);
    expect(root.ca).toBe(true);
    expect(leaf.verify(int.publicKey)).toBe(true);
    expect(int.verify(root.publicKey)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(leaf.validFrom).toContain('2024');
    // RFC 5280 §4.2.1.2 method 1: SKI = SHA-1 of the subjectPublicKey bits; the leaf's AKI names it.
    const intSpki = int.publicKey.export({ type: 'spki', format: 'der' });
    const intSki = createHash('sha1')
      .update(intSpki.subarray(intSpki.length - 65))
      .digest();
    expect(findExtension(int.raw, '0603551d0e')?.subarray(-20).equals(intSki)).toBe(true);
    expect(findExtension(leaf.raw, '0603551d23')?.subarray(-20).equals(intSki)).toBe(true);
  });
});

describe('platform formats', () => {
  it('refuse algorithms the format cannot carry', () => {
    expect(() => create(new VirtualAuthenticator({ attestationFormat: 'apple' }), -257)).toThrow(
      VirtualAuthenticatorError,
    );
    expect(() => create(new VirtualAuthenticator({ attestationFormat: 'tpm' }), -8)).toThrow(
      VirtualAuthenticatorError,
    );
  });
  it('tpm AIK certificate: empty subject, critical SAN, AIK EKU, chain to the root', () => {
    const va = new VirtualAuthenticator({ seed: 'tpm', attestationFormat: 'tpm' });
    const reg = create(va, -257);
    const stmt = decodeCborMap(b64u(reg.response.attestationObject)).get('attStmt') as Map<string, unknown>;
    const aik = new X509Certificate((stmt.get('x5c') as Uint8Array[])[0] as Uint8Array);
    expect(aik.subject ?? '').toBe('');
    expect(aik.subjectAltName).toContain('2.23.133.2.1=');
    expect(aik.keyUsage).toContain('2.23.133.8.3');
    expect(stmt.get('alg')).toBe(-257);
    expect(
      decodeCborMap(
        b64u(
          create(new VirtualAuthenticator({ seed: 'tpm-ecc', attestationFormat: 'tpm' }), -7).response
            .attestationObject,
        ),
      ).get('attStmt'),
    ).toBeInstanceOf(Map);
  });
});

describe('knobs', () => {
  it('UV follows userVerification; discouraged clears it; flags override', () => {
    const va = new VirtualAuthenticator({ seed: 'uv', attestationFormat: 'none' });
    const reg = create(va, -7);
    expect(parseAuthData(b64u(reg.response.authenticatorData)).flags & 0x05).toBe(0x05);
    const get = (uv: 'required' | 'discouraged', flags?: { up?: boolean; uv?: boolean }) =>
      parseAuthData(
        b64u(
          va.getAssertion({
            origin,
            publicKey: {
              challenge,
              rpId,
              userVerification: uv,
              allowCredentials: [{ type: 'public-key', id: reg.id }],
            },
            ...(flags === undefined ? {} : { flags }),
          }).response.authenticatorData,
        ),
      ).flags;
    expect(get('discouraged') & 0x04).toBe(0);
    expect(get('required') & 0x04).toBe(0x04);
    expect(get('required', { up: false }) & 0x01).toBe(0);
    const noUv = new VirtualAuthenticator({ seed: 'uv', userVerification: false });
    expect(() =>
      create(noUv, -7, {
        publicKey: { ...baseCreate(), authenticatorSelection: { userVerification: 'required' } },
      }),
    ).toThrow(VirtualAuthenticatorError);
  });

  it('BE/BS flags and signCounter "zero"', () => {
    const va = new VirtualAuthenticator({
      seed: 'be',
      backupEligible: true,
      backupState: true,
      signCounter: 'zero',
    });
    const reg = create(va, -7);
    expect(parseAuthData(b64u(reg.response.authenticatorData)).flags & 0x18).toBe(0x18);
    const a = va.getAssertion({
      origin,
      publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    expect(parseAuthData(b64u(a.response.authenticatorData)).signCount).toBe(0);
  });

  it('explicit signCount is emitted and stored', () => {
    const va = new VirtualAuthenticator({ seed: 'sc' });
    const reg = create(va, -7);
    const a = va.getAssertion({
      origin,
      signCount: 41,
      publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    expect(parseAuthData(b64u(a.response.authenticatorData)).signCount).toBe(41);
    const b = va.getAssertion({
      origin,
      publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    expect(parseAuthData(b64u(b.response.authenticatorData)).signCount).toBe(42);
  });

  it('resident keys return userHandle; credProps reports rk', () => {
    const va = new VirtualAuthenticator({ seed: 'rk' });
    const reg = create(va, -7, {
      publicKey: {
        ...baseCreate(),
        authenticatorSelection: { residentKey: 'required' },
        extensions: { credProps: true },
      },
    });
    expect(reg.clientExtensionResults.credProps).toEqual({ rk: true });
    const a = va.getAssertion({ origin, publicKey: { challenge, rpId } });
    expect(a.id).toBe(reg.id);
    expect(a.response.userHandle).toBe('dXNlci0x');
    const nonRk = new VirtualAuthenticator({ seed: 'nrk' });
    const r2 = create(nonRk, -7, { publicKey: { ...baseCreate(), extensions: { credProps: true } } });
    expect(r2.clientExtensionResults.credProps).toEqual({ rk: false });
    expect(() => nonRk.getAssertion({ origin, publicKey: { challenge, rpId } })).toThrow(
      VirtualAuthenticatorError,
    );
    const a2 = nonRk.getAssertion({
      origin,
      publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: r2.id }] },
    });
    expect(a2.response.userHandle).toBeUndefined();
  });

  it('crossOrigin, topOrigin and extra clientData members', () => {
    const va = new VirtualAuthenticator({ seed: 'co' });
    const reg = create(va, -7, {
      crossOrigin: true,
      topOrigin: 'https://top.example.net',
      clientDataExtra: { other_keys_can_be_added_here: 'x' },
    });
    expect(JSON.parse(b64u(reg.response.clientDataJSON).toString())).toEqual({
      type: 'webauthn.create',
      challenge,
      origin,
      crossOrigin: true,
      topOrigin: 'https://top.example.net',
      other_keys_can_be_added_here: 'x',
    });
  });

  it('RP wants attestation "none" → fmt none unless ignoreConveyance', () => {
    const va = new VirtualAuthenticator({ seed: 'conv', attestationFormat: 'packed' });
    const none = create(va, -7, { publicKey: { ...baseCreate(), attestation: 'none' } });
    expect(decodeCborMap(b64u(none.response.attestationObject)).get('fmt')).toBe('none');
    const kept = create(va, -7, {
      publicKey: { ...baseCreate(), attestation: 'none' },
      ignoreConveyance: true,
    });
    expect(decodeCborMap(b64u(kept.response.attestationObject)).get('fmt')).toBe('packed');
  });

  it('excludeCredentials, unsupported algorithms and RP ID mismatch are refused with codes', () => {
    const va = new VirtualAuthenticator({ seed: 'ex', algorithms: ['ES256'] });
    const reg = create(va, -7);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as VirtualAuthenticatorError).code;
      }
      return undefined;
    };
    expect(
      codeOf(() =>
        create(va, -7, {
          publicKey: { ...baseCreate(), excludeCredentials: [{ type: 'public-key', id: reg.id }] },
        }),
      ),
    ).toBe('ERR_INVALID_STATE');
    expect(codeOf(() => create(va, -8))).toBe('ERR_NOT_SUPPORTED');
    expect(codeOf(() => create(va, -7, { origin: 'https://evil.test' }))).toBe('ERR_SECURITY');
  });

  it('picks the first requested algorithm it supports', () => {
    const va = new VirtualAuthenticator({ seed: 'pref' });
    const reg = create(va, -7, {
      publicKey: {
        ...baseCreate(),
        pubKeyCredParams: [
          { type: 'public-key', alg: -1000 },
          { type: 'public-key', alg: -257 },
          { type: 'public-key', alg: -7 },
        ],
      },
    });
    expect(reg.response.publicKeyAlgorithm).toBe(-257);
  });

  it('appid extension: a U2F-registered key answers with rpIdHash = SHA-256(appId)', () => {
    const token = new U2FToken({ seed: 'appid' });
    const appId = 'https://example.com/appid.json';
    const r = token.register({ appId, challenge: 'c', origin: 'https://example.com' });
    const kh = b64u(r.registrationData)
      .subarray(67, 67 + (b64u(r.registrationData)[66] ?? 0))
      .toString('base64url');
    const va = new VirtualAuthenticator({ seed: 'appid-va' });
    const record = va.importCredential(token.exportCredential(kh));
    const a = va.getAssertion({
      origin: 'https://example.com',
      publicKey: {
        challenge,
        rpId,
        allowCredentials: [{ type: 'public-key', id: kh }],
        extensions: { appid: appId },
      },
    });
    expect(a.clientExtensionResults.appid).toBe(true);
    expect(parseAuthData(b64u(a.response.authenticatorData)).rpIdHash.equals(sha256(appId))).toBe(true);
    checkAssertion(a, {
      challenge,
      origin: 'https://example.com',
      rpId: appId,
      publicKey: b64u(record.publicKey),
    });
  });
});

describe('misuse', () => {
  it('missing or mistyped options throw TypeError naming the parameter', () => {
    const va = new VirtualAuthenticator({ seed: 'misuse' });
    const bad = (fn: () => unknown, name: string) =>
      expect(fn).toThrow(new RegExp(name.replace(/\./g, '\\.')));
    bad(() => va.createCredential(undefined as never), 'options.publicKey');
    bad(() => va.createCredential({ origin } as never), 'options.publicKey');
    bad(
      () => va.createCredential({ origin, publicKey: { ...baseCreate(), rp: undefined } } as never),
      'publicKey.rp',
    );
    bad(
      () => va.createCredential({ origin, publicKey: { ...baseCreate(), user: undefined } } as never),
      'publicKey.user',
    );
    bad(() => va.createCredential({ origin: '', publicKey: baseCreate() }), 'options.origin');
    bad(() => va.createCredential({ origin: 'not a url', publicKey: baseCreate() }), 'options.origin');
    bad(
      () => va.createCredential({ origin, publicKey: { ...baseCreate(), challenge: 'not base64url!' } }),
      'publicKey.challenge',
    );
    bad(
      () => va.getAssertion({ origin, publicKey: { challenge, allowCredentials: 'x' as never } }),
      'publicKey.allowCredentials',
    );
    expect(() => new VirtualAuthenticator({ aaguid: 'nope' })).toThrow(TypeError);
  });
});

describe('ML-DSA credentials (COSE AKP, RFC 9964)', () => {
  const IMPL = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;
  it.each(ML_DSA_ALGS)('%s: AKP key, packed self attestation and assertion verify with noble', (alg) => {
    const va = new VirtualAuthenticator({ seed: `t-${alg}`, selfAttestation: true });
    const reg = create(va, COSE_ALGORITHMS[alg]);
    const ao = decodeCborMap(b64u(reg.response.attestationObject));
    const authData = parseAuthData(ao.get('authData') as Uint8Array);
    const cose = decodeCborMap(authData.credentialPublicKey as Uint8Array);
    expect([...cose.keys()]).toEqual([1, 3, -1]);
    expect(cose.get(1)).toBe(7);
    expect(cose.get(3)).toBe(COSE_ALGORITHMS[alg]);
    const pub = cose.get(-1) as Uint8Array;
    expect(pub.length).toBe(IMPL[alg].lengths.publicKey);
    const stmt = ao.get('attStmt') as Map<string, unknown>;
    expect(stmt.get('alg')).toBe(COSE_ALGORITHMS[alg]);
    const clientDataHash = sha256(b64u(reg.response.clientDataJSON));
    const signed = Buffer.concat([ao.get('authData') as Uint8Array, clientDataHash]);
    expect(IMPL[alg].verify(stmt.get('sig') as Uint8Array, signed, pub)).toBe(true);
    const assertion = va.getAssertion({
      origin,
      publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: reg.id }] },
    });
    const data = Buffer.concat([
      b64u(assertion.response.authenticatorData),
      sha256(b64u(assertion.response.clientDataJSON)),
    ]);
    const sig = b64u(assertion.response.signature);
    expect(sig.length).toBe(IMPL[alg].lengths.signature);
    expect(IMPL[alg].verify(sig, data, pub)).toBe(true);
    // Deterministic: the same seed signs the same bytes.
    const again = new VirtualAuthenticator({ seed: `t-${alg}`, selfAttestation: true });
    expect(JSON.stringify(create(again, COSE_ALGORITHMS[alg]))).toBe(JSON.stringify(reg));
  });
});

describe('determinism', () => {
  it('same seed → byte-identical responses; different seed → different', () => {
    const run = (seed: string) => {
      const va = new VirtualAuthenticator({ seed, attestationFormat: 'packed' });
      const out = ALGS.map((alg) => create(va, COSE_ALGORITHMS[alg]));
      return JSON.stringify([
        out,
        out.map((r) =>
          va.getAssertion({
            origin,
            publicKey: { challenge, rpId, allowCredentials: [{ type: 'public-key', id: r.id }] },
          }),
        ),
      ]);
    };
    expect(run('same')).toBe(run('same'));
    expect(run('same')).not.toBe(run('other'));
  });
});

function baseCreate() {
  return {
    rp: { id: rpId, name: 'Example' },
    user: { id: 'dXNlci0x', name: 'alice', displayName: 'Alice' },
    challenge,
    pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }],
    attestation: 'direct' as const,
  };
}
