// A throwaway self-signed certificate for https://localhost, made with the virtual
// authenticator package's X.509 builder (no openssl needed), and the SPKI pin Chromium is
// told to accept (--ignore-certificate-errors-spki-list), so the page is a secure context
// without certificate errors — WebAuthn refuses pages with certificate errors.
import { createHash, randomBytes } from 'node:crypto';
import { createSigningKey, issueCertificate, KEY_SEED_LENGTH, toPem } from '@factorkit/virtual-authenticator';

export interface TestTls {
  readonly cert: string;
  readonly key: string;
  /** base64(SHA-256(SubjectPublicKeyInfo)), for --ignore-certificate-errors-spki-list. */
  readonly spkiPin: string;
}

const der = (tag: number, body: Uint8Array): Uint8Array => {
  if (body.length >= 128) throw new RangeError('short form only');
  return Uint8Array.from([tag, body.length, ...body]);
};

export function localhostTls(): TestTls {
  const key = createSigningKey('ES256', randomBytes(KEY_SEED_LENGTH));
  const name = [['CN', 'localhost']] as const;
  const now = Date.now();
  const certificate = issueCertificate(
    {
      serial: BigInt(`0x${randomBytes(8).toString('hex')}`) & 0x7fffffffffffffffn,
      issuer: name,
      subject: name,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + 2 * 86_400_000),
      subjectPublicKeyInfo: key.spki,
      extensions: [
        // subjectAltName: dNSName "localhost" (RFC 5280 §4.2.1.6).
        { oid: '2.5.29.17', value: der(0x30, der(0x82, new TextEncoder().encode('localhost'))) },
        // extKeyUsage: serverAuth.
        {
          oid: '2.5.29.37',
          value: der(0x30, Uint8Array.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01])),
        },
      ],
    },
    key,
  );
  const pkcs8 = key.pkcs8?.();
  if (pkcs8 === undefined) throw new Error('EC keys export PKCS #8');
  return {
    cert: toPem(certificate),
    key: toPem(pkcs8, 'PRIVATE KEY'),
    spkiPin: createHash('sha256').update(key.spki).digest('base64'),
  };
}
