import { CodecError } from './errors.ts';

// Size limits come before the first decode, at every entry point (catalog DOS-1..DOS-4): these
// helpers are the one way a package states such a limit, so each check reads the same and the
// error carries the bound and never the input.

/** `bytes` unchanged when it holds at most `max` bytes. @throws {CodecError} kind `too-large` */
export function boundedBytes(bytes: Uint8Array, max: number, what: string): Uint8Array {
  if (bytes.length > max) throw new CodecError('too-large', `${what} is longer than ${max} bytes`);
  return bytes;
}

/** `text` unchanged when it has at most `max` UTF-16 code units. @throws {CodecError} kind `too-large` */
export function boundedString(text: string, max: number, what: string): string {
  if (text.length > max) throw new CodecError('too-large', `${what} is longer than ${max} characters`);
  return text;
}

/**
 * Validates a caller-supplied limit option (misuse is a TypeError, not a codec error): an
 * integer in `[min, max]`, or `fallback` when undefined.
 */
export function limitOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
