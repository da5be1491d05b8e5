import { readFileSync } from 'node:fs';
import { mutate } from '@factorkit/virtual-authenticator';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../src/base64url.ts';
import { decodeCbor } from '../src/cbor.ts';
import { parseCertificate } from '../src/certificate.ts';
import { WebAuthnError } from '../src/errors.ts';
import { verifyRegistration } from '../src/verifyRegistration.ts';
import { CHALLENGE, ORIGIN, RP_ID, register } from './helpers/ceremony.ts';

// Certificates found by mutation on which @peculiar/x509 / asn1js threw from a lazily parsed
// field (an extension, the key) when a verification step first read it; a catch-all turned that
// into ERR_MALFORMED_RESPONSE. Each must be a typed rejection at the step that reads the
// certificate (x5c is parsed by the format's procedure: 7.1 step 22).
const { cases } = JSON.parse(
  readFileSync(new URL('./fixtures/x5c-dependency-errors.json', import.meta.url), 'utf8'),
) as { cases: { error: string; der: string }[] };

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

describe('x5c certificates a dependency fails to parse', () => {
  const packed = register();
  const stmt = (
    decodeCbor(decodeBase64url(packed.response.response.attestationObject)) as Map<string, unknown>
  ).get('attStmt') as Map<string, unknown>;

  it.each(cases.map((c) => [c.error, c.der] as const))(
    '%s: parseCertificate throws a typed WebAuthnError',
    (error, der) => {
      let thrown: unknown;
      try {
        parseCertificate(hex(der));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(WebAuthnError);
      const expected = error.includes('SpecifiedECDomain')
        ? 'ERR_ATTESTATION_CERTIFICATE_INVALID'
        : 'ERR_CERTIFICATE_EXTENSION_MALFORMED';
      expect((thrown as WebAuthnError).code).toBe(expected);
    },
  );

  it.each(cases.map((c) => [c.error, c.der] as const))(
    '%s: registration rejects it at 7.1 step 22 with its code',
    async (error, der) => {
      const response = mutate.setAttestation(
        packed.response,
        'packed',
        new Map([...stmt, ['x5c', [hex(der)]]]) as Map<string, never>,
      );
      const r = await verifyRegistration(response, {
        expectedChallenge: CHALLENGE,
        expectedOrigin: ORIGIN,
        expectedRpId: RP_ID,
      });
      expect(r).toMatchObject({
        verified: false,
        step: '7.1 step 22',
        code: error.includes('SpecifiedECDomain')
          ? 'ERR_ATTESTATION_CERTIFICATE_INVALID'
          : 'ERR_CERTIFICATE_EXTENSION_MALFORMED',
      });
    },
  );
});
