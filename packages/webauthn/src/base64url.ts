import * as core from '@factorkit/core';
import { atEdge } from './errors.ts';

// The strict base64url codec lives in @factorkit/core; this module is WebAuthn's edge for it
// (a core `CodecError` becomes `WebAuthnError('ERR_INVALID_BASE64URL')`).

/**
 * Strict base64url decoding (RFC 4648 §5, no padding): see `@factorkit/core` `decodeBase64url`.
 *
 * @throws {WebAuthnError} `ERR_INVALID_BASE64URL`
 */
export const decodeBase64url: (input: string) => Uint8Array = atEdge(core.decodeBase64url);

/**
 * `decodeBase64url` into a buffer with `spare` zero bytes after the decoded ones.
 *
 * @throws {WebAuthnError} `ERR_INVALID_BASE64URL`
 */
export const decodeBase64urlWithSpare: (input: string, spare: number) => Uint8Array = atEdge(
  core.decodeBase64urlWithSpare,
);

export { encodeBase64url, isBase64url } from '@factorkit/core';
