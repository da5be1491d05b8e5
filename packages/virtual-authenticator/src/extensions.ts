// Extension processing of the virtual authenticator and its client half: given the extension
// inputs of create()/get(), the authenticator extension outputs (CTAP 2.1/2.2 §12, CBOR in
// authenticatorData) and the client extension outputs (WebAuthn L3 §10) a browser plus a
// security key that support them would return.
import { createHmac } from 'node:crypto';
import { sha256 } from './authenticator-data.ts';
import { concat, fromBase64url, toBase64url, utf8 } from './bytes.ts';
import type { CborValue } from './cbor.ts';
import { derive } from './seed.ts';

/** Which extensions the authenticator supports (default: all of them). */
export interface AuthenticatorExtensionSupport {
  /** credProtect (CTAP 2.1 §12.1). */
  readonly credProtect?: boolean;
  /** largeBlob (WebAuthn §10.1.5, CTAP largeBlobKey). */
  readonly largeBlob?: boolean;
  /** hmac-secret, which backs the WebAuthn prf and hmacCreateSecret/hmacGetSecret extensions. */
  readonly hmacSecret?: boolean;
  /** hmac-secret-mc (CTAP 2.2): PRF results already at creation. */
  readonly hmacSecretMc?: boolean;
  /** The minimum PIN length reported through minPinLength (default 4; `false`: not supported). */
  readonly minPinLength?: number | false;
}

/** Per-credential extension state the authenticator keeps. */
export interface CredentialExtensionState {
  /** CredRandom of hmac-secret (32 bytes), set when hmac-secret was enabled at creation. */
  credRandom: Uint8Array | undefined;
  /** credProtect level (1 when not requested). */
  credProtect: 1 | 2 | 3;
  /** The large blob stored for this credential (largeBlob write). */
  largeBlob: Uint8Array | undefined;
}

export interface ExtensionOutputs {
  readonly authenticator: Map<string, CborValue>;
  readonly client: Record<string, unknown>;
}

const CRED_PROTECT: Readonly<Record<string, 1 | 2 | 3>> = {
  userVerificationOptional: 1,
  userVerificationOptionalWithCredentialIDList: 2,
  userVerificationRequired: 3,
};

type Inputs = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** WebAuthn §10.1.4: the salt the authenticator sees is SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input). */
function prfSalt(input: string): Uint8Array {
  return sha256(concat(utf8('WebAuthn PRF'), Uint8Array.of(0), fromBase64url(input)));
}

/** hmac-secret: HMAC-SHA-256(CredRandom, salt) (CTAP 2.1 §12.5). */
function hmacSecret(credRandom: Uint8Array, salt: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', credRandom).update(salt).digest());
}

/**
 * The encrypted hmac-secret output as the authenticator returns it under PIN/UV protocol 2:
 * a 16-byte IV and the outputs. The client half decrypts it; here both halves are ours, so the
 * "encryption" is a keystream derived from the IV (the bytes only need the right length and shape).
 */
function sealedOutputs(seed: Uint8Array, label: string, outputs: readonly Uint8Array[]): Uint8Array {
  const plain = concat(...outputs);
  const iv = derive(seed, `${label}/iv`, 16);
  const stream = derive(concat(seed, iv), `${label}/stream`, plain.length);
  const sealed = plain.map((b, i) => b ^ (stream[i] ?? 0));
  return concat(iv, sealed);
}

function prfEvaluate(
  state: CredentialExtensionState,
  values: unknown,
): { results: Record<string, string>; outputs: Uint8Array[] } | undefined {
  if (state.credRandom === undefined || !isObject(values) || typeof values['first'] !== 'string')
    return undefined;
  const outputs = [hmacSecret(state.credRandom, prfSalt(values['first']))];
  if (typeof values['second'] === 'string')
    outputs.push(hmacSecret(state.credRandom, prfSalt(values['second'])));
  const results: Record<string, string> = { first: toBase64url(outputs[0] as Uint8Array) };
  if (outputs[1] !== undefined) results['second'] = toBase64url(outputs[1]);
  return { results, outputs };
}

/** create(): outputs for `inputs`; updates `state` (credRandom, credProtect). */
export function registrationExtensions(
  inputs: Inputs | undefined,
  support: AuthenticatorExtensionSupport,
  state: CredentialExtensionState,
  seed: Uint8Array,
  discoverable: boolean,
): ExtensionOutputs {
  const authenticator = new Map<string, CborValue>();
  const client: Record<string, unknown> = {};
  if (inputs === undefined) return { authenticator, client };
  if (inputs['credProps'] === true) client['credProps'] = { rk: discoverable };
  const policy = inputs['credentialProtectionPolicy'];
  if (typeof policy === 'string' && CRED_PROTECT[policy] !== undefined) {
    const level = CRED_PROTECT[policy] as 1 | 2 | 3;
    if (support.credProtect !== false) {
      state.credProtect = level;
      authenticator.set('credProtect', level);
    } else if (inputs['enforceCredentialProtectionPolicy'] === true && level > 1) {
      // WebAuthn credProtect client processing: an authenticator that cannot protect the
      // credential is not used when the RP enforces the policy.
      throw new TypeError('NotAllowedError: credProtect enforced but not supported');
    }
  }
  if (isObject(inputs['largeBlob'])) client['largeBlob'] = { supported: support.largeBlob !== false };
  const wantsHmac = inputs['prf'] !== undefined || inputs['hmacCreateSecret'] === true;
  if (wantsHmac && support.hmacSecret !== false) {
    state.credRandom = derive(seed, 'cred-random', 32);
    authenticator.set('hmac-secret', true);
    if (inputs['hmacCreateSecret'] === true) client['hmacCreateSecret'] = true;
    if (inputs['prf'] !== undefined) {
      const prf: Record<string, unknown> = { enabled: true };
      const evaluated =
        support.hmacSecretMc === false ? undefined : prfEvaluate(state, (inputs['prf'] as Inputs)['eval']);
      if (evaluated !== undefined) {
        authenticator.set('hmac-secret-mc', sealedOutputs(seed, 'hmac-secret-mc', evaluated.outputs));
        prf['results'] = evaluated.results;
      }
      client['prf'] = prf;
    }
  } else if (inputs['prf'] !== undefined) {
    client['prf'] = { enabled: false };
  }
  if (inputs['minPinLength'] === true && support.minPinLength !== false)
    authenticator.set('minPinLength', support.minPinLength ?? 4);
  return { authenticator, client };
}

/** get(): outputs for `inputs` and the credential `id` (base64url); updates the stored large blob. */
export function authenticationExtensions(
  inputs: Inputs | undefined,
  support: AuthenticatorExtensionSupport,
  state: CredentialExtensionState,
  seed: Uint8Array,
  id: string,
): ExtensionOutputs {
  const authenticator = new Map<string, CborValue>();
  const client: Record<string, unknown> = {};
  if (inputs === undefined) return { authenticator, client };
  const largeBlob = inputs['largeBlob'];
  if (isObject(largeBlob) && support.largeBlob !== false) {
    if (largeBlob['read'] === true) {
      client['largeBlob'] = state.largeBlob === undefined ? {} : { blob: toBase64url(state.largeBlob) };
    } else if (typeof largeBlob['write'] === 'string') {
      state.largeBlob = fromBase64url(largeBlob['write']);
      client['largeBlob'] = { written: true };
    }
  }
  const prf = inputs['prf'];
  if (isObject(prf)) {
    const byCredential = isObject(prf['evalByCredential']) ? prf['evalByCredential'][id] : undefined;
    const evaluated = prfEvaluate(state, byCredential ?? prf['eval']);
    if (evaluated !== undefined) {
      authenticator.set('hmac-secret', sealedOutputs(seed, `hmac-secret/${id}`, evaluated.outputs));
      client['prf'] = { results: evaluated.results };
    } else {
      client['prf'] = {};
    }
  }
  const hmacGet = inputs['hmacGetSecret'];
  if (isObject(hmacGet) && state.credRandom !== undefined && typeof hmacGet['salt1'] === 'string') {
    const outputs = [hmacSecret(state.credRandom, fromBase64url(hmacGet['salt1']))];
    if (typeof hmacGet['salt2'] === 'string')
      outputs.push(hmacSecret(state.credRandom, fromBase64url(hmacGet['salt2'])));
    authenticator.set('hmac-secret', sealedOutputs(seed, `hmac-get-secret/${id}`, outputs));
    client['hmacGetSecret'] = {
      output1: toBase64url(outputs[0] as Uint8Array),
      ...(outputs[1] === undefined ? {} : { output2: toBase64url(outputs[1]) }),
    };
  }
  return { authenticator, client };
}
