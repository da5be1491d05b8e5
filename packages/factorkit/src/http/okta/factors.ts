import type { OktaContext } from './context.ts';

export const USERS_PREFIX = '/api/v1/users/';

export async function routeFactors(
  _ctx: OktaContext,
  _request: Request,
  _url: URL,
): Promise<Response | undefined> {
  return undefined;
}
