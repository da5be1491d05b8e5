// JSON shapes of WebAuthn responses (WebAuthn L3 §5.1 toJSON()) and the options the
// authenticator accepts, named after navigator.credentials.create()/get().
import type { BufferSourceLike } from './bytes.ts';

export type Base64URLString = string;
export type AuthenticatorTransport = 'usb' | 'nfc' | 'ble' | 'hybrid' | 'internal' | 'smart-card';
export type AuthenticatorAttachment = 'platform' | 'cross-platform';
export type UserVerificationRequirement = 'required' | 'preferred' | 'discouraged';
export type AttestationConveyancePreference = 'none' | 'indirect' | 'direct' | 'enterprise';
export type ResidentKeyRequirement = 'required' | 'preferred' | 'discouraged';

/** Attestation statement formats the virtual authenticator can emit (WebAuthn §8). */
export type AttestationFormat = 'none' | 'packed' | 'fido-u2f' | 'tpm' | 'android-key' | 'apple';

export interface PublicKeyCredentialDescriptorLike {
  readonly type: 'public-key';
  readonly id: BufferSourceLike;
  readonly transports?: readonly string[];
}

/** `PublicKeyCredentialCreationOptions` or its JSON form (binary fields as base64url). */
export interface PublicKeyCredentialCreationOptionsLike {
  readonly rp: { readonly id?: string; readonly name: string };
  readonly user: { readonly id: BufferSourceLike; readonly name: string; readonly displayName: string };
  readonly challenge: BufferSourceLike;
  readonly pubKeyCredParams: readonly { readonly type: 'public-key'; readonly alg: number }[];
  readonly timeout?: number;
  readonly excludeCredentials?: readonly PublicKeyCredentialDescriptorLike[];
  readonly authenticatorSelection?: {
    readonly authenticatorAttachment?: AuthenticatorAttachment;
    readonly residentKey?: ResidentKeyRequirement;
    readonly requireResidentKey?: boolean;
    readonly userVerification?: UserVerificationRequirement;
  };
  readonly hints?: readonly string[];
  readonly attestation?: AttestationConveyancePreference;
  readonly extensions?: {
    readonly credProps?: boolean;
    readonly [name: string]: unknown;
  };
}

/** `PublicKeyCredentialRequestOptions` or its JSON form. */
export interface PublicKeyCredentialRequestOptionsLike {
  readonly challenge: BufferSourceLike;
  readonly rpId?: string;
  readonly timeout?: number;
  readonly allowCredentials?: readonly PublicKeyCredentialDescriptorLike[];
  readonly userVerification?: UserVerificationRequirement;
  readonly hints?: readonly string[];
  readonly extensions?: {
    /** FIDO AppID extension (§10.1.1): also try credentials registered with this U2F appId. */
    readonly appid?: string;
    readonly [name: string]: unknown;
  };
}

/** Client-side knobs shared by create and get: what the browser would put in clientDataJSON. */
export interface ClientOptions {
  /** The caller's origin, e.g. `https://example.com` (required; it is what clientDataJSON carries). */
  readonly origin: string;
  /** `crossOrigin` member of clientDataJSON (default false). */
  readonly crossOrigin?: boolean;
  /** `topOrigin` member (only emitted when given; implies a cross-origin iframe). */
  readonly topOrigin?: string;
  /** Extra clientDataJSON members appended after the standard ones (e.g. Chrome's `other_keys_can_be_added_here`). */
  readonly clientDataExtra?: Readonly<Record<string, unknown>>;
  /** Override the flags the authenticator would set. */
  readonly flags?: Partial<{ up: boolean; uv: boolean; be: boolean; bs: boolean }>;
  /** Emit this signCount (and store it as the credential's counter). */
  readonly signCount?: number;
  /**
   * Authenticator extension outputs to put in authenticatorData (sets the ED flag), replacing the
   * ones the authenticator's own extension processing would produce.
   */
  readonly authenticatorExtensions?: ReadonlyMap<string, import('./cbor.ts').CborValue>;
  /** Client extension outputs to return, replacing the ones the client would produce. */
  readonly clientExtensionResults?: Readonly<Record<string, unknown>>;
  /** Skip the client's check that the RP ID is a registrable suffix of the origin's host (default false). */
  readonly skipRpIdCheck?: boolean;
}

export interface CreateCredentialOptions extends ClientOptions {
  readonly publicKey: PublicKeyCredentialCreationOptionsLike;
  /** Attestation format for this call (default: the authenticator's, or `none` when the RP asked for `none`). */
  readonly attestationFormat?: AttestationFormat;
  /** `packed` only: self attestation instead of a certificate chain. */
  readonly selfAttestation?: boolean;
  /** Keep the authenticator's format even when the RP asked for attestation `none` (default false). */
  readonly ignoreConveyance?: boolean;
}

export interface GetAssertionOptions extends ClientOptions {
  readonly publicKey: PublicKeyCredentialRequestOptionsLike;
  /** Which credential to use when several match (base64url id); default the first match. */
  readonly credentialId?: Base64URLString;
}

export interface RegistrationResponseJSON {
  readonly id: Base64URLString;
  readonly rawId: Base64URLString;
  readonly type: 'public-key';
  readonly response: {
    readonly clientDataJSON: Base64URLString;
    readonly attestationObject: Base64URLString;
    readonly authenticatorData: Base64URLString;
    readonly transports: readonly AuthenticatorTransport[];
    readonly publicKeyAlgorithm: number;
    readonly publicKey: Base64URLString;
  };
  readonly authenticatorAttachment: AuthenticatorAttachment;
  readonly clientExtensionResults: {
    readonly credProps?: { readonly rk: boolean };
    readonly [name: string]: unknown;
  };
}

export interface AuthenticationResponseJSON {
  readonly id: Base64URLString;
  readonly rawId: Base64URLString;
  readonly type: 'public-key';
  readonly response: {
    readonly clientDataJSON: Base64URLString;
    readonly authenticatorData: Base64URLString;
    readonly signature: Base64URLString;
    readonly userHandle?: Base64URLString;
  };
  readonly authenticatorAttachment: AuthenticatorAttachment;
  readonly clientExtensionResults: {
    readonly appid?: boolean;
    readonly [name: string]: unknown;
  };
}

/** What a relying party stores after registration, as this authenticator knows it. */
export interface CredentialRecord {
  readonly id: Base64URLString;
  /** The RP ID (or, for imported U2F credentials, the appId) the credential is scoped to. */
  readonly rpId: string;
  /** COSE_Key, base64url. */
  readonly publicKey: Base64URLString;
  readonly algorithm: number;
  readonly signCount: number;
  readonly discoverable: boolean;
  readonly userHandle?: Base64URLString;
  /** Set for credentials imported from a U2F token: usable via the `appid` extension. */
  readonly appId?: string;
}
