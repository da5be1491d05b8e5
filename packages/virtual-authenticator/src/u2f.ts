// A software FIDO U2F token: raw register/authenticate messages (FIDO U2F Raw Message
// Formats v1.2 §4, §5), ISO 7816-4 APDU framing, and the U2F JavaScript API responses
// (`registrationData`, `clientData`, `signatureData`, websafe base64).
import { u2fAttestationCertificate } from './attestation.ts';
import { sha256 } from './authenticator-data.ts';
import { concat, toBase64url, uint32be, utf8 } from './bytes.ts';
import { VirtualAuthenticatorError } from './errors.ts';
import { createSigningKey, KEY_SEED_LENGTH, type SigningKey } from './keys.ts';
import { derive, type Seed, seedBytes } from './seed.ts';
import type { ImportedCredential } from './webauthn.ts';
import { defaultTestCa, type TestCertificateAuthority } from './x509.ts';

/** U2F status words (ISO 7816-4). */
export const U2F_STATUS = {
  NO_ERROR: 0x9000,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  WRONG_LENGTH: 0x6700,
  CLA_NOT_SUPPORTED: 0x6e00,
  INS_NOT_SUPPORTED: 0x6d00,
} as const;

/** Authenticate control byte (P1). */
export type U2FControl = 0x03 | 0x07 | 0x08;

export interface U2FTokenOptions {
  /** Seed for key handles and keys (default random). */
  readonly seed?: Seed;
  /** Global signature counter start value (default 0; the first signature reports 1). */
  readonly counter?: number;
  /** CA issuing the attestation certificate (default: the package's test CA). */
  readonly ca?: TestCertificateAuthority;
  /** Key handle length in bytes (default 64, like most tokens; max 255). */
  readonly keyHandleLength?: number;
}

/** The U2F JS API `RegisterResponse`. */
export interface U2FRegisterResponse {
  readonly registrationData: string;
  readonly clientData: string;
  readonly version: 'U2F_V2';
}

/** The U2F JS API `SignResponse`. */
export interface U2FSignResponse {
  readonly keyHandle: string;
  readonly clientData: string;
  readonly signatureData: string;
}

export interface U2FClientOptions {
  /** AppID (FIDO AppID & Facets): its SHA-256 is the application parameter. */
  readonly appId: string;
  /** Server challenge string, placed verbatim in clientData (websafe base64 or an opaque nonce). */
  readonly challenge: string;
  /** FacetID of the caller (default: the appId's origin). */
  readonly origin?: string;
  /** `cid_pubkey` member: omitted by default; `"unused"` or a JWK object as Chrome sent them. */
  readonly cidPubkey?: string | Readonly<Record<string, string>>;
  /** Override `typ` (for negative tests). */
  readonly typ?: string;
}

export interface U2FSignOptions extends U2FClientOptions {
  /** Key handle, websafe base64. */
  readonly keyHandle: string;
  /** Authenticate control byte (default 0x03 enforce-user-presence-and-sign). */
  readonly control?: 0x03 | 0x08;
}

interface U2FKey {
  readonly keyHandle: Uint8Array;
  readonly applicationParameter: Uint8Array;
  readonly key: SigningKey;
  readonly appId: string | undefined;
}

/** A deterministic software U2F token with one global counter (as YubiKeys have). */
export class U2FToken {
  readonly ca: TestCertificateAuthority;
  readonly #seed: Uint8Array;
  readonly #keys: U2FKey[] = [];
  readonly #keyHandleLength: number;
  #counter: number;

  constructor(options: U2FTokenOptions = {}) {
    this.#seed = seedBytes(options.seed);
    this.ca = options.ca ?? defaultTestCa();
    this.#counter = options.counter ?? 0;
    this.#keyHandleLength = options.keyHandleLength ?? 64;
    if (!Number.isInteger(this.#counter) || this.#counter < 0 || this.#counter > 0xffffffff) {
      throw new RangeError('counter must be a uint32');
    }
    if (
      !Number.isInteger(this.#keyHandleLength) ||
      this.#keyHandleLength < 1 ||
      this.#keyHandleLength > 255
    ) {
      throw new RangeError('keyHandleLength must be 1..255');
    }
  }

  /** The current global counter (the value of the last signature). */
  get counter(): number {
    return this.#counter;
  }

  /** The attestation certificate (DER) placed in every registration. */
  get attestationCertificate(): Uint8Array {
    return u2fAttestationCertificate(this.ca).certificate;
  }

  /** U2F_REGISTER (§4.3): returns the response data (without status word). */
  registerRaw(challengeParameter: Uint8Array, applicationParameter: Uint8Array, appId?: string): Uint8Array {
    if (challengeParameter.length !== 32 || applicationParameter.length !== 32) {
      throw new RangeError('challengeParameter and applicationParameter must be 32 bytes');
    }
    const index = this.#keys.length;
    const keyHandle = derive(this.#seed, `u2f/key-handle/${index}`, this.#keyHandleLength);
    const key = createSigningKey('ES256', derive(this.#seed, `u2f/key/${index}`, KEY_SEED_LENGTH));
    const userPublicKey = key.publicPoint ?? new Uint8Array(65);
    this.#keys.push({ keyHandle, applicationParameter: new Uint8Array(applicationParameter), key, appId });
    const attestation = u2fAttestationCertificate(this.ca);
    // Signed: 0x00 || applicationParameter || challengeParameter || keyHandle || userPublicKey
    const signature = attestation.key.sign(
      concat(Uint8Array.of(0x00), applicationParameter, challengeParameter, keyHandle, userPublicKey),
    );
    return concat(
      Uint8Array.of(0x05),
      userPublicKey,
      Uint8Array.of(keyHandle.length),
      keyHandle,
      attestation.certificate,
      signature,
    );
  }

  /**
   * U2F_AUTHENTICATE (§5): returns `userPresence || counter || signature`. Check-only (0x07)
   * throws with the status word a token answers (0x6985 known, 0x6a80 unknown) — it never signs.
   */
  authenticateRaw(
    control: U2FControl,
    challengeParameter: Uint8Array,
    applicationParameter: Uint8Array,
    keyHandle: Uint8Array,
  ): Uint8Array {
    const entry = this.#keys.find(
      (k) => equal(k.keyHandle, keyHandle) && equal(k.applicationParameter, applicationParameter),
    );
    if (entry === undefined) {
      throw new U2FStatusError(U2F_STATUS.WRONG_DATA, 'key handle not issued by this token for this appId');
    }
    if (control === 0x07)
      throw new U2FStatusError(U2F_STATUS.CONDITIONS_NOT_SATISFIED, 'key handle known (check-only)');
    if (this.#counter >= 0xffffffff)
      throw new VirtualAuthenticatorError('ERR_COUNTER_EXHAUSTED', 'counter exhausted');
    this.#counter += 1;
    const userPresence = Uint8Array.of(control === 0x08 ? 0x00 : 0x01);
    const counter = uint32be(this.#counter);
    // Signed: applicationParameter || userPresence || counter || challengeParameter
    const signature = entry.key.sign(concat(applicationParameter, userPresence, counter, challengeParameter));
    return concat(userPresence, counter, signature);
  }

  /** Processes one extended-length APDU and returns `data || SW1 SW2` (§3 framing). */
  apdu(command: Uint8Array): Uint8Array {
    const sw = (code: number, data: Uint8Array = new Uint8Array(0)): Uint8Array =>
      concat(data, Uint8Array.of(code >> 8, code & 0xff));
    if (command.length < 4) return sw(U2F_STATUS.WRONG_LENGTH);
    if (command[0] !== 0x00) return sw(U2F_STATUS.CLA_NOT_SUPPORTED);
    const ins = command[1];
    const p1 = command[2] ?? 0;
    let data = new Uint8Array(0);
    if (command.length > 4) {
      if (command[4] !== 0x00 || command.length < 7) return sw(U2F_STATUS.WRONG_LENGTH);
      const lc = ((command[5] ?? 0) << 8) | (command[6] ?? 0);
      if (command.length < 7 + lc) return sw(U2F_STATUS.WRONG_LENGTH);
      data = command.slice(7, 7 + lc);
      const rest = command.length - 7 - lc;
      if (rest !== 0 && rest !== 2) return sw(U2F_STATUS.WRONG_LENGTH);
    }
    try {
      switch (ins) {
        case 0x03:
          return sw(U2F_STATUS.NO_ERROR, utf8('U2F_V2'));
        case 0x01:
          if (data.length !== 64) return sw(U2F_STATUS.WRONG_LENGTH);
          return sw(U2F_STATUS.NO_ERROR, this.registerRaw(data.slice(0, 32), data.slice(32, 64)));
        case 0x02: {
          const len = data[64];
          if (len === undefined || data.length !== 65 + len) return sw(U2F_STATUS.WRONG_LENGTH);
          if (p1 !== 0x03 && p1 !== 0x07 && p1 !== 0x08) return sw(U2F_STATUS.WRONG_DATA);
          return sw(
            U2F_STATUS.NO_ERROR,
            this.authenticateRaw(p1, data.slice(0, 32), data.slice(32, 64), data.slice(65, 65 + len)),
          );
        }
        default:
          return sw(U2F_STATUS.INS_NOT_SUPPORTED);
      }
    } catch (error) {
      if (error instanceof U2FStatusError) return sw(error.statusWord);
      throw error;
    }
  }

  /** `u2f.register(appId, [{version, challenge}], ...)` → RegisterResponse. */
  register(options: U2FClientOptions): U2FRegisterResponse {
    const clientData = u2fClientData(options.typ ?? 'navigator.id.finishEnrollment', options);
    const data = this.registerRaw(sha256(clientData), sha256(options.appId), options.appId);
    return { registrationData: toBase64url(data), clientData: toBase64url(clientData), version: 'U2F_V2' };
  }

  /** `u2f.sign(appId, challenge, [{version, keyHandle}], ...)` → SignResponse. */
  sign(options: U2FSignOptions): U2FSignResponse {
    const clientData = u2fClientData(options.typ ?? 'navigator.id.getAssertion', options);
    const keyHandle = Buffer.from(options.keyHandle, 'base64url');
    let data: Uint8Array;
    try {
      data = this.authenticateRaw(
        options.control ?? 0x03,
        sha256(clientData),
        sha256(options.appId),
        keyHandle,
      );
    } catch (error) {
      if (error instanceof U2FStatusError)
        throw new VirtualAuthenticatorError('ERR_WRONG_DATA', error.message);
      throw error;
    }
    return {
      keyHandle: toBase64url(keyHandle),
      clientData: toBase64url(clientData),
      signatureData: toBase64url(data),
    };
  }

  /** The user public key (65-byte point) for a key handle, as a relying party stores it. */
  publicKey(keyHandle: string): Uint8Array | undefined {
    const raw = Buffer.from(keyHandle, 'base64url');
    return this.#keys.find((k) => equal(k.keyHandle, raw))?.key.publicPoint;
  }

  /** Signs arbitrary bytes with the key behind `keyHandle` (mutators use it to re-sign). */
  signWith(keyHandle: string, data: Uint8Array): Uint8Array {
    const raw = Buffer.from(keyHandle, 'base64url');
    const entry = this.#keys.find((k) => equal(k.keyHandle, raw));
    if (entry === undefined) throw new VirtualAuthenticatorError('ERR_WRONG_DATA', 'unknown key handle');
    return entry.key.sign(data);
  }

  /** Signs with the attestation key (mutators use it to re-sign registrations). */
  signWithAttestationKey(data: Uint8Array): Uint8Array {
    return u2fAttestationCertificate(this.ca).key.sign(data);
  }

  /**
   * Exports a registration as a WebAuthn credential, to import into a VirtualAuthenticator
   * and answer requests using the `appid` extension (§10.1.1). Shares the key, not the counter.
   */
  exportCredential(keyHandle: string): ImportedCredential {
    const raw = Buffer.from(keyHandle, 'base64url');
    const entry = this.#keys.find((k) => equal(k.keyHandle, raw));
    if (entry === undefined || entry.appId === undefined) {
      throw new VirtualAuthenticatorError(
        'ERR_WRONG_DATA',
        'unknown key handle (or registered through registerRaw)',
      );
    }
    return { id: entry.keyHandle, key: entry.key, appId: entry.appId, signCount: this.#counter };
  }
}

/** A status word a token answered instead of response data. */
export class U2FStatusError extends Error {
  readonly statusWord: number;
  readonly code: 'ERR_U2F_STATUS' = 'ERR_U2F_STATUS';
  constructor(statusWord: number, message: string) {
    super(message);
    this.name = 'U2FStatusError';
    this.statusWord = statusWord;
  }
}

/** The U2F client data JSON (FIDO U2F JS API §7): typ, challenge, origin[, cid_pubkey]. */
export function u2fClientData(typ: string, options: U2FClientOptions): Uint8Array {
  const members: Record<string, unknown> = {
    typ,
    challenge: options.challenge,
    origin: options.origin ?? new URL(options.appId).origin,
  };
  if (options.cidPubkey !== undefined) members['cid_pubkey'] = options.cidPubkey;
  return utf8(JSON.stringify(members));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
