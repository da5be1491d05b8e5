import { type Assurance, assessAttestation, gradeAssurance, userVerificationAmr } from '@factorkit/metadata';
import {
  createRegisterRequest,
  createSignRequest,
  encodeWebsafeBase64,
  finishRegistration,
  finishSign,
  type U2fChallengeRecord,
  type U2fChallengeStore,
  type U2fCredential,
  type U2fRegisterRequest,
  type U2fRegisterResponse,
  type U2fSignRequest,
  type U2fSignResponse,
  type U2fTransport,
} from '@factorkit/u2f';
import type { CredentialRecord, FactorkitStore, JsonValue } from '../store/types.ts';
import { currentMetadata, loginAssurance, policyFailure, storedAssurance } from './assurance.ts';
import { type FacadeContext, requireOrigin, requireUserId } from './context.ts';
import { type FactorVerification, fromFailure, rejected, success } from './result.ts';
import { deleteCredential, listCredentials, type StoredCredentialInfo } from './webauthn.ts';

export interface U2fRegistered {
  /** Websafe base64 key handle (Okta `profile.credentialId`). */
  readonly keyHandle: string;
  readonly appId: string;
  /** The attestation chains to a configured anchor (verified ≠ trusted). */
  readonly trusted: boolean;
  readonly transports?: readonly U2fTransport[];
  /** Evidence-graded assurance (U2F: never user-verified, so AAL1; no AAGUID). */
  readonly assurance: Assurance;
}

export interface U2fSigned {
  readonly keyHandle: string;
  readonly counter: number;
  readonly userPresent: boolean;
  readonly assurance: Assurance;
}

/** Legacy FIDO U2F (Okta factor type `u2f`), with challenges bound to user, origin and appId. */
export interface U2fNamespace {
  /** Issues a register request (challenge stored, single use, expires). `origin` is the page's facetId. */
  startRegistration(input: { userId: string; origin: string; appId?: string }): Promise<U2fRegisterRequest>;
  finishRegistration(input: {
    userId: string;
    response: U2fRegisterResponse;
  }): Promise<FactorVerification<U2fRegistered>>;
  startSign(input: { userId: string; origin: string; appId?: string }): Promise<U2fSignRequest>;
  finishSign(input: { userId: string; response: U2fSignResponse }): Promise<FactorVerification<U2fSigned>>;
  /** The user's U2F registrations (no public keys); `id` is the key handle. */
  list(userId: string): Promise<readonly StoredCredentialInfo[]>;
  /** Removes one of the user's U2F registrations by key handle; `false` when not the user's. */
  delete(input: { userId: string; credentialId: string }): Promise<boolean>;
}

/** Key prefix of U2F challenges in the challenge store (keeps factors apart). */
export const U2F_CHALLENGE_PREFIX = 'u2f:';

/** Adapts the store's challenge sub-store to @factorkit/u2f's `U2fChallengeStore` contract. */
export function u2fChallengeStore(store: FactorkitStore): U2fChallengeStore {
  return {
    async save(record: U2fChallengeRecord): Promise<void> {
      await store.challenges.put({
        id: U2F_CHALLENGE_PREFIX + record.challenge,
        factor: `u2f.${record.ceremony}`,
        userId: record.userId,
        origin: record.facetId,
        challenge: record.challenge,
        expiresAt: record.expiresAt,
        data: { ...record, keyHandles: [...record.keyHandles] },
      });
    },
    async consume(challenge: string): Promise<U2fChallengeRecord | undefined> {
      const row = await store.challenges.consume(U2F_CHALLENGE_PREFIX + challenge);
      return row === undefined ? undefined : (row.data as unknown as U2fChallengeRecord);
    },
  };
}

function toU2fCredential(c: CredentialRecord): U2fCredential {
  const appId = c.data.appId;
  return {
    keyHandle: c.id,
    publicKey: c.publicKey,
    counter: c.signCount,
    ...(appId === undefined ? {} : { appId }),
  };
}

export function createU2fNamespace(ctx: FacadeContext): U2fNamespace {
  const { store } = ctx;
  const challenges = u2fChallengeStore(store);
  const timeoutSeconds = Math.max(1, Math.round(ctx.challengeTimeoutMs / 1000));
  const userCredentials = async (userId: string): Promise<CredentialRecord[]> =>
    (await store.credentials.list(userId)).filter((c) => c.factor === 'u2f');
  const keys = (creds: readonly CredentialRecord[]) =>
    creds.map((c) => {
      const { appId, transports } = c.data;
      return {
        keyHandle: c.id,
        ...(appId === undefined ? {} : { appId }),
        ...(transports === undefined ? {} : { transports: transports as U2fTransport[] }),
      };
    });

  return {
    async startRegistration(input) {
      const userId = requireUserId(input?.userId);
      const origin = requireOrigin(ctx, input.origin);
      return createRegisterRequest({
        store: challenges,
        appId: input.appId ?? ctx.policies.u2f?.appId ?? origin,
        facetId: origin,
        userId,
        registeredKeys: keys(await userCredentials(userId)),
        timeoutSeconds,
        now: ctx.clock(),
        crypto: ctx.crypto,
      });
    },

    async finishRegistration(input) {
      const userId = requireUserId(input?.userId);
      const u2f = ctx.policies.u2f ?? {};
      const result = await finishRegistration({
        store: challenges,
        userId,
        response: input.response,
        now: ctx.clock(),
        crypto: ctx.crypto,
        ...(u2f.trustAnchors === undefined ? {} : { trustAnchors: u2f.trustAnchors }),
        ...(u2f.requireTrustedAttestation === undefined
          ? {}
          : { requireTrustedAttestation: u2f.requireTrustedAttestation }),
      });
      if (!result.verified) return fromFailure(result);
      const r = result.registration;
      // U2F has no AAGUID: metadata is found by the attestation certificate's key identifier.
      const metadata = currentMetadata(ctx.metadata);
      const policy = ctx.policies.authenticator;
      const assessment =
        metadata === undefined
          ? undefined
          : await assessAttestation(
              {
                fmt: 'u2f',
                attestationType: 'basic',
                trustPath: [r.attestationCertificate],
                aaguid: '00000000-0000-0000-0000-000000000000',
                alg: -7,
                backupEligible: false,
                userVerified: false,
              },
              metadata,
              {
                now: ctx.clock(),
                ...(policy === undefined ? {} : { policy }),
                ...(ctx.policies.revocation === undefined ? {} : { revocation: ctx.policies.revocation }),
              },
            );
      const assurance = gradeAssurance({
        phishingResistant: true,
        anchorTrusted: result.attestation.trusted,
        aaguidSigned: false,
        aaguid: null,
        aaguidInCertificate: false,
        backupEligible: false,
        userPresent: true,
        userVerified: false,
        ...(assessment === undefined ? {} : { metadata: assessment }),
      });
      const refused = policyFailure(policy, assessment, assurance);
      if (refused !== undefined) return fromFailure(refused);
      const uvAmr =
        assessment?.trusted === true ? userVerificationAmr(assessment.userVerificationMethods) : [];
      const data: Record<string, JsonValue> = {
        assurance: storedAssurance(assurance, assessment, uvAmr),
        appId: r.appId,
        trusted: result.attestation.trusted,
        attestationCertificate: encodeWebsafeBase64(r.attestationCertificate),
        ...(r.transports === undefined ? {} : { transports: [...r.transports] }),
      };
      try {
        await store.credentials.put({
          id: r.keyHandle,
          userId,
          factor: 'u2f',
          publicKey: r.publicKey,
          signCount: r.counter,
          createdAt: ctx.clock().getTime(),
          lastUsedAt: null,
          data,
        });
      } catch (error) {
        if ((error as { code?: unknown })?.code === 'ERR_STORE_CONFLICT') {
          return rejected('ERR_CREDENTIAL_EXISTS', 'this key handle is already registered');
        }
        throw error;
      }
      return success({
        keyHandle: r.keyHandle,
        appId: r.appId,
        trusted: result.attestation.trusted,
        ...(r.transports === undefined ? {} : { transports: r.transports }),
        assurance,
      });
    },

    async startSign(input) {
      const userId = requireUserId(input?.userId);
      const origin = requireOrigin(ctx, input.origin);
      const creds = await userCredentials(userId);
      if (creds.length === 0) throw new TypeError('the user has no U2F registration to sign with');
      return createSignRequest({
        store: challenges,
        appId: input.appId ?? ctx.policies.u2f?.appId ?? origin,
        facetId: origin,
        userId,
        registeredKeys: keys(creds),
        timeoutSeconds,
        now: ctx.clock(),
        crypto: ctx.crypto,
      });
    },

    async finishSign(input) {
      const userId = requireUserId(input?.userId);
      const creds = await userCredentials(userId);
      const result = await finishSign({
        store: challenges,
        userId,
        response: input.response,
        credentials: creds.map(toU2fCredential),
        now: ctx.clock(),
        crypto: ctx.crypto,
        ...(ctx.policies.u2f?.requireUserPresence === undefined
          ? {}
          : { requireUserPresence: ctx.policies.u2f.requireUserPresence }),
      });
      if (!result.verified) return fromFailure(result);
      const stored = creds.find((c) => c.id === result.keyHandle);
      // The counter is persisted by compare-and-set against the value the check used, so two
      // signatures racing on one key cannot both move it.
      const moved =
        stored !== undefined &&
        (await store.credentials.updateCounter(stored.id, stored.signCount, result.counter, {
          lastUsedAt: ctx.clock().getTime(),
        }));
      if (!moved) return rejected('ERR_COUNTER_RACE', 'a concurrent verification updated this key first');
      return success({
        keyHandle: result.keyHandle,
        counter: result.counter,
        userPresent: result.userPresent,
        assurance: loginAssurance(
          stored,
          { userPresent: result.userPresent, userVerified: false },
          currentMetadata(ctx.metadata),
          ctx.clock(),
        ),
      });
    },

    list: async (userId) => listCredentials(store, requireUserId(userId), 'u2f'),
    delete: (input) => deleteCredential(store, input, 'u2f'),
  };
}
