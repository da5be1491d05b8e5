import 'reflect-metadata';
import { utf8DecodeStrict, utf8Encode } from '@factorkit/core';
import * as x509 from '@peculiar/x509';
import { decodeBase64url } from '../base64url.ts';
import { type ParsedCertificate, parseCertificate } from '../certificate.ts';
import { WebAuthnError } from '../errors.ts';
import { MAX_CHAIN_LENGTH } from '../trust.ts';
import { attStmtBytes, checkAttStmtKeys, signedAttestationData, verifyWithCertificate } from './common.ts';
import { type AttestationFormatVerifier, type AttestationOutcome, attestationFailure } from './types.ts';

/**
 * §8.5 Android SafetyNet attestation — DEPRECATED: Google shut the SafetyNet Attestation API
 * down (replaced by Play Integrity), so no new device produces it. It is still verified, for
 * stored responses and old devices; RPs that do not need it should not accept it.
 *
 * `attStmt = {ver: tstr, response: bytes}`, `response` a JWS in compact serialization:
 * 1. attStmt is well formed;
 * 2. response is a valid SafetyNet response of version `ver`: a compact JWS, `alg` RS256, `x5c`
 *    in its header, the payload a JSON object;
 * 3. payload.nonce = base64(SHA-256(authenticatorData ‖ clientDataHash));
 * 4. it came from the SafetyNet service: the JWS signature verifies over its signing input with
 *    the x5c leaf, and the leaf is issued to attest.android.com (dNSName in its SAN); per
 *    Google's guidance, `ctsProfileMatch` is true (policy `safetyNetRequireCtsProfileMatch`,
 *    default true) and `timestampMs` is recent at `now` (policy `safetyNetMaxAgeMs`, default 60 s,
 *    `safetyNetClockSkewMs` ahead, default 10 s);
 * 5. the attestation type is Basic, the trust path x5c.
 */
export const MAX_SAFETYNET_RESPONSE_LENGTH: number = 32 * 1024;
export const SAFETYNET_HOSTNAME = 'attest.android.com';
const DEFAULT_MAX_AGE_MS = 60_000;
const DEFAULT_CLOCK_SKEW_MS = 10_000;

const step = (n: number): string => `§8.5 step ${n}`;

/** The decoded parts of a SafetyNet JWS (for verification and `inspect`). */
export interface SafetyNetJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
  readonly x5c: readonly ParsedCertificate[];
}

const invalid = (message: string): WebAuthnError => new WebAuthnError('ERR_ATTESTATION_INVALID', message);

function jsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8DecodeStrict(decodeBase64url(segment)));
  } catch {
    throw invalid(`SafetyNet JWS ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`SafetyNet JWS ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Strict standard base64 (RFC 4648 §4, padded, canonical), as JWS x5c uses (RFC 7515 §4.1.6). */
function base64Strict(s: string): Uint8Array {
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s))
    throw invalid('SafetyNet x5c entry is not base64');
  const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  if (btoa(String.fromCharCode(...bytes)) !== s) throw invalid('SafetyNet x5c entry is not canonical base64');
  return bytes;
}

/** Decodes the compact JWS of a SafetyNet response (no signature check). */
export function parseSafetyNetResponse(response: Uint8Array): SafetyNetJws {
  if (response.length === 0 || response.length > MAX_SAFETYNET_RESPONSE_LENGTH)
    throw invalid('SafetyNet response is empty or too large');
  let text: string;
  try {
    text = utf8DecodeStrict(response);
  } catch {
    throw invalid('SafetyNet response is not UTF-8');
  }
  const parts = text.split('.');
  if (parts.length !== 3) throw invalid('SafetyNet response is not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(h, 'header');
  const payload = jsonObject(p, 'payload');
  let signature: Uint8Array;
  try {
    signature = decodeBase64url(s);
  } catch {
    throw invalid('SafetyNet JWS signature is not base64url');
  }
  const x5cValue = header['x5c'];
  if (!Array.isArray(x5cValue) || x5cValue.length === 0 || x5cValue.length > MAX_CHAIN_LENGTH)
    throw invalid('SafetyNet JWS header x5c must be a non-empty array');
  const x5c = x5cValue.map((c) => {
    if (typeof c !== 'string') throw invalid('SafetyNet x5c entries must be strings');
    return parseCertificate(base64Strict(c));
  });
  return { header, payload, signingInput: utf8Encode(`${h}.${p}`), signature, x5c };
}

export const verifyAndroidSafetyNetAttestation: AttestationFormatVerifier = async (
  input,
): Promise<AttestationOutcome> => {
  const { attStmt, authData, clientDataHash, crypto, policy } = input;
  // Step 1.
  checkAttStmtKeys(attStmt, ['ver', 'response']);
  const ver = attStmt.get('ver');
  if (typeof ver !== 'string' || ver.length === 0 || ver.length > 64)
    return attestationFailure('ERR_ATTESTATION_INVALID', 'SafetyNet ver must be a non-empty string', step(1));
  const response = attStmtBytes(attStmt, 'response');

  // Step 2.
  let jws: SafetyNetJws;
  try {
    jws = parseSafetyNetResponse(response);
  } catch (e) {
    if (e instanceof WebAuthnError) return attestationFailure(e.code, e.message, step(2));
    throw e;
  }
  if (jws.header['alg'] !== 'RS256')
    return attestationFailure('ERR_ATTESTATION_INVALID', 'SafetyNet JWS alg must be RS256', step(2));
  if (jws.header['crit'] !== undefined)
    return attestationFailure(
      'ERR_ATTESTATION_INVALID',
      'SafetyNet JWS has critical header parameters',
      step(2),
    );

  // Step 3.
  const expectedNonce = btoa(
    String.fromCharCode(...crypto.digest('SHA-256', signedAttestationData(authData, clientDataHash))),
  );
  if (jws.payload['nonce'] !== expectedNonce)
    return attestationFailure(
      'ERR_ATTESTATION_CHALLENGE_MISMATCH',
      'SafetyNet nonce is not base64(SHA-256(authenticatorData ‖ clientDataHash))',
      step(3),
    );

  // Step 4: the signature, the leaf's hostname, the integrity verdict and the timestamp.
  const leaf = jws.x5c[0] as ParsedCertificate;
  const signed = await verifyWithCertificate(crypto, leaf, -257, jws.signature, jws.signingInput);
  if (signed !== true) return attestationFailure(signed.code, `SafetyNet JWS ${signed.message}`, step(4));
  if (!hasDnsName(leaf, SAFETYNET_HOSTNAME))
    return attestationFailure(
      'ERR_ATTESTATION_CERTIFICATE_INVALID',
      `SafetyNet leaf is not issued to ${SAFETYNET_HOSTNAME}`,
      step(4),
    );
  const requireCts = policy?.safetyNetRequireCtsProfileMatch ?? true;
  if (requireCts && jws.payload['ctsProfileMatch'] !== true)
    return attestationFailure(
      'ERR_ATTESTATION_DEVICE_INTEGRITY',
      'SafetyNet ctsProfileMatch is not true',
      step(4),
    );
  const timestampMs = jws.payload['timestampMs'];
  if (typeof timestampMs !== 'number' || !Number.isSafeInteger(timestampMs))
    return attestationFailure('ERR_ATTESTATION_INVALID', 'SafetyNet timestampMs must be an integer', step(4));
  const now = (input.now ?? new Date()).getTime();
  const maxAge = policy?.safetyNetMaxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const skew = policy?.safetyNetClockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (timestampMs > now + skew)
    return attestationFailure('ERR_ATTESTATION_EXPIRED', 'SafetyNet timestampMs is in the future', step(4));
  if (now - timestampMs > maxAge)
    return attestationFailure(
      'ERR_ATTESTATION_EXPIRED',
      `SafetyNet response is older than ${maxAge} ms`,
      step(4),
    );

  // Step 5.
  return { ok: true, type: 'basic', trustPath: jws.x5c };
};

function hasDnsName(cert: ParsedCertificate, host: string): boolean {
  try {
    const san = cert.cert.getExtension(x509.SubjectAlternativeNameExtension);
    return san?.names.items.some((n) => n.type === 'dns' && n.value.toLowerCase() === host) ?? false;
  } catch {
    return false;
  }
}
