// A software WebAuthn authenticator plus the client (browser) half of the ceremony:
// createCredential() and getAssertion() return exactly what `navigator.credentials.*`
// hands a relying party, serialised with toJSON() (WebAuthn L3 §5.1.8 / §5.1.9).
import { buildAttestationStatement } from './attestation.ts';
import { PLATFORM_ALGORITHMS } from './attestation-platform.ts';
import {
  type AuthenticatorFlags,
  decodeAuthenticatorData,
  encodeAuthenticatorData,
  encodeExtensions,
  flagsByte,
  sha256,
} from './authenticator-data.ts';
import { bufferSource, concat, fromBase64url, fromHex, toBase64url, utf8 } from './bytes.ts';
import { type CborValue, decodeCborMap, encodeCbor } from './cbor.ts';
import { VirtualAuthenticatorError } from './errors.ts';
import {
  type AuthenticatorExtensionSupport,
  authenticationExtensions,
  type CredentialExtensionState,
  registrationExtensions,
} from './extensions.ts';
import {
  algorithmName,
  type CoseAlgorithmName,
  createSigningKey,
  KEY_SEED_LENGTH,
  type SigningKey,
} from './keys.ts';
import { derive, type Seed, seedBytes } from './seed.ts';
import type {
  AttestationFormat,
  AuthenticationResponseJSON,
  AuthenticatorAttachment,
  AuthenticatorTransport,
  ClientOptions,
  CreateCredentialOptions,
  CredentialRecord,
  GetAssertionOptions,
  RegistrationResponseJSON,
} from './webauthn-types.ts';
import { defaultTestCa, type TestCertificateAuthority } from './x509.ts';

export interface VirtualAuthenticatorOptions {
  /** Seed for every key, id and AAGUID (default: random). Same seed → byte-identical output. */
  readonly seed?: Seed;
  /** AAGUID as UUID string or 16 bytes (default: derived from the seed; all zeros for `fido-u2f`). */
  readonly aaguid?: string | Uint8Array;
  /** Attestation format when the RP asks for attestation (default `packed`). */
  readonly attestationFormat?: AttestationFormat;
  /** `packed` with self attestation (default false: full x5c chain). */
  readonly selfAttestation?: boolean;
  /** Supported algorithms in preference order (default ES256, EdDSA, ES384, ES512, PS256, RS256, ML-DSA-44/65/87). */
  readonly algorithms?: readonly CoseAlgorithmName[];
  /** Whether the authenticator can verify the user (default true): UV is set unless the RP discourages it. */
  readonly userVerification?: boolean;
  /** Backup Eligible flag (default false). */
  readonly backupEligible?: boolean;
  /** Backup State flag (default false; true requires backupEligible in a well-formed response). */
  readonly backupState?: boolean;
  /** `per-credential` counts up from 0 per credential (default); `zero` always reports 0 (like passkey providers). */
  readonly signCounter?: 'per-credential' | 'zero';
  /** Transports reported on registration (default `['usb']`). */
  readonly transports?: readonly AuthenticatorTransport[];
  /** `authenticatorAttachment` reported (default `cross-platform`). */
  readonly attachment?: AuthenticatorAttachment;
  /** Test CA issuing attestation certificates (default: the package's fixed test CA). */
  readonly ca?: TestCertificateAuthority;
  /** Which extensions the authenticator supports (default: credProtect, largeBlob, hmac-secret(-mc), minPinLength 4). */
  readonly extensionSupport?: AuthenticatorExtensionSupport;
}

interface StoredCredential {
  readonly id: Uint8Array;
  readonly rpId: string;
  readonly key: SigningKey;
  readonly discoverable: boolean;
  readonly userHandle: Uint8Array | undefined;
  readonly appId: string | undefined;
  /** Created through CTAP1/U2F (fido-u2f or imported from a U2F token): no user verification. */
  readonly ctap1: boolean;
  signCount: number;
  /** hmac-secret CredRandom, credProtect level, stored large blob. */
  readonly extensions: CredentialExtensionState;
}

const DEFAULT_ALGORITHMS: readonly CoseAlgorithmName[] = [
  'ES256',
  'EdDSA',
  'ES384',
  'ES512',
  'PS256',
  'RS256',
  // Last: chosen only when the RP asks for ML-DSA and nothing above (as Chromium's virtual authenticator).
  'ML-DSA-44',
  'ML-DSA-65',
  'ML-DSA-87',
];

/** A deterministic software WebAuthn authenticator (see the package README). */
export class VirtualAuthenticator {
  readonly aaguid: Uint8Array;
  readonly ca: TestCertificateAuthority;
  readonly #seed: Uint8Array;
  readonly #options: VirtualAuthenticatorOptions;
  readonly #credentials: StoredCredential[] = [];
  #created = 0;

  constructor(options: VirtualAuthenticatorOptions = {}) {
    this.#options = options;
    this.#seed = seedBytes(options.seed);
    this.ca = options.ca ?? defaultTestCa();
    this.aaguid =
      options.aaguid === undefined
        ? derive(this.#seed, 'aaguid', 16)
        : typeof options.aaguid === 'string'
          ? parseAaguid(options.aaguid)
          : new Uint8Array(options.aaguid);
    if (this.aaguid.length !== 16) throw new RangeError('aaguid must be 16 bytes');
  }

  /** `navigator.credentials.create({ publicKey })` → `PublicKeyCredential.toJSON()`. */
  createCredential(options: CreateCredentialOptions): RegistrationResponseJSON {
    const pk = options?.publicKey;
    if (pk === undefined || pk === null || typeof pk !== 'object')
      throw new TypeError('options.publicKey is required');
    if (typeof pk.rp !== 'object' || pk.rp === null) throw new TypeError('publicKey.rp is required');
    if (pk.rp.id !== undefined && typeof pk.rp.id !== 'string')
      throw new TypeError('publicKey.rp.id must be a string');
    if (typeof pk.user !== 'object' || pk.user === null) throw new TypeError('publicKey.user is required');
    const origin = requireOrigin(options.origin);
    const rpId = pk.rp.id ?? new URL(origin).hostname;
    if (options.skipRpIdCheck !== true) checkRpId(rpId, origin);
    const challenge = bufferSource(pk.challenge, 'publicKey.challenge');
    const userHandle = bufferSource(pk.user.id, 'publicKey.user.id');
    for (const desc of pk.excludeCredentials ?? []) {
      const id = bufferSource(desc.id, 'excludeCredentials[].id');
      if (this.#credentials.some((c) => c.rpId === rpId && equal(c.id, id))) {
        throw new VirtualAuthenticatorError(
          'ERR_INVALID_STATE',
          'a credential in excludeCredentials is present',
        );
      }
    }
    const format = this.#formatFor(options);
    const alg = this.#chooseAlgorithm(pk.pubKeyCredParams, format);
    const index = this.#created++;
    const credentialId = derive(this.#seed, `credential-id/${index}`, format === 'fido-u2f' ? 64 : 32);
    const key = createSigningKey(alg, derive(this.#seed, `credential-key/${index}/${alg}`, KEY_SEED_LENGTH));
    const sel = pk.authenticatorSelection ?? {};
    const discoverable =
      format !== 'fido-u2f' &&
      (sel.residentKey === 'required' ||
        sel.residentKey === 'preferred' ||
        (sel.residentKey === undefined && sel.requireResidentKey === true));
    const stored: StoredCredential = {
      id: credentialId,
      rpId,
      key,
      discoverable,
      userHandle: discoverable ? userHandle : undefined,
      appId: undefined,
      ctap1: format === 'fido-u2f',
      signCount: 0,
      extensions: { credRandom: undefined, credProtect: 1, largeBlob: undefined },
    };
    // fido-u2f devices are CTAP1: no extensions.
    const ext =
      format === 'fido-u2f'
        ? { authenticator: new Map<string, CborValue>(), client: {} as Record<string, unknown> }
        : registrationExtensions(
            pk.extensions,
            this.#options.extensionSupport ?? {},
            stored.extensions,
            derive(this.#seed, `credential-extensions/${index}`, 32),
            discoverable,
          );
    const authenticatorExtensions =
      options.authenticatorExtensions ?? (ext.authenticator.size > 0 ? ext.authenticator : undefined);
    const signCount = this.#nextSignCount(stored, options, 0);
    const clientDataJSON = clientData('webauthn.create', challenge, origin, options);
    const clientDataHash = sha256(clientDataJSON);
    const rpIdHash = sha256(rpId);
    // fido-u2f authenticators are CTAP1 devices: AAGUID all zeros (§8.6).
    const aaguid = format === 'fido-u2f' ? new Uint8Array(16) : this.aaguid;
    const flags = this.#flags(options, sel.userVerification, format === 'fido-u2f');
    const authenticatorData = encodeAuthenticatorData({
      rpIdHash,
      flags: flagsByte(flags, true, authenticatorExtensions !== undefined),
      signCount,
      attestedCredentialData: { aaguid, credentialId, credentialPublicKey: key.coseKey },
      ...(authenticatorExtensions === undefined
        ? {}
        : { extensions: encodeExtensions(authenticatorExtensions) }),
    });
    const attStmt = buildAttestationStatement({
      format,
      selfAttestation: options.selfAttestation ?? this.#options.selfAttestation ?? false,
      credentialKey: key,
      credentialId,
      aaguid,
      authenticatorData,
      clientDataHash,
      rpIdHash,
      ca: this.ca,
    });
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', format],
        ['attStmt', attStmt],
        ['authData', authenticatorData],
      ]),
    );
    this.#credentials.push(stored);
    const clientExtensionResults = options.clientExtensionResults ?? ext.client;
    return {
      id: toBase64url(credentialId),
      rawId: toBase64url(credentialId),
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        attestationObject: toBase64url(attestationObject),
        authenticatorData: toBase64url(authenticatorData),
        transports: [...(this.#options.transports ?? ['usb'])],
        publicKeyAlgorithm: key.coseAlg,
        publicKey: toBase64url(key.spki),
      },
      authenticatorAttachment: this.#options.attachment ?? 'cross-platform',
      clientExtensionResults,
    };
  }

  /** `navigator.credentials.get({ publicKey })` → `PublicKeyCredential.toJSON()`. */
  getAssertion(options: GetAssertionOptions): AuthenticationResponseJSON {
    const pk = options?.publicKey;
    if (pk === undefined || pk === null || typeof pk !== 'object')
      throw new TypeError('options.publicKey is required');
    if (pk.rpId !== undefined && typeof pk.rpId !== 'string')
      throw new TypeError('publicKey.rpId must be a string');
    if (pk.allowCredentials !== undefined && !Array.isArray(pk.allowCredentials)) {
      throw new TypeError('publicKey.allowCredentials must be an array');
    }
    const origin = requireOrigin(options.origin);
    const rpId = pk.rpId ?? new URL(origin).hostname;
    if (options.skipRpIdCheck !== true) checkRpId(rpId, origin);
    const challenge = bufferSource(pk.challenge, 'publicKey.challenge');
    const allow = (pk.allowCredentials ?? []).map((d) => bufferSource(d.id, 'allowCredentials[].id'));
    const wanted = options.credentialId === undefined ? undefined : fromBase64url(options.credentialId);
    const pick = (scope: string, byAppId: boolean): StoredCredential | undefined =>
      this.#credentials.find(
        (c) =>
          (byAppId ? c.appId === scope : c.rpId === scope && c.appId === undefined) &&
          (allow.length > 0 ? allow.some((id) => equal(id, c.id)) : c.discoverable) &&
          (wanted === undefined || equal(wanted, c.id)),
      );
    let credential = pick(rpId, false);
    let usedAppId = false;
    // §10.1.1 appid: when no credential is scoped to the RP ID, the client retries with
    // rpIdHash = SHA-256(appid) for credentials registered through the U2F API.
    const appid = pk.extensions?.appid;
    if (credential === undefined && typeof appid === 'string' && allow.length > 0) {
      credential = pick(appid, true);
      usedAppId = credential !== undefined;
    }
    if (credential === undefined) {
      throw new VirtualAuthenticatorError(
        'ERR_NOT_ALLOWED',
        'no credential on this authenticator matches the request',
      );
    }
    const flags = this.#flags(options, pk.userVerification, credential.ctap1);
    const signCount = this.#nextSignCount(credential, options, credential.signCount + 1);
    credential.signCount = signCount;
    const ext = credential.ctap1
      ? { authenticator: new Map<string, CborValue>(), client: {} as Record<string, unknown> }
      : authenticationExtensions(
          pk.extensions,
          this.#options.extensionSupport ?? {},
          credential.extensions,
          derive(this.#seed, `assertion-extensions/${toBase64url(credential.id)}/${signCount}`, 32),
          toBase64url(credential.id),
        );
    const authenticatorExtensions =
      options.authenticatorExtensions ?? (ext.authenticator.size > 0 ? ext.authenticator : undefined);
    const clientDataJSON = clientData('webauthn.get', challenge, origin, options);
    const authenticatorData = encodeAuthenticatorData({
      rpIdHash: sha256(usedAppId ? (credential.appId ?? rpId) : rpId),
      flags: flagsByte(flags, false, authenticatorExtensions !== undefined),
      signCount,
      ...(authenticatorExtensions === undefined
        ? {}
        : { extensions: encodeExtensions(authenticatorExtensions) }),
    });
    const signature = credential.key.sign(concat(authenticatorData, sha256(clientDataJSON)));
    const clientExtensionResults: Record<string, unknown> = options.clientExtensionResults ?? {
      ...ext.client,
    };
    if (options.clientExtensionResults === undefined && typeof appid === 'string')
      clientExtensionResults['appid'] = usedAppId;
    return {
      id: toBase64url(credential.id),
      rawId: toBase64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        authenticatorData: toBase64url(authenticatorData),
        signature: toBase64url(signature),
        // CTAP2 returns user.id only for discoverable credentials.
        ...(credential.userHandle === undefined ? {} : { userHandle: toBase64url(credential.userHandle) }),
      },
      authenticatorAttachment: this.#options.attachment ?? 'cross-platform',
      clientExtensionResults,
    };
  }

  /** Credentials held, as a relying party would store them. */
  credentials(): CredentialRecord[] {
    return this.#credentials.map((c) => this.#record(c));
  }

  /** One credential by base64url id, or `undefined`. */
  credential(id: string): CredentialRecord | undefined {
    const c = this.#find(id);
    return c === undefined ? undefined : this.#record(c);
  }

  /**
   * Imports a P-256 credential created elsewhere — e.g. a {@link U2FToken} key via
   * `token.exportCredential()` — so it can answer WebAuthn requests that use the `appid` extension.
   */
  importCredential(credential: ImportedCredential): CredentialRecord {
    const id = bufferSource(credential.id, 'credential.id');
    const key = credential.key;
    const stored: StoredCredential = {
      id,
      rpId: credential.rpId ?? credential.appId ?? '',
      key,
      discoverable: credential.discoverable ?? false,
      userHandle:
        credential.userHandle === undefined ? undefined : bufferSource(credential.userHandle, 'userHandle'),
      appId: credential.appId,
      ctap1: credential.appId !== undefined,
      signCount: credential.signCount ?? 0,
      extensions: { credRandom: undefined, credProtect: 1, largeBlob: undefined },
    };
    if (stored.rpId === '') throw new TypeError('importCredential needs rpId or appId');
    this.#credentials.push(stored);
    return this.#record(stored);
  }

  /** Signs `authenticatorData || SHA-256(clientDataJSON)` with a held credential (used by mutators). */
  signAssertion(credentialId: string, authenticatorData: Uint8Array, clientDataJSON: Uint8Array): Uint8Array {
    const c = this.#find(credentialId);
    if (c === undefined) throw new VirtualAuthenticatorError('ERR_NOT_ALLOWED', 'unknown credential');
    return c.key.sign(concat(authenticatorData, sha256(clientDataJSON)));
  }

  /**
   * Re-creates the attestation object for new authenticator data / client data with the
   * same format as `attestationObject` (used by mutators to keep signatures valid).
   */
  reattest(
    attestationObject: Uint8Array,
    authenticatorData: Uint8Array,
    clientDataJSON: Uint8Array,
  ): Uint8Array {
    const original = decodeCborMap(attestationObject);
    const fmt = original.get('fmt');
    const stmt = original.get('attStmt');
    const parts = decodeAuthenticatorData(authenticatorData);
    const acd = parts.attestedCredentialData;
    if (acd === undefined) throw new TypeError('authenticator data carries no attested credential');
    const c = this.#find(toBase64url(acd.credentialId));
    if (c === undefined) throw new VirtualAuthenticatorError('ERR_NOT_ALLOWED', 'unknown credential');
    const selfAttestation = fmt === 'packed' && stmt instanceof Map && !stmt.has('x5c');
    const attStmt = buildAttestationStatement({
      format: fmt as AttestationFormat,
      selfAttestation,
      credentialKey: c.key,
      credentialId: acd.credentialId,
      aaguid: acd.aaguid,
      authenticatorData,
      clientDataHash: sha256(clientDataJSON),
      rpIdHash: parts.rpIdHash,
      ca: this.ca,
    });
    return encodeCbor(
      new Map<string, CborValue>([
        ['fmt', fmt as string],
        ['attStmt', attStmt],
        ['authData', authenticatorData],
      ]),
    );
  }

  #find(id: string): StoredCredential | undefined {
    const raw = fromBase64url(id);
    return this.#credentials.find((c) => equal(c.id, raw));
  }

  #record(c: StoredCredential): CredentialRecord {
    return {
      id: toBase64url(c.id),
      rpId: c.rpId,
      publicKey: toBase64url(c.key.coseKey),
      algorithm: c.key.coseAlg,
      signCount: c.signCount,
      discoverable: c.discoverable,
      ...(c.userHandle === undefined ? {} : { userHandle: toBase64url(c.userHandle) }),
      ...(c.appId === undefined ? {} : { appId: c.appId }),
    };
  }

  #formatFor(options: CreateCredentialOptions): AttestationFormat {
    if (options.attestationFormat !== undefined) return options.attestationFormat;
    const configured = this.#options.attestationFormat ?? 'packed';
    const conveyance = options.publicKey.attestation ?? 'none';
    // §5.1.3 step 20: with conveyance "none" the client replaces the attestation with "none".
    if (conveyance === 'none' && options.ignoreConveyance !== true && configured !== 'fido-u2f')
      return 'none';
    return configured;
  }

  #chooseAlgorithm(
    params: readonly { readonly type: string; readonly alg: number }[],
    format: AttestationFormat,
  ): CoseAlgorithmName {
    const configured = this.#options.algorithms ?? DEFAULT_ALGORITHMS;
    const supported =
      format === 'fido-u2f'
        ? ['ES256']
        : format === 'tpm' || format === 'android-key' || format === 'apple'
          ? configured.filter((a) => PLATFORM_ALGORITHMS[format].includes(a))
          : configured;
    if (!Array.isArray(params)) throw new TypeError('publicKey.pubKeyCredParams must be an array');
    // The RP's order expresses its preference (§5.4 pubKeyCredParams).
    const requested =
      params.length === 0
        ? [
            { type: 'public-key', alg: -7 },
            { type: 'public-key', alg: -257 },
          ]
        : params;
    for (const p of requested) {
      const name = algorithmName(p.alg);
      if (p.type === 'public-key' && name !== undefined && supported.includes(name)) return name;
    }
    throw new VirtualAuthenticatorError('ERR_NOT_SUPPORTED', 'no requested algorithm is supported');
  }

  #flags(options: ClientOptions, requirement: string | undefined, ctap1: boolean): AuthenticatorFlags {
    const canUv = !ctap1 && (this.#options.userVerification ?? true);
    const uv = canUv && requirement !== 'discouraged';
    if (requirement === 'required' && !canUv && options.flags?.uv === undefined) {
      throw new VirtualAuthenticatorError('ERR_NOT_ALLOWED', 'user verification required but not supported');
    }
    return {
      up: options.flags?.up ?? true,
      uv: options.flags?.uv ?? uv,
      be: options.flags?.be ?? this.#options.backupEligible ?? false,
      bs: options.flags?.bs ?? this.#options.backupState ?? false,
    };
  }

  #nextSignCount(c: StoredCredential, options: ClientOptions, natural: number): number {
    if (options.signCount !== undefined) {
      if (!Number.isInteger(options.signCount) || options.signCount < 0 || options.signCount > 0xffffffff) {
        throw new RangeError('signCount must be a uint32');
      }
      c.signCount = options.signCount;
      return options.signCount;
    }
    if ((this.#options.signCounter ?? 'per-credential') === 'zero') return 0;
    if (natural > 0xffffffff)
      throw new VirtualAuthenticatorError('ERR_COUNTER_EXHAUSTED', 'signCount overflow');
    return natural;
  }
}

/** A credential to import (see {@link VirtualAuthenticator.importCredential}). */
export interface ImportedCredential {
  readonly id: Uint8Array | string;
  readonly key: SigningKey;
  readonly rpId?: string;
  /** U2F appId the credential was registered under; enables the `appid` extension path. */
  readonly appId?: string;
  readonly signCount?: number;
  readonly discoverable?: boolean;
  readonly userHandle?: Uint8Array | string;
}

/** clientDataJSON in the member order browsers use (§5.8.1.1): type, challenge, origin, crossOrigin, topOrigin, extras. */
export function clientData(
  type: string,
  challenge: Uint8Array,
  origin: string,
  options: Pick<ClientOptions, 'crossOrigin' | 'topOrigin' | 'clientDataExtra'>,
): Uint8Array {
  const members: Record<string, unknown> = {
    type,
    challenge: toBase64url(challenge),
    origin,
    crossOrigin: options.crossOrigin ?? false,
  };
  if (options.topOrigin !== undefined) members['topOrigin'] = options.topOrigin;
  for (const [k, v] of Object.entries(options.clientDataExtra ?? {})) members[k] = v;
  return utf8(JSON.stringify(members));
}

function requireOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || origin === '') throw new TypeError('options.origin is required');
  try {
    new URL(origin);
  } catch {
    throw new TypeError('options.origin must be an absolute URL origin');
  }
  return origin;
}

/** The client's RP ID check (§5.1.3 step 8): RP ID equals the host or is a parent domain of it. */
function checkRpId(rpId: string, origin: string): void {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    throw new VirtualAuthenticatorError('ERR_SECURITY', 'origin is not a URL');
  }
  if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    throw new VirtualAuthenticatorError(
      'ERR_SECURITY',
      'RP ID is not a registrable suffix of the origin host',
    );
  }
}

function parseAaguid(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError('aaguid must be a UUID string');
  return fromHex(hex);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
