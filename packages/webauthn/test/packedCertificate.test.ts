import 'reflect-metadata';
import { createHash, type webcrypto } from 'node:crypto';
import { mutate, type RegistrationResponseJSON } from '@factorkit/virtual-authenticator';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64url } from '../src/base64url.ts';
import { decodeCbor } from '../src/cbor.ts';
import { readDerChildren, readDerExact } from '../src/der.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { BACKENDS } from './helpers/backends.ts';
import { CHALLENGE, expectRejected, ORIGIN, RP_ID, register } from './helpers/ceremony.ts';

// §8.2.1 packed attestation certificate requirements and §8.6 fido-u2f certificate key,
// each checked with a statement whose signature is valid, so only the certificate is at fault.

const subtle = (globalThis.crypto as webcrypto.Crypto).subtle;
const GOOD_SUBJECT = 'CN=Test Authenticator, OU=Authenticator Attestation, O=Vendor, C=US';
const AAGUID_OID = '1.3.6.1.4.1.45724.1.1.4';

function derInt(b: Uint8Array): number[] {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = [...b.subarray(i)];
  if ((v[0] as number) & 0x80) v.unshift(0);
  return [0x02, v.length, ...v];
}
function rawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const body = [...derInt(raw.subarray(0, half)), ...derInt(raw.subarray(half))];
  return new Uint8Array([0x30, body.length, ...body]);
}

interface CertOptions {
  readonly subject?: string;
  readonly ca?: boolean;
  readonly aaguid?: Uint8Array;
  readonly aaguidCritical?: boolean;
  readonly curve?: 'P-256' | 'P-384';
  /** Re-encode as an X.509 version 1 certificate (no version field, no extensions). */
  readonly v1?: boolean;
}

function derTlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array([tag, ...len, ...content]);
}

async function toVersion1(certDer: Uint8Array, key: webcrypto.CryptoKey, hash: string): Promise<Uint8Array> {
  const [tbs, sigAlg] = readDerChildren(readDerExact(certDer).value);
  if (tbs === undefined || sigAlg === undefined) throw new Error('bad certificate');
  // Drop [0] version and [3] extensions: serial, signature, issuer, validity, subject, spki remain.
  const fields = readDerChildren(tbs.value).filter((f) => f.tag !== 0xa0 && f.tag !== 0xa3);
  const body = new Uint8Array(fields.flatMap((f) => [...f.raw]));
  const tbsV1 = derTlv(0x30, body);
  const sig = rawToDer(new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, key, tbsV1)));
  return derTlv(
    0x30,
    new Uint8Array([...tbsV1, ...sigAlg.raw, ...derTlv(0x03, new Uint8Array([0, ...sig]))]),
  );
}

async function attest(
  base: RegistrationResponseJSON,
  fmt: 'packed' | 'fido-u2f',
  opts: CertOptions,
): Promise<RegistrationResponseJSON> {
  const ao = decodeCbor(decodeBase64url(base.response.attestationObject)) as Map<string, unknown>;
  const authData = ao.get('authData') as Uint8Array;
  const clientDataHash = createHash('sha256').update(decodeBase64url(base.response.clientDataJSON)).digest();
  const curve = opts.curve ?? 'P-256';
  const hash = curve === 'P-256' ? 'SHA-256' : 'SHA-384';
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca ?? false, undefined, true),
  ];
  if (opts.aaguid !== undefined) {
    extensions.push(
      new x509.Extension(
        AAGUID_OID,
        opts.aaguidCritical ?? false,
        new Uint8Array([0x04, 0x10, ...opts.aaguid]),
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: opts.subject ?? GOOD_SUBJECT,
    issuer: 'CN=Test CA, O=Vendor, C=US',
    notBefore: new Date('2024-01-01'),
    notAfter: new Date('2049-01-01'),
    signingAlgorithm: { name: 'ECDSA', hash },
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions,
  });
  const certDer =
    opts.v1 === true
      ? await toVersion1(new Uint8Array(cert.rawData), keys.privateKey, hash)
      : new Uint8Array(cert.rawData);
  let data: Uint8Array;
  if (fmt === 'packed') {
    data = new Uint8Array([...authData, ...clientDataHash]);
  } else {
    // 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y
    const idLen = ((authData[53] as number) << 8) | (authData[54] as number);
    const credentialId = authData.subarray(55, 55 + idLen);
    const key = decodeCbor(authData.subarray(55 + idLen)) as Map<number, Uint8Array>;
    data = new Uint8Array([
      0,
      ...authData.subarray(0, 32),
      ...clientDataHash,
      ...credentialId,
      4,
      ...(key.get(-2) as Uint8Array),
      ...(key.get(-3) as Uint8Array),
    ]);
  }
  const sig = rawToDer(new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, keys.privateKey, data)));
  const stmt: [string, unknown][] =
    fmt === 'packed'
      ? [
          ['alg', curve === 'P-256' ? -7 : -35],
          ['sig', sig],
          ['x5c', [certDer]],
        ]
      : [
          ['sig', sig],
          ['x5c', [certDer]],
        ];
  return mutate.setAttestation(base, fmt, new Map(stmt) as never);
}

describe.each(BACKENDS)('attestation certificate requirements on the %s backend', (_name, crypto) => {
  const base = register({}, { attestation: 'none' }).response;
  const aaguid = (decodeCbor(decodeBase64url(base.response.attestationObject)) as Map<string, Uint8Array>)
    .get('authData')
    ?.slice(37, 53) as Uint8Array;
  const options = { expectedChallenge: CHALLENGE, expectedOrigin: ORIGIN, expectedRpId: RP_ID, crypto };
  let good: RegistrationResponseJSON;
  beforeAll(async () => {
    good = await attest(base, 'packed', { aaguid });
  });

  it('a compliant certificate verifies (basic, untrusted without anchors)', async () => {
    expect(await verifyRegistration(good, options)).toMatchObject({
      verified: true,
      attestation: { fmt: 'packed', type: 'basic', trusted: false },
    });
  });

  it('§8.2.1: subject must have C, O, CN and OU "Authenticator Attestation"', async () => {
    for (const subject of [
      'CN=Test Authenticator, OU=Something Else, O=Vendor, C=US',
      'CN=Test Authenticator, O=Vendor, C=US',
      'CN=Test Authenticator, OU=Authenticator Attestation, C=US',
      'OU=Authenticator Attestation, O=Vendor, C=US',
      'CN=Test Authenticator, OU=Authenticator Attestation, O=Vendor',
    ]) {
      expectRejected(
        await verifyRegistration(await attest(base, 'packed', { subject }), options),
        'ERR_ATTESTATION_CERTIFICATE_INVALID',
        '7.1 step 22',
      );
    }
  });

  it('§8.2.1: the certificate must be X.509 version 3', async () => {
    expectRejected(
      await verifyRegistration(await attest(base, 'packed', { v1: true }), options),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      '7.1 step 22',
    );
  });

  it('§8.2.1: basicConstraints CA must be false', async () => {
    expectRejected(
      await verifyRegistration(await attest(base, 'packed', { ca: true }), options),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      '7.1 step 22',
    );
  });

  it('§8.2.1: the AAGUID extension must match authData and not be critical (ATT-3)', async () => {
    const other = new Uint8Array(16).fill(0xab);
    expectRejected(
      await verifyRegistration(await attest(base, 'packed', { aaguid: other }), options),
      'ERR_ATTESTATION_AAGUID_MISMATCH',
      '7.1 step 22',
    );
    expectRejected(
      await verifyRegistration(await attest(base, 'packed', { aaguid, aaguidCritical: true }), options),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      '7.1 step 22',
    );
    // Absent extension: allowed.
    expect((await verifyRegistration(await attest(base, 'packed', {}), options)).verified).toBe(true);
  });

  it('packed: the statement alg must fit the certificate key (SIG-4)', async () => {
    const p384 = await attest(base, 'packed', { curve: 'P-384' });
    expect((await verifyRegistration(p384, options)).verified).toBe(true);
    expectRejected(
      await verifyRegistration(mutate.swapAttestationAlgorithm(p384, -7), options),
      'ERR_ATTESTATION_INVALID',
      '7.1 step 22',
    );
  });

  it('§8.6 fido-u2f: the certificate key must be EC P-256', async () => {
    // A CTAP1 device behind a client: AAGUID all zeros (an unsigned non-zero one is refused, ATT-10).
    const u2fBase = register(
      { aaguid: new Uint8Array(16) },
      { attestation: 'none', userVerification: 'discouraged' },
    ).response;
    expect((await verifyRegistration(await attest(u2fBase, 'fido-u2f', {}), options)).verified).toBe(true);
    expectRejected(
      await verifyRegistration(await attest(u2fBase, 'fido-u2f', { curve: 'P-384' }), options),
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      '7.1 step 22',
    );
  });
});
