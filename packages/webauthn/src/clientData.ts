import { duplicateTopLevelMember, utf8DecodeStrict } from '@factorkit/core';
import { decodeBase64url } from './base64url.ts';
import { WebAuthnError } from './errors.ts';

/** Hard cap on clientDataJSON size (DOS-1); browsers send a few hundred bytes. */
export const MAX_CLIENT_DATA_LENGTH: number = 16 * 1024;

/** Base64url characters that can encode at most {@link MAX_CLIENT_DATA_LENGTH} bytes. */
export const MAX_CLIENT_DATA_BASE64URL_CHARS: number = Math.ceil((MAX_CLIENT_DATA_LENGTH * 4) / 3);

/** The CollectedClientData dictionary (WebAuthn §5.8.1), as parsed from clientDataJSON. */
export interface CollectedClientData {
  readonly type: string;
  readonly challenge: string;
  readonly origin: string;
  readonly crossOrigin: boolean | undefined;
  readonly topOrigin: string | undefined;
}

// Members whose duplication would let two parsers disagree on what was signed (CD-2); member
// m has bit 1 << m in the duplicate-detection mask.
const SINGLE_MEMBERS: readonly string[] = ['type', 'challenge', 'origin', 'crossOrigin', 'topOrigin'];

function cdError(message: string): WebAuthnError {
  return new WebAuthnError('ERR_CLIENT_DATA_INVALID', message);
}

/**
 * {@link parseClientDataJSON} of a base64url `clientDataJSON` as a response carries it. The
 * length is checked before anything is decoded (DOS-1): a 50 MiB string costs one comparison.
 *
 * @throws {WebAuthnError} `ERR_CLIENT_DATA_INVALID` (too large), `ERR_INVALID_BASE64URL`
 */
export function parseClientDataJSONBase64url(encoded: string): CollectedClientData {
  if (typeof encoded !== 'string') throw cdError('clientDataJSON must be a base64url string');
  if (encoded.length > MAX_CLIENT_DATA_BASE64URL_CHARS) throw cdError('clientDataJSON is too large');
  return parseClientDataJSON(decodeBase64url(encoded));
}

/**
 * §7.1 steps 5–6 / §7.2 steps 8–9: UTF-8 decode (fatal on invalid sequences, a leading BOM is
 * stripped as the spec's "UTF-8 decode" does), JSON-parse, and type-check the members.
 *
 * @throws {WebAuthnError} `ERR_CLIENT_DATA_INVALID`
 */
export function parseClientDataJSON(bytes: Uint8Array): CollectedClientData {
  if (bytes.length > MAX_CLIENT_DATA_LENGTH) throw cdError('clientDataJSON is too large');
  let text: string;
  try {
    text = utf8DecodeStrict(bytes);
  } catch {
    throw cdError('clientDataJSON is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw cdError('clientDataJSON is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw cdError('clientDataJSON must be a JSON object');
  }
  const duplicate = duplicateTopLevelMember(text, SINGLE_MEMBERS);
  if (duplicate !== undefined) throw cdError(`clientDataJSON has a duplicate "${duplicate}" member`);
  const c = parsed as Record<string, unknown>;
  // tokenBinding is not read: Level 3 removed Token Binding, and clients sent values outside
  // the Level 2 enum (e.g. "not-supported", or a bare string), so it carries no signal.
  const { type, challenge, origin, crossOrigin, topOrigin } = c;
  if (typeof type !== 'string') throw cdError('clientData.type must be a string');
  if (typeof challenge !== 'string') throw cdError('clientData.challenge must be a string');
  if (typeof origin !== 'string') throw cdError('clientData.origin must be a string');
  if (crossOrigin !== undefined && typeof crossOrigin !== 'boolean')
    throw cdError('clientData.crossOrigin must be a boolean');
  if (topOrigin !== undefined && typeof topOrigin !== 'string')
    throw cdError('clientData.topOrigin must be a string');
  return {
    type,
    challenge,
    origin,
    crossOrigin: crossOrigin as boolean | undefined,
    topOrigin: topOrigin as string | undefined,
  };
}
