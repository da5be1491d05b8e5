import { createHash } from 'node:crypto';
import {
  type CborValue,
  type CertificateExtension,
  COSE_ALGORITHMS,
  type CoseAlgorithmName,
  createSigningKey,
  type DistinguishedName,
  defaultTestCa,
  derive,
  encodeCbor,
  issueCertificate,
  KEY_SEED_LENGTH,
  type RegistrationResponseJSON,
  type SigningKey,
} from '@factorkit/virtual-authenticator';
import { parseAuthenticatorData } from '../../src/authenticatorData.ts';
import { decodeBase64url, encodeBase64url } from '../../src/base64url.ts';
import { decodeCbor } from '../../src/cbor.ts';
import type { CosePublicKey } from '../../src/cose.ts';
import { register } from './ceremony.ts';

// Builders for attestation statements assembled in the test itself, so each test can break
// exactly one requirement of a format's verification procedure and keep everything else valid.

export const sha = (alg: 'sha1' | 'sha256' | 'sha384' | 'sha512', data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(alg).update(data).digest());

export const concat = (...parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** A registration whose authenticatorData and clientDataJSON are kept, its statement replaced. */
export interface BaseRegistration {
  readonly response: RegistrationResponseJSON;
  readonly authData: Uint8Array;
  readonly clientDataHash: Uint8Array;
  readonly credentialKey: CosePublicKey;
  readonly aaguid: Uint8Array;
  /** Signs authData ‖ clientDataHash with the credential's private key (android-key). */
  readonly credentialSign: (authData: Uint8Array) => Uint8Array;
}

const bases = new Map<string, BaseRegistration>();

/** A virtual registration with a credential of `alg`; cached per algorithm. */
export function baseRegistration(alg: CoseAlgorithmName = 'ES256'): BaseRegistration {
  const cached = bases.get(alg);
  if (cached !== undefined) return cached;
  const { va, response } = register(
    { algorithms: [alg] },
    { algs: [COSE_ALGORITHMS[alg]], attestation: 'direct', attestationFormat: 'packed' },
  );
  const ao = decodeCbor(decodeBase64url(response.response.attestationObject)) as Map<string, CborValue>;
  const authData = ao.get('authData') as Uint8Array;
  const parsed = parseAuthenticatorData(authData);
  const acd = parsed.attestedCredentialData;
  if (acd === undefined) throw new Error('no attested credential');
  const clientDataJSON = decodeBase64url(response.response.clientDataJSON);
  const credentialSign = (data: Uint8Array): Uint8Array =>
    va.signAssertion(response.id, data, clientDataJSON);
  const base = {
    response,
    authData,
    clientDataHash: sha('sha256', clientDataJSON),
    credentialKey: acd.publicKey,
    aaguid: acd.aaguid,
    credentialSign,
  };
  bases.set(alg, base);
  return base;
}

/** The base registration with `fmt`/`attStmt` (and optionally other authData) in its attestationObject. */
export function withStatement(
  base: BaseRegistration,
  fmt: string,
  attStmt: ReadonlyMap<string, CborValue>,
  authData: Uint8Array = base.authData,
): RegistrationResponseJSON {
  const attestationObject = encodeCbor(
    new Map<string, CborValue>([
      ['fmt', fmt],
      ['attStmt', attStmt as Map<string, CborValue>],
      ['authData', authData],
    ]),
  );
  return {
    ...base.response,
    response: { ...base.response.response, attestationObject: encodeBase64url(attestationObject) },
  };
}

/** A deterministic key for a test role. */
export function testKey(alg: CoseAlgorithmName, label: string): SigningKey {
  return createSigningKey(
    alg,
    derive(new TextEncoder().encode('factorkit statement tests'), label, KEY_SEED_LENGTH),
  );
}

export interface LeafSpec {
  readonly key: SigningKey;
  readonly subject?: DistinguishedName;
  readonly extensions?: readonly CertificateExtension[];
  readonly serial?: number | bigint;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A leaf issued by the default test CA's intermediate, with exactly `extensions`. */
export function issueLeaf(spec: LeafSpec): Uint8Array {
  const ca = defaultTestCa();
  return issueCertificate(
    {
      serial: spec.serial ?? 4242,
      issuer: ca.intermediate.subject,
      subject: spec.subject ?? [],
      notBefore: spec.notBefore ?? new Date('2024-01-01T00:00:00Z'),
      notAfter: spec.notAfter ?? new Date('2049-12-31T23:59:59Z'),
      subjectPublicKeyInfo: spec.key.spki,
      extensions: spec.extensions ?? [],
    },
    ca.intermediate.key,
  );
}

const P256_SPKI_PREFIX = Uint8Array.from(
  Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
);

/** The SPKI of an ES256 base registration's credential key (for certificates that must carry it). */
export function p256Spki(base: BaseRegistration): Uint8Array {
  const k = base.credentialKey;
  if (k.kty !== 'EC2' || k.curve.crv !== 1) throw new Error('ES256 credentials only');
  return concat(P256_SPKI_PREFIX, Uint8Array.of(4), k.x, k.y);
}

export const testCaChain = (): Uint8Array[] => [defaultTestCa().intermediate.certificate];
/** The test CA root's DER (Android chains carry their root; it is never an anchor by being there). */
export const testRootDer = (): Uint8Array => defaultTestCa().root.certificate;
export const testRootPem = (): string => defaultTestCa().rootPem;
