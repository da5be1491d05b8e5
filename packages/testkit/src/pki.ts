// Test PKI (tests and benchmarks only): roots, intermediates, BLOB signers, CRLs and signed BLOBs, generated with
// @peculiar/x509 over WebCrypto. Deterministic enough for tests (fixed dates and serials).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { repoFixturesDir } from './loader.ts';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const subtle = webcrypto.subtle;

export const EC: { readonly name: 'ECDSA'; readonly namedCurve: 'P-256'; readonly hash: 'SHA-256' } = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
} as const;
export interface RsaParams {
  readonly name: 'RSASSA-PKCS1-v1_5';
  readonly hash: 'SHA-256';
  readonly publicExponent: Uint8Array;
  readonly modulusLength: 2048;
}
export const RSA: RsaParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly der: Uint8Array;
  readonly pem: string;
}

export async function keyPair(alg: typeof EC | RsaParams = EC): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

const DAY = 86_400_000;
export const T0: Date = new Date('2024-01-01T00:00:00Z');
export const NOW: Date = new Date('2025-06-01T00:00:00Z');

interface IssueOptions {
  readonly name: string;
  readonly serial: string;
  readonly issuer?: Issued;
  readonly ca: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly crlUrl?: string;
  readonly alg?: typeof EC | RsaParams;
  readonly keys?: CryptoKeyPair;
  readonly extensions?: x509.Extension[];
}

export async function issue(o: IssueOptions): Promise<Issued> {
  const alg = o.alg ?? EC;
  const keys = o.keys ?? (await keyPair(alg));
  const signer = o.issuer;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(o.ca, undefined, true),
    new x509.KeyUsagesExtension(
      o.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(o.extensions ?? []),
  ];
  if (o.crlUrl !== undefined) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: o.serial,
    subject: o.name,
    issuer: signer?.cert.subject ?? o.name,
    notBefore: o.notBefore ?? T0,
    notAfter: o.notAfter ?? new Date(T0.getTime() + 3650 * DAY),
    signingAlgorithm: signer === undefined ? alg : (signer.keys.privateKey.algorithm as Algorithm),
    publicKey: keys.publicKey,
    signingKey: signer?.keys.privateKey ?? keys.privateKey,
    extensions,
  });
  const der = new Uint8Array(cert.rawData);
  return { cert, keys, der, pem: cert.toString('pem') };
}

export async function crl(
  issuer: Issued,
  revokedSerials: readonly string[],
  thisUpdate: Date = T0,
  nextUpdate: Date | undefined = new Date(T0.getTime() + 3650 * DAY),
  signingKey: CryptoKey = issuer.keys.privateKey,
): Promise<Uint8Array> {
  const list = await x509.X509CrlGenerator.create({
    issuer: issuer.cert.subject,
    thisUpdate,
    ...(nextUpdate === undefined ? {} : { nextUpdate }),
    signingAlgorithm: { ...(issuer.keys.privateKey.algorithm as Algorithm), hash: 'SHA-256' } as Algorithm,
    signingKey,
    entries: revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: T0 })),
  });
  return new Uint8Array(list.rawData);
}

const b64u = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

/** A compact JWS (RS256 or ES256) over `payload`, with x5c. */
export async function signBlob(
  payload: unknown,
  signer: Issued,
  x5c: readonly Issued[],
  header: Record<string, unknown> = {},
): Promise<string> {
  const rsa = signer.keys.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5';
  const h = {
    alg: rsa ? 'RS256' : 'ES256',
    typ: 'JWT',
    x5c: x5c.map((c) => Buffer.from(c.der).toString('base64')),
    ...header,
  };
  const input = `${b64u(JSON.stringify(h))}.${b64u(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  const sig = await subtle.sign(
    rsa ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' },
    signer.keys.privateKey,
    Buffer.from(input),
  );
  return `${input}.${b64u(new Uint8Array(sig))}`;
}

export interface TestMds {
  readonly root: Issued;
  readonly intermediate: Issued;
  readonly signer: Issued;
  /** CRLs (empty) for the intermediate and the signer. */
  readonly crls: Uint8Array[];
}

export const ROOT_CRL_URL = 'https://mds.test/crl/root.crl';
export const CA_CRL_URL = 'https://mds.test/crl/ca.crl';

/** A root → intermediate → signer chain like the real MDS one, with empty CRLs. */
export async function testMds(alg: typeof EC | RsaParams = EC): Promise<TestMds> {
  const root = await issue({ name: 'CN=Test MDS Root', serial: '01', ca: true, alg });
  const intermediate = await issue({
    name: 'CN=Test MDS CA',
    serial: '02',
    ca: true,
    issuer: root,
    crlUrl: ROOT_CRL_URL,
    alg,
  });
  const signer = await issue({
    name: 'CN=Test MDS Signer',
    serial: '03',
    ca: false,
    issuer: intermediate,
    crlUrl: CA_CRL_URL,
    alg,
  });
  return { root, intermediate, signer, crls: [await crl(root, []), await crl(intermediate, [])] };
}

export function payload(
  no: number,
  entries: unknown[] = [],
  nextUpdate = '2025-07-01',
): Record<string, unknown> {
  return { legalHeader: 'test', no, nextUpdate, entries };
}

// The FIDO conformance MDS3 root ("FAKE Root FAKE", SHA-256 66d9770b…a47c) and the two CRLs
// published for its chain (MDSCA-1: 2018-02-01..2022-02-01, MDSROOT: 2018-02-01..2020-02-01).
const mdsFixture = (name: string): string => readFileSync(join(repoFixturesDir(), 'mds', name), 'utf8');
export const CONFORMANCE_ROOT_PEM: string = mdsFixture('fido-conformance-mds3-root.pem');
export const CONFORMANCE_CRLS: string[] = [
  mdsFixture('fido-conformance-mdsca-1.crl.pem'),
  mdsFixture('fido-conformance-mdsroot.crl.pem'),
];

/** Yubico U2F Root CA Serial 457200631 (base64 DER, as a metadata statement lists it). */
export const YUBICO_U2F_ROOT_B64: string = mdsFixture('yubico-u2f-root-ca-457200631.pem')
  .replace(/-----[A-Z ]+-----/g, '')
  .replace(/\s+/g, '');

/** A FIDO2 metadata entry for a Yubico authenticator (roots: the Yubico U2F root). */
export function yubicoEntry(
  aaguid: string,
  description: string,
  statusReports: readonly unknown[],
): Record<string, unknown> {
  return {
    aaguid,
    statusReports,
    timeOfLastStatusChange: '2024-01-01',
    metadataStatement: {
      description,
      aaguid,
      protocolFamily: 'fido2',
      schema: 3,
      authenticatorVersion: 50100,
      upv: [{ major: 1, minor: 0 }],
      authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw', 'ed25519_eddsa_sha512_raw'],
      publicKeyAlgAndEncodings: ['cose'],
      attestationTypes: ['basic_full'],
      userVerificationDetails: [
        [{ userVerificationMethod: 'passcode_external' }],
        [{ userVerificationMethod: 'presence_internal' }],
      ],
      keyProtection: ['hardware', 'secure_element'],
      matcherProtection: ['on_chip'],
      tcDisplay: [],
      attestationRootCertificates: [YUBICO_U2F_ROOT_B64],
    },
  };
}

/** A signed test BLOB: its JWT, the chain's root (PEM) and CRLs. */
export async function testBlob(
  entries: readonly unknown[],
  no = 1,
  nextUpdate = '2025-07-01',
): Promise<{ jwt: string; rootPem: string; crls: Uint8Array[]; mds: TestMds }> {
  const mds = await testMds();
  const jwt = await signBlob(payload(no, [...entries], nextUpdate), mds.signer, [
    mds.signer,
    mds.intermediate,
  ]);
  return { jwt, rootPem: mds.root.pem, crls: mds.crls, mds };
}
