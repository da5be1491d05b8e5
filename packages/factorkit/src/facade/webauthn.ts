import { type Assurance, assessRegistration, userVerificationAmr } from '@factorkit/metadata';
import { coseKeyFromU2fPublicKey } from '@factorkit/u2f';
import {
  type AuthenticationOptionsJSON,
  type CryptoBackend,
  encodeBase64url,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  isBase64url,
  parseClientDataJSONBase64url,
  type RegistrationOptionsJSON,
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
  /** Require the UP flag at registration. Default true (false only for conditional create). */
  readonly requireUserPresence?: boolean;
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
  /** Evidence-graded assurance of this login (the registration's evidence, this assertion's UV/UP). */
  readonly assurance: Assurance;
}

/** WebAuthn (Okta factor type `webauthn`): registration and authentication ceremonies. */
export interface WebAuthnNamespace {
  /**
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
    authenticatorSelection?: AuthenticatorSelectionInput;
    hints?: readonly ('security-key' | 'client-device' | 'hybrid')[];
  }): Promise<RegistrationOptionsJSON>;
  finishRegistration(input: {
    userId: string;
    response: unknown;
  }): Promise<FactorVerification<WebAuthnRegistered>>;
  /**
   * `userId` omitted: a username-less (discoverable credential) ceremony. `userVerification:
   * 'required'` (e.g. for passwordless sign-in) is sent to the client and enforced when the
   * response is verified; without it, `policies.webauthn.requireUserVerification` decides.
   */
  startAuthentication(input: {
    userId?: string;
    origin: string;
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
    expectedOrigin: record.origin ?? ctx.origins,
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
      const origin = requireOrigin(ctx, input.origin);
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
        ...(selection === undefined ? {} : { authenticatorSelection: selection }),
        ...(input.hints === undefined ? {} : { hints: input.hints }),
      });
      await issue(
        'webauthn.registration',
        userId,
        origin,
        options.challenge,
        selection?.userVerification === 'required' ? { requireUserVerification: true } : null,
      );
      return options;
    },

    async finishRegistration(input) {
      const userId = requireUserId(input?.userId);
      const record = await take(input.response, 'webauthn.registration', userId);
      if ('factorResult' in record) return record;
      const result = await verifyRegistration(input.response, {
        ...ceremony(record),
        ...(policies.requireUserPresence === undefined
          ? {}
          : { requireUserPresence: policies.requireUserPresence }),
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
            userHandle: encodeBase64url(new TextEncoder().encode(userId)),
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
        assurance,
      });
    },

    async startAuthentication(input) {
      const userId = input?.userId === undefined ? null : requireUserId(input.userId);
      const origin = requireOrigin(ctx, input.origin);
      const uv = input.userVerification;
      if (uv !== undefined && !USER_VERIFICATION.has(uv))
        throw new TypeError("userVerification must be 'required', 'preferred' or 'discouraged'");
      const creds = userId === null ? [] : await store.credentials.list(userId);
      const u2fAppId = creds.find((c) => c.factor === 'u2f')?.data.appId;
      const uvRequired = requireUv || uv === 'required';
      const options = generateAuthenticationOptions({
        rpId: ctx.rp.id,
        timeout: timeoutMs,
        allowCredentials: descriptors(creds) as never,
        userVerification: uvRequired ? 'required' : (uv ?? 'preferred'),
        // Credentials registered through U2F sign with the old AppID (WebAuthn §10.1.1 appid).
        ...(u2fAppId === undefined ? {} : { appid: u2fAppId }),
      });
      await issue('webauthn.authentication', userId, origin, options.challenge, {
        allowCredentials: creds.map((c) => c.id),
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
      const allow = (record.data as { allowCredentials?: string[] } | null)?.allowCredentials;
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
        assurance: loginAssurance(cred, result, currentMetadata(ctx.metadata), ctx.clock()),
      });
    },

    list: async (userId) => listCredentials(store, requireUserId(userId), 'webauthn'),
    delete: (input) => deleteCredential(store, input, 'webauthn'),
  };
}
