// A minimal CBOR codec for what authenticators emit: unsigned/negative integers, byte and
// text strings, arrays, maps, booleans and null. Encoding is CTAP2 canonical (RFC 8949
// §4.2.3 "length-first" map key order, shortest lengths), so output is byte-deterministic.

/** A CBOR map with integer or text keys, kept as a JS Map to preserve key types. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborValue[]
  | ReadonlyMap<number | string, CborValue>;

function head(major: number, length: number | bigint): Uint8Array {
  const n = BigInt(length);
  const m = major << 5;
  if (n < 24n) return Uint8Array.of(m | Number(n));
  if (n < 0x100n) return Uint8Array.of(m | 24, Number(n));
  if (n < 0x10000n) return Uint8Array.of(m | 25, Number(n >> 8n), Number(n & 0xffn));
  if (n < 0x100000000n) {
    const out = new Uint8Array(5);
    out[0] = m | 26;
    new DataView(out.buffer).setUint32(1, Number(n));
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = m | 27;
  new DataView(out.buffer).setBigUint64(1, n);
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Encodes a value canonically. Throws `TypeError` for values CBOR here does not model. */
export function encodeCbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value, parts);
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function write(value: CborValue, out: Uint8Array[]): void {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new TypeError('CBOR: only integers');
    const n = BigInt(value);
    out.push(n >= 0n ? head(0, n) : head(1, -1n - n));
  } else if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value);
    out.push(head(3, bytes.length), bytes);
  } else if (typeof value === 'boolean') {
    out.push(Uint8Array.of(value ? 0xf5 : 0xf4));
  } else if (value === null) {
    out.push(Uint8Array.of(0xf6));
  } else if (value instanceof Uint8Array) {
    out.push(head(2, value.length), value);
  } else if (Array.isArray(value)) {
    out.push(head(4, value.length));
    for (const item of value as readonly CborValue[]) write(item, out);
  } else if (value instanceof Map) {
    const entries = [...(value as ReadonlyMap<number | string, CborValue>)].map(
      ([k, v]) => [encodeCbor(k), v] as const,
    );
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    out.push(head(5, entries.length));
    for (const [k, v] of entries) {
      out.push(k);
      write(v, out);
    }
  } else {
    throw new TypeError('CBOR: unsupported value');
  }
}

/** Decodes one CBOR item; returns the value and the offset after it (for trailing data). */
export function decodeCbor(bytes: Uint8Array, offset = 0): { value: CborValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (pos: number, depth: number): { value: CborValue; end: number } => {
    if (depth > 16) throw new RangeError('CBOR: nesting too deep');
    const initial = bytes[pos];
    if (initial === undefined) throw new RangeError('CBOR: truncated');
    const major = initial >> 5;
    const info = initial & 0x1f;
    let p = pos + 1;
    let arg: bigint;
    if (info < 24) arg = BigInt(info);
    else if (info === 24) {
      arg = BigInt(view.getUint8(p));
      p += 1;
    } else if (info === 25) {
      arg = BigInt(view.getUint16(p));
      p += 2;
    } else if (info === 26) {
      arg = BigInt(view.getUint32(p));
      p += 4;
    } else if (info === 27) {
      arg = view.getBigUint64(p);
      p += 8;
    } else throw new RangeError('CBOR: unsupported additional info');
    const small = (): number => {
      if (arg > BigInt(bytes.length)) throw new RangeError('CBOR: length exceeds input');
      return Number(arg);
    };
    switch (major) {
      case 0:
        return { value: arg <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(arg) : arg, end: p };
      case 1: {
        const n = -1n - arg;
        return { value: n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n, end: p };
      }
      case 2:
      case 3: {
        const len = small();
        if (p + len > bytes.length) throw new RangeError('CBOR: truncated');
        const slice = bytes.slice(p, p + len);
        return { value: major === 2 ? slice : new TextDecoder().decode(slice), end: p + len };
      }
      case 4: {
        const len = small();
        const items: CborValue[] = [];
        for (let i = 0; i < len; i++) {
          const r = read(p, depth + 1);
          items.push(r.value);
          p = r.end;
        }
        return { value: items, end: p };
      }
      case 5: {
        const len = small();
        const map = new Map<number | string, CborValue>();
        for (let i = 0; i < len; i++) {
          const k = read(p, depth + 1);
          if (typeof k.value !== 'number' && typeof k.value !== 'string')
            throw new TypeError('CBOR: map key type');
          // CTAP2 canonical CBOR forbids duplicate keys; last-wins would be a parser differential.
          if (map.has(k.value)) throw new TypeError('CBOR: duplicate map key');
          const v = read(k.end, depth + 1);
          map.set(k.value, v.value);
          p = v.end;
        }
        return { value: map, end: p };
      }
      case 7:
        if (info === 20) return { value: false, end: p };
        if (info === 21) return { value: true, end: p };
        if (info === 22) return { value: null, end: p };
        throw new TypeError('CBOR: unsupported simple value');
      default:
        throw new TypeError('CBOR: unsupported major type');
    }
  };
  return read(offset, 0);
}

/** Reads exactly one CBOR map (throws `TypeError` when the input is not one, or has trailing bytes). */
export function decodeCborMap(bytes: Uint8Array): Map<number | string, CborValue> {
  const { value, end } = decodeCbor(bytes);
  if (end !== bytes.length) throw new TypeError('CBOR: trailing bytes after the item');
  if (!(value instanceof Map)) throw new TypeError('CBOR: expected a map');
  return value as Map<number | string, CborValue>;
}
