// An independent checker built only on node:crypto (plus the CBOR decoder), used to prove
// that what the authenticators emit is genuinely valid. It is deliberately NOT factorkit's
// verifier: it exists so the generator cannot emit a wrong positive.
import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { type CborValue, decodeCbor, decodeCborMap, encodeCbor } from '../src/cbor.ts';

export const b64u = (s: string): Buffer => Buffer.from(s, 'base64url');
export const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

const EC_CURVES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521' };
// Strict UTF-8 (fatal); a leading BOM is stripped, as WebAuthn's "UTF-8 decode" does.
const utf8Json = (b: Uint8Array): Record<string, unknown> =>
  JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b)) as Record<string, unknown>;
const CRV_FOR_ALG: Record<number, number> = { [-7]: 1, [-35]: 2, [-36]: 3, [-8]: 6 };

const HASH: Record<number, string | null> = {
  [-7]: 'sha256',
  [-35]: 'sha384',
  [-36]: 'sha512',
  [-8]: null,
  [-257]: 'sha256',
  [-37]: 'sha256',
};

/** COSE_Key → node KeyObject via JWK. */
export function coseToKey(cose: Uint8Array): { key: KeyObject; alg: number } {
  const m = decodeCborMap(cose);
  const kty = m.get(1);
  const alg = m.get(3) as number;
  const crv = m.get(-1);
  if ((kty === 2 || kty === 1) && CRV_FOR_ALG[alg] !== crv) throw new Error('COSE alg/crv mismatch');
  if (kty === 3 && alg !== -257 && alg !== -37) throw new Error('COSE RSA alg');
  const enc = (v: unknown): string => Buffer.from(v as Uint8Array).toString('base64url');
  if (kty === 2) {
    return {
      alg,
      key: createPublicKey({
        format: 'jwk',
        key: { kty: 'EC', crv: EC_CURVES[m.get(-1) as number] ?? '?', x: enc(m.get(-2)), y: enc(m.get(-3)) },
      }),
    };
  }
  if (kty === 1)
    return {
      alg,
      key: createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: enc(m.get(-2)) } }),
    };
  if (kty === 3)
    return {
      alg,
      key: createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: enc(m.get(-1)), e: enc(m.get(-2)) } }),
    };
  throw new Error(`unknown kty ${String(kty)}`);
}

const KEY_FOR_ALG: Record<number, [string, string | undefined]> = {
  [-7]: ['ec', 'prime256v1'],
  [-35]: ['ec', 'secp384r1'],
  [-36]: ['ec', 'secp521r1'],
  [-8]: ['ed25519', undefined],
  [-257]: ['rsa', undefined],
  [-37]: ['rsa', undefined],
};

export function verifySig(alg: number, key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  const hash = HASH[alg];
  if (hash === undefined) throw new Error(`alg ${alg}`);
  // The key must be of the type alg names (node would otherwise pick the algorithm from the key).
  const [type, curve] = KEY_FOR_ALG[alg] ?? [];
  if (key.asymmetricKeyType !== type)
    throw new Error(`alg ${alg} does not match a ${String(key.asymmetricKeyType)} key`);
  if (curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== curve)
    throw new Error(`alg ${alg} curve mismatch`);
  if (alg === -37)
    return verify(hash, data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, sig);
  return verify(hash, data, key, sig);
}

export interface ParsedAuthData {
  rpIdHash: Buffer;
  flags: number;
  signCount: number;
  aaguid?: Buffer;
  credentialId?: Buffer;
  credentialPublicKey?: Buffer;
  rest: number;
}

export function parseAuthData(a: Uint8Array): ParsedAuthData {
  const b = Buffer.from(a);
  const out: ParsedAuthData = {
    rpIdHash: b.subarray(0, 32),
    flags: b[32] ?? 0,
    signCount: b.readUInt32BE(33),
    rest: 0,
  };
  let o = 37;
  if (out.flags & 0x40) {
    out.aaguid = b.subarray(37, 53);
    const len = b.readUInt16BE(53);
    if (len > 1023) throw new Error('credentialIdLength > 1023');
    out.credentialId = b.subarray(55, 55 + len);
    const end = decodeCbor(b, 55 + len).end;
    out.credentialPublicKey = b.subarray(55 + len, end);
    o = end;
  }
  if (out.flags & 0x80) o = decodeCbor(b, o).end;
  out.rest = b.length - o;
  return out;
}

/** Checks the full attestation of a registration; returns the trust path (leaf first) if any. */
export function checkRegistration(
  response: { id?: string; rawId?: string; response: { clientDataJSON: string; attestationObject: string } },
  expected: { challenge: string; origin: string; rpId: string; trustAnchor?: string },
  options: { requireAaguidExtension?: boolean } = {},
): { fmt: string; credentialPublicKey: Buffer; credentialId: Buffer; authData: ParsedAuthData } {
  const cdj = b64u(response.response.clientDataJSON);
  const cd = utf8Json(cdj);
  if (cd['type'] !== 'webauthn.create') throw new Error('type');
  if (cd['challenge'] !== expected.challenge) throw new Error('challenge');
  if (cd['origin'] !== expected.origin) throw new Error('origin');
  const ao = decodeCborMap(b64u(response.response.attestationObject));
  const fmt = ao.get('fmt') as string;
  const stmt = ao.get('attStmt') as Map<string, unknown>;
  const authDataBytes = ao.get('authData') as Uint8Array;
  const ad = parseAuthData(authDataBytes);
  if (!ad.rpIdHash.equals(sha256(expected.rpId))) throw new Error('rpIdHash');
  if (!(ad.flags & 0x01)) throw new Error('UP');
  if (ad.rest !== 0) throw new Error('trailing authData');
  if (ad.credentialPublicKey === undefined || ad.credentialId === undefined) throw new Error('AT');
  // The response id must be the attested credential id (go-webauthn #763).
  if (response.id !== undefined && !b64u(response.id).equals(ad.credentialId))
    throw new Error('credential id');
  if (response.rawId !== undefined && response.rawId !== response.id) throw new Error('rawId');
  const cred = coseToKey(ad.credentialPublicKey);
  const signed = Buffer.concat([authDataBytes, sha256(cdj)]);
  if (fmt === 'compound') {
    // §8.9: every statement checked on its own, over the same authData and clientDataJSON.
    const subs = ao.get('attStmt') as unknown;
    if (!Array.isArray(subs) || subs.length < 2) throw new Error('compound needs 2+ statements');
    for (const sub of subs as Map<string, CborValue>[]) {
      if (sub.get('fmt') === 'compound') throw new Error('nested compound');
      const one = encodeCbor(
        new Map<string, CborValue>([
          ['fmt', sub.get('fmt') as string],
          ['attStmt', sub.get('attStmt') as CborValue],
          ['authData', authDataBytes],
        ]),
      );
      checkRegistration(
        {
          ...response,
          response: { ...response.response, attestationObject: Buffer.from(one).toString('base64url') },
        },
        expected,
        options,
      );
    }
    return { fmt, credentialPublicKey: ad.credentialPublicKey, credentialId: ad.credentialId, authData: ad };
  }
  if (fmt === 'android-safetynet') {
    // §8.5: JWS RS256 by an attest.android.com leaf, nonce = base64(SHA-256(authData || hash)).
    const [h, p, s] = Buffer.from(stmt.get('response') as Uint8Array)
      .toString('utf8')
      .split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg: string; x5c: string[] };
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { nonce: string };
    if (header.alg !== 'RS256') throw new Error('safetynet alg');
    const chain = header.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
    for (let i = 0; i + 1 < chain.length; i++) {
      const c = chain[i] as X509Certificate;
      if (
        !c.checkIssued(chain[i + 1] as X509Certificate) ||
        !c.verify((chain[i + 1] as X509Certificate).publicKey)
      )
        throw new Error('safetynet chain');
    }
    const leaf = chain[0] as X509Certificate;
    if (!(leaf.subjectAltName ?? '').split(', ').includes('DNS:attest.android.com'))
      throw new Error('safetynet host');
    if (!verify('sha256', Buffer.from(`${h}.${p}`), leaf.publicKey, Buffer.from(s, 'base64url')))
      throw new Error('safetynet sig');
    if (payload.nonce !== createHash('sha256').update(signed).digest('base64'))
      throw new Error('safetynet nonce');
    return { fmt, credentialPublicKey: ad.credentialPublicKey, credentialId: ad.credentialId, authData: ad };
  }
  const x5c = (stmt.get('x5c') as Uint8Array[] | undefined)?.map((c) => new X509Certificate(c));
  const checkChain = (): void => {
    if (x5c === undefined || x5c.length === 0) throw new Error('x5c');
    for (let i = 0; i + 1 < x5c.length; i++) {
      const cert = x5c[i] as X509Certificate;
      const issuer = x5c[i + 1] as X509Certificate;
      if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) throw new Error('chain');
    }
    if (expected.trustAnchor !== undefined) {
      const root = new X509Certificate(expected.trustAnchor);
      const top = x5c[x5c.length - 1] as X509Certificate;
      if (!top.checkIssued(root) || !top.verify(root.publicKey)) throw new Error('anchor');
    }
  };
  switch (fmt) {
    case 'none':
      if (stmt.size !== 0) throw new Error('none attStmt not empty');
      break;
    case 'packed': {
      const alg = stmt.get('alg') as number;
      const sig = stmt.get('sig') as Uint8Array;
      if (x5c === undefined) {
        if (alg !== cred.alg) throw new Error('self alg');
        if (!verifySig(alg, cred.key, signed, sig)) throw new Error('self sig');
      } else {
        checkChain();
        const leaf = x5c[0] as X509Certificate;
        if (!verifySig(alg, leaf.publicKey, signed, sig)) throw new Error('packed sig');
        // §8.2.1 leaf requirements.
        if (!/OU=Authenticator Attestation/.test(leaf.subject)) throw new Error('OU');
        if (leaf.ca) throw new Error('leaf is CA');
        const aaguidExt = findExtension(leaf.raw, '060b2b0601040182e51c010104');
        // §8.2.1: optional (required when a root serves several models); when present it must match.
        if (aaguidExt === undefined && options.requireAaguidExtension === false) break;
        if (
          aaguidExt === undefined ||
          !aaguidExt.equals(
            Buffer.concat([Buffer.from([0x04, 0x12, 0x04, 0x10]), ad.aaguid ?? Buffer.alloc(0)]),
          )
        ) {
          throw new Error('aaguid extension');
        }
      }
      break;
    }
    case 'fido-u2f': {
      checkChain();
      const leaf = x5c?.[0] as X509Certificate;
      const cose = decodeCborMap(ad.credentialPublicKey);
      const data = Buffer.concat([
        Buffer.of(0),
        ad.rpIdHash,
        sha256(cdj),
        ad.credentialId,
        Buffer.of(4),
        cose.get(-2) as Uint8Array,
        cose.get(-3) as Uint8Array,
      ]);
      if (!verify('sha256', data, leaf.publicKey, stmt.get('sig') as Uint8Array)) throw new Error('u2f sig');
      break;
    }
    case 'tpm':
      checkChain();
      checkTpm(stmt, cred, ad.credentialPublicKey, signed, x5c?.[0] as X509Certificate);
      break;
    case 'android-key': {
      checkChain();
      const leaf = x5c?.[0] as X509Certificate;
      if (!sameKey(leaf.publicKey, cred.key)) throw new Error('android leaf key != credential key');
      if (!verifySig(stmt.get('alg') as number, cred.key, signed, stmt.get('sig') as Uint8Array))
        throw new Error('android sig');
      // attestationChallenge (OCTET STRING of clientDataHash) inside the KeyDescription extension.
      const ext = findExtension(leaf.raw, '060a2b06010401d679020111');
      if (ext === undefined || !ext.includes(Buffer.concat([Buffer.of(0x04, 0x20), sha256(cdj)])))
        throw new Error('android challenge');
      if (ext.includes(Buffer.from('bf8458', 'hex'))) throw new Error('allApplications present');
      break;
    }
    case 'apple': {
      checkChain();
      const leaf = x5c?.[0] as X509Certificate;
      if (!sameKey(leaf.publicKey, cred.key)) throw new Error('apple leaf key != credential key');
      const nonce = createHash('sha256').update(signed).digest();
      const ext = findExtension(leaf.raw, '06092a864886f763640802');
      if (ext === undefined || !ext.subarray(-32).equals(nonce)) throw new Error('apple nonce');
      break;
    }
    default:
      throw new Error(`fmt ${fmt} not checked here`);
  }
  return { fmt, credentialPublicKey: ad.credentialPublicKey, credentialId: ad.credentialId, authData: ad };
}

/** Returns the bytes following an extension's OID (critical flag + OCTET STRING), found by raw search. */
export function findExtension(der: Buffer, oidTlvHex: string): Buffer | undefined {
  const i = der.indexOf(Buffer.from(oidTlvHex, 'hex'));
  if (i < 0) return undefined;
  const start = i + oidTlvHex.length / 2;
  const len = der[start + 1] ?? 0;
  return der.subarray(start, start + 2 + len);
}

export function checkAssertion(
  response: {
    id: string;
    rawId?: string;
    response: { clientDataJSON: string; authenticatorData: string; signature: string };
  },
  expected: { challenge: string; origin: string; rpId: string; publicKey: Uint8Array },
): ParsedAuthData {
  const cdj = b64u(response.response.clientDataJSON);
  const cd = utf8Json(cdj);
  if (cd['type'] !== 'webauthn.get') throw new Error('type');
  if (cd['challenge'] !== expected.challenge) throw new Error('challenge');
  if (cd['origin'] !== expected.origin) throw new Error('origin');
  if (response.rawId !== undefined && response.rawId !== response.id) throw new Error('rawId');
  const ad = b64u(response.response.authenticatorData);
  const parsed = parseAuthData(ad);
  if (parsed.flags & 0x40) throw new Error('AT on assertion');
  if (!parsed.rpIdHash.equals(sha256(expected.rpId))) throw new Error('rpIdHash');
  if (!(parsed.flags & 0x01)) throw new Error('UP');
  const { key, alg } = coseToKey(expected.publicKey);
  if (!verifySig(alg, key, Buffer.concat([ad, sha256(cdj)]), b64u(response.response.signature)))
    throw new Error('signature');
  return parsed;
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** §8.3.1 tpm verification with node:crypto and hand-parsed TPM structures. */
function checkTpm(
  stmt: Map<string, unknown>,
  cred: { key: KeyObject; alg: number },
  cose: Buffer,
  signed: Buffer,
  aik: X509Certificate,
): void {
  if (stmt.get('ver') !== '2.0') throw new Error('tpm ver');
  const pubArea = Buffer.from(stmt.get('pubArea') as Uint8Array);
  const certInfo = Buffer.from(stmt.get('certInfo') as Uint8Array);
  const m = decodeCborMap(cose);
  const type = pubArea.readUInt16BE(0);
  let o = 8;
  o += 2 + pubArea.readUInt16BE(o); // authPolicy
  if (type === 0x0001) {
    o += 10; // symmetric, scheme, keyBits, exponent
    const n = pubArea.subarray(o + 2, o + 2 + pubArea.readUInt16BE(o));
    if (!n.equals(Buffer.from(m.get(-1) as Uint8Array))) throw new Error('tpm n');
  } else if (type === 0x0023) {
    o += 8;
    const xLen = pubArea.readUInt16BE(o);
    const x = pubArea.subarray(o + 2, o + 2 + xLen);
    const y = pubArea.subarray(o + 4 + xLen, o + 4 + xLen + pubArea.readUInt16BE(o + 2 + xLen));
    if (!x.equals(Buffer.from(m.get(-2) as Uint8Array)) || !y.equals(Buffer.from(m.get(-3) as Uint8Array)))
      throw new Error('tpm xy');
  } else throw new Error('tpm type');
  if (certInfo.readUInt32BE(0) !== 0xff544347 || certInfo.readUInt16BE(4) !== 0x8017)
    throw new Error('tpm magic/type');
  let c = 6;
  c += 2 + certInfo.readUInt16BE(c); // qualifiedSigner
  const extraData = certInfo.subarray(c + 2, c + 2 + certInfo.readUInt16BE(c));
  c += 2 + extraData.length + 17 + 8;
  const name = certInfo.subarray(c + 2, c + 2 + certInfo.readUInt16BE(c));
  const alg = stmt.get('alg') as number;
  const hash = alg === -35 ? 'sha384' : alg === -36 ? 'sha512' : 'sha256';
  if (!extraData.equals(createHash(hash).update(signed).digest())) throw new Error('tpm extraData');
  if (!name.equals(Buffer.concat([Buffer.of(0, 0x0b), createHash('sha256').update(pubArea).digest()])))
    throw new Error('tpm name');
  if (!verifySig(alg, aik.publicKey, certInfo, stmt.get('sig') as Uint8Array)) throw new Error('tpm sig');
  if ((aik.subject ?? '') !== '') throw new Error('tpm subject not empty');
  if (!(aik.keyUsage ?? []).includes('2.23.133.8.3')) throw new Error('tpm eku');
  if (aik.ca) throw new Error('tpm aik is CA');
  void cred;
}
