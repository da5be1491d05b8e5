// A software U2F token for tests, built on node:crypto (+ @peculiar/x509 to mint
// attestation certificates). It produces exactly the raw messages of FIDO U2F Raw Message
// Formats §4.3/§5.4, encoded as the JS API does, and lets each field be tampered with.
import 'reflect-metadata';
import { createHash, createPrivateKey, type KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

export interface TestCa {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly pem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function createTestCa(name = 'CN=factorkit U2F Test Root'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { cert, keys, pem: cert.toString('pem') };
}

async function toNodeKey(key: webcrypto.CryptoKey): Promise<KeyObject> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

export interface TokenOptions {
  /** Issuer of the attestation certificate; self-signed when absent. */
  readonly ca?: TestCa;
  /** Value of the FIDO transports extension (full extnValue DER), if any. */
  readonly transportsExtension?: Uint8Array;
  /** Use an RSA attestation key (unsupported by U2F) instead of P-256. */
  readonly rsaAttestation?: boolean;
}

interface Key {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

export interface ClientDataInput {
  readonly typ?: string;
  readonly challenge: string;
  readonly origin: string;
  readonly cidPubkey?: unknown;
}

export function clientDataJson(input: ClientDataInput): string {
  const obj: Record<string, unknown> = { typ: input.typ, challenge: input.challenge, origin: input.origin };
  if (input.cidPubkey !== undefined) obj['cid_pubkey'] = input.cidPubkey;
  return JSON.stringify(obj);
}

export interface RegisterInput extends ClientDataInput {
  readonly appId: string;
  readonly keyHandleLength?: number;
  /** Use this key handle instead of a random one. */
  readonly keyHandle?: Uint8Array;
  /** Sign over this appId instead (a token answering for another site). */
  readonly signAppId?: string;
  /** Raw-message tampering applied after signing. */
  readonly mutate?: (parts: RegistrationParts) => RegistrationParts;
}

export interface RegistrationParts {
  reserved: number;
  publicKey: Uint8Array;
  keyHandle: Uint8Array;
  cert: Uint8Array;
  signature: Uint8Array;
  /** Raw bytes appended after the signature. */
  trailer: Uint8Array;
  /** Override the key-handle length byte. */
  keyHandleLengthByte?: number;
}

export interface SignInput extends ClientDataInput {
  readonly appId: string;
  readonly keyHandle: string;
  readonly userPresence?: number;
  /** Report this counter instead of the next one. */
  readonly counter?: number;
  /** Sign with another key (e.g. of another token). */
  readonly signingKey?: KeyObject;
  readonly mutate?: (raw: Uint8Array) => Uint8Array;
}

export class SoftU2fToken {
  counter = 0;
  readonly attestationCert: Uint8Array;
  readonly #attestationKey: KeyObject;
  readonly #keys = new Map<string, Key>();

  private constructor(cert: Uint8Array, key: KeyObject) {
    this.attestationCert = cert;
    this.#attestationKey = key;
  }

  static async create(options: TokenOptions = {}): Promise<SoftU2fToken> {
    const alg = options.rsaAttestation
      ? {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        }
      : ALG;
    const keys = (await webcrypto.subtle.generateKey(alg, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const extensions: x509.Extension[] = [];
    if (options.transportsExtension !== undefined) {
      extensions.push(new x509.Extension('1.3.6.1.4.1.45724.2.1.1', false, options.transportsExtension));
    }
    const base = {
      notBefore: new Date('2021-01-01T00:00:00Z'),
      notAfter: new Date('2039-01-01T00:00:00Z'),
      extensions,
      signingAlgorithm: options.rsaAttestation
        ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
        : { name: 'ECDSA', hash: 'SHA-256' },
    };
    const cert =
      options.ca === undefined
        ? await x509.X509CertificateGenerator.createSelfSigned({ ...base, name: 'CN=Soft U2F Token', keys })
        : await x509.X509CertificateGenerator.create({
            ...base,
            signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
            subject: 'CN=Soft U2F Token EE',
            issuer: options.ca.cert.subject,
            publicKey: keys.publicKey,
            signingKey: options.ca.keys.privateKey,
          });
    return new SoftU2fToken(new Uint8Array(cert.rawData), await toNodeKey(keys.privateKey));
  }

  static async newUserKey(): Promise<Key> {
    const pair = (await webcrypto.subtle.generateKey(ALG, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', pair.publicKey));
    return { privateKey: await toNodeKey(pair.privateKey), publicKey: raw };
  }

  async register(input: RegisterInput): Promise<{
    response: { registrationData: string; clientData: string; version: 'U2F_V2' };
    keyHandle: string;
    publicKey: Uint8Array;
  }> {
    const key = await SoftU2fToken.newUserKey();
    const keyHandle = input.keyHandle ?? new Uint8Array(randomBytes(input.keyHandleLength ?? 64));
    this.#keys.set(b64u(keyHandle), key);
    const clientData = clientDataJson({ typ: 'navigator.id.finishEnrollment', ...input });
    const signed = Buffer.concat([
      Buffer.from([0]),
      sha256(input.signAppId ?? input.appId),
      sha256(clientData),
      keyHandle,
      key.publicKey,
    ]);
    const signature = new Uint8Array(sign('sha256', signed, this.#attestationKey));
    let parts: RegistrationParts = {
      reserved: 0x05,
      publicKey: key.publicKey,
      keyHandle,
      cert: this.attestationCert,
      signature,
      trailer: new Uint8Array(0),
    };
    if (input.mutate) parts = input.mutate(parts);
    const registrationData = Buffer.concat([
      Buffer.from([parts.reserved]),
      parts.publicKey,
      Buffer.from([parts.keyHandleLengthByte ?? parts.keyHandle.length]),
      parts.keyHandle,
      parts.cert,
      parts.signature,
      parts.trailer,
    ]);
    return {
      response: {
        registrationData: b64u(registrationData),
        clientData: b64u(Buffer.from(clientData)),
        version: 'U2F_V2',
      },
      keyHandle: b64u(keyHandle),
      publicKey: key.publicKey,
    };
  }

  sign(input: SignInput): { keyHandle: string; clientData: string; signatureData: string } {
    const key = this.#keys.get(input.keyHandle);
    if (key === undefined) throw new Error('unknown key handle (token would answer SW_WRONG_DATA)');
    this.counter += 1;
    const counter = input.counter ?? this.counter;
    const clientData = clientDataJson({ typ: 'navigator.id.getAssertion', ...input });
    const head = Buffer.alloc(5);
    head[0] = input.userPresence ?? 0x01;
    head.writeUInt32BE(counter, 1);
    const signed = Buffer.concat([sha256(input.appId), head, sha256(clientData)]);
    const signature = sign('sha256', signed, input.signingKey ?? key.privateKey);
    let raw: Uint8Array = Buffer.concat([head, signature]);
    if (input.mutate) raw = input.mutate(raw);
    return {
      keyHandle: input.keyHandle,
      clientData: b64u(Buffer.from(clientData)),
      signatureData: b64u(raw),
    };
  }
}
