import { type AuthorizationList, id_ce_keyDescription, KeyDescription } from '@peculiar/asn1-android';
import { AsnConvert } from '@peculiar/asn1-schema';
import { extensionByOid, type ParsedCertificate, parseCertificate } from '../certificate.ts';
import { assertStrictDer } from '../der.ts';
import { WebAuthnError } from '../errors.ts';

/**
 * The Android Key Attestation extension (KeyDescription, OID 1.3.6.1.4.1.11129.2.1.17), read
 * with @peculiar/asn1-android's schema (Keymaster 2–4.1 and KeyMint 1–4 share the layout; the
 * eighth field is `teeEnforced`, called `hardwareEnforced` since KeyMint). The encoding is
 * checked as strict DER first, since the schema decoder itself accepts BER.
 */
export const OID_ANDROID_KEY_DESCRIPTION: string = id_ce_keyDescription;

/** KM_ORIGIN_GENERATED and KM_PURPOSE_SIGN (Keymaster/KeyMint `Tag.ORIGIN`, `Tag.PURPOSE`). */
export const KM_ORIGIN_GENERATED = 0;
export const KM_PURPOSE_SIGN = 2;

/** A key description larger than this is refused before decoding (real ones are < 2 KiB). */
export const MAX_KEY_DESCRIPTION_LENGTH: number = 8 * 1024;

export function keyDescriptionOf(cert: ParsedCertificate): KeyDescription | undefined {
  const ext = extensionByOid(cert, OID_ANDROID_KEY_DESCRIPTION);
  if (ext === undefined) return undefined;
  return parseKeyDescription(new Uint8Array(ext.value));
}

/** The key description of a DER certificate (for `factorkit inspect`); undefined when absent. */
export function readAndroidKeyDescription(certificate: Uint8Array): KeyDescription | undefined {
  return keyDescriptionOf(parseCertificate(certificate));
}

/** @throws {WebAuthnError} `ERR_ATTESTATION_CERTIFICATE_INVALID` when it is not a strict-DER KeyDescription. */
export function parseKeyDescription(der: Uint8Array): KeyDescription {
  if (der.length === 0 || der.length > MAX_KEY_DESCRIPTION_LENGTH)
    throw new WebAuthnError('ERR_ATTESTATION_CERTIFICATE_INVALID', 'key description is empty or too large');
  try {
    assertStrictDer(der);
    return AsnConvert.parse(der, KeyDescription);
  } catch (cause) {
    throw new WebAuthnError(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      'key description is not a valid KeyDescription',
      {
        cause,
      },
    );
  }
}

/** The authorization list members §8.4 reads, as plain values (for checks and `inspect`). */
export interface AuthorizationSummary {
  readonly purpose: readonly number[] | undefined;
  readonly origin: number | undefined;
  readonly allApplications: boolean;
}

export function summarize(list: AuthorizationList): AuthorizationSummary {
  return {
    purpose: list.purpose === undefined ? undefined : [...list.purpose],
    origin: list.origin,
    allApplications: list.allApplications !== undefined,
  };
}
