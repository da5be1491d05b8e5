/**
 * factorkit/http — HTTP surfaces over the façade: the Yubico validation protocol 2.0
 * (`/wsapi/2.0/verify`) and the Okta-compatible Factors API, as one fetch-style handler.
 */
export { createFactorkitHandler, type FactorkitHandlerOptions, YUBICO_VERIFY_PATH } from './handler.ts';
export { type FetchHandler, toNodeListener } from './node.ts';
export {
  type ApiTokenScope,
  ApiTokens,
  createOktaFactorsApi,
  type HotpFactorProfile,
  hashApiToken,
  MIN_API_TOKEN_LENGTH,
  OKTA_ERRORS,
  type OktaErrorBody,
  type OktaErrorCause,
  type OktaErrorCode,
  type OktaFactorsApiOptions,
  TOKENS_IMPORT_PATH,
  TOKENS_PATH,
} from './okta/index.ts';
export {
  createYubicoValidationHandler,
  MAX_WSAPI_REQUEST_BYTES,
  signatureBase,
  signParams,
  type YubicoValidationOptions,
  type YubicoValidationStatus,
} from './wsapi.ts';
export {
  type AddYubicoClientInput,
  MemoryYubicoClientStore,
  MIN_YUBICO_CLIENT_KEY_BYTES,
  type YubicoClientInfo,
  type YubicoClientRecord,
  type YubicoClientStore,
  YubicoClients,
} from './yubico-clients.ts';
