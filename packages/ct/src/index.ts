/**
 * @factorkit/ct — constant-time comparison for secrets.
 *
 * The default entry uses node:crypto (the native path). `@factorkit/ct/portable`
 * has the same functions with no Node APIs, for other runtimes.
 */
export { timingSafeEqual, timingSafeEqualString } from './native.ts';
