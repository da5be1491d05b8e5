import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ParsedCertificate, parseCertificate } from '../src/certificate.ts';
import { verifyCertificateChain } from '../src/trust.ts';

// Catalog ATT-1/ATT-5: chains are built only to configured anchors, with validity, CA and
// pathLen checks; a self-signed certificate in x5c or in extraIntermediates never ends a path.

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const NOW = new Date('2030-06-01T00:00:00Z');
const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const NOT_AFTER = new Date('2040-01-01T00:00:00Z');

interface Issued {
  readonly cert: ParsedCertificate;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly name: string;
}

let serial = 1;
async function issue(
  name: string,
  issuer: Issued | undefined,
  opts: {
    ca?: boolean;
    pathLength?: number;
    notAfter?: Date;
    notBefore?: Date;
    noBasicConstraints?: boolean;
  } = {},
): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [];
  if (!opts.noBasicConstraints)
    extensions.push(new x509.BasicConstraintsExtension(opts.ca ?? false, opts.pathLength, true));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: name,
    issuer: issuer?.name ?? name,
    notBefore: opts.notBefore ?? NOT_BEFORE,
    notAfter: opts.notAfter ?? NOT_AFTER,
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: (issuer?.keys ?? keys).privateKey,
    extensions,
  });
  return { cert: parseCertificate(new Uint8Array(cert.rawData)), keys, name };
}

describe('attestation trust chains', () => {
  let root: Issued;
  let inter: Issued;
  let leaf: Issued;
  let attackerRoot: Issued;
  let attackerLeaf: Issued;
  beforeAll(async () => {
    root = await issue('CN=Root,O=Vendor,C=US', undefined, { ca: true });
    inter = await issue('CN=Intermediate,O=Vendor,C=US', root, { ca: true, pathLength: 0 });
    leaf = await issue('CN=Leaf,OU=Authenticator Attestation,O=Vendor,C=US', inter);
    // The attacker copies the real names onto their own keys.
    attackerRoot = await issue('CN=Intermediate,O=Vendor,C=US', undefined, { ca: true });
    attackerLeaf = await issue('CN=Leaf,OU=Authenticator Attestation,O=Vendor,C=US', attackerRoot);
  });

  it('trusts leaf → intermediate → configured root', async () => {
    const r = await verifyCertificateChain([leaf.cert, inter.cert], { anchors: [root.cert], now: NOW });
    expect(r).toMatchObject({ trusted: true });
    expect(r.path).toHaveLength(3);
    // The intermediate may also come out of band.
    const oob = await verifyCertificateChain([leaf.cert], {
      anchors: [root.cert],
      extraIntermediates: [inter.cert],
      now: NOW,
    });
    expect(oob.trusted).toBe(true);
  });

  it('ATT-1: a self-signed certificate inside x5c is never an anchor (GHSA-6hxq-p678-4hr2)', async () => {
    const r = await verifyCertificateChain([attackerLeaf.cert, attackerRoot.cert], {
      anchors: [root.cert],
      now: NOW,
    });
    expect(r.trusted).toBe(false);
  });

  it('a root passed only as an intermediate never makes a chain trusted', async () => {
    const r = await verifyCertificateChain([leaf.cert, inter.cert, root.cert], {
      anchors: [attackerRoot.cert],
      extraIntermediates: [root.cert],
      now: NOW,
    });
    expect(r.trusted).toBe(false);
  });

  it('no anchors: never trusted', async () => {
    expect((await verifyCertificateChain([leaf.cert, inter.cert], { anchors: [], now: NOW })).trusted).toBe(
      false,
    );
  });

  it('ATT-5: validity at now is checked for the leaf, intermediates and the anchor', async () => {
    expect(
      (
        await verifyCertificateChain([leaf.cert, inter.cert], {
          anchors: [root.cert],
          now: new Date('2041-01-01'),
        })
      ).trusted,
    ).toBe(false);
    expect(
      (
        await verifyCertificateChain([leaf.cert, inter.cert], {
          anchors: [root.cert],
          now: new Date('2024-01-01'),
        })
      ).trusted,
    ).toBe(false);
    const expiredInter = await issue('CN=Old Intermediate,O=Vendor,C=US', root, {
      ca: true,
      notAfter: new Date('2029-01-01'),
    });
    const leaf2 = await issue('CN=Leaf2,OU=Authenticator Attestation,O=Vendor,C=US', expiredInter);
    expect(
      (await verifyCertificateChain([leaf2.cert, expiredInter.cert], { anchors: [root.cert], now: NOW }))
        .trusted,
    ).toBe(false);
  });

  it('basicConstraints: an issuer must be a CA, and pathLenConstraint is enforced', async () => {
    const notCa = await issue('CN=Not A CA,O=Vendor,C=US', root, { ca: false });
    const leaf3 = await issue('CN=Leaf3,O=Vendor,C=US', notCa);
    expect(
      (await verifyCertificateChain([leaf3.cert, notCa.cert], { anchors: [root.cert], now: NOW })).trusted,
    ).toBe(false);
    const noBc = await issue('CN=No BC,O=Vendor,C=US', root, { noBasicConstraints: true });
    const leaf4 = await issue('CN=Leaf4,O=Vendor,C=US', noBc);
    expect(
      (await verifyCertificateChain([leaf4.cert, noBc.cert], { anchors: [root.cert], now: NOW })).trusted,
    ).toBe(false);
    // inter has pathLen 0: another CA below it breaks the constraint.
    const sub = await issue('CN=Sub,O=Vendor,C=US', inter, { ca: true });
    const leaf5 = await issue('CN=Leaf5,O=Vendor,C=US', sub);
    expect(
      (await verifyCertificateChain([leaf5.cert, sub.cert, inter.cert], { anchors: [root.cert], now: NOW }))
        .trusted,
    ).toBe(false);
  });

  it('a wrong anchor with the right name does not verify the signature', async () => {
    const fakeRoot = await issue('CN=Root,O=Vendor,C=US', undefined, { ca: true });
    expect(
      (await verifyCertificateChain([leaf.cert, inter.cert], { anchors: [fakeRoot.cert], now: NOW })).trusted,
    ).toBe(false);
  });

  it('certificates are strict DER: signature BIT STRING unused bits and ECDSA signature encoding (ASN-5, SIG-1)', async () => {
    const der = leaf.cert.der;
    let at = -1;
    for (let i = der.length - 3; i > 0; i--) {
      if (der[i] === 0x03 && der[i + 1] === der.length - i - 2 && der[i + 2] === 0 && der[i + 3] === 0x30) {
        at = i;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    const unusedBits = der.slice();
    unusedBits[at + 2] = 1;
    expect(() => parseCertificate(unusedBits)).toThrow(
      expect.objectContaining({ code: 'ERR_ATTESTATION_CERTIFICATE_INVALID' }),
    );
    // A wrong tag on the Ecdsa-Sig-Value: @peculiar/x509 alone would still verify it.
    const badTag = der.slice();
    badTag[at + 3] = 0xb0;
    const ok = await verifyCertificateChain([leaf.cert, inter.cert], { anchors: [root.cert], now: NOW });
    expect(ok.trusted).toBe(true);
    const bad = await verifyCertificateChain([parseCertificate(badTag), inter.cert], {
      anchors: [root.cert],
      now: NOW,
    });
    expect(bad.trusted).toBe(false);
  });
});

// Certificate signatures are checked with node:crypto for ECDSA and RSASSA-PKCS1-v1_5 issuers;
// these cases pin that path for every curve/hash and key type it accepts, and show that any
// change to the signed bytes or the signature is refused.
describe('certificate signature verification', () => {
  type SigningAlgorithm = webcrypto.RsaHashedKeyGenParams | (webcrypto.EcKeyGenParams & { hash: string });
  const RSA: SigningAlgorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
  const P384: SigningAlgorithm = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  const P256: SigningAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

  interface Signer {
    readonly cert: ParsedCertificate;
    readonly keys: webcrypto.CryptoKeyPair;
    readonly algorithm: SigningAlgorithm;
  }
  async function make(
    name: string,
    algorithm: SigningAlgorithm,
    issuer?: { signer: Signer; name: string },
  ): Promise<Signer> {
    const keys = (await crypto.subtle.generateKey(algorithm, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const signingAlgorithm = issuer?.signer.algorithm ?? algorithm;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject: name,
      issuer: issuer?.name ?? name,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      signingAlgorithm,
      publicKey: keys.publicKey,
      signingKey: (issuer?.signer.keys ?? keys).privateKey,
      extensions: [new x509.BasicConstraintsExtension(issuer === undefined, undefined, true)],
    });
    return { cert: parseCertificate(new Uint8Array(cert.rawData)), keys, algorithm };
  }
  const ROOT = 'CN=Sig Root,O=Vendor,C=US';
  const LEAF = 'CN=Leaf,OU=Authenticator Attestation,O=Vendor,C=US';

  function renamed(c: ParsedCertificate): ParsedCertificate {
    // "Leaf" → "Leag" in the subject: the TBSCertificate changes, the signature does not.
    const der = c.der.slice();
    const at = Buffer.from(der).indexOf('Leaf');
    expect(at).toBeGreaterThan(0);
    der[at + 3] = 'g'.charCodeAt(0);
    return parseCertificate(der);
  }
  function flippedSignature(c: ParsedCertificate): ParsedCertificate {
    const der = c.der.slice();
    der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
    return parseCertificate(der);
  }
  const trusted = async (leaf: ParsedCertificate, anchor: ParsedCertificate): Promise<boolean> =>
    (await verifyCertificateChain([leaf], { anchors: [anchor], now: NOW })).trusted;

  it.each([
    ['RSASSA-PKCS1-v1_5 SHA-256 issuer, P-256 leaf', RSA, P256],
    ['ECDSA P-384 SHA-384 issuer, P-256 leaf', P384, P256],
    ['ECDSA P-256 SHA-256 issuer, RSA leaf', P256, RSA],
  ] as const)(
    '%s: valid signature trusted; altered TBS or signature refused',
    async (_, rootAlg, leafAlg) => {
      const root = await make(ROOT, rootAlg);
      const leaf = await make(LEAF, leafAlg, { signer: root, name: ROOT });
      expect(await trusted(leaf.cert, root.cert)).toBe(true);
      // The same (cached) anchor key must not make an altered certificate verify.
      expect(await trusted(renamed(leaf.cert), root.cert)).toBe(false);
      expect(await trusted(flippedSignature(leaf.cert), root.cert)).toBe(false);
      expect(await trusted(leaf.cert, root.cert)).toBe(true);
    },
  );

  it('an anchor with the right name but another key type or key does not verify', async () => {
    const root = await make(ROOT, P256);
    const leaf = await make(LEAF, P256, { signer: root, name: ROOT });
    const rsaImpostor = await make(ROOT, RSA);
    const ecImpostor = await make(ROOT, P384);
    expect(await trusted(leaf.cert, rsaImpostor.cert)).toBe(false);
    expect(await trusted(leaf.cert, ecImpostor.cert)).toBe(false);
    expect(await trusted(leaf.cert, root.cert)).toBe(true);
  });
});
