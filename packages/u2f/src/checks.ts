import { timingSafeEqualString } from '@factorkit/ct';
import { type ClientData, parseClientData } from './client-data.ts';
import { U2fError } from './errors.ts';

/** Normalises the accepted facet list option (a string or a non-empty array of strings). */
export function facetList(value: unknown, name: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((v) => typeof v === 'string' && v.length > 0)
  ) {
    throw new TypeError(`${name} must be a non-empty string or array of non-empty strings`);
  }
  return list as readonly string[];
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

export function responseField(response: unknown, name: string): string {
  if (typeof response !== 'object' || response === null) {
    throw new U2fError('ERR_RESPONSE_MALFORMED', 'response is not an object', 'response');
  }
  const value = (response as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new U2fError(
      'ERR_RESPONSE_MALFORMED',
      `response.${name} is missing or not a string`,
      `response.${name}`,
    );
  }
  return value;
}

/**
 * The client data checks shared by both ceremonies (digest §2.4 steps 1–2): `typ` for this
 * operation, `challenge` equal to the issued one (constant-time), `origin` (the facetId) one
 * of the accepted facets. Exact string comparison for the origin: no case folding, no
 * default-port or trailing-slash forgiveness.
 */
export function checkClientData(
  encoded: string,
  expectedTyp: string,
  expectedChallenge: string,
  facets: readonly string[],
  allowStandardAlphabet: boolean,
): ClientData {
  const clientData = parseClientData(encoded, { allowStandardAlphabet });
  if (clientData.typ !== expectedTyp) {
    throw new U2fError(
      'ERR_CLIENT_DATA_TYP',
      'clientData.typ is not the value for this operation',
      'clientData.typ',
    );
  }
  if (!timingSafeEqualString(clientData.challenge, expectedChallenge)) {
    throw new U2fError(
      'ERR_CHALLENGE_MISMATCH',
      'clientData.challenge is not the issued challenge',
      'clientData.challenge',
    );
  }
  if (!facets.includes(clientData.origin)) {
    throw new U2fError(
      'ERR_ORIGIN_MISMATCH',
      'clientData.origin is not an accepted facet',
      'clientData.origin',
    );
  }
  return clientData;
}
