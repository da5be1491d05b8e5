import { encodeCbor, mutate } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../src/base64url.ts';
import { decodeCbor } from '../src/cbor.ts';
import { type VerifyRegistrationOptions, verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import {
  CHALLENGE,
  CHALLENGE_B64,
  expectRejected,
  fromUtf8,
  ORIGIN,
  type Registered,
  RP_ID,
  register,
  utf8,
  withMember,
} from './helpers/ceremony.ts';

// One test per WebAuthn L3 §7.1 step the server performs: each shows the unmodified response
// passing and a response that violates only that step failing with the step's code.

describe.each(BACKENDS)('§7.1 registration on the %s backend', (_name, crypto) => {
  const options = (over: Partial<VerifyRegistrationOptions> = {}): VerifyRegistrationOptions => ({
    expectedChallenge: CHALLENGE,
    expectedOrigin: ORIGIN,
    expectedRpId: RP_ID,
    crypto,
    ...over,
  });
  const packed: Registered = register();
  const none: Registered = register({}, { attestation: 'none' });
  const self: Registered = register({ selfAttestation: true });
  const u2f: Registered = register({ attestationFormat: 'fido-u2f' });

  const clientData = (r: Registered): Record<string, unknown> =>
    JSON.parse(fromUtf8(decodeBase64url(r.response.response.clientDataJSON))) as Record<string, unknown>;
  const attObj = (r: { response: { attestationObject: string } }): Map<string, unknown> =>
    decodeCbor(decodeBase64url(r.response.attestationObject)) as Map<string, unknown>;

  it('verifies packed (x5c), packed self, none and fido-u2f responses with everything a server stores', async () => {
    for (const [reg, fmt, type] of [
      [packed, 'packed', 'basic'],
      [self, 'packed', 'self'],
      [none, 'none', 'none'],
      [u2f, 'fido-u2f', 'basic'],
    ] as const) {
      const r = await verifyRegistration(reg.response, options());
      expect(r).toMatchObject({
        verified: true,
        attestation: { fmt, type, trusted: false },
        rpId: RP_ID,
        origin: ORIGIN,
      });
      if (!r.verified) continue;
      expect(encodeBase64url(r.credentialId)).toBe(reg.response.id);
      expect((decodeCbor(r.publicKey) as Map<number, unknown>).get(3)).toBe(-7);
      expect(r.alg).toBe(-7);
      expect(r.transports).toEqual(['usb']);
    }
  });

  it('7.1 step 3: a response that is not a public-key AuthenticatorAttestationResponse is rejected', async () => {
    const r = packed.response;
    expect((await verifyRegistration(r, options())).verified).toBe(true);
    expectRejected(await verifyRegistration(null, options()), 'ERR_MALFORMED_RESPONSE', '7.1 step 3');
    expectRejected(
      await verifyRegistration({ ...r, type: 'password' }, options()),
      'ERR_MALFORMED_RESPONSE',
      '7.1 step 3',
    );
    expectRejected(
      await verifyRegistration({ ...r, rawId: `${r.id}A` }, options()),
      'ERR_MALFORMED_RESPONSE',
      '7.1 step 3',
    );
    const noAtt = { ...r, response: { ...r.response, attestationObject: undefined } };
    expectRejected(await verifyRegistration(noAtt, options()), 'ERR_MALFORMED_RESPONSE', '7.1 step 3');
    // Strict base64url: standard-alphabet or padded input is malformed (B64-1).
    const padded = { ...r, response: { ...r.response, clientDataJSON: `${r.response.clientDataJSON}=` } };
    expectRejected(await verifyRegistration(padded, options()), 'ERR_MALFORMED_RESPONSE', '7.1 step 3');
    const plus = { ...r, id: `+${r.id.slice(1)}`, rawId: `+${r.id.slice(1)}` };
    expectRejected(await verifyRegistration(plus, options()), 'ERR_MALFORMED_RESPONSE', '7.1 step 3');
  });

  it('7.1 step 4: clientExtensionResults must be an object', async () => {
    expect(
      (await verifyRegistration({ ...packed.response, clientExtensionResults: {} }, options())).verified,
    ).toBe(true);
    const bad = { ...packed.response, clientExtensionResults: 'x' };
    expectRejected(await verifyRegistration(bad, options()), 'ERR_EXTENSION_OUTPUT_INVALID', '7.1 step 4');
  });

  it('7.1 step 5: clientDataJSON must be valid UTF-8 (a leading BOM is stripped)', async () => {
    const json = decodeBase64url(none.response.response.clientDataJSON);
    const bom = withMember(none.response, 'clientDataJSON', new Uint8Array([0xef, 0xbb, 0xbf, ...json]));
    expect((await verifyRegistration(bom, options())).verified).toBe(true);
    const invalid = withMember(
      none.response,
      'clientDataJSON',
      new Uint8Array([...json.slice(0, -1), 0xff, 0x7d]),
    );
    expectRejected(await verifyRegistration(invalid, options()), 'ERR_CLIENT_DATA_INVALID', '7.1 step 5');
  });

  it('7.1 step 6: clientDataJSON must parse to a CollectedClientData (types, duplicates)', async () => {
    const c = clientData(none);
    const bad = async (text: string): Promise<void> => {
      const r = withMember(none.response, 'clientDataJSON', utf8(text));
      expectRejected(await verifyRegistration(r, options()), 'ERR_CLIENT_DATA_INVALID', '7.1 step 5');
    };
    await bad('not json');
    await bad('[]');
    await bad(JSON.stringify({ ...c, challenge: 42 }));
    await bad(JSON.stringify({ ...c, crossOrigin: 'true' }));
    // Duplicate "type": JSON.parse keeps the last, another parser the first (CD-2).
    await bad(`{"type":"webauthn.create","type":"webauthn.create",${JSON.stringify(c).slice(1)}`);
  });

  it('7.1 step 7: clientData.type must be webauthn.create (or the configured expectedType)', async () => {
    const r = mutate.setType(none.response, 'webauthn.get');
    expectRejected(await verifyRegistration(r, options()), 'ERR_TYPE_MISMATCH', '7.1 step 7');
    expect((await verifyRegistration(r, options({ expectedType: ['webauthn.get'] }))).verified).toBe(true);
  });

  it('7.1 step 8: clientData.challenge must equal the issued challenge', async () => {
    expect(
      (await verifyRegistration(none.response, options({ expectedChallenge: CHALLENGE_B64 }))).verified,
    ).toBe(true);
    expect(
      (await verifyRegistration(none.response, options({ expectedChallenge: (c) => c === CHALLENGE_B64 })))
        .verified,
    ).toBe(true);
    const other = new Uint8Array(32).fill(8);
    expectRejected(
      await verifyRegistration(none.response, options({ expectedChallenge: other })),
      'ERR_CHALLENGE_MISMATCH',
      '7.1 step 8',
    );
    expectRejected(
      await verifyRegistration(none.response, options({ expectedChallenge: () => false })),
      'ERR_CHALLENGE_MISMATCH',
      '7.1 step 8',
    );
    // The same bytes under a non-canonical encoding in clientData do not match.
    const r = mutate.setChallenge(none.response, `${CHALLENGE_B64}=`);
    expectRejected(await verifyRegistration(r, options()), 'ERR_CHALLENGE_MISMATCH', '7.1 step 8');
  });

  it('7.1 step 9: clientData.origin must be an expected origin (exact match)', async () => {
    expect(
      (await verifyRegistration(none.response, options({ expectedOrigin: ['https://a.test', ORIGIN] })))
        .verified,
    ).toBe(true);
    for (const origin of [
      'https://evilexample.com',
      'https://example.com.evil.com',
      'http://example.com',
      'https://example.com:443',
      'https://sub.example.com',
    ]) {
      const r = mutate.setOrigin(none.response, origin);
      expectRejected(await verifyRegistration(r, options()), 'ERR_ORIGIN_MISMATCH', '7.1 step 9');
    }
  });

  it('7.1 step 10: crossOrigin=true is rejected unless the RP expects a cross-origin iframe', async () => {
    const r = mutate.patchClientData(none.response, { crossOrigin: true });
    expectRejected(await verifyRegistration(r, options()), 'ERR_CROSS_ORIGIN_NOT_ALLOWED', '7.1 step 10');
    expect((await verifyRegistration(r, options({ allowCrossOrigin: true }))).verified).toBe(true);
  });

  it('7.1 step 11: topOrigin must be an allowed top-level origin', async () => {
    const r = mutate.patchClientData(none.response, { crossOrigin: true, topOrigin: 'https://top.test' });
    expect((await verifyRegistration(r, options({ expectedTopOrigin: 'https://top.test' }))).verified).toBe(
      true,
    );
    expectRejected(
      await verifyRegistration(r, options({ allowCrossOrigin: true })),
      'ERR_TOP_ORIGIN_MISMATCH',
      '7.1 step 11',
    );
    expectRejected(
      await verifyRegistration(r, options({ expectedTopOrigin: 'https://other.test' })),
      'ERR_TOP_ORIGIN_MISMATCH',
      '7.1 step 11',
    );
  });

  it('7.1 step 12: the hash is over the exact clientDataJSON bytes received', async () => {
    // Re-serialised with extra whitespace and re-attested: still valid, because we hash what we got.
    const json = `${fromUtf8(decodeBase64url(packed.response.response.clientDataJSON)).slice(0, -1)} }`;
    const authData = (attObj(packed.response).get('authData') as Uint8Array).slice();
    const ao = packed.va.reattest(
      decodeBase64url(packed.response.response.attestationObject),
      authData,
      utf8(json),
    );
    const spaced = withMember(
      withMember(packed.response, 'clientDataJSON', utf8(json)),
      'attestationObject',
      ao,
    );
    expect((await verifyRegistration(spaced, options())).verified).toBe(true);
    // The same change without re-signing breaks the attestation signature over clientDataHash.
    const unsigned = withMember(packed.response, 'clientDataJSON', utf8(json));
    expectRejected(await verifyRegistration(unsigned, options()), 'ERR_INVALID_SIGNATURE', '7.1 step 22');
  });

  it('7.1 step 13: the attestationObject must be strict CBOR {fmt, attStmt, authData}', async () => {
    const ao = decodeBase64url(none.response.response.attestationObject);
    const trailing = withMember(none.response, 'attestationObject', new Uint8Array([...ao, 0x00]));
    expectRejected(await verifyRegistration(trailing, options()), 'ERR_INVALID_CBOR', '7.1 step 13');
    const empty = withMember(none.response, 'attestationObject', new Uint8Array(0));
    expectRejected(
      await verifyRegistration(empty, options()),
      'ERR_ATTESTATION_OBJECT_INVALID',
      '7.1 step 13',
    );
    const map = attObj(none.response);
    const extra = new Map([...map, ['extra', 1]]) as Map<string, never>;
    const withExtra = withMember(none.response, 'attestationObject', encodeCbor(extra));
    expectRejected(
      await verifyRegistration(withExtra, options()),
      'ERR_ATTESTATION_OBJECT_INVALID',
      '7.1 step 13',
    );
    const authData = map.get('authData') as Uint8Array;
    const leftover = new Map([...map, ['authData', new Uint8Array([...authData, 0])]]) as Map<string, never>;
    const r = withMember(none.response, 'attestationObject', encodeCbor(leftover));
    expectRejected(await verifyRegistration(r, options()), 'ERR_AUTHENTICATOR_DATA_INVALID', '7.1 step 13');
    const noAt = mutate.setFlag(none.response, 'AT', false);
    expectRejected(
      await verifyRegistration(noAt, options()),
      'ERR_AUTHENTICATOR_DATA_INVALID',
      '7.1 step 13',
    );
  });

  it('7.1 step 13 (COSE-2): a credential public key whose point is not on P-256 is rejected', async () => {
    const map = attObj(none.response);
    const authData = (map.get('authData') as Uint8Array).slice();
    expect((await verifyRegistration(none.response, options())).verified).toBe(true);
    // The COSE key ends authenticatorData (no extensions) with its y coordinate: flipping a bit
    // of y moves the point off the curve. "none" attestation signs nothing, so only the key
    // validation can catch it.
    authData[authData.length - 1] = (authData[authData.length - 1] as number) ^ 1;
    const offCurve = new Map([...map, ['authData', authData]]) as Map<string, never>;
    const r = withMember(none.response, 'attestationObject', encodeCbor(offCurve));
    expectRejected(await verifyRegistration(r, options()), 'ERR_INVALID_PUBLIC_KEY', '7.1 step 13');
  });

  it('7.1 step 14: rpIdHash must be SHA-256 of an expected RP ID', async () => {
    const r = mutate.setRpIdHash(packed.response, 'evil.com', { resign: packed.va });
    expect((await verifyRegistration(r, options({ expectedRpId: ['evil.com'] }))).verified).toBe(true);
    expectRejected(await verifyRegistration(r, options()), 'ERR_RP_ID_HASH_MISMATCH', '7.1 step 14');
  });

  it('7.1 step 15: UP must be set unless requireUserPresence is false (conditional create)', async () => {
    const r = mutate.setFlag(packed.response, 'UP', false, { resign: packed.va });
    expectRejected(await verifyRegistration(r, options()), 'ERR_USER_PRESENCE_REQUIRED', '7.1 step 15');
    expect((await verifyRegistration(r, options({ requireUserPresence: false }))).verified).toBe(true);
  });

  it('7.1 step 16: UV must be set when user verification is required', async () => {
    const r = mutate.setFlag(packed.response, 'UV', false, { resign: packed.va });
    expect((await verifyRegistration(r, options())).verified).toBe(true);
    expectRejected(
      await verifyRegistration(r, options({ requireUserVerification: true })),
      'ERR_USER_VERIFICATION_REQUIRED',
      '7.1 step 16',
    );
  });

  it('7.1 step 17: BS must not be set without BE', async () => {
    const ok = mutate.setFlag(
      mutate.setFlag(packed.response, 'BE', true, { resign: packed.va }),
      'BS',
      true,
      { resign: packed.va },
    );
    expect(await verifyRegistration(ok, options())).toMatchObject({
      verified: true,
      backupEligible: true,
      backupState: true,
    });
    const bad = mutate.setFlag(packed.response, 'BS', true, { resign: packed.va });
    expectRejected(
      await verifyRegistration(bad, options()),
      'ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY',
      '7.1 step 17',
    );
  });

  it('7.1 step 20: the credential algorithm must be one the RP allowed', async () => {
    expect((await verifyRegistration(packed.response, options({ supportedAlgorithms: [-7] }))).verified).toBe(
      true,
    );
    expectRejected(
      await verifyRegistration(packed.response, options({ supportedAlgorithms: [-257, -8] })),
      'ERR_ALGORITHM_NOT_ALLOWED',
      '7.1 step 20',
    );
  });

  it('7.1 step 21: fmt must be a supported format, matched case-sensitively', async () => {
    for (const fmt of ['Packed', 'packed2', 'TPM', 'unknown']) {
      const r = mutate.setAttestation(packed.response, fmt);
      expectRejected(
        await verifyRegistration(r, options()),
        'ERR_UNSUPPORTED_ATTESTATION_FORMAT',
        '7.1 step 21',
      );
    }
  });

  it('7.1 step 22: the attestation statement must verify (none, packed, packed self, fido-u2f)', async () => {
    // none with a non-empty statement (ATT-2, conformance Resp-7 F-1).
    const stmt = attObj(packed.response).get('attStmt') as Map<string, never>;
    const noneWithStmt = mutate.setAttestation(packed.response, 'none', stmt);
    expectRejected(
      await verifyRegistration(noneWithStmt, options()),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22',
    );
    // packed signed by another key.
    const forged = mutate.resignWithOtherKey(packed.response);
    expectRejected(await verifyRegistration(forged, options()), 'ERR_INVALID_SIGNATURE', '7.1 step 22');
    // packed alg that does not fit the certificate key (SIG-4).
    const algSwap = mutate.swapAttestationAlgorithm(packed.response, -35);
    expectRejected(await verifyRegistration(algSwap, options()), 'ERR_ATTESTATION_INVALID', '7.1 step 22');
    // packed self: alg must equal the credential alg (ATT-6).
    const selfAlg = mutate.swapAttestationAlgorithm(self.response, -257);
    expectRejected(await verifyRegistration(selfAlg, options()), 'ERR_ATTESTATION_INVALID', '7.1 step 22');
    const selfForged = mutate.resignWithOtherKey(self.response);
    expectRejected(await verifyRegistration(selfForged, options()), 'ERR_INVALID_SIGNATURE', '7.1 step 22');
    // packed statement with an unexpected member.
    const extra = mutate.setAttestation(
      packed.response,
      'packed',
      new Map([...stmt, ['ecdaaKeyId', new Uint8Array(1)]]),
    );
    expectRejected(await verifyRegistration(extra, options()), 'ERR_ATTESTATION_INVALID', '7.1 step 22');
    // fido-u2f: exactly one certificate.
    const u2fStmt = attObj(u2f.response).get('attStmt') as Map<string, unknown>;
    const x5c = u2fStmt.get('x5c') as Uint8Array[];
    const twoCerts = mutate.setAttestation(
      u2f.response,
      'fido-u2f',
      new Map([...u2fStmt, ['x5c', [...x5c, ...x5c]]]) as Map<string, never>,
    );
    expectRejected(await verifyRegistration(twoCerts, options()), 'ERR_ATTESTATION_INVALID', '7.1 step 22');
    const u2fForged = mutate.resignWithOtherKey(u2f.response);
    expectRejected(await verifyRegistration(u2fForged, options()), 'ERR_INVALID_SIGNATURE', '7.1 step 22');
    // fido-u2f with a non-P-256 credential key.
    const es384 = register({ algorithms: ['ES384'] }, { algs: [-35] });
    const p384 = mutate.setAttestation(es384.response, 'fido-u2f', u2fStmt as Map<string, never>);
    expectRejected(await verifyRegistration(p384, options()), 'ERR_ATTESTATION_INVALID', '7.1 step 22');
  });

  it('7.1 step 24: requireTrustedAttestation accepts only chains to a configured anchor', async () => {
    const anchor = packed.va.ca.rootPem;
    const trusted = await verifyRegistration(
      packed.response,
      options({ trustAnchors: [anchor], requireTrustedAttestation: true }),
    );
    expect(trusted).toMatchObject({ verified: true, attestation: { trusted: true } });
    const u2fTrusted = await verifyRegistration(
      u2f.response,
      options({ trustAnchors: [anchor], requireTrustedAttestation: true }),
    );
    expect(u2fTrusted).toMatchObject({ verified: true, attestation: { trusted: true } });
    // verified ≠ trusted: with no anchor the same response verifies untrusted…
    expect(await verifyRegistration(packed.response, options())).toMatchObject({
      verified: true,
      attestation: { trusted: false },
    });
    // …and the policy turns that into a rejection, as it does for none and self (ATT-2).
    for (const reg of [packed, self, none]) {
      expectRejected(
        await verifyRegistration(
          reg.response,
          options({ requireTrustedAttestation: true, trustAnchors: reg === packed ? [] : [anchor] }),
        ),
        'ERR_ATTESTATION_NOT_TRUSTED',
        '7.1 step 24',
      );
    }
    // The clock matters: after the test CA expires the chain is no longer trusted.
    const later = await verifyRegistration(
      packed.response,
      options({ trustAnchors: [anchor], now: new Date('2051-01-01T00:00:00Z') }),
    );
    expect(later).toMatchObject({ verified: true, attestation: { trusted: false } });
  });

  it('7.1 step 25: the credential id is at most 1023 bytes and is the response id', async () => {
    const otherId = encodeBase64url(new Uint8Array(16).fill(9));
    const swapped = { ...none.response, id: otherId, rawId: otherId };
    expectRejected(await verifyRegistration(swapped, options()), 'ERR_CREDENTIAL_ID_MISMATCH', '7.1 step 25');
    // An authenticatorData whose credentialIdLength is 1024.
    const map = attObj(none.response);
    const authData = (map.get('authData') as Uint8Array).slice();
    const long = new Uint8Array(authData.length + 1024);
    long.set(authData.subarray(0, 53));
    long[53] = 0x04;
    long[54] = 0x00;
    long.set(authData.subarray(55), 55 + 1024);
    const r = withMember(
      none.response,
      'attestationObject',
      encodeCbor(new Map([...map, ['authData', long]]) as Map<string, never>),
    );
    expectRejected(await verifyRegistration(r, options()), 'ERR_CREDENTIAL_ID_TOO_LONG', '7.1 step 25');
  });

  it('misuse of options throws TypeError', async () => {
    await expect(verifyRegistration(packed.response, { ...options(), expectedOrigin: [] })).rejects.toThrow(
      TypeError,
    );
    await expect(
      verifyRegistration(packed.response, { ...options(), expectedChallenge: 'not base64url!' }),
    ).rejects.toThrow(TypeError);
    await expect(
      verifyRegistration(packed.response, { ...options(), expectedRpId: undefined as unknown as string }),
    ).rejects.toThrow(TypeError);
    await expect(
      verifyRegistration(
        packed.response,
        options({ expectedChallenge: (() => 'yes') as unknown as () => boolean }),
      ),
    ).rejects.toThrow(TypeError);
  });

  it('uses the CHALLENGE bytes helper consistently', () => {
    expect(encodeBase64url(CHALLENGE)).toBe(CHALLENGE_B64);
  });
});
