/**
 * @deprecated Import `nodeBackend` from `@factorkit/core/crypto/node`. Re-exported unchanged; outside
 * Node it resolves to a backend whose operations throw (so bundles for other runtimes carry no
 * node:crypto).
 */
export { nodeBackend } from '@factorkit/core/crypto/node';
