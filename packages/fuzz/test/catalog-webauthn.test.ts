import { createTestCa, encodeCbor, mutate, VirtualAuthenticator } from '@factorkit/virtual-authenticator';
import {
  decodeBase64url,
  decodeCbor,
  encodeBase64url,
  parseAuthenticatorData,
  parseClientDataJSON,
  parseCoseKey,
  prepareCredentialKey,
  verifyRegistration,
  WebAuthnError,
} from '@factorkit/webauthn';
import { describe, expect, it } from 'vitest';
import {
  assertion,
  authenticates,
  CHALLENGE,
  clientDataOf,
  credentialKey,
  hex,
  ORIGIN,
  type Reg,
  RP_ID,
  reg,
  registers,
  utf8,
  withBytes,
  withClientDataText,
} from './catalog-helpers.ts';

// The security catalog, section by section: one test per row that applies to WebAuthn code,
// named by the row id, each an attack at a public entry point.

const rejectsCbor = (h: string) => {
  expect(() => decodeCbor(hex(h))).toThrow(WebAuthnError);
};
const attObj = (r: { response: { attestationObject: string } }) =>
  decodeCbor(decodeBase64url(r.response.attestationObject)) as Map<string, unknown>;
const authDataOf = (r: Reg) => attObj(r.response).get('authData') as Uint8Array;
/** A registration with authData replaced (attestation re-made by the authenticator). */
const withAuthData = (r: Reg, authData: Uint8Array, resign = true) => {
  if (resign) {
    const ao = r.va.reattest(
      decodeBase64url(r.response.response.attestationObject),
      authData,
      decodeBase64url(r.response.response.clientDataJSON),
    );
    return withBytes(r.response, 'attestationObject', ao);
  }
  const ao = attObj(r.response);
  ao.set('authData', authData);
  return withBytes(r.response, 'attestationObject', encodeCbor(ao as never));
};

const packed = reg();
const none = reg({}, { attestation: 'none' });
const self = reg({ selfAttestation: true });
const u2f = reg({ attestationFormat: 'fido-u2f' }, { uv: 'discouraged' });
const eddsa = reg({ algorithms: ['EdDSA'] }, { alg: -8 });

describe('A. CBOR decoding', () => {
  it('CBOR-1: huge declared lengths are refused without allocating them', () => {
    for (const h of ['9AFFFFFFFF', '9B0000000100000000', '5BFFFFFFFFFFFFFFFF010203']) rejectsCbor(h);
  });
  it('CBOR-2: nesting deeper than the limit is a typed rejection, never a RangeError', () => {
    rejectsCbor(`${'81'.repeat(100_000)}00`);
    rejectsCbor(`${'A1 00'.replace(' ', '').repeat(10_000)}00`);
  });
  it('CBOR-3: trailing bytes after the item (attestationObject, authData) are rejected', async () => {
    rejectsCbor('A0 00'.replace(' ', ''));
    const r = mutate.appendTrailingBytes(packed.response, 'attestationObject', Uint8Array.of(0));
    expect((await registers(r)).verified).toBe(false);
    const ad = Uint8Array.from([...authDataOf(packed), 0xa0]);
    expect((await registers(withAuthData(packed, ad))).verified).toBe(false);
  });
  it('CBOR-4: a non-minimal length inside the COSE key is rejected (lengths come from bytes consumed)', async () => {
    const ad = authDataOf(packed);
    const key = credentialKey(packed);
    // Re-encode the -2 (x) byte string header 0x58 0x20 as 0x59 0x00 0x20.
    const i = key.findIndex((b, j) => b === 0x58 && key[j + 1] === 0x20);
    const badKey = Uint8Array.from([...key.subarray(0, i), 0x59, 0x00, ...key.subarray(i + 1)]);
    const bad = Uint8Array.from([...ad.subarray(0, ad.length - key.length), ...badKey]);
    expect((await registers(withAuthData(packed, bad))).verified).toBe(false);
    const ok = await registers(packed.response);
    expect(ok.verified && Buffer.from(ok.publicKey).equals(Buffer.from(key))).toBe(true);
  });
  it('CBOR-5: duplicate map keys are rejected (map, attestationObject, COSE key)', async () => {
    rejectsCbor('A201020103');
    const ao = decodeBase64url(packed.response.response.attestationObject);
    // {fmt, fmt, ...}: a hand-made map of 4 with "fmt" twice.
    const dup = Uint8Array.from([0xa4, 0x63, ...utf8('fmt'), 0x64, ...utf8('none'), ...ao.subarray(1)]);
    expect((await registers(withBytes(packed.response, 'attestationObject', dup))).verified).toBe(false);
  });
  it('CBOR-6: "__proto__" keys never pollute prototypes', () => {
    let value: unknown;
    try {
      value = decodeCbor(hex('A1 69 5F5F70726F746F5F5F A1 67 697341646D696E F5'));
    } catch (e) {
      expect(e).toBeInstanceOf(WebAuthnError);
    }
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    if (value !== undefined) expect((value as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });
  it('CBOR-7: indefinite lengths and naked breaks are rejected', () => {
    for (const h of ['FF', '81FF', 'A16161FF', '7F6161FF', 'BF616101FF', '5F5F4100FFFF']) rejectsCbor(h);
  });
  it('CBOR-8: non-canonical integers and lengths are rejected', () => {
    for (const h of ['1805', '190020', '1A00000100', '5801 00'.replace(' ', '')]) rejectsCbor(h);
  });
  it('CBOR-9: tags and floats are rejected; simple values have no place in a COSE key', () => {
    for (const h of ['C000', 'D84040', 'F97C00', 'FB3FF0000000000000']) rejectsCbor(h);
    const key = decodeCbor(credentialKey(packed)) as Map<number, unknown>;
    const withNull = encodeCbor(new Map([...key, [-2, null]]) as never);
    expect(() => parseCoseKey(withNull)).toThrow(WebAuthnError);
  });
  it('CBOR-10: a truncated string is rejected, even inside a larger buffer', () => {
    rejectsCbor(`5864${'00'.repeat(10)}`);
    const big = new Uint8Array(200).fill(0x41);
    big.set(hex('5864'), 10);
    expect(() => decodeCbor(big.subarray(10, 30))).toThrow(WebAuthnError);
  });
  it('CBOR-11: a mis-encoded Ed25519 COSE key (Firefox 117 shape) is rejected and the input untouched', () => {
    const key = credentialKey(eddsa);
    const bad = Uint8Array.from(key);
    bad[0] = 0xa3; // map of 4 announced as 3
    const copy = Uint8Array.from(bad);
    expect(() => parseCoseKey(bad)).toThrow(WebAuthnError);
    expect(bad).toEqual(copy);
  });
  it('CBOR-12: 64-bit integers are exact or cleanly rejected', () => {
    for (const h of ['1B0020000000000001', '3BFFFFFFFFFFFFFFFF']) {
      try {
        const v = decodeCbor(hex(h));
        expect(typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(WebAuthnError);
      }
    }
  });
  it('CBOR-13: invalid UTF-8 in text strings is rejected', () => {
    for (const h of ['62C328', '63EDA080', '62C0AF']) rejectsCbor(h);
  });
});

describe('B. Authenticator data, COSE keys, signatures', () => {
  it('AD-1: AT without attested data, data without AT, ED without extensions, AT on an assertion', async () => {
    const ad = authDataOf(packed);
    expect(() =>
      parseAuthenticatorData(Uint8Array.from([...ad.subarray(0, 32), ad[32] as number, 0, 0, 0, 0])),
    ).toThrow(WebAuthnError);
    const noAt = Uint8Array.from(ad);
    noAt[32] = (noAt[32] as number) & ~0x40;
    expect(() => parseAuthenticatorData(noAt)).toThrow(WebAuthnError);
    const ed = Uint8Array.from(ad);
    ed[32] = (ed[32] as number) | 0x80;
    expect(() => parseAuthenticatorData(ed)).toThrow(WebAuthnError);
    const a = mutate.setFlag(assertion(packed), 'AT', true, { resign: packed.va });
    expect(authenticates(a, packed)).toMatchObject({
      verified: false,
      code: 'ERR_AUTHENTICATOR_DATA_INVALID',
    });
  });
  it('AD-2: credentialIdLength over 1023 or beyond the data is rejected', () => {
    const ad = authDataOf(packed);
    for (const len of [1024, 0xffff, ad.length]) {
      const bad = Uint8Array.from(ad);
      bad[53] = len >> 8;
      bad[54] = len & 0xff;
      expect(() => parseAuthenticatorData(bad)).toThrow(WebAuthnError);
    }
  });
  it('AD-3: BS without BE is rejected; BE changing between registration and assertion is rejected', async () => {
    const r = mutate.setFlag(packed.response, 'BS', true, { resign: packed.va });
    expect(await registers(r)).toMatchObject({
      verified: false,
      code: 'ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY',
    });
    const a = mutate.setFlag(assertion(packed), 'BE', true, { resign: packed.va });
    expect(authenticates(a, packed, { backupEligible: false })).toMatchObject({
      verified: false,
      code: 'ERR_BACKUP_ELIGIBILITY_CHANGED',
    });
  });
  it('AD-4: RFU bits give a deterministic verdict (the same on every call)', () => {
    const a = assertion(packed);
    const ad = decodeBase64url(a.response.authenticatorData);
    ad[32] = (ad[32] as number) | 0x02 | 0x20;
    const resigned = {
      ...a,
      response: {
        ...a.response,
        authenticatorData: encodeBase64url(ad),
        signature: encodeBase64url(
          packed.va.signAssertion(a.id, ad, decodeBase64url(a.response.clientDataJSON)),
        ),
      },
    };
    const verdicts = [1, 2, 3].map(() => authenticates(resigned, packed).verified);
    expect(new Set(verdicts).size).toBe(1);
  });
  it('COSE-1: curve, kty and alg must agree; a key without alg is rejected', () => {
    const key = decodeCbor(credentialKey(packed)) as Map<number, unknown>;
    for (const [label, value] of [
      [-1, 2], // ES256 on P-384
      [3, -257], // RS256 on an EC2 key
      [3, -8], // EdDSA on an EC2 key
    ] as const) {
      expect(() => parseCoseKey(encodeCbor(new Map([...key, [label, value]]) as never))).toThrow(
        WebAuthnError,
      );
    }
    const noAlg = new Map(key);
    noAlg.delete(3);
    expect(() => parseCoseKey(encodeCbor(noAlg as never))).toThrow(WebAuthnError);
    const ed = decodeCbor(credentialKey(eddsa)) as Map<number, unknown>;
    expect(() => parseCoseKey(encodeCbor(new Map([...ed, [-1, 4]]) as never))).toThrow(WebAuthnError); // X25519
  });
  it('COSE-2: points off the curve, wrong lengths and compressed points are rejected', () => {
    const key = decodeCbor(credentialKey(packed)) as Map<number, unknown>;
    const y = Uint8Array.from(key.get(-3) as Uint8Array);
    y[31] = (y[31] as number) ^ 1;
    for (const bad of [
      new Map([...key, [-3, y]]),
      new Map([...key, [-2, new Uint8Array(31)]]),
      new Map([...key, [-2, new Uint8Array(33)]]),
      new Map([...key, [-3, true]]),
    ]) {
      expect(() => prepareCredentialKey(encodeCbor(bad as never))).toThrow(WebAuthnError);
    }
  });
  it('COSE-3: RSA moduli under 2048 bits and exponents 1, 3 or even are refused', () => {
    const rsa = decodeCbor(credentialKey(reg({ algorithms: ['RS256'] }, { alg: -257 }))) as Map<
      number,
      unknown
    >;
    const n = rsa.get(-1) as Uint8Array;
    for (const bad of [
      new Map([...rsa, [-1, n.subarray(0, 128)]]),
      new Map([...rsa, [-2, Uint8Array.of(3)]]),
      new Map([...rsa, [-2, Uint8Array.of(1)]]),
      new Map([...rsa, [-2, Uint8Array.of(1, 0, 0)]]),
    ]) {
      expect(() => prepareCredentialKey(encodeCbor(bad as never))).toThrow(WebAuthnError);
    }
  });
  it('SIG-1: BER forms, trailing bytes, extra integers and non-minimal integers in DER signatures fail', () => {
    for (const how of [
      'der-length',
      'trailing-byte',
      'extra-integer',
      'non-minimal',
      'der-integer',
    ] as const) {
      expect(authenticates(mutate.corruptSignature(assertion(packed), how), packed).verified).toBe(false);
    }
  });
  it('SIG-2: r = s = 0 ("psychic signature") fails', () => {
    const a = assertion(packed);
    const zero = withBytes(a, 'signature', hex('3006020100020100'));
    expect(authenticates(zero, packed).verified).toBe(false);
    expect(authenticates(mutate.corruptSignature(assertion(packed), 'zero'), packed).verified).toBe(false);
  });
  it('SIG-3: a raw 64-byte r‖s signature is rejected', () => {
    expect(authenticates(mutate.corruptSignature(assertion(packed), 'raw'), packed).verified).toBe(false);
  });
  it('SIG-4: attStmt.alg must fit the attestation key; unknown or non-integer alg is rejected', async () => {
    expect((await registers(mutate.swapAttestationAlgorithm(packed.response, -35))).verified).toBe(false);
    expect((await registers(mutate.swapAttestationAlgorithm(packed.response, -999))).verified).toBe(false);
    const stmt = new Map(attObj(packed.response).get('attStmt') as Map<string, unknown>);
    stmt.set('alg', '-7');
    expect((await registers(mutate.setAttestation(packed.response, 'packed', stmt as never))).verified).toBe(
      false,
    );
  });
  it('SIG-5: an Ed25519 signature with S + L or the wrong length fails', () => {
    const a = assertion(eddsa);
    const sig = decodeBase64url(a.response.signature);
    const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    const s = sig.subarray(32);
    const sum = new Uint8Array(32);
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const v = (s[i] as number) + (L[i] as number) + carry;
      sum[i] = v & 0xff;
      carry = v >> 8;
    }
    expect(
      authenticates(withBytes(a, 'signature', Uint8Array.from([...sig.subarray(0, 32), ...sum])), eddsa)
        .verified,
    ).toBe(false);
    expect(authenticates(withBytes(a, 'signature', sig.subarray(0, 63)), eddsa).verified).toBe(false);
    expect(authenticates(withBytes(a, 'signature', Uint8Array.from([...sig, 0])), eddsa).verified).toBe(
      false,
    );
    expect(authenticates(a, eddsa).verified).toBe(true);
  });
  it('SIG-6: valid signatures with short (leading-zero) components verify', () => {
    let shortSeen = 0;
    for (let i = 0; i < 600 && shortSeen < 2; i++) {
      const a = assertion(packed);
      const sig = decodeBase64url(a.response.signature);
      if ((sig[3] as number) < 32 || (sig[5 + (sig[3] as number)] as number) < 32) {
        shortSeen++;
        expect(authenticates(a, packed, { signCount: 0 }).verified).toBe(true);
      }
    }
    expect(shortSeen).toBeGreaterThan(0);
  });
});

describe('C. Attestation formats and trust', () => {
  const anchor = packed.va.ca.rootPem;
  it('ATT-1: a self-signed certificate appended to x5c never ends the chain', async () => {
    const attacker = reg({ seed: 'catalog attacker', ca: createTestCa({ seed: 'attacker CA' }) });
    const stmt = new Map(attObj(attacker.response).get('attStmt') as Map<string, unknown>);
    const attackerRoot = attacker.va.ca.root.certificate;
    stmt.set('x5c', [...(stmt.get('x5c') as Uint8Array[]), attackerRoot]);
    const r = await registers(mutate.setAttestation(attacker.response, 'packed', stmt as never), {
      trustAnchors: [anchor],
    });
    expect(r).toMatchObject({ verified: true, attestation: { trusted: false } });
  });
  it('ATT-2: none and self attestation fail when a trusted attestation is required', async () => {
    for (const r of [none, self]) {
      expect(
        await registers(r.response, { trustAnchors: [anchor], requireTrustedAttestation: true }),
      ).toMatchObject({
        verified: false,
        code: 'ERR_ATTESTATION_NOT_TRUSTED',
      });
    }
  });
  it('ATT-3: an AAGUID nobody attested is reported as such (none, self, fido-u2f)', async () => {
    for (const r of [none, self, u2f])
      expect(await registers(r.response)).toMatchObject({ verified: true, aaguidAttested: false });
    expect(await registers(packed.response, { trustAnchors: [anchor] })).toMatchObject({
      aaguidAttested: true,
      attestation: { trusted: true },
    });
  });
  it('ATT-4: no system trust store: without configured anchors nothing is trusted', async () => {
    expect(await registers(packed.response)).toMatchObject({
      verified: true,
      attestation: { trusted: false },
    });
  });
  it('ATT-5: certificates outside their validity, or a reordered chain, are not trusted', async () => {
    expect(
      await registers(packed.response, { trustAnchors: [anchor], now: new Date('2099-01-01T00:00:00Z') }),
    ).toMatchObject({ attestation: { trusted: false } });
    expect(
      await registers(packed.response, { trustAnchors: [anchor], now: new Date('2000-01-01T00:00:00Z') }),
    ).toMatchObject({ attestation: { trusted: false } });
  });
  it('ATT-6: packed self with an alg other than the credential’s, or signed by another key, fails', async () => {
    expect((await registers(mutate.swapAttestationAlgorithm(self.response, -257))).verified).toBe(false);
    expect((await registers(mutate.resignWithOtherKey(self.response))).verified).toBe(false);
    expect((await registers(mutate.resignWithOtherKey(packed.response))).verified).toBe(false);
  });
  it('ATT-7 / ATT-8 / ATT-9: a forged tpm, android-key or android-safetynet statement never verifies', async () => {
    for (const fmt of ['tpm', 'android-key', 'android-safetynet']) {
      const stmt = new Map<string, unknown>([
        ['alg', -7],
        ['sig', new Uint8Array(70)],
        ['ver', '2.0'],
      ]);
      expect((await registers(mutate.setAttestation(packed.response, fmt, stmt as never))).verified).toBe(
        false,
      );
    }
  });
  it('ATT-10: fido-u2f refuses a non-zero AAGUID and UV/BE/BS; apple is refused unless implemented', async () => {
    const ad = Uint8Array.from(authDataOf(u2f));
    ad[37] = 0xee;
    expect(await registers(withAuthData(u2f, ad, false))).toMatchObject({
      code: 'ERR_FIDO_U2F_AAGUID_NOT_ZERO',
    });
    const uv = Uint8Array.from(authDataOf(u2f));
    uv[32] = (uv[32] as number) | 0x04;
    expect(await registers(withAuthData(u2f, uv, false))).toMatchObject({
      code: 'ERR_FIDO_U2F_FLAGS_INVALID',
    });
    const apple = mutate.setAttestation(packed.response, 'apple', new Map([['x5c', []]]) as never);
    expect((await registers(apple)).verified).toBe(false);
  });
  it('ATT-11: an expired trust anchor fails closed (not trusted)', async () => {
    expect(
      await registers(packed.response, {
        trustAnchors: [anchor],
        requireTrustedAttestation: true,
        now: new Date('2200-01-01T00:00:00Z'),
      }),
    ).toMatchObject({ verified: false, code: 'ERR_ATTESTATION_NOT_TRUSTED' });
  });
  it('ATT-12: unknown, differently-cased or over-long fmt is rejected', async () => {
    const stmt = attObj(packed.response).get('attStmt') as Map<string, never>;
    for (const fmt of ['foo', 'Packed', 'x'.repeat(33)]) {
      expect((await registers(mutate.setAttestation(packed.response, fmt, stmt))).verified).toBe(false);
    }
  });
  it('ASN-1: an RSA key with e = 3 (Bleichenbacher forgery class) is refused', () => {
    const rsa = decodeCbor(credentialKey(reg({ algorithms: ['RS256'] }, { alg: -257 }))) as Map<
      number,
      unknown
    >;
    expect(() =>
      prepareCredentialKey(encodeCbor(new Map([...rsa, [-2, Uint8Array.of(3)]]) as never)),
    ).toThrow(WebAuthnError);
  });
  it('ASN-2: deeply nested DER in x5c is a typed rejection', async () => {
    const deep = hex(`${'3082ffff'.repeat(1)}${'3080'.repeat(5000)}`);
    const stmt = new Map(attObj(packed.response).get('attStmt') as Map<string, unknown>);
    stmt.set('x5c', [deep]);
    const r = await registers(mutate.setAttestation(packed.response, 'packed', stmt as never));
    expect(r).toMatchObject({ verified: false });
  });
  it('ASN-3 / ASN-6: malformed extensions and CA=true attestation certificates are rejected', async () => {
    // An attestation certificate carrying basicConstraints CA=true (§8.2.1) — made with the CA's root as leaf.
    const stmt = new Map(attObj(packed.response).get('attStmt') as Map<string, unknown>);
    stmt.set('x5c', [packed.va.ca.root.certificate]);
    expect((await registers(mutate.setAttestation(packed.response, 'packed', stmt as never))).verified).toBe(
      false,
    );
  });
  it('ASN-4: a certificate signature with appended bytes does not chain', async () => {
    const stmt = new Map(attObj(packed.response).get('attStmt') as Map<string, unknown>);
    const leaf = (stmt.get('x5c') as Uint8Array[])[0] as Uint8Array;
    stmt.set('x5c', [Uint8Array.from([...leaf, 0])]);
    const r = await registers(mutate.setAttestation(packed.response, 'packed', stmt as never), {
      trustAnchors: [anchor],
    });
    expect(r.verified === false || r.attestation.trusted === false).toBe(true);
  });
  it('ASN-5: the broken-unused-bits repair applies to the listed certificates only', async () => {
    const stmt = new Map(attObj(u2f.response).get('attStmt') as Map<string, unknown>);
    const leaf = Uint8Array.from((stmt.get('x5c') as Uint8Array[])[0] as Uint8Array);
    // The signature BIT STRING's unused-bits octet: the byte after the last 03 xx header.
    const at = leaf.lastIndexOf(0x03, leaf.length - 60);
    leaf[at + 2] = 7;
    stmt.set('x5c', [leaf]);
    expect((await registers(mutate.setAttestation(u2f.response, 'fido-u2f', stmt as never))).verified).toBe(
      false,
    );
  });
});

describe('D. clientDataJSON, origins, RP IDs', () => {
  const text = (r: { response: { clientDataJSON: string } }) =>
    new TextDecoder().decode(decodeBase64url(r.response.clientDataJSON));
  it('CD-1: members of the wrong JSON type are rejected', () => {
    for (const bad of [
      '{"type":1}',
      '{"type":"webauthn.get","challenge":[],"origin":"x"}',
      '[]',
      'null',
      '"x"',
    ]) {
      expect(() => parseClientDataJSON(utf8(bad))).toThrow(WebAuthnError);
    }
  });
  it('CD-2: a duplicate "type" (or challenge/origin) member is rejected', async () => {
    const a = assertion(packed);
    const dup = text(a).replace('{', '{"type":"webauthn.create",');
    const r = mutate.replaceClientDataJSON(a, utf8(dup), { resign: packed.va });
    expect(authenticates(r, packed).verified).toBe(false);
  });
  it('CD-3: a BOM is stripped as UTF-8 decode does; invalid UTF-8 is rejected', () => {
    const a = assertion(packed);
    const bom = mutate.replaceClientDataJSON(a, Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(text(a))]), {
      resign: packed.va,
    });
    expect(authenticates(bom, packed).verified).toBe(true);
    const bad = mutate.replaceClientDataJSON(
      a,
      Uint8Array.from([...utf8(text(a)).subarray(0, 10), 0xc3, 0x28]),
      {
        resign: packed.va,
      },
    );
    expect(authenticates(bad, packed).verified).toBe(false);
  });
  it('CD-4: type swaps (create ↔ get, payment.get) are rejected', async () => {
    expect(
      authenticates(mutate.setType(assertion(packed), 'webauthn.create', { resign: packed.va }), packed),
    ).toMatchObject({
      code: 'ERR_TYPE_MISMATCH',
    });
    expect(
      authenticates(mutate.setType(assertion(packed), 'payment.get', { resign: packed.va }), packed).verified,
    ).toBe(false);
    expect(
      await registers(mutate.setType(packed.response, 'webauthn.get', { resign: packed.va })),
    ).toMatchObject({
      code: 'ERR_TYPE_MISMATCH',
    });
  });
  it('CD-5: crossOrigin true is refused unless allowed; topOrigin must be an allowed one', () => {
    const cross = mutate.patchClientData(assertion(packed), { crossOrigin: true }, { resign: packed.va });
    expect(authenticates(cross, packed)).toMatchObject({ code: 'ERR_CROSS_ORIGIN_NOT_ALLOWED' });
    const top = mutate.patchClientData(
      assertion(packed),
      { crossOrigin: true, topOrigin: 'https://evil.example' },
      { resign: packed.va },
    );
    expect(authenticates(top, packed, { expectedTopOrigin: 'https://shop.example' }).verified).toBe(false);
  });
  it('B64-1: padding, the standard alphabet and non-zero trailing bits are rejected', () => {
    const a = assertion(packed);
    for (const member of ['clientDataJSON', 'authenticatorData', 'signature'] as const) {
      const v = a.response[member];
      for (const bad of [
        `${v}=`,
        v.replace(/-/g, '+').replace(/_/g, '/') + (v.includes('-') || v.includes('_') ? '' : '+'),
      ]) {
        expect(authenticates({ ...a, response: { ...a.response, [member]: bad } }, packed).verified).toBe(
          false,
        );
      }
    }
    expect(authenticates({ ...a, id: `${a.id}=`, rawId: `${a.id}=` }, packed).verified).toBe(false);
  });
  it('ORG-1: a look-alike origin (no dot boundary) is rejected', () => {
    for (const origin of [
      'https://evil-example.com',
      'https://example.com.evil.com',
      'https://notexample.com',
    ]) {
      expect(
        authenticates(mutate.setOrigin(assertion(packed), origin, { resign: packed.va }), packed),
      ).toMatchObject({
        code: 'ERR_ORIGIN_MISMATCH',
      });
    }
  });
  it('ORG-2: origins are compared exactly (port, case, scheme, trailing slash)', () => {
    for (const origin of [
      'https://example.com:443',
      'https://EXAMPLE.com',
      'http://example.com',
      'https://example.com/',
      'null',
    ]) {
      expect(
        authenticates(mutate.setOrigin(assertion(packed), origin, { resign: packed.va }), packed).verified,
      ).toBe(false);
    }
  });
  it('RPID-1: an rpIdHash of another RP ID is rejected', async () => {
    expect(
      authenticates(mutate.setRpIdHash(assertion(packed), 'evil.com', { resign: packed.va }), packed),
    ).toMatchObject({
      code: 'ERR_RP_ID_HASH_MISMATCH',
    });
    expect(
      await registers(mutate.setRpIdHash(packed.response, 'example.org', { resign: packed.va })),
    ).toMatchObject({
      code: 'ERR_RP_ID_HASH_MISMATCH',
    });
  });
  it('OWN-2: a registration whose id is not the attested credential id is rejected', async () => {
    const other = encodeBase64url(new Uint8Array(32).fill(1));
    expect(await registers({ ...packed.response, id: other, rawId: other })).toMatchObject({
      verified: false,
    });
  });
  it('CNT-1: a counter that did not increase is a possible clone and fails', () => {
    const a = mutate.setSignCount(assertion(packed), 5, { resign: packed.va });
    expect(authenticates(a, packed, { signCount: 5 })).toMatchObject({ code: 'ERR_COUNTER_ROLLBACK' });
    expect(
      authenticates(mutate.setSignCount(assertion(packed), 4, { resign: packed.va }), packed, {
        signCount: 5,
      }).verified,
    ).toBe(false);
  });
  it('POL-1: required user verification is enforced (registration and assertion)', async () => {
    const r = mutate.setFlag(packed.response, 'UV', false, { resign: packed.va });
    expect(await registers(r, { requireUserVerification: true })).toMatchObject({
      code: 'ERR_USER_VERIFICATION_REQUIRED',
    });
    const a = mutate.setFlag(assertion(packed), 'UV', false, { resign: packed.va });
    expect(authenticates(a, packed, { requireUserVerification: true })).toMatchObject({
      code: 'ERR_USER_VERIFICATION_REQUIRED',
    });
  });
  it('POL-2: user presence is enforced', async () => {
    expect(
      await registers(mutate.setFlag(packed.response, 'UP', false, { resign: packed.va })),
    ).toMatchObject({
      code: 'ERR_USER_PRESENCE_REQUIRED',
    });
    expect(
      authenticates(mutate.setFlag(assertion(packed), 'UP', false, { resign: packed.va }), packed),
    ).toMatchObject({
      code: 'ERR_USER_PRESENCE_REQUIRED',
    });
  });
  it('POL-3: an algorithm the RP did not offer is refused', async () => {
    expect(await registers(packed.response, { supportedAlgorithms: [-257] })).toMatchObject({
      code: 'ERR_ALGORITHM_NOT_ALLOWED',
    });
    expect(authenticates(assertion(packed), packed, { supportedAlgorithms: [-8] })).toMatchObject({
      code: 'ERR_ALGORITHM_NOT_ALLOWED',
    });
  });
  it('HASH-1: bytes after the JSON (a NUL, more JSON) are not ignored', () => {
    const a = assertion(packed);
    for (const tail of ['\u0000', '{}', ' x']) {
      const r = mutate.replaceClientDataJSON(a, utf8(text(a) + tail), { resign: packed.va });
      expect(authenticates(r, packed).verified).toBe(false);
    }
  });
  it('RT-1: results are copies: reusing the input buffer later changes nothing', async () => {
    const r = await registers(packed.response);
    if (!r.verified) throw new Error('registration should verify');
    const before = encodeBase64url(r.publicKey);
    const input = decodeBase64url(packed.response.response.attestationObject);
    input.fill(0);
    expect(encodeBase64url(r.publicKey)).toBe(before);
  });
  it('RT-2: hostile responses get a result, never an exception', async () => {
    for (const response of [
      null,
      1,
      'x',
      [],
      {},
      { type: 'public-key' },
      { ...packed.response, response: null },
    ]) {
      await expect(
        verifyRegistration(response, {
          expectedChallenge: CHALLENGE,
          expectedOrigin: ORIGIN,
          expectedRpId: RP_ID,
        }),
      ).resolves.toMatchObject({
        verified: false,
      });
      expect(authenticates(response, packed).verified).toBe(false);
    }
  });
  it('DOS-2: deep JSON in clientDataJSON is a typed rejection', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseClientDataJSON(utf8(deep))).toThrow(WebAuthnError);
    expect(
      authenticates(
        withClientDataText(assertion(packed), `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`),
        packed,
      ).verified,
    ).toBe(false);
  });
  it('DOS-3: RSA keys above 4096 bits are refused before any verification', () => {
    const rsa = decodeCbor(credentialKey(reg({ algorithms: ['RS256'] }, { alg: -257 }))) as Map<
      number,
      unknown
    >;
    const big = new Uint8Array(1025).fill(0xff);
    expect(() => prepareCredentialKey(encodeCbor(new Map([...rsa, [-1, big]]) as never))).toThrow(
      WebAuthnError,
    );
  });
});

describe('virtual authenticator sanity for the suite', () => {
  it('the unmodified responses verify', async () => {
    for (const r of [packed, none, self, u2f, eddsa])
      expect((await registers(r.response)).verified).toBe(true);
    expect(authenticates(assertion(packed), packed).verified).toBe(true);
    expect(new VirtualAuthenticator({ seed: 'x' })).toBeDefined();
    expect(clientDataOf(packed.response)['origin']).toBe(ORIGIN);
  });
});
