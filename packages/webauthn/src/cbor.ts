import { copyBytes, toHex, utf8DecodeStrict } from '@factorkit/core';
import { Decoder } from 'cbor-x';
import { WebAuthnError } from './errors.ts';

/**
 * Strict CBOR profile for WebAuthn (§6.5.1 "CTAP2 canonical CBOR" minus key ordering).
 *
 * cbor-x builds the values, but only after a structural pass here has checked the bytes,
 * because cbor-x alone accepts trailing items in a stream, duplicate keys, indefinite
 * lengths, tags, unbounded nesting and rounds big integers. The pass rejects:
 * - data after the item (CBOR-3) — unless the caller asks for the consumed length;
 * - declared lengths beyond the remaining input, checked before any allocation (CBOR-1, CBOR-10);
 * - nesting deeper than `maxDepth` (CBOR-2);
 * - duplicate map keys (CBOR-5) — keys are compared on their encoded bytes, which is exact
 *   because non-minimal encodings are rejected too (CBOR-8);
 * - indefinite lengths and a naked break (CBOR-7); tags, floats, `undefined` and other simple
 *   values (CBOR-9); integers outside ±(2^53−1) (CBOR-12); invalid UTF-8 (CBOR-13).
 * Maps decode to `Map`, never to plain objects, so a `__proto__` key is just a key (CBOR-6).
 */

/** Default nesting limit: the attestation object needs 3 (map → attStmt → x5c). */
export const CBOR_MAX_DEPTH = 5;

export interface CborDecodeOptions {
  /** Maximum container nesting (default {@link CBOR_MAX_DEPTH}). */
  readonly maxDepth?: number;
}

/** A decoded CBOR value: maps are `Map`, byte strings are `Uint8Array`. */
export type CborValue = number | string | boolean | null | Uint8Array | readonly CborValue[] | CborMap;
export type CborMap = ReadonlyMap<CborValue, CborValue>;

const decoder = new Decoder({
  mapsAsObjects: false,
  useRecords: false,
  structuredClone: false,
} as ConstructorParameters<typeof Decoder>[0]);

/** Decodes exactly one CBOR item that must span the whole input. */
export function decodeCbor(input: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  const { value, end } = decodeCborFirst(input, 0, options);
  if (end !== input.length) throw cborError(`${input.length - end} trailing byte(s) after the CBOR item`);
  return value;
}

/**
 * Decodes the single CBOR item starting at `offset` and reports where it ends, so an
 * embedded item (the COSE key inside authenticatorData) is measured on the bytes actually
 * consumed — never by re-encoding (CBOR-4).
 */
export function decodeCborFirst(
  input: Uint8Array,
  offset: number,
  options: CborDecodeOptions = {},
): { value: CborValue; end: number } {
  if (!(input instanceof Uint8Array)) throw cborError('CBOR input must be a Uint8Array');
  const maxDepth = options.maxDepth ?? CBOR_MAX_DEPTH;
  const end = scanItem(input, offset, input.length, 0, maxDepth);
  let raw: unknown;
  try {
    raw = decoder.decode(input.subarray(offset, end));
  } catch (cause) {
    throw new WebAuthnError('ERR_INVALID_CBOR', 'CBOR item could not be decoded', { cause });
  }
  return { value: normalize(raw, 0), end };
}

function cborError(message: string): WebAuthnError {
  return new WebAuthnError('ERR_INVALID_CBOR', message);
}

// Reads the argument of an initial byte; enforces the shortest encoding (CBOR-8).
function readArgument(
  buf: Uint8Array,
  pos: number,
  limit: number,
  ai: number,
): { value: number; next: number } {
  if (ai < 24) return { value: ai, next: pos };
  const size = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
  if (size === 0)
    throw cborError(ai === 31 ? 'indefinite lengths are not allowed' : 'reserved CBOR additional info');
  if (pos + size > limit) throw cborError('CBOR header runs past the end of the input');
  let value = 0;
  for (let i = 0; i < size; i++) {
    value = value * 256 + (buf[pos + i] as number);
  }
  // > 2^53 − 1 cannot be represented exactly; never round (CBOR-12).
  if (!Number.isSafeInteger(value)) throw cborError('CBOR integer or length exceeds 2^53 - 1');
  const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
  if (value < min) throw cborError('non-minimal CBOR integer or length encoding');
  return { value, next: pos + size };
}

function scanItem(buf: Uint8Array, pos: number, limit: number, depth: number, maxDepth: number): number {
  if (pos >= limit) throw cborError('unexpected end of CBOR input');
  const initial = buf[pos] as number;
  const major = initial >> 5;
  const ai = initial & 0x1f;
  if (major === 7) {
    // false, true, null only. Floats, undefined, other simple values and a naked break are rejected.
    if (ai === 20 || ai === 21 || ai === 22) return pos + 1;
    throw cborError(ai === 31 ? 'unexpected CBOR break' : 'CBOR floats and simple values are not allowed');
  }
  if (major === 6) throw cborError('CBOR tags are not allowed');
  const { value, next } = readArgument(buf, pos + 1, limit, ai);
  switch (major) {
    case 0:
      return next;
    case 1:
      // -1 - value must stay a safe integer.
      if (value >= Number.MAX_SAFE_INTEGER) throw cborError('CBOR negative integer exceeds -(2^53 - 1)');
      return next;
    case 2:
    case 3: {
      if (value > limit - next) throw cborError('CBOR string length exceeds the remaining input');
      const end = next + value;
      if (major === 3) {
        try {
          utf8DecodeStrict(buf.subarray(next, end));
        } catch {
          throw cborError('CBOR text string is not valid UTF-8');
        }
      }
      return end;
    }
    case 4: {
      if (depth + 1 > maxDepth) throw cborError('CBOR nesting exceeds the depth limit');
      // Each element takes at least one byte: check before iterating (CBOR-1).
      if (value > limit - next) throw cborError('CBOR array length exceeds the remaining input');
      let p = next;
      for (let i = 0; i < value; i++) p = scanItem(buf, p, limit, depth + 1, maxDepth);
      return p;
    }
    default: {
      // major 5: map
      if (depth + 1 > maxDepth) throw cborError('CBOR nesting exceeds the depth limit');
      if (value > (limit - next) / 2) throw cborError('CBOR map length exceeds the remaining input');
      const seen = new Set<string>();
      let p = next;
      for (let i = 0; i < value; i++) {
        const keyEnd = scanItem(buf, p, limit, depth + 1, maxDepth);
        const key = toHex(buf.subarray(p, keyEnd));
        if (seen.has(key)) throw cborError('duplicate CBOR map key');
        seen.add(key);
        p = scanItem(buf, keyEnd, limit, depth + 1, maxDepth);
      }
      return p;
    }
  }
}

// cbor-x returns Buffers (views that may share memory with the input) and bigints for 8-byte
// integers; turn them into fresh Uint8Arrays and (already range-checked) numbers.
function normalize(value: unknown, depth: number): CborValue {
  if (value instanceof Uint8Array) return copyBytes(value);
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Map) {
    const out = new Map<CborValue, CborValue>();
    for (const [k, v] of value) out.set(normalize(k, depth + 1), normalize(v, depth + 1));
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, depth + 1));
  if (
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return value;
  }
  throw cborError('unexpected CBOR value type');
}

/** Type guard: a decoded CBOR map. */
export function isCborMap(value: unknown): value is CborMap {
  return value instanceof Map;
}
