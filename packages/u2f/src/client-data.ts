import { type JsonValue, parseStrictJson, utf8DecodeStrict } from '@factorkit/core';
import { type Base64Options, decodeWebsafeBase64 } from './base64.ts';
import { U2fError, u2fErrorFrom } from './errors.ts';

/** `typ` of registration client data (FIDO U2F JS API, ClientData dictionary). */
export const TYP_FINISH_ENROLLMENT = 'navigator.id.finishEnrollment';
/** `typ` of authentication client data. */
export const TYP_GET_ASSERTION = 'navigator.id.getAssertion';

/** Largest accepted clientData, in bytes after decoding (real ones are 150–400 bytes). */
export const MAX_CLIENT_DATA_BYTES = 4096;

/** The client data the browser/client assembled, parsed. */
export interface ClientData {
  /** Exactly the bytes received: challengeParameter = SHA-256 of these, never of a re-serialisation. */
  readonly bytes: Uint8Array;
  readonly typ: string;
  readonly challenge: string;
  /** The caller's facetId (a web origin, or `android:…`/`ios:…`). */
  readonly origin: string;
  /** TLS Channel ID: a JWK object, the string `"unused"`, `""` (older Chrome), or absent. */
  readonly cidPubkey?: string | { readonly [key: string]: JsonValue };
}

/**
 * Decodes and parses U2F client data. Throws `U2fError` (`ERR_BASE64_INVALID` or
 * `ERR_CLIENT_DATA_MALFORMED`): over {@link MAX_CLIENT_DATA_BYTES}, not UTF-8, not one
 * JSON object, duplicate member names, nesting deeper than 3, or `typ`/`challenge`/`origin`
 * missing or not non-empty strings. Checking their values is the verifier's job.
 */
export function parseClientData(encoded: string, options: Base64Options = {}): ClientData {
  const bytes = decodeWebsafeBase64(encoded, {
    maxLength: Math.ceil((MAX_CLIENT_DATA_BYTES * 4) / 3) + 3,
    ...options,
  });
  if (bytes.length > MAX_CLIENT_DATA_BYTES) {
    throw new U2fError('ERR_MESSAGE_TOO_LARGE', 'clientData is too large', 'clientData');
  }
  let json: JsonValue;
  try {
    // UTF-8 decode as TextDecoder's default does: a leading BOM is dropped, not JSON.
    let text = utf8DecodeStrict(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    json = parseStrictJson(text, { maxDepth: 3, maxEntries: 32 });
  } catch (error) {
    throw u2fErrorFrom(error, 'ERR_CLIENT_DATA_MALFORMED', 'clientData');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new U2fError('ERR_CLIENT_DATA_MALFORMED', 'clientData is not a JSON object', 'clientData');
  }
  const obj = json as { readonly [key: string]: JsonValue };
  const field = (name: 'typ' | 'challenge' | 'origin'): string => {
    const v = obj[name];
    if (typeof v !== 'string' || v.length === 0) {
      throw new U2fError(
        'ERR_CLIENT_DATA_MALFORMED',
        `clientData.${name} is missing or not a string`,
        `clientData.${name}`,
      );
    }
    return v;
  };
  const typ = field('typ');
  const challenge = field('challenge');
  const origin = field('origin');
  const cid = obj['cid_pubkey'];
  if (cid === undefined) return { bytes, typ, challenge, origin };
  if (typeof cid === 'string') return { bytes, typ, challenge, origin, cidPubkey: cid };
  if (typeof cid === 'object' && cid !== null && !Array.isArray(cid)) {
    return { bytes, typ, challenge, origin, cidPubkey: cid as { readonly [key: string]: JsonValue } };
  }
  throw new U2fError(
    'ERR_CLIENT_DATA_MALFORMED',
    'clientData.cid_pubkey has the wrong type',
    'clientData.cid_pubkey',
  );
}
