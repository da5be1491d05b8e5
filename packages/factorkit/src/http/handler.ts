import type { Factorkit } from '../facade/create.ts';
import type { FetchHandler } from './node.ts';
import { createOktaFactorsApi, type OktaFactorsApiOptions } from './okta/index.ts';
import { createYubicoValidationHandler, type YubicoValidationOptions } from './wsapi.ts';

export interface FactorkitHandlerOptions {
  readonly factorkit: Factorkit;
  /** Serve the Yubico validation protocol 2.0 at `/wsapi/2.0/verify`. Omitted: not served (404). */
  readonly yubico?: Omit<YubicoValidationOptions, 'factorkit'>;
  /**
   * Serve the Okta-compatible Factors API under `/api/v1/`. Omitted: not served (404). With no
   * API token configured every request is 401.
   */
  readonly okta?: Omit<OktaFactorsApiOptions, 'factorkit'>;
}

/** The validation protocol's path (yubikey-val, YubiCloud). */
export const YUBICO_VERIFY_PATH = '/wsapi/2.0/verify';

/**
 * One fetch-style handler, `(Request) => Promise<Response>`, for every HTTP surface factorkit
 * serves. Framework-agnostic: mount it in anything that speaks the Fetch API (Node 20's
 * `node:http` through `toNodeListener`, Hono, Bun, Deno, workers).
 */
export function createFactorkitHandler(options: FactorkitHandlerOptions): FetchHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const yubico =
    options.yubico === undefined
      ? undefined
      : createYubicoValidationHandler({ ...options.yubico, factorkit: options.factorkit });
  const okta =
    options.okta === undefined
      ? undefined
      : createOktaFactorsApi({ ...options.okta, factorkit: options.factorkit });
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === YUBICO_VERIFY_PATH && yubico !== undefined) return yubico(request);
    if (pathname.startsWith('/api/v1/') && okta !== undefined) return okta(request);
    return new Response('not found\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  };
}
