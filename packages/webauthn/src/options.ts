import { decodeBase64url, encodeBase64url, isBase64url } from './base64url.ts';
import { COSE_ALGORITHMS } from './cose.ts';
import { defaultBackend } from './crypto/default.ts';

/** §13.4.3: at least 16 random bytes. */
export const MIN_CHALLENGE_LENGTH = 16;
export const DEFAULT_CHALLENGE_LENGTH = 32;
/** Default ceremony timeout in milliseconds (5 minutes). */
export const DEFAULT_TIMEOUT = 300_000;
/** Default pubKeyCredParams: ES256, Ed25519 (EdDSA), RS256 — what authenticators commonly support. */
export const DEFAULT_PUBKEY_CRED_ALGORITHMS: readonly number[] = [-7, -8, -257];

export interface CredentialDescriptorInput {
  /** Credential id: bytes or base64url. */
  readonly id: Uint8Array | string;
  readonly transports?: readonly string[];
}

export interface PublicKeyCredentialDescriptorJSON {
  readonly type: 'public-key';
  readonly id: string;
  readonly transports?: readonly string[];
}

type UserVerification = 'required' | 'preferred' | 'discouraged';

export interface GenerateRegistrationOptionsInput {
  readonly rpName: string;
  readonly rpId: string;
  readonly userName: string;
  /** user.id: up to 64 bytes, not personally identifying. Default: 32 random bytes. */
  readonly userId?: Uint8Array;
  /** Default: `userName`. */
  readonly userDisplayName?: string;
  /** Use this challenge (≥ 16 bytes) instead of a random one. */
  readonly challenge?: Uint8Array;
  /** Random challenge length in bytes. Default 32, minimum 16. */
  readonly challengeSize?: number;
  /** Default 300000 ms. */
  readonly timeout?: number;
  /** Default `"none"`. */
  readonly attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  /** Default [-7, -8, -257]. */
  readonly supportedAlgorithms?: readonly number[];
  readonly excludeCredentials?: readonly CredentialDescriptorInput[];
  /** Default `{ residentKey: "preferred", userVerification: "preferred" }`. */
  readonly authenticatorSelection?: {
    readonly authenticatorAttachment?: 'platform' | 'cross-platform';
    readonly residentKey?: 'discouraged' | 'preferred' | 'required';
    readonly requireResidentKey?: boolean;
    readonly userVerification?: UserVerification;
  };
  /** The U2F AppID whose credentials `excludeCredentials` also covers (appidExclude, §10.1.2). */
  readonly appidExclude?: string;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly hints?: readonly ('security-key' | 'client-device' | 'hybrid')[];
  /**
   * Preferred attestation statement formats, most preferred first (L3 §5.4 `attestationFormats`).
   * Advisory for the client; `verifyRegistration`'s `requiredAttestationFormats` enforces it.
   */
  readonly attestationFormats?: readonly string[];
}

/** PublicKeyCredentialCreationOptionsJSON (WebAuthn §5.1.1), ready for `PublicKeyCredential.parseCreationOptionsFromJSON`. */
export interface RegistrationOptionsJSON {
  readonly rp: { readonly name: string; readonly id: string };
  readonly user: { readonly id: string; readonly name: string; readonly displayName: string };
  readonly challenge: string;
  readonly pubKeyCredParams: readonly { readonly type: 'public-key'; readonly alg: number }[];
  readonly timeout: number;
  readonly excludeCredentials: readonly PublicKeyCredentialDescriptorJSON[];
  readonly authenticatorSelection: Readonly<Record<string, unknown>>;
  readonly attestation: string;
  readonly attestationFormats?: readonly string[];
  readonly hints?: readonly string[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface GenerateAuthenticationOptionsInput {
  readonly rpId: string;
  readonly challenge?: Uint8Array;
  readonly challengeSize?: number;
  readonly timeout?: number;
  readonly allowCredentials?: readonly CredentialDescriptorInput[];
  /** Default `"preferred"`. */
  readonly userVerification?: UserVerification;
  /** The U2F AppID of credentials registered through the U2F API (appid extension, §10.1.1). */
  readonly appid?: string;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly hints?: readonly ('security-key' | 'client-device' | 'hybrid')[];
}

/** PublicKeyCredentialRequestOptionsJSON (WebAuthn §5.5.1). */
export interface AuthenticationOptionsJSON {
  readonly rpId: string;
  readonly challenge: string;
  readonly timeout: number;
  readonly allowCredentials: readonly PublicKeyCredentialDescriptorJSON[];
  readonly userVerification: UserVerification;
  readonly hints?: readonly string[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

function randomBytes(length: number): Uint8Array {
  return defaultBackend().randomBytes(length);
}

function challengeFor(challenge: Uint8Array | undefined, size: number | undefined): string {
  if (challenge !== undefined) {
    if (!(challenge instanceof Uint8Array) || challenge.length < MIN_CHALLENGE_LENGTH) {
      throw new RangeError(`challenge must be a Uint8Array of at least ${MIN_CHALLENGE_LENGTH} bytes`);
    }
    return encodeBase64url(challenge);
  }
  const n = size ?? DEFAULT_CHALLENGE_LENGTH;
  if (!Number.isInteger(n) || n < MIN_CHALLENGE_LENGTH || n > 1024) {
    throw new RangeError(`challengeSize must be an integer between ${MIN_CHALLENGE_LENGTH} and 1024`);
  }
  return encodeBase64url(randomBytes(n));
}

function descriptors(
  list: readonly CredentialDescriptorInput[] | undefined,
  name: string,
): PublicKeyCredentialDescriptorJSON[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError(`${name} must be an array`);
  return list.map((d, i) => {
    let id: string;
    if (d?.id instanceof Uint8Array) id = encodeBase64url(d.id);
    else if (isBase64url(d?.id)) id = d.id;
    else throw new TypeError(`${name}[${i}].id must be a Uint8Array or base64url string`);
    if (decodeBase64url(id).length === 0) throw new TypeError(`${name}[${i}].id must not be empty`);
    return d.transports === undefined
      ? { type: 'public-key', id }
      : { type: 'public-key', id, transports: [...d.transports] };
  });
}

function timeoutFor(timeout: number | undefined): number {
  const t = timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isInteger(t) || t <= 0) throw new RangeError('timeout must be a positive integer (ms)');
  return t;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/**
 * Creation options for `navigator.credentials.create()` (§7.1 step 1). Store the returned
 * `challenge` server-side and pass it as `expectedChallenge`; use it once.
 */
export function generateRegistrationOptions(
  input: GenerateRegistrationOptionsInput,
): RegistrationOptionsJSON {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  const rpName = requireString(input.rpName, 'rpName');
  const rpId = requireString(input.rpId, 'rpId');
  const userName = requireString(input.userName, 'userName');
  const userId = input.userId ?? randomBytes(32);
  if (!(userId instanceof Uint8Array) || userId.length === 0 || userId.length > 64) {
    throw new RangeError('userId must be 1 to 64 bytes');
  }
  const algorithms = input.supportedAlgorithms ?? DEFAULT_PUBKEY_CRED_ALGORITHMS;
  for (const a of algorithms) {
    if (!COSE_ALGORITHMS.has(a)) throw new RangeError(`unsupported COSE algorithm ${a}`);
  }
  const extensions: Record<string, unknown> = { ...(input.extensions ?? {}) };
  checkExtensionInputs(extensions, 'registration');
  const formats = input.attestationFormats;
  if (
    formats !== undefined &&
    (!Array.isArray(formats) ||
      formats.some(
        (f) => typeof f !== 'string' || f.length === 0 || f.length > 32 || !/^[\x21-\x7e]+$/.test(f),
      ))
  ) {
    // §8.1: identifiers are 1–32 printable US-ASCII characters.
    throw new TypeError('attestationFormats must be attestation statement format identifiers');
  }
  if (input.appidExclude !== undefined)
    extensions['appidExclude'] = requireString(input.appidExclude, 'appidExclude');
  const selection = input.authenticatorSelection ?? {};
  const residentKey = selection.residentKey ?? 'preferred';
  return {
    rp: { name: rpName, id: rpId },
    user: { id: encodeBase64url(userId), name: userName, displayName: input.userDisplayName ?? userName },
    challenge: challengeFor(input.challenge, input.challengeSize),
    pubKeyCredParams: algorithms.map((alg) => ({ type: 'public-key' as const, alg })),
    timeout: timeoutFor(input.timeout),
    excludeCredentials: descriptors(input.excludeCredentials, 'excludeCredentials'),
    authenticatorSelection: {
      ...selection,
      residentKey,
      requireResidentKey: residentKey === 'required',
      userVerification: selection.userVerification ?? 'preferred',
    },
    attestation: input.attestation ?? 'none',
    ...(formats === undefined ? {} : { attestationFormats: [...formats] }),
    ...(input.hints === undefined ? {} : { hints: [...input.hints] }),
    ...(Object.keys(extensions).length === 0 ? {} : { extensions }),
  };
}

/**
 * Request options for `navigator.credentials.get()` (§7.2 step 1). Store the returned
 * `challenge` server-side and pass it as `expectedChallenge`; use it once.
 */
export function generateAuthenticationOptions(
  input: GenerateAuthenticationOptionsInput,
): AuthenticationOptionsJSON {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  const rpId = requireString(input.rpId, 'rpId');
  const extensions: Record<string, unknown> = { ...(input.extensions ?? {}) };
  checkExtensionInputs(extensions, 'authentication');
  if (input.appid !== undefined) extensions['appid'] = requireString(input.appid, 'appid');
  return {
    rpId,
    challenge: challengeFor(input.challenge, input.challengeSize),
    timeout: timeoutFor(input.timeout),
    allowCredentials: descriptors(input.allowCredentials, 'allowCredentials'),
    userVerification: input.userVerification ?? 'preferred',
    ...(input.hints === undefined ? {} : { hints: [...input.hints] }),
    ...(Object.keys(extensions).length === 0 ? {} : { extensions }),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Misuse checks on the extension inputs this package verifies outputs for (TypeError): inputs
 * the client would reject or that make the output check meaningless.
 */
function checkExtensionInputs(
  ext: Record<string, unknown>,
  ceremony: 'registration' | 'authentication',
): void {
  const b64 = (v: unknown, what: string): void => {
    if (!isBase64url(v)) throw new TypeError(`extensions.${what} must be base64url`);
  };
  const prfValues = (v: unknown, what: string): void => {
    if (!isObj(v)) throw new TypeError(`extensions.${what} must be { first, second? }`);
    b64(v['first'], `${what}.first`);
    if (v['second'] !== undefined) b64(v['second'], `${what}.second`);
  };
  const prf = ext['prf'];
  if (prf !== undefined) {
    if (!isObj(prf)) throw new TypeError('extensions.prf must be an object');
    if (prf['eval'] !== undefined) prfValues(prf['eval'], 'prf.eval');
    if (prf['evalByCredential'] !== undefined) {
      // §10.1.4: evalByCredential is an authentication input only.
      if (ceremony === 'registration' || !isObj(prf['evalByCredential']))
        throw new TypeError(
          'extensions.prf.evalByCredential is an authentication input (object of id → values)',
        );
      for (const [id, v] of Object.entries(prf['evalByCredential'])) {
        b64(id, 'prf.evalByCredential key');
        prfValues(v, `prf.evalByCredential.${id}`);
      }
    }
  }
  const largeBlob = ext['largeBlob'];
  if (largeBlob !== undefined) {
    if (!isObj(largeBlob)) throw new TypeError('extensions.largeBlob must be an object');
    if (ceremony === 'registration') {
      if (largeBlob['read'] !== undefined || largeBlob['write'] !== undefined)
        throw new TypeError('extensions.largeBlob read/write are authentication inputs');
      const support = largeBlob['support'];
      if (support !== undefined && support !== 'required' && support !== 'preferred')
        throw new TypeError('extensions.largeBlob.support must be "required" or "preferred"');
    } else {
      // §10.1.5: exactly one of read and write; support is a registration input.
      if (largeBlob['support'] !== undefined)
        throw new TypeError('extensions.largeBlob.support is a registration input');
      if ((largeBlob['read'] === true) === (largeBlob['write'] !== undefined))
        throw new TypeError('extensions.largeBlob needs exactly one of read: true and write');
      if (largeBlob['write'] !== undefined) b64(largeBlob['write'], 'largeBlob.write');
    }
  }
  const policy = ext['credentialProtectionPolicy'];
  if (policy !== undefined) {
    if (ceremony === 'authentication')
      throw new TypeError('credentialProtectionPolicy is a registration input');
    if (
      policy !== 'userVerificationOptional' &&
      policy !== 'userVerificationOptionalWithCredentialIDList' &&
      policy !== 'userVerificationRequired'
    )
      throw new TypeError('extensions.credentialProtectionPolicy is not a credProtect policy');
  }
  const enforce = ext['enforceCredentialProtectionPolicy'];
  if (enforce !== undefined && typeof enforce !== 'boolean')
    throw new TypeError('extensions.enforceCredentialProtectionPolicy must be a boolean');
  for (const flag of ['credProps', 'minPinLength', 'hmacCreateSecret'] as const) {
    if (ext[flag] !== undefined && (ceremony === 'authentication' || typeof ext[flag] !== 'boolean'))
      throw new TypeError(`extensions.${flag} is a boolean registration input`);
  }
}
