// Negative-test mutators for U2F JS API responses. Re-signing needs the token and the appId
// (the application parameter is not part of the response).
import { sha256 } from './authenticator-data.ts';
import { concat, fromBase64url, fromUtf8, toBase64url, uint32be, utf8 } from './bytes.ts';
import { readTlv } from './der.ts';
import { createSigningKey, KEY_SEED_LENGTH } from './keys.ts';
import { corruptSignatureBytes, type SignatureCorruption } from './mutators.ts';
import { derive, seedBytes } from './seed.ts';
import type { U2FRegisterResponse, U2FSignResponse, U2FToken } from './u2f.ts';

export interface U2FMutateOptions {
  /** Re-sign with this token's keys over `appId` so only the mutated check fails. */
  readonly resign?: { readonly token: U2FToken; readonly appId: string };
}

/** The parts of `registrationData` (FIDO U2F raw message §4.3). */
export interface U2FRegistrationParts {
  readonly reserved: number;
  readonly userPublicKey: Uint8Array;
  readonly keyHandle: Uint8Array;
  readonly attestationCertificate: Uint8Array;
  readonly signature: Uint8Array;
}

export function splitRegistrationData(data: Uint8Array): U2FRegistrationParts {
  const khLen = data[66] ?? 0;
  const certStart = 67 + khLen;
  const cert = readTlv(data, certStart);
  return {
    reserved: data[0] ?? 0,
    userPublicKey: data.slice(1, 66),
    keyHandle: data.slice(67, certStart),
    attestationCertificate: data.slice(certStart, cert.end),
    signature: data.slice(cert.end),
  };
}

function joinRegistrationData(p: U2FRegistrationParts): Uint8Array {
  return concat(
    Uint8Array.of(p.reserved),
    p.userPublicKey,
    Uint8Array.of(p.keyHandle.length),
    p.keyHandle,
    p.attestationCertificate,
    p.signature,
  );
}

function isRegister(r: U2FRegisterResponse | U2FSignResponse): r is U2FRegisterResponse {
  return 'registrationData' in r;
}

function resignRegister(
  p: U2FRegistrationParts,
  clientData: Uint8Array,
  options: U2FMutateOptions,
): U2FRegistrationParts {
  if (options.resign === undefined) return p;
  const signed = concat(
    Uint8Array.of(0x00),
    sha256(options.resign.appId),
    sha256(clientData),
    p.keyHandle,
    p.userPublicKey,
  );
  return { ...p, signature: options.resign.token.signWithAttestationKey(signed) };
}

function resignSign(
  r: U2FSignResponse,
  sigData: Uint8Array,
  clientData: Uint8Array,
  options: U2FMutateOptions,
): Uint8Array {
  if (options.resign === undefined) return sigData;
  const header = sigData.slice(0, 5);
  const sig = options.resign.token.signWith(
    r.keyHandle,
    concat(sha256(options.resign.appId), header, sha256(clientData)),
  );
  return concat(header, sig);
}

/** Patches client data members (`undefined` deletes one) — typ, challenge, origin, cid_pubkey. */
export function patchU2FClientData<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  patch: Readonly<Record<string, unknown>>,
  options: U2FMutateOptions = {},
): T {
  const members = JSON.parse(fromUtf8(fromBase64url(r.clientData))) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete members[k];
    else members[k] = v;
  }
  const clientData = utf8(JSON.stringify(members));
  if (isRegister(r)) {
    const parts = resignRegister(
      splitRegistrationData(fromBase64url(r.registrationData)),
      clientData,
      options,
    );
    return {
      ...r,
      clientData: toBase64url(clientData),
      registrationData: toBase64url(joinRegistrationData(parts)),
    };
  }
  const s = r as U2FSignResponse;
  const sigData = resignSign(s, fromBase64url(s.signatureData), clientData, options);
  return { ...s, clientData: toBase64url(clientData), signatureData: toBase64url(sigData) } as T;
}

/** Sets the user-presence byte of `signatureData` (0x00 = not present). */
export function setU2FUserPresence(
  r: U2FSignResponse,
  userPresence: number,
  options: U2FMutateOptions = {},
): U2FSignResponse {
  const data = fromBase64url(r.signatureData);
  data[0] = userPresence & 0xff;
  return { ...r, signatureData: toBase64url(resignSign(r, data, fromBase64url(r.clientData), options)) };
}

/** Sets the counter of `signatureData` (e.g. replay an old value). */
export function setU2FCounter(
  r: U2FSignResponse,
  counter: number,
  options: U2FMutateOptions = {},
): U2FSignResponse {
  const data = fromBase64url(r.signatureData);
  data.set(uint32be(counter), 1);
  return { ...r, signatureData: toBase64url(resignSign(r, data, fromBase64url(r.clientData), options)) };
}

/** Sets the reserved first byte of `registrationData` (must be 0x05). */
export function setU2FReservedByte(r: U2FRegisterResponse, value: number): U2FRegisterResponse {
  const data = fromBase64url(r.registrationData);
  data[0] = value & 0xff;
  return { ...r, registrationData: toBase64url(data) };
}

type U2FField = 'registrationData' | 'signatureData' | 'clientData';

function mapU2F<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  field: U2FField,
  fn: (b: Uint8Array) => Uint8Array,
): T {
  const value = (r as unknown as Record<string, unknown>)[field];
  if (typeof value !== 'string') throw new TypeError(`response has no ${field}`);
  return { ...r, [field]: toBase64url(fn(fromBase64url(value))) };
}

/** Removes the last `count` bytes of a field. */
export function truncateU2F<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  field: U2FField,
  count = 1,
): T {
  return mapU2F(r, field, (b) => b.slice(0, Math.max(0, b.length - count)));
}

/** Appends bytes to a field. */
export function appendU2F<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  field: U2FField,
  bytes: Uint8Array = Uint8Array.of(0),
): T {
  return mapU2F(r, field, (b) => concat(b, bytes));
}

/** Corrupts the signature (registration attestation signature or sign-response signature). */
export function corruptU2FSignature<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  how: SignatureCorruption = 'der-length',
): T {
  if (isRegister(r)) {
    const p = splitRegistrationData(fromBase64url(r.registrationData));
    return {
      ...r,
      registrationData: toBase64url(
        joinRegistrationData({ ...p, signature: corruptSignatureBytes(p.signature, how) }),
      ),
    };
  }
  return mapU2F(r, 'signatureData', (b) => concat(b.slice(0, 5), corruptSignatureBytes(b.slice(5), how)));
}

const OTHER = seedBytes('factorkit mutator: another U2F key');

/** Re-signs correctly-formed data with an unrelated P-256 key (needs the appId it was signed over). */
export function resignU2FWithOtherKey<T extends U2FRegisterResponse | U2FSignResponse>(
  r: T,
  appId: string,
): T {
  const key = createSigningKey('ES256', derive(OTHER, 'key', KEY_SEED_LENGTH));
  const clientData = fromBase64url(r.clientData);
  if (isRegister(r)) {
    const p = splitRegistrationData(fromBase64url(r.registrationData));
    const sig = key.sign(
      concat(Uint8Array.of(0), sha256(appId), sha256(clientData), p.keyHandle, p.userPublicKey),
    );
    return { ...r, registrationData: toBase64url(joinRegistrationData({ ...p, signature: sig })) };
  }
  const s = r as U2FSignResponse;
  const data = fromBase64url(s.signatureData);
  const header = data.slice(0, 5);
  const sig = key.sign(concat(sha256(appId), header, sha256(clientData)));
  return { ...s, signatureData: toBase64url(concat(header, sig)) } as T;
}
