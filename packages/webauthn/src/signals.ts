import { decodeBase64url, encodeBase64url, isBase64url } from './base64url.ts';

/**
 * Signal API payloads (WebAuthn L3 §5.1.10): what the RP's page passes to
 * `PublicKeyCredential.signalUnknownCredential`, `signalAllAcceptedCredentials` and
 * `signalCurrentUserDetails` so the user's credential manager can hide deleted passkeys and
 * show current names. Binary members are base64url, as the JSON options the page hands over.
 */

/** `UnknownCredentialOptions`: a credential id the RP does not (or no longer) know. */
export interface UnknownCredentialOptionsJSON {
  readonly rpId: string;
  readonly credentialId: string;
}

/** `AllAcceptedCredentialsOptions`: every credential id the RP accepts for one user. */
export interface AllAcceptedCredentialsOptionsJSON {
  readonly rpId: string;
  /** The user handle (user.id of the creation options). */
  readonly userId: string;
  readonly allAcceptedCredentialIds: readonly string[];
}

/** `CurrentUserDetailsOptions`: the user's current name and display name. */
export interface CurrentUserDetailsOptionsJSON {
  readonly rpId: string;
  readonly userId: string;
  readonly name: string;
  readonly displayName: string;
}

function rpIdOf(rpId: unknown): string {
  if (typeof rpId !== 'string' || rpId === '') throw new TypeError('rpId must be a non-empty string');
  return rpId;
}

function idOf(value: unknown, name: string): string {
  if (value instanceof Uint8Array) {
    if (value.length === 0) throw new TypeError(`${name} must not be empty`);
    return encodeBase64url(value);
  }
  if (typeof value !== 'string' || !isBase64url(value) || decodeBase64url(value).length === 0)
    throw new TypeError(`${name} must be non-empty bytes or base64url`);
  return value;
}

export function unknownCredentialSignal(input: {
  readonly rpId: string;
  readonly credentialId: Uint8Array | string;
}): UnknownCredentialOptionsJSON {
  return { rpId: rpIdOf(input?.rpId), credentialId: idOf(input.credentialId, 'credentialId') };
}

export function allAcceptedCredentialsSignal(input: {
  readonly rpId: string;
  readonly userId: Uint8Array | string;
  readonly credentialIds: readonly (Uint8Array | string)[];
}): AllAcceptedCredentialsOptionsJSON {
  if (!Array.isArray(input?.credentialIds)) throw new TypeError('credentialIds must be an array');
  const ids = input.credentialIds.map((id, i) => idOf(id, `credentialIds[${i}]`));
  return {
    rpId: rpIdOf(input.rpId),
    userId: idOf(input.userId, 'userId'),
    allAcceptedCredentialIds: [...new Set(ids)],
  };
}

export function currentUserDetailsSignal(input: {
  readonly rpId: string;
  readonly userId: Uint8Array | string;
  readonly name: string;
  readonly displayName?: string;
}): CurrentUserDetailsOptionsJSON {
  if (typeof input?.name !== 'string' || input.name === '')
    throw new TypeError('name must be a non-empty string');
  const displayName = input.displayName ?? input.name;
  if (typeof displayName !== 'string') throw new TypeError('displayName must be a string');
  return { rpId: rpIdOf(input.rpId), userId: idOf(input.userId, 'userId'), name: input.name, displayName };
}
