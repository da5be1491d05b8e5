import { decodeBase64url, isBase64url } from './base64url.ts';
import type { CborMap } from './cbor.ts';
import { isRecord } from './ceremony.ts';
import { failure, type VerificationFailure } from './errors.ts';

/**
 * Extension outputs checked against the extension inputs the RP sent (WebAuthn L3 §7.1 step 28,
 * §7.2 step 23; §9–§10; CTAP 2.1/2.2 §12 for the authenticator extensions).
 *
 * Rules, per output kind:
 * - **authenticator extension outputs** (the CBOR map in authenticatorData, signed by the
 *   authenticator): each must answer a requested input (L2 §7.1 step 19 / §7.2 step 18: "any
 *   extension identifier values … MUST also be present … i.e., no extensions are present that were
 *   not requested"; L3 leaves unsolicited outputs to RP policy, and this policy rejects them with
 *   `ERR_EXTENSION_NOT_REQUESTED` unless the RP tolerates that identifier by name), and must have
 *   the shape its extension defines;
 * - **client extension outputs** (`clientExtensionResults`, unsigned): for a requested extension
 *   the shape is checked strictly (a client that answers a different question is refused); an
 *   output for an extension that was not requested is dropped from the verified result (L3: clients
 *   MAY add extensions; an unsigned claim nobody asked for is never reported as a result).
 *
 * PRF outputs are secrets (they key client-side encryption): they are wrapped in {@link SecretBytes},
 * which never serialises or prints its bytes, and removed from the returned client outputs.
 */

/** The extension inputs of `PublicKeyCredentialCreationOptionsJSON.extensions` this module knows. */
export interface RegistrationExtensionInputs {
  readonly credProps?: boolean;
  /** credProtect (CTAP 2.1 §12.1) as the WebAuthn client binding names it. */
  readonly credentialProtectionPolicy?: CredentialProtectionPolicy;
  readonly enforceCredentialProtectionPolicy?: boolean;
  readonly largeBlob?: { readonly support?: 'required' | 'preferred' };
  /** PRF salts as base64url (JSON form). */
  readonly prf?: { readonly eval?: PrfValuesJSON };
  readonly minPinLength?: boolean;
  /** hmac-secret through the legacy client binding (`hmacCreateSecret`). */
  readonly hmacCreateSecret?: boolean;
  readonly appidExclude?: string;
  readonly [name: string]: unknown;
}

export interface AuthenticationExtensionInputs {
  readonly appid?: string;
  readonly largeBlob?: { readonly read?: boolean; readonly write?: string };
  readonly prf?: {
    readonly eval?: PrfValuesJSON;
    /** Keyed by base64url credential id. */
    readonly evalByCredential?: Readonly<Record<string, PrfValuesJSON>>;
  };
  readonly hmacGetSecret?: { readonly salt1: string; readonly salt2?: string };
  readonly [name: string]: unknown;
}

export interface PrfValuesJSON {
  readonly first: string;
  readonly second?: string;
}

export type CredentialProtectionPolicy =
  | 'userVerificationOptional'
  | 'userVerificationOptionalWithCredentialIDList'
  | 'userVerificationRequired';

/** credProtect levels (CTAP 2.1 §12.1): 1, 2, 3 in policy order. */
export const CRED_PROTECT_LEVELS: Readonly<Record<CredentialProtectionPolicy, 1 | 2 | 3>> = {
  userVerificationOptional: 1,
  userVerificationOptionalWithCredentialIDList: 2,
  userVerificationRequired: 3,
};

/** Secret bytes (PRF results): `bytes()` reads them; JSON, string and inspect output never show them. */
export class SecretBytes {
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes.slice();
  }
  get length(): number {
    return this.#bytes.length;
  }
  /** A copy of the secret. */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }
  /** Overwrites the secret with zeros. */
  wipe(): void {
    this.#bytes.fill(0);
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
}
// util.inspect (console.log, loggers built on it) shows the length only.
Object.defineProperty(SecretBytes.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: SecretBytes): string {
    return `SecretBytes(${this.length}) [redacted]`;
  },
});

/** What the verified extension outputs say (only for extensions that were requested). */
export interface ExtensionResults {
  /** credProps.rk: whether the credential is client-side discoverable, when the client knows. */
  readonly credProps?: { readonly rk?: boolean };
  /** credProtect level the authenticator applied (signed); store it with the credential. */
  readonly credProtect?: 1 | 2 | 3;
  readonly largeBlob?: {
    readonly supported?: boolean;
    readonly blob?: Uint8Array;
    readonly written?: boolean;
  };
  readonly prf?: {
    readonly enabled?: boolean;
    readonly results?: { readonly first: SecretBytes; readonly second?: SecretBytes };
  };
  /** Minimum PIN length the authenticator reported (signed), for RPs allowed to see it. */
  readonly minPinLength?: number;
  /** hmac-secret: `true` at registration when the authenticator enabled it. */
  readonly hmacSecret?: boolean;
  readonly hmacCreateSecret?: boolean;
  readonly appidExclude?: boolean;
}

export interface ExtensionPolicy {
  /** Authenticator extension identifiers accepted even when not requested (e.g. `credProtect`). */
  readonly tolerateUnsolicited?: readonly string[];
}

export type ExtensionCheck =
  | {
      readonly ok: true;
      readonly verified?: undefined;
      readonly results: ExtensionResults;
      /** clientExtensionResults without unsolicited members and without PRF secrets. */
      readonly clientOutputs: Readonly<Record<string, unknown>>;
    }
  | VerificationFailure;

type Ceremony = 'registration' | 'authentication';

/** Authenticator extension identifiers (CTAP) each WebAuthn input may cause. */
function solicitedAuthenticatorOutputs(
  ceremony: Ceremony,
  inputs: Readonly<Record<string, unknown>>,
): Set<string> {
  const out = new Set<string>();
  if (ceremony === 'registration') {
    if (inputs['credentialProtectionPolicy'] !== undefined) out.add('credProtect');
    if (inputs['minPinLength'] === true) out.add('minPinLength');
    if (inputs['prf'] !== undefined || inputs['hmacCreateSecret'] === true) out.add('hmac-secret');
    // CTAP 2.2 hmac-secret-mc: PRF evaluated at creation.
    if (isRecord(inputs['prf']) && inputs['prf']['eval'] !== undefined) out.add('hmac-secret-mc');
  } else {
    if (inputs['prf'] !== undefined || inputs['hmacGetSecret'] !== undefined) out.add('hmac-secret');
  }
  return out;
}

const bad = (step: string, message: string): VerificationFailure =>
  failure('ERR_EXTENSION_OUTPUT_INVALID', step, message);

function bytesMember(
  v: unknown,
  what: string,
  step: string,
  length?: number,
): Uint8Array | VerificationFailure {
  if (typeof v !== 'string' || !isBase64url(v)) return bad(step, `${what} must be base64url`);
  const b = decodeBase64url(v);
  if (length !== undefined && b.length !== length) return bad(step, `${what} must be ${length} bytes`);
  return b;
}

const isFailure = (v: unknown): v is VerificationFailure =>
  typeof v === 'object' && v !== null && (v as { verified?: unknown }).verified === false;

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(v).find((k) => !allowed.includes(k));
}

/**
 * Checks the extension outputs of one ceremony against the `inputs` the RP sent.
 * `credentialId` (base64url) selects the PRF `evalByCredential` entry at authentication.
 */
export function checkExtensionOutputs(
  ceremony: Ceremony,
  inputs: Readonly<Record<string, unknown>>,
  clientOutputs: Readonly<Record<string, unknown>>,
  authenticatorOutputs: CborMap | undefined,
  step: string,
  policy: ExtensionPolicy = {},
  credentialId?: string,
): ExtensionCheck {
  const results: {
    -readonly [K in keyof ExtensionResults]: ExtensionResults[K];
  } = {};
  const tolerated = policy.tolerateUnsolicited ?? [];
  const solicited = solicitedAuthenticatorOutputs(ceremony, inputs);

  // Authenticator outputs: every identifier must be solicited (or tolerated by name).
  const auth = new Map<string, unknown>();
  for (const [id, value] of authenticatorOutputs ?? new Map()) {
    if (typeof id !== 'string') return bad(step, 'authenticator extension identifiers must be text');
    if (!solicited.has(id) && !tolerated.includes(id)) {
      return failure(
        'ERR_EXTENSION_NOT_REQUESTED',
        step,
        `authenticator returned unrequested extension ${id}`,
      );
    }
    auth.set(id, value);
  }

  // credProtect (CTAP 2.1 §12.1): the level the authenticator applied; with enforcement the RP
  // requires that level (the client must have refused an authenticator that cannot apply it).
  const policyName = inputs['credentialProtectionPolicy'];
  if (auth.has('credProtect')) {
    const level = auth.get('credProtect');
    if (level !== 1 && level !== 2 && level !== 3) return bad(step, 'credProtect must be 1, 2 or 3');
    if (
      typeof policyName === 'string' &&
      level !== CRED_PROTECT_LEVELS[policyName as CredentialProtectionPolicy]
    ) {
      return failure(
        'ERR_EXTENSION_POLICY_NOT_MET',
        step,
        'credProtect level differs from the requested policy',
      );
    }
    results.credProtect = level;
  } else if (
    ceremony === 'registration' &&
    inputs['enforceCredentialProtectionPolicy'] === true &&
    typeof policyName === 'string' &&
    CRED_PROTECT_LEVELS[policyName as CredentialProtectionPolicy] > 1
  ) {
    return failure(
      'ERR_EXTENSION_POLICY_NOT_MET',
      step,
      'credProtect was enforced but the authenticator did not apply it',
    );
  }

  // minPinLength (CTAP 2.1 §12.4): an unsigned integer, at least 4 (CTAP's floor), at most 63.
  if (auth.has('minPinLength')) {
    const n = auth.get('minPinLength');
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 4 || n > 63)
      return bad(step, 'minPinLength must be an integer in [4, 63]');
    results.minPinLength = n;
  }

  // hmac-secret (CTAP 2.1 §12.5): true/false at creation; at assertion the encrypted salts'
  // outputs (one or two 32-byte blocks, + a 16-byte IV under PIN/UV protocol 2).
  if (auth.has('hmac-secret')) {
    const v = auth.get('hmac-secret');
    if (ceremony === 'registration') {
      if (typeof v !== 'boolean') return bad(step, 'hmac-secret must be a boolean at registration');
      results.hmacSecret = v;
    } else if (!(v instanceof Uint8Array) || ![32, 48, 64, 80].includes(v.length)) {
      return bad(step, 'hmac-secret output must be 32, 48, 64 or 80 bytes');
    }
  }
  if (auth.has('hmac-secret-mc')) {
    const v = auth.get('hmac-secret-mc');
    if (!(v instanceof Uint8Array) || ![32, 48, 64, 80].includes(v.length))
      return bad(step, 'hmac-secret-mc output must be 32, 48, 64 or 80 bytes');
  }

  // Client outputs: requested ones are checked; the rest are dropped.
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(clientOutputs)) {
    if (inputs[name] === undefined) continue;
    const checked = checkClientOutput(ceremony, name, value, inputs, step, credentialId);
    if (isFailure(checked)) return checked;
    if (checked.result !== undefined) Object.assign(results, checked.result);
    kept[name] = checked.publicOutput;
  }
  if (
    ceremony === 'registration' &&
    isRecord(inputs['largeBlob']) &&
    inputs['largeBlob']['support'] === 'required' &&
    results.largeBlob?.supported === false
  ) {
    return failure(
      'ERR_EXTENSION_POLICY_NOT_MET',
      step,
      'largeBlob support was required but is not available',
    );
  }
  return { ok: true, results, clientOutputs: kept };
}

interface ClientCheck {
  readonly result?: Partial<ExtensionResults>;
  /** What may be returned to the caller as the client output (secrets removed). */
  readonly publicOutput: unknown;
}

function checkClientOutput(
  ceremony: Ceremony,
  name: string,
  value: unknown,
  inputs: Readonly<Record<string, unknown>>,
  step: string,
  credentialId: string | undefined,
): ClientCheck | VerificationFailure {
  const reg = ceremony === 'registration';
  switch (name) {
    case 'credProps': {
      // §10.1.3: registration only; rk is optional (the client may not know).
      if (!reg || !isRecord(value) || onlyKeys(value, ['rk']) !== undefined)
        return bad(step, 'credProps output must be { rk?: boolean } at registration');
      if (value['rk'] !== undefined && typeof value['rk'] !== 'boolean')
        return bad(step, 'credProps.rk must be a boolean');
      return {
        result: { credProps: value['rk'] === undefined ? {} : { rk: value['rk'] as boolean } },
        publicOutput: value,
      };
    }
    case 'largeBlob': {
      // §10.1.5: registration → { supported }; authentication → { blob } after read, { written } after write.
      if (!isRecord(value)) return bad(step, 'largeBlob output must be an object');
      const input = inputs['largeBlob'] as Record<string, unknown>;
      if (reg) {
        if (onlyKeys(value, ['supported']) !== undefined || typeof value['supported'] !== 'boolean')
          return bad(step, 'largeBlob output at registration must be { supported: boolean }');
        return { result: { largeBlob: { supported: value['supported'] } }, publicOutput: value };
      }
      if (input['read'] === true) {
        if (onlyKeys(value, ['blob']) !== undefined)
          return bad(step, 'largeBlob read output may only carry blob');
        if (value['blob'] === undefined) return { result: { largeBlob: {} }, publicOutput: value };
        const blob = bytesMember(value['blob'], 'largeBlob.blob', step);
        if (isFailure(blob)) return blob;
        return { result: { largeBlob: { blob } }, publicOutput: value };
      }
      if (input['write'] !== undefined) {
        if (onlyKeys(value, ['written']) !== undefined || typeof value['written'] !== 'boolean')
          return bad(step, 'largeBlob write output must be { written: boolean }');
        return { result: { largeBlob: { written: value['written'] } }, publicOutput: value };
      }
      return bad(step, 'largeBlob output without a read or write request');
    }
    case 'prf':
      return checkPrf(reg, value, inputs['prf'] as Record<string, unknown>, step, credentialId);
    case 'hmacCreateSecret':
      if (!reg || typeof value !== 'boolean') return bad(step, 'hmacCreateSecret output must be a boolean');
      return { result: { hmacCreateSecret: value }, publicOutput: value };
    case 'hmacGetSecret': {
      // Secrets, like PRF results: shape-checked, never returned.
      if (reg || !isRecord(value) || onlyKeys(value, ['output1', 'output2']) !== undefined)
        return bad(step, 'hmacGetSecret output must be { output1, output2? }');
      for (const k of ['output1', 'output2'] as const) {
        if (value[k] === undefined && k === 'output2') continue;
        const b = bytesMember(value[k], `hmacGetSecret.${k}`, step, 32);
        if (isFailure(b)) return b;
      }
      return { publicOutput: { redacted: true } };
    }
    case 'appidExclude':
      if (!reg || typeof value !== 'boolean') return bad(step, 'appidExclude output must be a boolean');
      return { result: { appidExclude: value }, publicOutput: value };
    case 'appid':
      // Checked by the assertion procedure itself (§10.1.1, rpIdHash); the shape here.
      if (reg || typeof value !== 'boolean') return bad(step, 'appid output must be a boolean');
      return { publicOutput: value };
    default:
      // An extension this module does not model: passed through unchanged for the RP to judge.
      return { publicOutput: value };
  }
}

function checkPrf(
  reg: boolean,
  value: unknown,
  input: Record<string, unknown>,
  step: string,
  credentialId: string | undefined,
): ClientCheck | VerificationFailure {
  // §10.1.4: registration → { enabled?, results? }; authentication → { results? }.
  if (!isRecord(value) || onlyKeys(value, reg ? ['enabled', 'results'] : ['results']) !== undefined)
    return bad(step, 'prf output has unexpected members');
  if (value['enabled'] !== undefined && typeof value['enabled'] !== 'boolean')
    return bad(step, 'prf.enabled must be a boolean');
  let requested: unknown = input['eval'];
  if (!reg && isRecord(input['evalByCredential']) && credentialId !== undefined) {
    requested = input['evalByCredential'][credentialId] ?? requested;
  }
  const prf: { enabled?: boolean; results?: { first: SecretBytes; second?: SecretBytes } } = {};
  if (value['enabled'] !== undefined) prf.enabled = value['enabled'] as boolean;
  const results = value['results'];
  if (results !== undefined) {
    if (!isRecord(requested)) return bad(step, 'prf results returned but no evaluation was requested');
    if (!isRecord(results) || onlyKeys(results, ['first', 'second']) !== undefined)
      return bad(step, 'prf.results must be { first, second? }');
    if (reg && prf.enabled === false) return bad(step, 'prf results returned with enabled: false');
    // PRF outputs are 32 bytes (the hmac-secret output size).
    const first = bytesMember(results['first'], 'prf.results.first', step, 32);
    if (isFailure(first)) return first;
    let second: Uint8Array | undefined;
    if (results['second'] !== undefined) {
      if (requested['second'] === undefined)
        return bad(step, 'prf.results.second returned but not requested');
      const s = bytesMember(results['second'], 'prf.results.second', step, 32);
      if (isFailure(s)) return s;
      second = s;
    }
    prf.results =
      second === undefined
        ? { first: new SecretBytes(first) }
        : { first: new SecretBytes(first), second: new SecretBytes(second) };
    first.fill(0);
    second?.fill(0);
  }
  return {
    result: { prf },
    publicOutput: prf.enabled === undefined ? {} : { enabled: prf.enabled },
  };
}
