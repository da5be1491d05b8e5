import { decodeBase64url } from './base64url.ts';
import { utf8DecodeStrict } from './bytes.ts';
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
  const duplicate = duplicateSingleMember(text);
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

// The first of SINGLE_MEMBERS named twice at the top level of a JSON text already validated by
// JSON.parse (which silently keeps the last of duplicate members, so duplicates are found by
// scanning). Names without escapes are compared as written; escaped ones are JSON-decoded, so
// "\u0074ype" is "type".
function duplicateSingleMember(text: string): string | undefined {
  let seen = 0;
  let depth = 0;
  let expectKey = false;
  // Position of the next backslash at or after the current string's opening quote, or
  // text.length: a string without one ends at the next quote, found with one indexOf. It only
  // moves forward, so the whole scan stays linear.
  let backslash = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      if (backslash < i) {
        backslash = text.indexOf('\\', i);
        if (backslash === -1) backslash = text.length;
      }
      const quote = text.indexOf('"', i);
      if (quote !== -1 && quote < backslash) {
        i = quote;
      } else {
        while (i < text.length && text.charCodeAt(i) !== 0x22) {
          if (text.charCodeAt(i) === 0x5c /* \ */) {
            escaped = true;
            i += 2;
          } else {
            i++;
          }
        }
      }
      if (depth === 1 && expectKey) {
        expectKey = false;
        // Unescaped names are matched in place (no substring per member).
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : undefined;
        for (let m = 0; m < SINGLE_MEMBERS.length; m++) {
          const name = SINGLE_MEMBERS[m] as string;
          const bit = 1 << m;
          const match =
            key === undefined
              ? i - start - 1 === name.length && text.startsWith(name, start + 1)
              : key === name;
          if (match) {
            if ((seen & bit) !== 0) return name;
            seen |= bit;
            break;
          }
        }
      }
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      depth++;
      if (depth === 1 && ch === 0x7b) expectKey = true;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      depth--;
    } else if (ch === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}
