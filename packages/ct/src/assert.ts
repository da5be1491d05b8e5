/** Throws a TypeError naming the parameter when `value` is not a Uint8Array (Buffer included). */
export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, got ${describe(value)}`);
  }
}

/** Throws a TypeError naming the parameter when `value` is not a string. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  }
}

// Describes only the type, never the value: the value may be a secret.
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
