import { concat } from '@factorkit/core';
import type { Rng } from './rng.ts';

/** Values that sit on parser boundaries: CBOR/DER headers, lengths, sign bits, ASCII edges. */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x02, 0x04, 0x05, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x30, 0x3f, 0x40, 0x41, 0x5b, 0x5f,
  0x7f, 0x80, 0x81, 0x82, 0x9a, 0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xd8, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfb, 0xfe,
  0xff,
];

/** Byte runs worth splicing in: CBOR huge lengths, deep nesting, DER long forms, BOM, UTF-8 junk. */
const INTERESTING_RUNS: readonly Uint8Array[] = [
  Uint8Array.of(0x9a, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x1b, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
  new Uint8Array(64).fill(0x81),
  Uint8Array.of(0xbf, 0x61, 0x61, 0x01, 0xff),
  Uint8Array.of(0x7f, 0x61, 0x61, 0xff),
  Uint8Array.of(0xa2, 0x01, 0x02, 0x01, 0x03),
  Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0x02, 0x01, 0x00),
  Uint8Array.of(0xef, 0xbb, 0xbf),
  Uint8Array.of(0xed, 0xa0, 0x80),
  Uint8Array.of(0xc3, 0x28),
  new TextEncoder().encode('"__proto__"'),
  new TextEncoder().encode('{"type":"webauthn.get",'),
];

/** One random structural mutation of `input` (the input is never modified). */
export function mutateBytes(rng: Rng, input: Uint8Array, others: readonly Uint8Array[] = []): Uint8Array {
  const len = input.length;
  switch (rng.int(10)) {
    case 0: {
      // flip one bit
      const out = input.slice();
      if (len > 0) {
        const i = rng.int(len);
        out[i] = (out[i] as number) ^ (1 << rng.int(8));
      }
      return out;
    }
    case 1: {
      // set a byte to an interesting value
      const out = input.slice();
      if (len > 0) out[rng.int(len)] = rng.pick(INTERESTING_BYTES);
      return out;
    }
    case 2: {
      // random bytes at a random place
      const out = input.slice();
      const n = 1 + rng.int(4);
      for (let k = 0; k < n && len > 0; k++) out[rng.int(len)] = rng.int(256);
      return out;
    }
    case 3: // truncate
      return input.slice(0, rng.int(len + 1));
    case 4: {
      // append 1..16 bytes (trailing data)
      const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
      return concatAll([input, extra]);
    }
    case 5: {
      // delete a run
      if (len === 0) return input.slice();
      const at = rng.int(len);
      const n = 1 + rng.int(Math.min(16, len - at));
      return concatAll([input.subarray(0, at), input.subarray(at + n)]);
    }
    case 6: {
      // insert an interesting run
      const at = rng.int(len + 1);
      return concatAll([input.subarray(0, at), rng.pick(INTERESTING_RUNS), input.subarray(at)]);
    }
    case 7: {
      // duplicate a run
      if (len === 0) return input.slice();
      const at = rng.int(len);
      const n = 1 + rng.int(Math.min(32, len - at));
      const run = input.subarray(at, at + n);
      const to = rng.int(len + 1);
      return concatAll([input.subarray(0, to), run, input.subarray(to)]);
    }
    case 8: {
      // splice with another corpus entry
      const other = others.length > 0 ? rng.pick(others) : input;
      const a = rng.int(len + 1);
      const b = rng.int(other.length + 1);
      return concatAll([input.subarray(0, a), other.subarray(b)]);
    }
    default: {
      // increment/decrement a byte (length fields off by one)
      const out = input.slice();
      if (len > 0) {
        const i = rng.int(len);
        out[i] = ((out[i] as number) + (rng.bool() ? 1 : 255)) & 0xff;
      }
      return out;
    }
  }
}

/** 1..4 stacked mutations. */
export function mutateBytesStacked(
  rng: Rng,
  input: Uint8Array,
  others: readonly Uint8Array[] = [],
): Uint8Array {
  let out = mutateBytes(rng, input, others);
  const extra = rng.int(4);
  for (let i = 0; i < extra; i++) out = mutateBytes(rng, out, others);
  return out;
}

/** Concatenation (the base layer's). */
export const concatAll = (parts: readonly Uint8Array[]): Uint8Array => concat(...parts);

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
};

/** String mutation through its bytes (Latin-1 view, so every code unit is reachable). */
export function mutateString(rng: Rng, input: string, others: readonly string[] = []): string {
  if (rng.int(8) === 0) {
    // a non-ASCII or control character somewhere
    const at = rng.int(input.length + 1);
    const ch = rng.pick([
      '\u0000',
      '\n',
      '\r',
      '%',
      '=',
      '+',
      '/',
      '\u00e9',
      '\ud800',
      '\ufeff',
      ' ',
      '&',
      '#',
      '?',
    ]);
    return input.slice(0, at) + ch + input.slice(at);
  }
  const bytes = Uint8Array.from(input, (c) => c.charCodeAt(0) & 0xff);
  const pool = others.map((o) => Uint8Array.from(o, (c) => c.charCodeAt(0) & 0xff));
  return latin1(mutateBytesStacked(rng, bytes, pool));
}

/** An arbitrary JSON value (what a hostile client can send), depth-bounded. */
export function arbitraryJson(rng: Rng, depth = 3): unknown {
  const k = rng.int(depth <= 0 ? 7 : 10);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng.bool();
    case 2:
      return rng.pick([0, -1, 1, 2 ** 53, -(2 ** 53), 1e308, 0.5, 4294967296, 44, 6]);
    case 3:
      return '';
    case 4:
      return rng.pick([
        'x',
        'AAAA',
        '123456',
        '00000000',
        'cccccccccccc',
        '__proto__',
        'constructor',
        '\u0000',
      ]);
    case 5:
      return 'A'.repeat(rng.pick([15, 16, 44, 1023, 1024, 4097, 70_000]));
    case 6:
      return Array.from({ length: 1 + rng.int(24) }, () =>
        rng.pick('abcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
      ).join('');
    case 7:
      return Array.from({ length: rng.int(4) }, () => arbitraryJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = rng.int(4);
      for (let i = 0; i < n; i++) {
        const key = rng.pick([
          'id',
          'rawId',
          'type',
          'response',
          'clientDataJSON',
          'authenticatorData',
          'attestationObject',
          'signature',
          'userHandle',
          'registrationData',
          'clientData',
          'signatureData',
          'keyHandle',
          'version',
          '__proto__',
          'constructor',
          'length',
        ]);
        Object.defineProperty(o, key, {
          value: arbitraryJson(rng, depth - 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    }
  }
}

/** Replaces one random subtree of a JSON value with an arbitrary one (structure kept elsewhere). */
export function mutateJson(rng: Rng, value: unknown): unknown {
  if (rng.int(6) === 0 || value === null || typeof value !== 'object') return arbitraryJson(rng);
  if (Array.isArray(value)) {
    const copy = value.slice();
    if (copy.length === 0 || rng.int(5) === 0) copy.push(arbitraryJson(rng));
    else {
      const i = rng.int(copy.length);
      copy[i] = mutateJson(rng, copy[i]);
    }
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const op = rng.int(6);
  if (keys.length === 0 || op === 0) {
    Object.defineProperty(copy, rng.pick(['extra', '__proto__', 'type', 'response']), {
      value: arbitraryJson(rng),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (op === 1) {
    delete copy[rng.pick(keys)];
  } else {
    const key = rng.pick(keys);
    copy[key] = mutateJson(rng, copy[key]);
  }
  return copy;
}
