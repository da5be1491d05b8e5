// Test certificate authorities: root → intermediate → leaf attestation certificates with
// fixed serials and validity, signed deterministically, so generated fixtures are stable.

import { createHash } from 'node:crypto';
import { concat, toBase64url } from './bytes.ts';
import {
  bitString,
  bool,
  explicit,
  implicitPrimitive,
  integer,
  octets,
  oid,
  printableString,
  readTlv,
  seq,
  set,
  time,
  utf8String,
} from './der.ts';
import { createSigningKey, KEY_SEED_LENGTH, type SigningKey } from './keys.ts';
import { derive, type Seed, seedBytes } from './seed.ts';

/** An X.501 name as ordered attribute pairs, e.g. `[['C','US'],['O','Acme'],['CN','Acme Root']]`. */
export type DistinguishedName = readonly (readonly [NameAttribute, string])[];
export type NameAttribute = 'C' | 'O' | 'OU' | 'CN' | 'ST' | 'L';

const NAME_OIDS: Readonly<Record<NameAttribute, string>> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  ST: '2.5.4.8',
  L: '2.5.4.7',
};

export function encodeName(name: DistinguishedName): Uint8Array {
  // countryName is PrintableString (RFC 5280 Appendix A); the rest UTF8String.
  return seq(
    ...name.map(([attr, value]) =>
      set(seq(oid(NAME_OIDS[attr]), attr === 'C' ? printableString(value) : utf8String(value))),
    ),
  );
}

/** One certificate extension (RFC 5280 §4.1.2.9). */
export interface CertificateExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** The DER value that goes inside extnValue's OCTET STRING. */
  readonly value: Uint8Array;
}

export interface CertificateTemplate {
  readonly serial: bigint | number;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly extensions?: readonly CertificateExtension[];
}

/** Issues an X.509 v3 certificate (DER), signed by `issuerKey`. */
export function issueCertificate(template: CertificateTemplate, issuerKey: SigningKey): Uint8Array {
  const extensions = template.extensions ?? [];
  const tbs = seq(
    explicit(0, integer(2)),
    integer(template.serial),
    issuerKey.signatureAlgorithm,
    encodeName(template.issuer),
    seq(time(template.notBefore), time(template.notAfter)),
    encodeName(template.subject),
    template.subjectPublicKeyInfo,
    ...(extensions.length > 0
      ? [
          explicit(
            3,
            seq(
              ...extensions.map((e) =>
                seq(oid(e.oid), ...(e.critical === true ? [bool(true)] : []), octets(e.value)),
              ),
            ),
          ),
        ]
      : []),
  );
  return seq(tbs, issuerKey.signatureAlgorithm, bitString(issuerKey.sign(tbs)));
}

/** Key identifier: SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 §4.2.1.2 method 1). */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const key = readTlv(spki, algorithm.end);
  // Skip the BIT STRING's unused-bits octet.
  return new Uint8Array(
    createHash('sha1')
      .update(spki.subarray(key.start + 1, key.end))
      .digest(),
  );
}

export const ext = {
  basicConstraints(ca: boolean, pathLen?: number): CertificateExtension {
    const inner = ca ? [bool(true), ...(pathLen === undefined ? [] : [integer(pathLen)])] : [];
    return { oid: '2.5.29.19', critical: true, value: seq(...inner) };
  },
  /** keyUsage bits: digitalSignature(0), keyCertSign(5), cRLSign(6). */
  keyUsage(bits: readonly number[]): CertificateExtension {
    let value = 0;
    for (const b of bits) value |= 0x80 >> b;
    const max = Math.max(...bits);
    const unused = 7 - (max % 8);
    return { oid: '2.5.29.15', critical: true, value: bitString(Uint8Array.of(value), unused) };
  },
  subjectKeyIdentifier(spki: Uint8Array): CertificateExtension {
    return { oid: '2.5.29.14', value: octets(keyIdentifier(spki)) };
  },
  authorityKeyIdentifier(issuerSpki: Uint8Array): CertificateExtension {
    return { oid: '2.5.29.35', value: seq(implicitPrimitive(0, keyIdentifier(issuerSpki))) };
  },
  /** id-fido-gen-ce-aaguid (WebAuthn §8.2.1): OCTET STRING of the 16-byte AAGUID, non-critical. */
  aaguid(aaguid: Uint8Array): CertificateExtension {
    return { oid: '1.3.6.1.4.1.45724.1.1.4', value: octets(aaguid) };
  },
  /** FIDO U2F transports (id-fido-u2f-ce-transports): BIT STRING, bit 2 = USB. */
  u2fTransports(bits: readonly number[]): CertificateExtension {
    let value = 0;
    for (const b of bits) value |= 0x80 >> b;
    const max = Math.max(...bits);
    return { oid: '1.3.6.1.4.1.45724.2.1.1', value: bitString(Uint8Array.of(value), 7 - max) };
  },
};

/** DER → PEM. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A certificate with its key. */
export interface IssuedCertificate {
  readonly certificate: Uint8Array;
  readonly key: SigningKey;
  readonly subject: DistinguishedName;
}

/** A two-level test CA (root → intermediate) that issues attestation certificates. */
export interface TestCertificateAuthority {
  readonly root: IssuedCertificate;
  readonly intermediate: IssuedCertificate;
  /** The root as PEM — what a relying party configures as its trust anchor. */
  readonly rootPem: string;
  /** Issues a leaf certificate signed by the intermediate; `keyLabel` seeds its key. */
  issueLeaf(options: LeafOptions): IssuedCertificate;
}

export interface LeafOptions {
  readonly subject: DistinguishedName;
  /** Labels the leaf key within this CA's seed; same label → same key and certificate. */
  readonly keyLabel: string;
  readonly extensions?: readonly CertificateExtension[];
  /** Use this key instead of one derived from `keyLabel`. */
  readonly key?: SigningKey;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly serial?: bigint | number;
  /**
   * Issuer (default `intermediate`). FIDO U2F attestation carries exactly one certificate,
   * so its leaf is issued by the root directly, as Yubico's U2F certificates are.
   */
  readonly issuedBy?: 'root' | 'intermediate';
}

export interface TestCaOptions {
  /** Seed for the CA keys (default: `"factorkit test CA"`, a fixed, published test seed). */
  readonly seed?: Seed;
  /** Organisation in the CA names (default `"factorkit"`). */
  readonly organization?: string;
  /** Validity of every certificate (default 2024-01-01 → 2049-12-31, fixed for determinism). */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export const DEFAULT_NOT_BEFORE: Date = new Date('2024-01-01T00:00:00Z');
export const DEFAULT_NOT_AFTER: Date = new Date('2049-12-31T23:59:59Z');

/** Creates a deterministic ES256 test CA. Keys and certificates are reproducible from the seed. */
export function createTestCa(options: TestCaOptions = {}): TestCertificateAuthority {
  const seed = seedBytes(options.seed ?? 'factorkit test CA');
  const org = options.organization ?? 'factorkit';
  const notBefore = options.notBefore ?? DEFAULT_NOT_BEFORE;
  const notAfter = options.notAfter ?? DEFAULT_NOT_AFTER;
  const rootKey = createSigningKey('ES256', derive(seed, 'ca/root', KEY_SEED_LENGTH));
  const rootName: DistinguishedName = [
    ['C', 'US'],
    ['O', org],
    ['CN', `${org} Test Attestation Root CA`],
  ];
  const rootCert = issueCertificate(
    {
      serial: serialFrom(seed, 'ca/root'),
      issuer: rootName,
      subject: rootName,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: rootKey.spki,
      extensions: [ext.basicConstraints(true), ext.keyUsage([5, 6]), ext.subjectKeyIdentifier(rootKey.spki)],
    },
    rootKey,
  );
  const intKey = createSigningKey('ES256', derive(seed, 'ca/intermediate', KEY_SEED_LENGTH));
  const intName: DistinguishedName = [
    ['C', 'US'],
    ['O', org],
    ['CN', `${org} Test Attestation Intermediate CA`],
  ];
  const intCert = issueCertificate(
    {
      serial: serialFrom(seed, 'ca/intermediate'),
      issuer: rootName,
      subject: intName,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: intKey.spki,
      extensions: [
        ext.basicConstraints(true, 0),
        ext.keyUsage([5, 6]),
        ext.subjectKeyIdentifier(intKey.spki),
        ext.authorityKeyIdentifier(rootKey.spki),
      ],
    },
    rootKey,
  );
  const leaves = new Map<string, IssuedCertificate>();
  return {
    root: { certificate: rootCert, key: rootKey, subject: rootName },
    intermediate: { certificate: intCert, key: intKey, subject: intName },
    rootPem: toPem(rootCert),
    issueLeaf(leaf: LeafOptions): IssuedCertificate {
      const cacheKey =
        leaf.key === undefined
          ? JSON.stringify([leaf, leaf.extensions?.map((e) => toBase64url(e.value))])
          : undefined;
      const cached = cacheKey === undefined ? undefined : leaves.get(cacheKey);
      if (cached !== undefined) return cached;
      const key =
        leaf.key ?? createSigningKey('ES256', derive(seed, `leaf/${leaf.keyLabel}`, KEY_SEED_LENGTH));
      const byRoot = leaf.issuedBy === 'root';
      const certificate = issueCertificate(
        {
          serial: leaf.serial ?? serialFrom(seed, `leaf/${leaf.keyLabel}`),
          issuer: byRoot ? rootName : intName,
          subject: leaf.subject,
          notBefore: leaf.notBefore ?? notBefore,
          notAfter: leaf.notAfter ?? notAfter,
          subjectPublicKeyInfo: key.spki,
          extensions: [
            ext.basicConstraints(false),
            ext.keyUsage([0]),
            ext.subjectKeyIdentifier(key.spki),
            ext.authorityKeyIdentifier(byRoot ? rootKey.spki : intKey.spki),
            ...(leaf.extensions ?? []),
          ],
        },
        byRoot ? rootKey : intKey,
      );
      const issued = { certificate, key, subject: leaf.subject };
      if (cacheKey !== undefined) leaves.set(cacheKey, issued);
      return issued;
    },
  };
}

/** A positive serial number (≤ 20 octets, RFC 5280 §4.1.2.2) derived from the seed. */
function serialFrom(seed: Uint8Array, label: string): bigint {
  const bytes = derive(seed, `serial/${label}`, 16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return BigInt(`0x${Buffer.from(concat(bytes)).toString('hex')}`);
}

let defaultCa: TestCertificateAuthority | undefined;
/** The package's default test CA (seed `"factorkit test CA"`), created once. */
export function defaultTestCa(): TestCertificateAuthority {
  defaultCa ??= createTestCa();
  return defaultCa;
}
