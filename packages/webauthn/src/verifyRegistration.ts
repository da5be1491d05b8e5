import { bytesEqual, toHex, utf8Encode } from '@factorkit/core';
import { ATTESTATION_FORMATS, PENDING_ATTESTATION_FORMATS } from './attestation/index.ts';
import { checkAttestationPolicy } from './attestation/policy.ts';
import type { AttestationFormatVerifier, AttestationPolicy, AttestationType } from './attestation/types.ts';
import { type AuthenticatorData, parseAuthenticatorData } from './authenticatorData.ts';
import { encodeBase64url } from './base64url.ts';
import { type CborMap, type CborValue, decodeCbor, isCborMap } from './cbor.ts';
import {
  b64urlMember,
  type CeremonyOptions,
  checkClientData,
  isRecord,
  normalizeCeremony,
} from './ceremony.ts';
import { type ParsedCertificate, parseCertificateInput } from './certificate.ts';
import { parseClientDataJSON } from './clientData.ts';
import { DEFAULT_SUPPORTED_ALGORITHMS } from './cose.ts';
import { defaultBackend } from './crypto/default.ts';
import type { CryptoBackend } from './crypto/types.ts';
import { asWebAuthnError, failure, type VerificationFailure, WebAuthnError } from './errors.ts';
import {
  checkExtensionOutputs,
  type ExtensionResults,
  type RegistrationExtensionInputs,
} from './extensions.ts';
import { verifyCertificateChain } from './trust.ts';

/** Base64url characters accepted for an attestationObject (≈ 64 KiB of bytes: DOS-1). */
const MAX_ATTESTATION_OBJECT_CHARS = 88_000;
const MAX_CLIENT_DATA_CHARS = 22_000;
const MAX_ID_CHARS = 1400;

export interface VerifyRegistrationOptions extends CeremonyOptions, AttestationPolicy {
  /**
   * Require the UP flag. Default `true`; set `false` only for conditional create
   * (`mediation: "conditional"`, §7.1 step 15).
   */
  readonly requireUserPresence?: boolean;
  /**
   * COSE algorithms accepted for the new credential (the `pubKeyCredParams` the RP sent,
   * §7.1 step 20). Default: every supported algorithm except the opt-in ones (ES256K, RS1).
   */
  readonly supportedAlgorithms?: readonly number[];
  /** Attestation root certificates (PEM or DER). Only these can make an attestation trusted. */
  readonly trustAnchors?: readonly (string | Uint8Array)[];
  /** Intermediate certificates known out of band. Never anchors, even when self-signed. */
  readonly extraIntermediates?: readonly (string | Uint8Array)[];
  /**
   * Reject attestations that are not trusted (none, self, or a chain not ending at one of
   * `trustAnchors`). Default `false`: such registrations verify with `trusted: false`.
   */
  readonly requireTrustedAttestation?: boolean;
  /** Clock for certificate validity. Default: the current time. */
  readonly now?: Date;
  /** Crypto backend. Default: node:crypto on Node, WebCrypto elsewhere. */
  readonly crypto?: CryptoBackend;
  /** Extra or replacement attestation formats, by `fmt` identifier. */
  readonly attestationFormats?: ReadonlyMap<string, AttestationFormatVerifier>;
  /**
   * The `extensions` sent in the creation options. When given, §7.1 step 28 checks every
   * extension output against them (see `checkExtensionOutputs`): unrequested authenticator
   * outputs are rejected, requested ones must have their extension's shape and policy, and
   * unrequested client outputs are dropped. When omitted, outputs are returned unchecked.
   */
  readonly extensions?: RegistrationExtensionInputs;
  /** Authenticator extension identifiers tolerated when not requested (e.g. `["credProtect"]`). */
  readonly allowUnsolicitedExtensions?: readonly string[];
  /**
   * Attestation statement formats the RP accepts (e.g. the `attestationFormats` it sent, §5.4).
   * The option is advisory for the client; set this to make it a requirement (§7.1 step 21).
   */
  readonly requiredAttestationFormats?: readonly string[];
}

export interface AttestationResult {
  readonly fmt: string;
  readonly type: AttestationType;
  /** The attestation certificates (x5c, DER, leaf first); empty for none/self. */
  readonly trustPath: readonly Uint8Array[];
  /**
   * `true` only when the trust path chains to one of the configured trust anchors. For
   * compound, `true` when at least one statement does (each one's trust is in `statements`).
   */
  readonly trusted: boolean;
  /** compound (§8.9) only: every statement's format, type, trust path and trust, in order. */
  readonly statements?: readonly Omit<AttestationResult, 'statements'>[];
}

/** A verified registration: everything a server stores for the new credential. */
export interface RegistrationVerified {
  readonly verified: true;
  /** The credential ID (raw bytes) and its base64url form. */
  readonly credentialId: Uint8Array;
  readonly credentialIdBase64url: string;
  /** The credential public key as a COSE_Key, exactly as the authenticator encoded it. */
  readonly publicKey: Uint8Array;
  readonly alg: number;
  readonly signCount: number;
  /** AAGUID as a lowercase UUID string, as authenticatorData carries it. */
  readonly aaguid: string;
  /**
   * `true` only when an attestation certificate's signature covers authenticatorData (type
   * basic/attca/anonca of a format that signs it, e.g. packed with x5c). `false` for `none`,
   * self attestation and `fido-u2f`: nobody but the client or the credential itself vouches for
   * that AAGUID. An AAGUID feeds a policy (allow-lists, metadata lookups) only when this is
   * `true` and `attestation.trusted` is `true`.
   */
  readonly aaguidAttested: boolean;
  readonly transports: readonly string[];
  readonly userPresent: boolean;
  readonly userVerified: boolean;
  readonly backupEligible: boolean;
  readonly backupState: boolean;
  readonly attestation: AttestationResult;
  /** The origin and RP ID that matched. */
  readonly origin: string;
  readonly topOrigin: string | undefined;
  readonly rpId: string;
  readonly authenticatorExtensionResults: CborMap | undefined;
  /** With `extensions`: only the requested outputs, PRF secrets removed. Otherwise as received. */
  readonly clientExtensionResults: Readonly<Record<string, unknown>>;
  /** The checked extension outputs (only when `extensions` was given). */
  readonly extensions: ExtensionResults | undefined;
  readonly authenticatorAttachment: string | undefined;
}

export type RegistrationResult = RegistrationVerified | VerificationFailure;

const S = (n: number): string => `7.1 step ${n}`;

/** Attestation types whose signature comes from an attestation certificate, not the credential. */
const ATTESTED_TYPES: ReadonlySet<AttestationType> = new Set(['basic', 'attca', 'anonca']);

// Trust anchors and extra intermediates come from the server's configuration and are the same
// on every registration: each is parsed once and kept, keyed by its content (PEM text or DER
// bytes, copied first so a caller reusing its buffer cannot change a cached certificate).
// Bounded: cleared when full. Parse failures are not cached.
const CONFIGURED_CERTIFICATE_CACHE_LIMIT = 64;
const MAX_CACHED_CERTIFICATE_KEY_CHARS = 64 * 1024;
const configuredCertificates = new Map<string, ParsedCertificate>();

function parseConfiguredCertificate(input: string | Uint8Array): ParsedCertificate {
  let key: string | undefined;
  if (typeof input === 'string') key = `pem:${input}`;
  else if (input instanceof Uint8Array) key = `der:${toHex(input)}`;
  if (key === undefined || key.length > MAX_CACHED_CERTIFICATE_KEY_CHARS) return parseCertificateInput(input);
  let parsed = configuredCertificates.get(key);
  if (parsed === undefined) {
    parsed = parseCertificateInput(typeof input === 'string' ? input : input.slice());
    if (configuredCertificates.size >= CONFIGURED_CERTIFICATE_CACHE_LIMIT) configuredCertificates.clear();
    configuredCertificates.set(key, parsed);
  }
  return parsed;
}

/**
 * Verifies a registration ceremony response (`RegistrationResponseJSON`) following WebAuthn
 * Level 3 §7.1 step by step. Misuse of `options` throws `TypeError`; a response that fails any
 * step resolves to `{ verified: false, code, step, message }`.
 *
 * Step 26 (the credential ID is not registered yet) and step 29 (storing the record) need the
 * server's credential store: check `credentialId` there before saving.
 */
export async function verifyRegistration(
  response: unknown,
  options: VerifyRegistrationOptions,
): Promise<RegistrationResult> {
  const expected = normalizeCeremony(options, 'webauthn.create');
  const requireUserPresence = options.requireUserPresence ?? true;
  if (typeof requireUserPresence !== 'boolean') throw new TypeError('requireUserPresence must be a boolean');
  const supported = options.supportedAlgorithms ?? DEFAULT_SUPPORTED_ALGORITHMS;
  if (!Array.isArray(supported) || supported.some((a) => !Number.isInteger(a))) {
    throw new TypeError('supportedAlgorithms must be an array of COSE algorithm identifiers');
  }
  const crypto = options.crypto ?? defaultBackend();
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  checkAttestationPolicy(options);
  const anchors = (options.trustAnchors ?? []).map(parseConfiguredCertificate);
  const extraIntermediates = (options.extraIntermediates ?? []).map(parseConfiguredCertificate);
  const formats = options.attestationFormats
    ? new Map([...ATTESTATION_FORMATS, ...options.attestationFormats])
    : ATTESTATION_FORMATS;
  const requestedExtensions = options.extensions;
  if (requestedExtensions !== undefined && !isRecord(requestedExtensions))
    throw new TypeError('extensions must be the extensions object sent in the creation options');
  const tolerate = options.allowUnsolicitedExtensions ?? [];
  if (!Array.isArray(tolerate) || tolerate.some((t) => typeof t !== 'string'))
    throw new TypeError('allowUnsolicitedExtensions must be an array of extension identifiers');
  const requiredFormats = options.requiredAttestationFormats;
  if (
    requiredFormats !== undefined &&
    (!Array.isArray(requiredFormats) || requiredFormats.some((f) => typeof f !== 'string'))
  )
    throw new TypeError('requiredAttestationFormats must be an array of format identifiers');

  let step = S(3);
  try {
    // Step 3: response is a PublicKeyCredential whose response is an AuthenticatorAttestationResponse.
    if (!isRecord(response)) return failure('ERR_MALFORMED_RESPONSE', step, 'response must be an object');
    if (response['type'] !== 'public-key')
      return failure('ERR_MALFORMED_RESPONSE', step, 'type must be "public-key"');
    const id = b64urlMember(response, 'id', MAX_ID_CHARS);
    if (typeof id === 'string') return failure('ERR_MALFORMED_RESPONSE', step, id);
    if (response['rawId'] !== response['id'])
      return failure('ERR_MALFORMED_RESPONSE', step, 'id and rawId differ');
    const inner = response['response'];
    if (!isRecord(inner))
      return failure('ERR_MALFORMED_RESPONSE', step, 'response.response must be an object');
    const clientDataJSON = b64urlMember(inner, 'clientDataJSON', MAX_CLIENT_DATA_CHARS);
    if (typeof clientDataJSON === 'string') return failure('ERR_MALFORMED_RESPONSE', step, clientDataJSON);
    const attestationObject = b64urlMember(inner, 'attestationObject', MAX_ATTESTATION_OBJECT_CHARS);
    if (typeof attestationObject === 'string')
      return failure('ERR_MALFORMED_RESPONSE', step, attestationObject);
    const transports = inner['transports'] ?? [];
    if (
      !Array.isArray(transports) ||
      transports.length > 16 ||
      transports.some((t) => typeof t !== 'string')
    ) {
      return failure('ERR_MALFORMED_RESPONSE', step, 'response.transports must be an array of strings');
    }
    const attachment = response['authenticatorAttachment'];
    if (attachment !== undefined && attachment !== null && typeof attachment !== 'string') {
      return failure('ERR_MALFORMED_RESPONSE', step, 'authenticatorAttachment must be a string');
    }

    // Step 4: clientExtensionResults.
    step = S(4);
    const clientExtensionResults = response['clientExtensionResults'] ?? {};
    if (!isRecord(clientExtensionResults)) {
      return failure('ERR_EXTENSION_OUTPUT_INVALID', step, 'clientExtensionResults must be an object');
    }

    // Steps 5–6: UTF-8 decode and JSON-parse clientDataJSON.
    step = S(5);
    const c = parseClientDataJSON(clientDataJSON);

    // Steps 7–11: type, challenge, origin, crossOrigin, topOrigin.
    step = S(7);
    const cdFailure = checkClientData(c, expected, {
      type: S(7),
      challenge: S(8),
      origin: S(9),
      crossOrigin: S(10),
      topOrigin: S(11),
    });
    if (cdFailure !== undefined) return cdFailure;

    // Step 12: hash of the exact clientDataJSON bytes received.
    step = S(12);
    const clientDataHash = crypto.digest('SHA-256', clientDataJSON);

    // Step 13: CBOR-decode the attestationObject into fmt, authData and attStmt.
    step = S(13);
    const decoded = decodeAttestationObject(attestationObject);
    let authenticatorData: AuthenticatorData;
    try {
      authenticatorData = parseAuthenticatorData(decoded.authData);
    } catch (e) {
      // Step 25's length bound is enforced while parsing; report it under its own step.
      if (e instanceof WebAuthnError && e.code === 'ERR_CREDENTIAL_ID_TOO_LONG')
        return failure(e.code, S(25), e.message);
      throw e;
    }
    const credential = authenticatorData.attestedCredentialData;
    if (credential === undefined) {
      return failure(
        'ERR_AUTHENTICATOR_DATA_INVALID',
        step,
        'registration authenticatorData lacks attested credential data',
      );
    }
    // COSE-2: the credential public key must be importable — each backend's import validates it
    // (EC2 points on their curve, Edwards points decodable). Without this, "none" attestation
    // (which signs nothing) would register a key no assertion can ever be checked against.
    crypto.importKey(credential.publicKey);

    // Step 14: rpIdHash is SHA-256 of an expected RP ID.
    step = S(14);
    const rpId = expected.rpIds.find((r) =>
      bytesEqual(crypto.digest('SHA-256', utf8Encode(r)), authenticatorData.rpIdHash),
    );
    if (rpId === undefined)
      return failure('ERR_RP_ID_HASH_MISMATCH', step, 'rpIdHash does not match an expected RP ID');

    // Step 15: UP, unless this is a conditional create.
    step = S(15);
    if (requireUserPresence && !authenticatorData.flags.up) {
      return failure('ERR_USER_PRESENCE_REQUIRED', step, 'user presence flag not set');
    }

    // Step 16: UV when required.
    step = S(16);
    if (expected.requireUserVerification && !authenticatorData.flags.uv) {
      return failure(
        'ERR_USER_VERIFICATION_REQUIRED',
        step,
        'user verification required but UV flag not set',
      );
    }

    // Step 17: BS may only be set when BE is. (Steps 18–19, BE/BS policy, are the RP's: both flags are returned.)
    step = S(17);
    if (authenticatorData.flags.bs && !authenticatorData.flags.be) {
      return failure('ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY', step, 'BS flag set without BE');
    }

    // Step 20: the credential's algorithm is one the RP offered in pubKeyCredParams.
    step = S(20);
    if (!supported.includes(credential.publicKey.alg)) {
      return failure(
        'ERR_ALGORITHM_NOT_ALLOWED',
        step,
        `credential algorithm ${credential.publicKey.algorithm.name} not allowed`,
      );
    }

    // Step 21: fmt matches a supported format, case-sensitively.
    step = S(21);
    const verifier = formats.get(decoded.fmt);
    if (verifier === undefined) {
      const pending = PENDING_ATTESTATION_FORMATS.includes(decoded.fmt) ? ' (not supported yet)' : '';
      return failure('ERR_UNSUPPORTED_ATTESTATION_FORMAT', step, `unsupported attestation format${pending}`);
    }
    if (requiredFormats !== undefined && !requiredFormats.includes(decoded.fmt)) {
      return failure(
        'ERR_ATTESTATION_FORMAT_NOT_REQUESTED',
        step,
        `attestation format ${decoded.fmt} is not one of the required formats`,
      );
    }

    // Step 22: the format's verification procedure.
    step = S(22);
    const outcome = await verifier({
      attStmt: decoded.attStmt,
      authData: decoded.authData,
      authenticatorData,
      credential,
      clientDataHash,
      crypto,
      rawAttStmt: decoded.rawAttStmt,
      now,
      policy: options,
      formats,
    });
    if (!outcome.ok) {
      const at = outcome.step === undefined ? step : `${step} (${outcome.step})`;
      return failure(outcome.code, at, outcome.message);
    }

    // Steps 23–24: trust anchors and trustworthiness. verified ≠ trusted: only a chain to a
    // configured anchor is trusted; none/self never are (ATT-2).
    step = S(24);
    const isTrusted = async (path: readonly ParsedCertificate[]): Promise<boolean> =>
      path.length > 0 &&
      anchors.length > 0 &&
      (await verifyCertificateChain(path, { anchors, extraIntermediates, now })).trusted;
    let trusted = await isTrusted(outcome.trustPath);
    let statements: AttestationResult['statements'];
    if (outcome.statements !== undefined) {
      const each = [];
      for (const s of outcome.statements) {
        const t = await isTrusted(s.trustPath);
        each.push({ fmt: s.fmt, type: s.type, trustPath: s.trustPath.map((p) => p.der), trusted: t });
      }
      statements = each;
      trusted = each.some((s) => s.trusted);
    }
    if (options.requireTrustedAttestation === true && !trusted) {
      return failure('ERR_ATTESTATION_NOT_TRUSTED', step, `attestation (${outcome.type}) is not trusted`);
    }

    // Step 25: credentialId length (≤ 1023, enforced by the parser) and the response id
    // must name the attested credential (OWN-2).
    step = S(25);
    if (!bytesEqual(id, credential.credentialId)) {
      return failure(
        'ERR_CREDENTIAL_ID_MISMATCH',
        step,
        'response id differs from the attested credential id',
      );
    }

    // Step 28: extension outputs against the inputs sent (step 27, the record, is what we return).
    step = S(28);
    let extensions: ExtensionResults | undefined;
    let clientOutputs: Readonly<Record<string, unknown>> = clientExtensionResults;
    if (requestedExtensions !== undefined) {
      const checked = checkExtensionOutputs(
        'registration',
        requestedExtensions,
        clientExtensionResults,
        authenticatorData.extensions,
        step,
        { tolerateUnsolicited: tolerate },
      );
      if (checked.verified === false) return checked;
      extensions = checked.results;
      clientOutputs = checked.clientOutputs;
    }

    return {
      verified: true,
      credentialId: credential.credentialId,
      credentialIdBase64url: encodeBase64url(credential.credentialId),
      publicKey: credential.credentialPublicKey,
      alg: credential.publicKey.alg,
      signCount: authenticatorData.signCount,
      aaguid: formatUuid(credential.aaguid),
      aaguidAttested: outcome.signsAuthenticatorData === true && ATTESTED_TYPES.has(outcome.type),
      transports: transports as string[],
      userPresent: authenticatorData.flags.up,
      userVerified: authenticatorData.flags.uv,
      backupEligible: authenticatorData.flags.be,
      backupState: authenticatorData.flags.bs,
      attestation: {
        fmt: decoded.fmt,
        type: outcome.type,
        trustPath: outcome.trustPath.map((p) => p.der),
        trusted,
        ...(statements === undefined ? {} : { statements }),
      },
      origin: c.origin,
      topOrigin: c.topOrigin,
      rpId,
      authenticatorExtensionResults: authenticatorData.extensions,
      clientExtensionResults: clientOutputs,
      extensions,
      authenticatorAttachment: typeof attachment === 'string' ? attachment : undefined,
    };
  } catch (e) {
    const known = asWebAuthnError(e);
    if (known !== undefined) return failure(known.code, step, known.message);
    // Every parser this function calls throws WebAuthnError (or core's CodecError, mapped above);
    // anything else is a bug here or a caller's misuse (e.g. a throwing challenge predicate) and
    // is never disguised as a verdict on the response.
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) throw e;
    return failure('ERR_MALFORMED_RESPONSE', step, 'response could not be processed');
  }
}

interface DecodedAttestationObject {
  readonly fmt: string;
  readonly attStmt: CborMap;
  /** attStmt as decoded (compound's is an array). */
  readonly rawAttStmt: CborValue;
  readonly authData: Uint8Array;
}

/** §6.5.4: the attestationObject is exactly {fmt: tstr, attStmt: map, authData: bstr}. */
function decodeAttestationObject(bytes: Uint8Array): DecodedAttestationObject {
  const bad = (message: string): WebAuthnError =>
    new WebAuthnError('ERR_ATTESTATION_OBJECT_INVALID', message);
  if (bytes.length === 0) throw bad('attestationObject is empty');
  const value = decodeCbor(bytes);
  if (!isCborMap(value)) throw bad('attestationObject must be a CBOR map');
  for (const key of value.keys()) {
    if (key !== 'fmt' && key !== 'attStmt' && key !== 'authData')
      throw bad('attestationObject has an unexpected member');
  }
  const fmt = value.get('fmt');
  const attStmt = value.get('attStmt');
  const authData = value.get('authData');
  // §8.1: identifiers are at most 32 printable US-ASCII characters (ATT-12).
  if (typeof fmt !== 'string' || fmt.length === 0 || fmt.length > 32 || !/^[\x21-\x7e]+$/.test(fmt)) {
    throw bad('attestationObject.fmt is not a valid format identifier');
  }
  // §8.9: only compound's attStmt is an array (of statements); every other format's is a map.
  const compoundArray = fmt === 'compound' && Array.isArray(attStmt);
  if (!isCborMap(attStmt) && !compoundArray) throw bad('attestationObject.attStmt must be a map');
  if (!(authData instanceof Uint8Array)) throw bad('attestationObject.authData must be a byte string');
  return {
    fmt,
    attStmt: isCborMap(attStmt) ? attStmt : new Map(),
    rawAttStmt: attStmt as CborValue,
    authData,
  };
}

function formatUuid(bytes: Uint8Array): string {
  const h = toHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
