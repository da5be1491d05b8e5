import { utf8Encode } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { timingSafeEqual } from '@factorkit/ct';

/**
 * SSWS API tokens (`Authorization: SSWS <token>`), kept only as SHA-256 hashes and compared in
 * constant time against every configured hash (no early exit, so timing does not tell which
 * or how many tokens exist).
 *
 * Scopes: `admin` — every endpoint (seed upload and token listing, and user factors);
 * `factors` — only `/api/v1/users/{userId}/factors…` (an auth server enrolling and verifying).
 */
export type ApiTokenScope = 'admin' | 'factors';

export interface HashedApiToken {
  /** SHA-256 of the token's UTF-8 bytes, 32 bytes. */
  readonly hash: Uint8Array;
  readonly scope: ApiTokenScope;
}

/** Tokens shorter than this are refused at configuration (an SSWS token must not be guessable). */
export const MIN_API_TOKEN_LENGTH = 20;
const MAX_API_TOKEN_LENGTH = 512;

export function hashApiToken(token: string): Uint8Array {
  return defaultBackend.digest('SHA-256', utf8Encode(token));
}

/** The configured tokens. Build with plain tokens (hashed at once) or with hashes. */
export class ApiTokens {
  readonly #tokens: readonly HashedApiToken[];

  constructor(tokens: readonly ({ token: string; scope: ApiTokenScope } | HashedApiToken)[]) {
    if (!Array.isArray(tokens)) throw new TypeError('tokens must be an array');
    this.#tokens = tokens.map((t) => {
      if (t.scope !== 'admin' && t.scope !== 'factors') throw new TypeError('scope must be admin or factors');
      if ('token' in t) {
        if (
          typeof t.token !== 'string' ||
          t.token.length < MIN_API_TOKEN_LENGTH ||
          t.token.length > MAX_API_TOKEN_LENGTH
        )
          throw new RangeError(
            `API tokens must be ${MIN_API_TOKEN_LENGTH}..${MAX_API_TOKEN_LENGTH} characters`,
          );
        if (!/^[\x21-\x7e]+$/.test(t.token))
          throw new RangeError('API tokens must be printable ASCII without spaces');
        return { hash: hashApiToken(t.token), scope: t.scope };
      }
      if (!(t.hash instanceof Uint8Array) || t.hash.length !== 32)
        throw new TypeError('hash must be 32 bytes');
      return { hash: Uint8Array.from(t.hash), scope: t.scope };
    });
  }

  /**
   * Parses one token file: a line per token, `admin:<token>` or `factors:<token>`; blank lines
   * and `#` comments are skipped. Throws RangeError naming the line (never its content).
   */
  static parse(text: string): ApiTokens {
    const out: { token: string; scope: ApiTokenScope }[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = /^(admin|factors):(.+)$/.exec(line);
      if (m === null)
        throw new RangeError(`API token file line ${i + 1}: expected admin:<token> or factors:<token>`);
      out.push({ scope: m[1] as ApiTokenScope, token: m[2] as string });
    });
    return new ApiTokens(out);
  }

  get size(): number {
    return this.#tokens.length;
  }

  /** The scope of the presented token, or undefined. Constant time in the token's value. */
  authenticate(presented: string): ApiTokenScope | undefined {
    if (presented.length === 0 || presented.length > MAX_API_TOKEN_LENGTH) return undefined;
    const h = hashApiToken(presented);
    let found: ApiTokenScope | undefined;
    for (const t of this.#tokens) {
      // Every hash is compared; the result is picked without branching on which matched first.
      const match = timingSafeEqual(h, t.hash);
      if (match && found === undefined) found = t.scope;
    }
    return found;
  }
}

/** `SSWS <token>` → token; `undefined` for a missing or other scheme. */
export function sswsToken(authorization: string | null): string | undefined {
  if (authorization === null) return undefined;
  const m = /^SSWS +(\S+)\s*$/i.exec(authorization);
  return m === null ? undefined : (m[1] as string);
}
