// Mutators for negative tests. Each takes a response and returns a changed copy. With
// `resign`, signatures are recomputed over the changed bytes, so exactly one verification
// step fails (the one the mutation targets); without it, the signature check fails too.
import {
  decodeAuthenticatorData,
  encodeAuthenticatorData,
  FLAGS,
  type FlagName,
  sha256,
} from './authenticator-data.ts';
import { concat, fromBase64url, fromUtf8, toBase64url, utf8 } from './bytes.ts';
import { type CborValue, decodeCborMap, encodeCbor } from './cbor.ts';
import { readTlv } from './der.ts';
import { algorithmName, type CoseAlgorithmName, createSigningKey, KEY_SEED_LENGTH } from './keys.ts';
import { derive, seedBytes } from './seed.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './webauthn-types.ts';

/** Something that can re-sign WebAuthn responses: a {@link VirtualAuthenticator} is one. */
export interface WebAuthnResigner {
  signAssertion(credentialId: string, authenticatorData: Uint8Array, clientDataJSON: Uint8Array): Uint8Array;
  reattest(
    attestationObject: Uint8Array,
    authenticatorData: Uint8Array,
    clientDataJSON: Uint8Array,
  ): Uint8Array;
}

export interface MutateOptions {
  /** Recompute signatures after the change (pass the authenticator that made the response). */
  readonly resign?: WebAuthnResigner;
}

type WebAuthnResponse = RegistrationResponseJSON | AuthenticationResponseJSON;

function isRegistration(r: WebAuthnResponse): r is RegistrationResponseJSON {
  return 'attestationObject' in r.response;
}

interface Parts {
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
}

function getParts(r: WebAuthnResponse): Parts {
  const clientDataJSON = fromBase64url(r.response.clientDataJSON);
  if (isRegistration(r)) {
    const ao = decodeCborMap(fromBase64url(r.response.attestationObject));
    const authData = ao.get('authData');
    if (!(authData instanceof Uint8Array)) throw new TypeError('attestationObject has no authData');
    return { authenticatorData: authData, clientDataJSON };
  }
  return { authenticatorData: fromBase64url(r.response.authenticatorData), clientDataJSON };
}

function withParts<T extends WebAuthnResponse>(r: T, parts: Parts, options: MutateOptions): T {
  if (isRegistration(r)) {
    const original = fromBase64url(r.response.attestationObject);
    let attestationObject: Uint8Array;
    if (options.resign !== undefined) {
      attestationObject = options.resign.reattest(original, parts.authenticatorData, parts.clientDataJSON);
    } else {
      const map = decodeCborMap(original);
      map.set('authData', parts.authenticatorData);
      attestationObject = encodeCbor(map);
    }
    return {
      ...r,
      response: {
        ...r.response,
        clientDataJSON: toBase64url(parts.clientDataJSON),
        authenticatorData: toBase64url(parts.authenticatorData),
        attestationObject: toBase64url(attestationObject),
      },
    };
  }
  const a = r as AuthenticationResponseJSON;
  const signature =
    options.resign === undefined
      ? a.response.signature
      : toBase64url(options.resign.signAssertion(a.id, parts.authenticatorData, parts.clientDataJSON));
  return {
    ...a,
    response: {
      ...a.response,
      clientDataJSON: toBase64url(parts.clientDataJSON),
      authenticatorData: toBase64url(parts.authenticatorData),
      signature,
    },
  } as T;
}

function patchAuthData<T extends WebAuthnResponse>(
  r: T,
  options: MutateOptions,
  fn: (parts: ReturnType<typeof decodeAuthenticatorData>) => ReturnType<typeof decodeAuthenticatorData>,
): T {
  const parts = getParts(r);
  const decoded = decodeAuthenticatorData(parts.authenticatorData);
  return withParts(r, { ...parts, authenticatorData: encodeAuthenticatorData(fn(decoded)) }, options);
}

/** Sets or clears one flag bit (UP, UV, BE, BS, AT, ED) in authenticator data. */
export function setFlag<T extends WebAuthnResponse>(
  r: T,
  flag: FlagName,
  value: boolean,
  options: MutateOptions = {},
): T {
  return patchAuthData(r, options, (p) => ({
    ...p,
    flags: value ? p.flags | FLAGS[flag] : p.flags & ~FLAGS[flag],
  }));
}

/** Inverts one flag bit. */
export function flipFlag<T extends WebAuthnResponse>(r: T, flag: FlagName, options: MutateOptions = {}): T {
  return patchAuthData(r, options, (p) => ({ ...p, flags: p.flags ^ FLAGS[flag] }));
}

/** Replaces rpIdHash with SHA-256(rpId) (string) or the given 32 bytes. */
export function setRpIdHash<T extends WebAuthnResponse>(
  r: T,
  rpIdOrHash: string | Uint8Array,
  options: MutateOptions = {},
): T {
  const rpIdHash = typeof rpIdOrHash === 'string' ? sha256(rpIdOrHash) : rpIdOrHash;
  return patchAuthData(r, options, (p) => ({ ...p, rpIdHash }));
}

/** Sets signCount (e.g. replay an old counter value). */
export function setSignCount<T extends WebAuthnResponse>(
  r: T,
  signCount: number,
  options: MutateOptions = {},
): T {
  return patchAuthData(r, options, (p) => ({ ...p, signCount }));
}

/**
 * Patches clientDataJSON members (a value of `undefined` deletes the member); re-serialised
 * in the original member order with new members appended.
 */
export function patchClientData<T extends WebAuthnResponse>(
  r: T,
  patch: Readonly<Record<string, unknown>>,
  options: MutateOptions = {},
): T {
  const parts = getParts(r);
  const members = JSON.parse(fromUtf8(parts.clientDataJSON)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete members[k];
    else members[k] = v;
  }
  return withParts(r, { ...parts, clientDataJSON: utf8(JSON.stringify(members)) }, options);
}

/** Replaces clientDataJSON with exact bytes (e.g. a BOM, duplicate keys, invalid UTF-8). */
export function replaceClientDataJSON<T extends WebAuthnResponse>(
  r: T,
  clientDataJSON: Uint8Array,
  options: MutateOptions = {},
): T {
  const parts = getParts(r);
  return withParts(r, { ...parts, clientDataJSON }, options);
}

/** Replaces clientDataJSON.origin. */
export const setOrigin = <T extends WebAuthnResponse>(r: T, origin: string, options: MutateOptions = {}): T =>
  patchClientData(r, { origin }, options);
/** Replaces clientDataJSON.challenge (base64url string, or bytes to encode). */
export const setChallenge = <T extends WebAuthnResponse>(
  r: T,
  challenge: string | Uint8Array,
  options: MutateOptions = {},
): T =>
  patchClientData(
    r,
    { challenge: typeof challenge === 'string' ? challenge : toBase64url(challenge) },
    options,
  );
/** Replaces clientDataJSON.type (e.g. `webauthn.get` in a registration). */
export const setType = <T extends WebAuthnResponse>(r: T, type: string, options: MutateOptions = {}): T =>
  patchClientData(r, { type }, options);

/** Binary fields a mutator can truncate or extend. */
export type WebAuthnField = 'clientDataJSON' | 'authenticatorData' | 'signature' | 'attestationObject';

function mapField<T extends WebAuthnResponse>(
  r: T,
  field: WebAuthnField,
  fn: (b: Uint8Array) => Uint8Array,
  options: MutateOptions,
): T {
  if (field === 'authenticatorData') {
    const parts = getParts(r);
    return withParts(r, { ...parts, authenticatorData: fn(parts.authenticatorData) }, options);
  }
  if (field === 'clientDataJSON') {
    const parts = getParts(r);
    return withParts(r, { ...parts, clientDataJSON: fn(parts.clientDataJSON) }, options);
  }
  const current = (r.response as Record<string, unknown>)[field];
  if (typeof current !== 'string') throw new TypeError(`response has no ${field}`);
  return { ...r, response: { ...r.response, [field]: toBase64url(fn(fromBase64url(current))) } };
}

/** Removes the last `count` bytes of a field (default 1). */
export function truncate<T extends WebAuthnResponse>(
  r: T,
  field: WebAuthnField,
  count = 1,
  options: MutateOptions = {},
): T {
  return mapField(r, field, (b) => b.slice(0, Math.max(0, b.length - count)), options);
}

/** Appends bytes after a field's content (default one 0x00 byte). */
export function appendTrailingBytes<T extends WebAuthnResponse>(
  r: T,
  field: WebAuthnField,
  bytes: Uint8Array = Uint8Array.of(0),
  options: MutateOptions = {},
): T {
  return mapField(r, field, (b) => concat(b, bytes), options);
}

function mapStatement(
  r: RegistrationResponseJSON,
  fn: (stmt: Map<string, CborValue>, ao: Map<string | number, CborValue>) => void,
): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(r.response.attestationObject));
  const stmt = ao.get('attStmt');
  if (!(stmt instanceof Map)) throw new TypeError('attestationObject has no attStmt');
  const copy = new Map(stmt as Map<string, CborValue>);
  fn(copy, ao);
  ao.set('attStmt', copy);
  return { ...r, response: { ...r.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

/** Rewrites `attStmt.alg` (signature unchanged, so alg and signature disagree). */
export function swapAttestationAlgorithm(
  r: RegistrationResponseJSON,
  coseAlg: number,
): RegistrationResponseJSON {
  return mapStatement(r, (stmt) => stmt.set('alg', coseAlg));
}

/** Rewrites the credential public key's `alg` (COSE label 3) in authenticator data. */
export function swapCredentialAlgorithm(
  r: RegistrationResponseJSON,
  coseAlg: number,
  options: MutateOptions = {},
): RegistrationResponseJSON {
  return patchAuthData(r, options, (p) => {
    const acd = p.attestedCredentialData;
    if (acd === undefined) throw new TypeError('no attested credential data');
    const key = decodeCborMap(acd.credentialPublicKey);
    key.set(3, coseAlg);
    return { ...p, attestedCredentialData: { ...acd, credentialPublicKey: encodeCbor(key) } };
  });
}

/** Replaces `attStmt.fmt`/members wholesale (e.g. fmt "packed" with an empty statement). */
export function setAttestation(
  r: RegistrationResponseJSON,
  fmt: string,
  attStmt?: ReadonlyMap<string, CborValue>,
): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(r.response.attestationObject));
  ao.set('fmt', fmt);
  if (attStmt !== undefined) ao.set('attStmt', new Map(attStmt));
  return { ...r, response: { ...r.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

const OTHER_KEY_SEED = seedBytes('factorkit mutator: another key');

/**
 * Re-signs with a different key of the same algorithm: the assertion signature, or the
 * attestation signature (`attStmt.sig`) of a registration, over the correct data.
 */
export function resignWithOtherKey<T extends WebAuthnResponse>(r: T, alg?: CoseAlgorithmName): T {
  const parts = getParts(r);
  if (!isRegistration(r)) {
    const a = r as AuthenticationResponseJSON;
    const key = createSigningKey(
      alg ?? 'ES256',
      derive(OTHER_KEY_SEED, `assertion/${alg ?? 'ES256'}`, KEY_SEED_LENGTH),
      { reservedRsaKey: true },
    );
    const sig = key.sign(concat(parts.authenticatorData, sha256(parts.clientDataJSON)));
    return { ...a, response: { ...a.response, signature: toBase64url(sig) } } as T;
  }
  return mapStatement(r, (stmt, ao) => {
    const fmt = ao.get('fmt');
    const stmtAlg = stmt.get('alg');
    const name = alg ?? (typeof stmtAlg === 'number' ? algorithmName(stmtAlg) : undefined) ?? 'ES256';
    const key = createSigningKey(name, derive(OTHER_KEY_SEED, `attestation/${name}`, KEY_SEED_LENGTH), {
      reservedRsaKey: true,
    });
    let signed = concat(parts.authenticatorData, sha256(parts.clientDataJSON));
    const certInfo = stmt.get('certInfo');
    if (fmt === 'tpm' && certInfo instanceof Uint8Array) signed = certInfo;
    if (fmt === 'fido-u2f') {
      const d = decodeAuthenticatorData(parts.authenticatorData);
      const acd = d.attestedCredentialData;
      if (acd === undefined) throw new TypeError('no attested credential data');
      const cose = decodeCborMap(acd.credentialPublicKey);
      signed = concat(
        Uint8Array.of(0),
        d.rpIdHash,
        sha256(parts.clientDataJSON),
        acd.credentialId,
        Uint8Array.of(4),
        cose.get(-2) as Uint8Array,
        cose.get(-3) as Uint8Array,
      );
    }
    stmt.set('sig', key.sign(signed));
  }) as T;
}

/** How to corrupt a signature: break DER framing, or flip one bit of the value. */
export type SignatureCorruption =
  | 'der-length'
  | 'der-integer'
  | 'flip-bit'
  | 'zero'
  | 'trailing-byte'
  | 'extra-integer'
  | 'non-minimal'
  | 'raw';

/** Corrupts the signature bytes (assertion `signature`, or `attStmt.sig` of a registration). */
export function corruptSignature<T extends WebAuthnResponse>(
  r: T,
  how: SignatureCorruption = 'der-length',
): T {
  const corrupt = (sig: Uint8Array): Uint8Array => corruptSignatureBytes(sig, how);
  if (isRegistration(r)) {
    return mapStatement(r, (stmt) => {
      const sig = stmt.get('sig');
      if (!(sig instanceof Uint8Array)) throw new TypeError('attStmt has no sig');
      stmt.set('sig', corrupt(sig));
    }) as T;
  }
  const a = r as AuthenticationResponseJSON;
  return {
    ...a,
    response: { ...a.response, signature: toBase64url(corrupt(fromBase64url(a.response.signature))) },
  } as T;
}

/** Byte-level signature corruption (shared with the U2F mutators). */
export function corruptSignatureBytes(sig: Uint8Array, how: SignatureCorruption): Uint8Array {
  const der = parseEcdsaDer(sig);
  if (how === 'flip-bit' || der === undefined) {
    const out = new Uint8Array(sig);
    const i = Math.floor(out.length / 2);
    out[i] = (out[i] ?? 0) ^ 0x01;
    return out;
  }
  const { r, s } = der;
  const int = (v: Uint8Array): Uint8Array => concat(Uint8Array.of(0x02, v.length), v);
  switch (how) {
    case 'der-length': {
      // SEQUENCE length one larger than the content: a strict DER parser must refuse it.
      const body = concat(int(r), int(s));
      return concat(derSeqHeader(body.length + 1), body);
    }
    case 'der-integer': {
      // r's INTEGER tag turned into an OCTET STRING tag.
      const body = concat(Uint8Array.of(0x04, r.length), r, int(s));
      return concat(derSeqHeader(body.length), body);
    }
    case 'zero':
      // r = s = 0 ("psychic signature", CVE-2022-21449).
      return Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00);
    case 'trailing-byte':
      return concat(sig, Uint8Array.of(0x00));
    case 'extra-integer': {
      const body = concat(int(r), int(s), Uint8Array.of(0x02, 0x01, 0x00));
      return concat(derSeqHeader(body.length), body);
    }
    case 'non-minimal': {
      // r with a superfluous leading zero byte (BER, not DER).
      const body = concat(int(concat(Uint8Array.of(0), r)), int(s));
      return concat(derSeqHeader(body.length), body);
    }
    case 'raw': {
      // IEEE P1363 r || s instead of DER.
      const size =
        Math.max(stripZeros(r).length, stripZeros(s).length) > 48
          ? 66
          : Math.max(stripZeros(r).length, stripZeros(s).length) > 32
            ? 48
            : 32;
      return concat(leftPad(stripZeros(r), size), leftPad(stripZeros(s), size));
    }
    default:
      throw new TypeError(`unknown corruption: ${String(how)}`);
  }
}

function derSeqHeader(length: number): Uint8Array {
  return length < 0x80 ? Uint8Array.of(0x30, length) : Uint8Array.of(0x30, 0x81, length);
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.slice(i);
}

function leftPad(b: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(b.slice(Math.max(0, b.length - size)), Math.max(0, size - b.length));
  return out;
}

/** Splits a DER Ecdsa-Sig-Value; `undefined` when `sig` is not one (EdDSA, RSA). */
function parseEcdsaDer(sig: Uint8Array): { r: Uint8Array; s: Uint8Array } | undefined {
  try {
    const outer = readTlv(sig, 0);
    if (outer.tag !== 0x30 || outer.end !== sig.length) return undefined;
    const r = readTlv(sig, outer.start);
    const s = readTlv(sig, r.end);
    if (r.tag !== 0x02 || s.tag !== 0x02 || s.end !== outer.end) return undefined;
    return { r: sig.slice(r.start, r.end), s: sig.slice(s.start, s.end) };
  } catch {
    return undefined;
  }
}
