import { type Assurance, assessRegistration, userVerificationAmr } from '@factorkit/metadata';
import { coseKeyFromU2fPublicKey } from '@factorkit/u2f';
import {
  type AllAcceptedCredentialsOptionsJSON,
  type AuthenticationExtensionInputs,
  type AuthenticationOptionsJSON,
  allAcceptedCredentialsSignal,
  type BuiltRelatedOriginsDocument,
  buildRelatedOriginsDocument,
  type CryptoBackend,
  type CurrentUserDetailsOptionsJSON,
  currentUserDetailsSignal,
  decoyAllowCredentials,
  type ExtensionResults,
  encodeBase64url,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  isBase64url,
  MIN_DECOY_SECRET_LENGTH,
  parseClientDataJSONBase64url,
  type RegistrationExtensionInputs,
  type RegistrationOptionsJSON,
  type UnknownCredentialOptionsJSON,
  unknownCredentialSignal,
  verifyAuthenticationAsync,
  verifyRegistration,
} from '@factorkit/webauthn';
import type { ChallengeRecord, CredentialRecord, JsonValue } from '../store/types.ts';
import { currentMetadata, loginAssurance, policyFailure, storedAssurance } from './assurance.ts';
import { type FacadeContext, requireOrigin, requireUserId } from './context.ts';
import { type FactorVerification, fromFailure, rejected, success } from './result.ts';

export interface WebAuthnPolicies {
  /** Extra RP IDs accepted besides `rp.id` (e.g. during a domain move). Default none. */
  readonly additionalRpIds?: readonly string[];
  /** Require the UV flag. Default false. */
  readonly requireUserVerification?: boolean;
  /** Attestation roots (PEM or DER). Default none: attestation is verified, not trusted. */
  readonly trustAnchors?: readonly (string | Uint8Array)[];
  readonly extraIntermediates?: readonly (string | Uint8Array)[];
  /** Reject registrations whose attestation does not chain to an anchor. Default false. */
  readonly requireTrustedAttestation?: boolean;
  /** COSE algorithms accepted. Default: the webauthn package's default set. */
  readonly supportedAlgorithms?: readonly number[];
  /** Accept `crossOrigin: true`. Default false. */
  readonly allowCrossOrigin?: boolean;
  /** Top-level origins allowed to embed a ceremony. Default none. */
  readonly topOrigins?: readonly string[];
  /** Accepted clientData.type values (default: the spec's). */
  readonly expectedType?: string | readonly string[];
  /** Attestation conveyance asked for in registration options. Default `none`. */
  readonly attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  /** `attestationFormats` sent in registration options (L3 §5.4: a preference). Default none. */
  readonly attestationFormats?: readonly string[];
  /** Make `attestationFormats` a requirement: any other `fmt` fails §7.1 step 21. Default false. */
  readonly requireAttestationFormats?: boolean;
  /**
   * Authenticator extension outputs accepted although not requested (e.g. `["credProtect"]` for
   * keys configured to always protect credentials). Default none: they fail §7.1 step 28 / §7.2 step 23.
   */
  readonly allowUnsolicitedExtensions?: readonly string[];
  /**
   * Related origins (L3 §5.11) that may use `rp.id`: served by `relatedOriginsDocument()` at
   * `/.well-known/webauthn` and accepted as ceremony origins. Checked at start-up (serialized https
   * origins, the 5-label rule). Default none.
   */
  readonly relatedOrigins?: readonly string[];
  /**
   * Server secret (≥ 32 bytes) keying the decoy `allowCredentials` returned for users without
   * credentials (username-enumeration defence). Default: a random secret per façade instance —
   * deterministic until restart; configure one to keep decoys stable across restarts and instances.
   */
  readonly decoySecret?: Uint8Array;
}

/** `authenticatorSelection` of a registration (WebAuthn §5.4.4). */
export interface AuthenticatorSelectionInput {
  readonly authenticatorAttachment?: 'platform' | 'cross-platform';
  readonly residentKey?: 'discouraged' | 'preferred' | 'required';
  readonly userVerification?: 'required' | 'preferred' | 'discouraged';
}

const USER_VERIFICATION = new Set(['required', 'preferred', 'discouraged']);

export interface WebAuthnRegistered {
  readonly credentialId: string;
  readonly alg: number;
  readonly aaguid: string;
  /**
   * The AAGUID is vouched for by an attestation certificate's signature over authenticatorData.
   * Always `false` for `none`, self attestation and `fido-u2f` (whose device does not sign it):
   * use `aaguid` in a policy (allow-list, metadata lookup) only when this and `trusted` are true.
   */
  readonly aaguidAttested: boolean;
  readonly fmt: string;
  readonly attestationType: string;
  /** verified ≠ trusted: true only when the attestation chains to a configured anchor. */
  readonly trusted: boolean;
  readonly backupEligible: boolean;
  readonly backupState: boolean;
  readonly transports: readonly string[];
  /** The checked extension outputs (credProps, credProtect, largeBlob, prf, minPinLength, …). */
  readonly extensions: ExtensionResults;
  /** Evidence-graded assurance of the new credential (see @factorkit/metadata). */
  readonly assurance: Assurance;
}

export interface WebAuthnAuthenticated {
  readonly credentialId: string;
  readonly userId: string;
  readonly signCount: number;
  readonly userVerified: boolean;
  readonly backupState: boolean;
  /** The response used the `appid` extension (a credential migrated from U2F). */
  readonly appidUsed: boolean;
  /** The checked extension outputs (largeBlob, prf results as redacted SecretBytes, …). */
  readonly extensions: ExtensionResults;
  /** Evidence-graded assurance of this login (the registration's evidence, this assertion's UV/UP). */
  readonly assurance: Assurance;
}

/** WebAuthn (Okta factor type `webauthn`): registration and authentication ceremonies. */
export interface WebAuthnNamespace {
  /**
   * `extensions` are sent in the options and stored with the challenge: the response's outputs
   * are checked against them. `mediation: "conditional"` (conditional create, L3 §5.1.3) makes
   * this one challenge accept a response without the UP flag (§7.1 step 15).
   *
   * `authenticatorSelection` picks the kind of authenticator (e.g. a passkey:
   * `{ residentKey: 'required', userVerification: 'required' }`; a security key:
   * `{ residentKey: 'discouraged' }`). `userVerification: 'required'` is also enforced when the
   * response is verified, whatever `policies.webauthn.requireUserVerification` says.
   */
  startRegistration(input: {
    userId: string;
    userName: string;
    userDisplayName?: string;
    origin: string;
    extensions?: RegistrationExtensionInputs;
    mediation?: 'conditional';
    authenticatorSelection?: AuthenticatorSelectionInput;
    hints?: readonly ('security-key' | 'client-device' | 'hybrid')[];
  }): Promise<RegistrationOptionsJSON>;
  finishRegistration(input: {
    userId: string;
    response: unknown;
  }): Promise<FactorVerification<WebAuthnRegistered>>;
  /**
   * `userId` omitted: a username-less (discoverable credential) ceremony. A `userId` with no
   * credentials (unknown user) gets decoy `allowCredentials` of the same shape, deterministic per
   * `userId` (see `decoySecret`), so the options do not reveal which users exist. `userVerification:
   * 'required'` (e.g. for passwordless sign-in) is sent to the client and enforced when the
   * response is verified; without it, `policies.webauthn.requireUserVerification` decides.
   */
  startAuthentication(input: {
    userId?: string;
    origin: string;
    extensions?: AuthenticationExtensionInputs;
    userVerification?: 'required' | 'preferred' | 'discouraged';
  }): Promise<AuthenticationOptionsJSON>;
  finishAuthentication(input: {
    userId?: string;
    response: unknown;
  }): Promise<FactorVerification<WebAuthnAuthenticated>>;
  /** The user's WebAuthn credentials, oldest first (no public keys), for an account page. */
  list(userId: string): Promise<readonly StoredCredentialInfo[]>;
  /** Removes one of the user's WebAuthn credentials; `false` when the user has none with this id. */
  delete(input: { userId: string; credentialId: string }): Promise<boolean>;
  /** The related-origins document to serve at `/.well-known/webauthn` (undefined without `relatedOrigins`). */
  relatedOriginsDocument(): BuiltRelatedOriginsDocument | undefined;
  /** Signal API: tell the user's credential manager that `credentialId` is unknown here. */
  signalUnknownCredential(credentialId: string): UnknownCredentialOptionsJSON;
  /** Signal API: every WebAuthn credential id the store holds for the user. */
  signalAllAcceptedCredentials(userId: string): Promise<AllAcceptedCredentialsOptionsJSON>;
  /** Signal API: the user's current name and display name. */
  signalCurrentUserDetails(input: {
    userId: string;
    name: string;
    displayName?: string;
  }): CurrentUserDetailsOptionsJSON;
  /**
   * Deletes one of the user's WebAuthn credentials and returns what to signal: the deleted id
   * (`signalUnknownCredential`) and the user's remaining ids (`signalAllAcceptedCredentials`).
   */
  deleteCredential(input: { userId: string; credentialId: string }): Promise<{
    readonly deleted: boolean;
    readonly unknownCredential: UnknownCredentialOptionsJSON;
    readonly allAcceptedCredentials: AllAcceptedCredentialsOptionsJSON;
  }>;
}

/** What a WebAuthn challenge record's `data` holds (JSON): the request as issued. */
interface WebAuthnChallengeData {
  readonly extensions?: Readonly<Record<string, JsonValue>>;
  /** `false` for a conditional-create challenge (UP may be clear, §7.1 step 15). */
  readonly requireUserPresence?: boolean;
  /** `true` when the start call asked for `userVerification: 'required'`. */
  readonly requireUserVerification?: boolean;
  readonly allowCredentials?: readonly string[];
}

function challengeData(record: ChallengeRecord): WebAuthnChallengeData {
  const d = record.data;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as WebAuthnChallengeData) : {};
}

/** A stored credential as `list()` shows it: everything but the public key. */
export type StoredCredentialInfo = Omit<CredentialRecord, 'publicKey'>;

/** Lists one factor's credentials of a user without their public keys. */
export async function listCredentials(
  store: FacadeContext['store'],
  userId: string,
  factor: CredentialRecord['factor'],
): Promise<StoredCredentialInfo[]> {
  return (await store.credentials.list(userId))
    .filter((c) => c.factor === factor)
    .map(({ publicKey: _p, ...rest }) => rest);
}

/** Deletes a credential only when it is the user's and of this factor. */
export async function deleteCredential(
  store: FacadeContext['store'],
  input: { userId: string; credentialId: string },
  factor: CredentialRecord['factor'],
): Promise<boolean> {
  const userId = requireUserId(input?.userId);
  if (typeof input.credentialId !== 'string') throw new TypeError('credentialId must be a string');
  const cred = await store.credentials.get(input.credentialId);
  if (cred === undefined || cred.userId !== userId || cred.factor !== factor) return false;
  return store.credentials.delete(cred.id);
}

/** Key prefix of WebAuthn challenges in the challenge store. */
export const WEBAUTHN_CHALLENGE_PREFIX = 'webauthn:';

/** Longest credential id (base64url characters) looked up in the store: 1023 bytes (§7.1 step 25). */
const MAX_CREDENTIAL_ID_CHARS = Math.ceil((1023 * 4) / 3);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The challenge a response answers (for the store lookup only; verification re-checks it).
 * `response` is untrusted: the clientDataJSON's length is checked before it is decoded (DOS-1),
 * and nothing here throws.
 */
export function challengeOf(response: unknown): string | undefined {
  if (!isObject(response)) return undefined;
  const inner = response['response'];
  if (!isObject(inner)) return undefined;
  const encoded = inner['clientDataJSON'];
  if (typeof encoded !== 'string') return undefined;
  try {
    return parseClientDataJSONBase64url(encoded).challenge;
  } catch {
    return undefined;
  }
}

export function createWebAuthnNamespace(
  ctx: FacadeContext,
  policies: WebAuthnPolicies,
  crypto?: CryptoBackend,
): WebAuthnNamespace {
  const { store } = ctx;
  const rpIds = [ctx.rp.id, ...(policies.additionalRpIds ?? [])];
  const timeoutMs = ctx.challengeTimeoutMs;
  // Built (and so validated) once, at start-up: a bad list is a TypeError/RangeError here.
  const related =
    policies.relatedOrigins === undefined || policies.relatedOrigins.length === 0
      ? undefined
      : buildRelatedOriginsDocument({ rpId: ctx.rp.id, origins: policies.relatedOrigins });
  const ceremonyOrigins = [...ctx.origins, ...(related?.document.origins ?? [])];
  const decoySecret = policies.decoySecret ?? crypto_random(MIN_DECOY_SECRET_LENGTH);
  if (!(decoySecret instanceof Uint8Array) || decoySecret.length < MIN_DECOY_SECRET_LENGTH)
    throw new TypeError(`decoySecret must be at least ${MIN_DECOY_SECRET_LENGTH} bytes`);
  const webauthnOrigin = (origin: unknown): string => {
    if (typeof origin === 'string' && related?.document.origins.includes(origin)) return origin;
    return requireOrigin(ctx, origin);
  };
  const userHandleOf = (userId: string): string => encodeBase64url(new TextEncoder().encode(userId));
  const authenticatorPolicy = ctx.policies.authenticator;
  const requireUv =
    policies.requireUserVerification === true || authenticatorPolicy?.requireUserVerification === true;

  async function issue(
    factor: string,
    userId: string | null,
    origin: string,
    challenge: string,
    data: JsonValue,
  ): Promise<void> {
    await store.challenges.put({
      id: WEBAUTHN_CHALLENGE_PREFIX + challenge,
      factor,
      userId,
      origin,
      challenge,
      expiresAt: ctx.clock().getTime() + timeoutMs,
      data,
    });
  }

  /** Consumes the response's challenge and checks its binding (factor, user, expiry). */
  async function take(
    response: unknown,
    factor: string,
    userId: string | undefined,
  ): Promise<ChallengeRecord | FactorVerification<never>> {
    const challenge = challengeOf(response);
    if (challenge === undefined)
      return fromFailure({ code: 'ERR_CLIENT_DATA_MALFORMED', message: 'clientDataJSON is unreadable' });
    const record = await store.challenges.consume(WEBAUTHN_CHALLENGE_PREFIX + challenge);
    if (record === undefined)
      return fromFailure({
        code: 'ERR_CHALLENGE_UNKNOWN',
        message: 'no pending challenge (unknown or already used)',
      });
    if (record.factor !== factor || (record.userId !== null && record.userId !== userId)) {
      return fromFailure({
        code: 'ERR_CHALLENGE_CONTEXT_MISMATCH',
        message: 'challenge was issued for another ceremony or user',
      });
    }
    if (ctx.clock().getTime() >= record.expiresAt)
      return fromFailure({ code: 'ERR_CHALLENGE_EXPIRED', message: 'challenge expired' });
    return record;
  }

  const ceremony = (record: ChallengeRecord) => ({
    expectedChallenge: isBase64url(record.challenge)
      ? record.challenge
      : (c: string) => c === record.challenge,
    expectedOrigin: record.origin ?? ceremonyOrigins,
    expectedRpId: rpIds,
    ...(policies.expectedType === undefined ? {} : { expectedType: policies.expectedType }),
    ...(policies.allowCrossOrigin === undefined ? {} : { allowCrossOrigin: policies.allowCrossOrigin }),
    ...(policies.topOrigins === undefined ? {} : { expectedTopOrigin: policies.topOrigins }),
    // §7.1 step 15 / §7.2 step 17: required by policy (webauthn or authenticator), or by the options of this ceremony.
    requireUserVerification:
      requireUv ||
      (record.data as { requireUserVerification?: unknown } | null)?.requireUserVerification === true,
    ...(policies.supportedAlgorithms === undefined
      ? {}
      : { supportedAlgorithms: policies.supportedAlgorithms }),
    ...(crypto === undefined ? {} : { crypto }),
  });

  const descriptors = (creds: readonly CredentialRecord[]) =>
    creds.map((c) => {
      const transports = c.data.transports;
      return { id: c.id, ...(transports === undefined ? {} : { transports: [...transports] }) };
    });

  return {
    async startRegistration(input) {
      const userId = requireUserId(input?.userId);
      const origin = webauthnOrigin(input.origin);
      if (input.mediation !== undefined && input.mediation !== 'conditional')
        throw new TypeError('mediation must be "conditional" when given');
      const existing = await store.credentials.list(userId);
      const u2fAppId = existing.find((c) => c.factor === 'u2f')?.data.appId;
      const selection = input.authenticatorSelection;
      if (selection !== undefined) {
        if (typeof selection !== 'object' || selection === null)
          throw new TypeError('authenticatorSelection must be an object');
        if (selection.userVerification !== undefined && !USER_VERIFICATION.has(selection.userVerification))
          throw new TypeError(
            "authenticatorSelection.userVerification must be 'required', 'preferred' or 'discouraged'",
          );
      }
      const options = generateRegistrationOptions({
        rpName: ctx.rp.name,
        rpId: ctx.rp.id,
        userName: input.userName,
        ...(input.userDisplayName === undefined ? {} : { userDisplayName: input.userDisplayName }),
        userId: new TextEncoder().encode(userId),
        timeout: timeoutMs,
        attestation: policies.attestation ?? 'none',
        ...(policies.supportedAlgorithms === undefined
          ? {}
          : { supportedAlgorithms: policies.supportedAlgorithms }),
        excludeCredentials: descriptors(existing) as never,
        // A user with legacy U2F keys: the browser refuses to re-register them (appidExclude).
        ...(u2fAppId === undefined ? {} : { appidExclude: u2fAppId }),
        ...(input.extensions === undefined ? {} : { extensions: input.extensions }),
        ...(selection === undefined ? {} : { authenticatorSelection: selection }),
        ...(input.hints === undefined ? {} : { hints: input.hints }),
        ...(policies.attestationFormats === undefined
          ? {}
          : { attestationFormats: policies.attestationFormats }),
      });
      // The request as issued, kept with the challenge: the extensions sent (appidExclude
      // included), for conditional create that this one challenge may lack UP, and a required UV.
      const data: Record<string, JsonValue> = { extensions: (options.extensions ?? {}) as JsonValue };
      if (input.mediation === 'conditional') data['requireUserPresence'] = false;
      if (selection?.userVerification === 'required') data['requireUserVerification'] = true;
      await issue('webauthn.registration', userId, origin, options.challenge, data);
      return options;
    },

    async finishRegistration(input) {
      const userId = requireUserId(input?.userId);
      const record = await take(input.response, 'webauthn.registration', userId);
      if ('factorResult' in record) return record;
      const issued = challengeData(record);
      const result = await verifyRegistration(input.response, {
        ...ceremony(record),
        ...(issued.requireUserPresence === false ? { requireUserPresence: false } : {}),
        ...(issued.extensions === undefined
          ? {}
          : { extensions: issued.extensions as RegistrationExtensionInputs }),
        ...(policies.allowUnsolicitedExtensions === undefined
          ? {}
          : { allowUnsolicitedExtensions: policies.allowUnsolicitedExtensions }),
        ...(policies.requireAttestationFormats === true && policies.attestationFormats !== undefined
          ? { requiredAttestationFormats: policies.attestationFormats }
          : {}),
        ...(policies.trustAnchors === undefined ? {} : { trustAnchors: policies.trustAnchors }),
        ...(policies.extraIntermediates === undefined
          ? {}
          : { extraIntermediates: policies.extraIntermediates }),
        ...(policies.requireTrustedAttestation === undefined
          ? {}
          : { requireTrustedAttestation: policies.requireTrustedAttestation }),
        now: ctx.clock(),
      });
      if (!result.verified) return fromFailure(result);
      // Trust from metadata, the authenticator policy and the graded evidence, before anything is stored.
      const metadata = currentMetadata(ctx.metadata);
      const { assessment, assurance } = await assessRegistration(result, metadata, {
        now: ctx.clock(),
        ...(authenticatorPolicy === undefined ? {} : { policy: authenticatorPolicy }),
        ...(ctx.policies.revocation === undefined ? {} : { revocation: ctx.policies.revocation }),
      });
      const refused = policyFailure(authenticatorPolicy, assessment, assurance);
      if (refused !== undefined) return fromFailure({ ...refused, step: '7.1 step 24' });
      const uvAmr =
        assessment?.trusted === true ? userVerificationAmr(assessment.userVerificationMethods) : [];
      try {
        await store.credentials.put({
          id: result.credentialIdBase64url,
          userId,
          factor: 'webauthn',
          publicKey: result.publicKey,
          signCount: result.signCount,
          createdAt: ctx.clock().getTime(),
          lastUsedAt: null,
          data: {
            alg: result.alg,
            aaguid: result.aaguid,
            aaguidAttested: result.aaguidAttested,
            fmt: result.attestation.fmt,
            attestationType: result.attestation.type,
            trusted: result.attestation.trusted,
            transports: [...result.transports],
            backupEligible: result.backupEligible,
            backupState: result.backupState,
            uvInitialized: result.userVerified,
            // user.id as sent in the creation options: checked against the assertion's userHandle.
            userHandle: userHandleOf(userId),
            // The signed credProtect level the authenticator applied (CTAP 2.1 §12.1).
            ...(result.extensions?.credProtect === undefined
              ? {}
              : { credProtect: result.extensions.credProtect }),
            assurance: storedAssurance(assurance, assessment, uvAmr),
          },
        });
      } catch (error) {
        if ((error as { code?: unknown })?.code === 'ERR_STORE_CONFLICT') {
          return rejected('ERR_CREDENTIAL_EXISTS', 'this credential id is already registered');
        }
        throw error;
      }
      return success({
        credentialId: result.credentialIdBase64url,
        alg: result.alg,
        aaguid: result.aaguid,
        aaguidAttested: result.aaguidAttested,
        fmt: result.attestation.fmt,
        attestationType: result.attestation.type,
        trusted: result.attestation.trusted,
        backupEligible: result.backupEligible,
        backupState: result.backupState,
        transports: result.transports,
        extensions: result.extensions ?? {},
        assurance,
      });
    },

    async startAuthentication(input) {
      const userId = input?.userId === undefined ? null : requireUserId(input.userId);
      const origin = webauthnOrigin(input.origin);
      const uv = input.userVerification;
      if (uv !== undefined && !USER_VERIFICATION.has(uv))
        throw new TypeError("userVerification must be 'required', 'preferred' or 'discouraged'");
      const creds = userId === null ? [] : await store.credentials.list(userId);
      const u2fAppId = creds.find((c) => c.factor === 'u2f')?.data.appId;
      // Username-enumeration defence: a named user without credentials gets decoys of the same
      // shape; the same store read happens either way.
      const allowCredentials =
        userId !== null && creds.length === 0
          ? decoyAllowCredentials({ secret: decoySecret, rpId: ctx.rp.id, userName: userId })
          : descriptors(creds);
      const uvRequired = requireUv || uv === 'required';
      const options = generateAuthenticationOptions({
        rpId: ctx.rp.id,
        timeout: timeoutMs,
        allowCredentials: allowCredentials as never,
        userVerification: uvRequired ? 'required' : (uv ?? 'preferred'),
        // Credentials registered through U2F sign with the old AppID (WebAuthn §10.1.1 appid).
        ...(u2fAppId === undefined ? {} : { appid: u2fAppId }),
        ...(input.extensions === undefined ? {} : { extensions: input.extensions }),
      });
      await issue('webauthn.authentication', userId, origin, options.challenge, {
        allowCredentials: allowCredentials.map((c) => c.id),
        extensions: (options.extensions ?? {}) as JsonValue,
        ...(uv === 'required' ? { requireUserVerification: true } : {}),
      });
      return options;
    },

    async finishAuthentication(input) {
      const userId = input?.userId === undefined ? undefined : requireUserId(input.userId);
      const record = await take(input.response, 'webauthn.authentication', userId);
      if ('factorResult' in record) return record;
      const id = isObject(input.response) ? input.response['id'] : undefined;
      if (typeof id !== 'string' || id.length === 0 || id.length > MAX_CREDENTIAL_ID_CHARS) {
        return rejected('ERR_MALFORMED_REQUEST', 'response.id must be a credential id (base64url)');
      }
      const cred = await store.credentials.get(id);
      if (cred === undefined || (userId !== undefined && cred.userId !== userId)) {
        return rejected('ERR_FACTOR_NOT_FOUND', 'no registered credential with this id for this user');
      }
      // §7.2 step 6, username-less: the account is the one response.userHandle names, so the
      // credential must carry its owner's user handle (legacy U2F registrations have none and
      // are never discoverable).
      if (userId === undefined && typeof cred.data['userHandle'] !== 'string') {
        return rejected('ERR_FACTOR_NOT_FOUND', 'this credential cannot be used without a username');
      }
      const issued = challengeData(record);
      const allow = issued.allowCredentials;
      const { appId, backupEligible, userHandle } = cred.data;
      const result = await verifyAuthenticationAsync(input.response, {
        ...ceremony(record),
        credential: {
          id: cred.id,
          // A U2F registration carries the raw P-256 point; WebAuthn wants a COSE key.
          publicKey: cred.factor === 'u2f' ? coseKeyFromU2fPublicKey(cred.publicKey) : cred.publicKey,
          signCount: cred.signCount,
          ...(backupEligible === undefined ? {} : { backupEligible }),
          ...(userHandle === undefined ? {} : { userHandle }),
        },
        userIdentified: userId !== undefined,
        ...(allow !== undefined && allow.length > 0 ? { allowCredentials: allow } : {}),
        ...(appId === undefined ? {} : { appid: appId }),
        ...(issued.extensions === undefined
          ? {}
          : { extensions: issued.extensions as AuthenticationExtensionInputs }),
        ...(policies.allowUnsolicitedExtensions === undefined
          ? {}
          : { allowUnsolicitedExtensions: policies.allowUnsolicitedExtensions }),
      });
      if (!result.verified) return fromFailure(result);
      const moved = await store.credentials.updateCounter(cred.id, cred.signCount, result.newSignCount, {
        lastUsedAt: ctx.clock().getTime(),
        data: { backupState: result.backupState },
      });
      if (!moved)
        return rejected('ERR_COUNTER_RACE', 'a concurrent verification updated this credential first');
      return success({
        credentialId: cred.id,
        userId: cred.userId,
        signCount: result.newSignCount,
        userVerified: result.userVerified,
        backupState: result.backupState,
        appidUsed: result.appidUsed,
        extensions: result.extensions ?? {},
        assurance: loginAssurance(cred, result, currentMetadata(ctx.metadata), ctx.clock()),
      });
    },

    list: async (userId) => listCredentials(store, requireUserId(userId), 'webauthn'),
    delete: (input) => deleteCredential(store, input, 'webauthn'),

    relatedOriginsDocument: () => related,

    signalUnknownCredential: (credentialId) => unknownCredentialSignal({ rpId: ctx.rp.id, credentialId }),

    async signalAllAcceptedCredentials(userId) {
      const id = requireUserId(userId);
      const creds = await store.credentials.list(id);
      return allAcceptedCredentialsSignal({
        rpId: ctx.rp.id,
        userId: userHandleOf(id),
        credentialIds: creds.filter((c) => c.factor === 'webauthn').map((c) => c.id),
      });
    },

    signalCurrentUserDetails(input) {
      const id = requireUserId(input?.userId);
      return currentUserDetailsSignal({
        rpId: ctx.rp.id,
        userId: userHandleOf(id),
        name: input.name,
        ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      });
    },

    async deleteCredential(input) {
      const userId = requireUserId(input?.userId);
      if (typeof input.credentialId !== 'string' || !isBase64url(input.credentialId))
        throw new TypeError('credentialId must be base64url');
      const cred = await store.credentials.get(input.credentialId);
      // Only the owner's own WebAuthn credential is deleted; the signals are built either way.
      const deleted =
        cred !== undefined && cred.userId === userId && cred.factor === 'webauthn'
          ? await store.credentials.delete(input.credentialId)
          : false;
      const remaining = await store.credentials.list(userId);
      return {
        deleted,
        unknownCredential: unknownCredentialSignal({ rpId: ctx.rp.id, credentialId: input.credentialId }),
        allAcceptedCredentials: allAcceptedCredentialsSignal({
          rpId: ctx.rp.id,
          userId: userHandleOf(userId),
          credentialIds: remaining.filter((c) => c.factor === 'webauthn').map((c) => c.id),
        }),
      };
    },
  };
}

function crypto_random(length: number): Uint8Array {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}
