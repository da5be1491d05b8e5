import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Just enough CBOR to turn a COSE_Key (RFC 9052 §7, a map of small ints to ints or byte
 * strings) into a node:crypto KeyObject for the *limit* cases. It runs once, in setup, never
 * in a measured loop, and only on fixtures; factorkit's own parser is what gets measured.
 */
type Value = number | Uint8Array;

export function readHead(buf: Uint8Array, pos: number): { major: number; arg: number; next: number } {
  const first = buf[pos];
  if (first === undefined) throw new Error('COSE key: truncated');
  const major = first >> 5;
  const info = first & 0x1f;
  if (info < 24) return { major, arg: info, next: pos + 1 };
  const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
  if (width === 0) throw new Error('COSE key: unsupported CBOR length');
  let arg = 0;
  for (let i = 1; i <= width; i++) arg = arg * 256 + (buf[pos + i] ?? 0);
  return { major, arg, next: pos + 1 + width };
}

function readValue(buf: Uint8Array, pos: number): { value: Value; next: number } {
  const h = readHead(buf, pos);
  if (h.major === 0) return { value: h.arg, next: h.next };
  if (h.major === 1) return { value: -1 - h.arg, next: h.next };
  if (h.major === 2) return { value: buf.subarray(h.next, h.next + h.arg), next: h.next + h.arg };
  throw new Error(`COSE key: unexpected CBOR major type ${h.major}`);
}

export function decodeCoseKey(bytes: Uint8Array): Map<number, Value> {
  const h = readHead(bytes, 0);
  if (h.major !== 5) throw new Error('COSE key: not a map');
  const out = new Map<number, Value>();
  let pos = h.next;
  for (let i = 0; i < h.arg; i++) {
    const k = readValue(bytes, pos);
    const v = readValue(bytes, k.next);
    if (typeof k.value !== 'number') throw new Error('COSE key: non-integer label');
    out.set(k.value, v.value);
    pos = v.next;
  }
  return out;
}

function bytesOf(m: Map<number, Value>, label: number): string {
  const v = m.get(label);
  if (!(v instanceof Uint8Array)) throw new Error(`COSE key: label ${label} missing`);
  return Buffer.from(v).toString('base64url');
}

export interface CoseKeyObject {
  readonly alg: number;
  readonly key: KeyObject;
}

/** COSE_Key → KeyObject (EC2 P-256/384/521, OKP Ed25519, RSA). */
export function coseToKeyObject(bytes: Uint8Array): CoseKeyObject {
  const m = decodeCoseKey(bytes);
  const kty = m.get(1);
  const alg = m.get(3);
  if (typeof alg !== 'number') throw new Error('COSE key: alg missing');
  if (kty === 2) {
    const crv = { 1: 'P-256', 2: 'P-384', 3: 'P-521' }[m.get(-1) as number];
    if (crv === undefined) throw new Error('COSE key: unsupported curve');
    return {
      alg,
      key: createPublicKey({ key: { kty: 'EC', crv, x: bytesOf(m, -2), y: bytesOf(m, -3) }, format: 'jwk' }),
    };
  }
  if (kty === 1) {
    if (m.get(-1) !== 6) throw new Error('COSE key: unsupported OKP curve');
    return {
      alg,
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytesOf(m, -2) }, format: 'jwk' }),
    };
  }
  if (kty === 3) {
    return {
      alg,
      key: createPublicKey({ key: { kty: 'RSA', n: bytesOf(m, -1), e: bytesOf(m, -2) }, format: 'jwk' }),
    };
  }
  throw new Error(`COSE key: unsupported kty ${String(kty)}`);
}

/** The node:crypto digest name for a COSE alg (null for EdDSA, which hashes internally). */
export function digestFor(alg: number): string | null {
  switch (alg) {
    case -7:
    case -257:
    case -37:
      return 'sha256';
    case -35:
    case -258:
    case -38:
      return 'sha384';
    case -36:
    case -259:
    case -39:
      return 'sha512';
    case -8:
      return null;
    default:
      throw new Error(`unsupported COSE alg ${alg}`);
  }
}

/**
 * The DER certificates of `attStmt.x5c` in an attestationObject, found by scanning for the
 * `"x5c"` text key (setup only: used to name a real device's own root as the trust anchor).
 */
export function x5cOf(attestationObject: Uint8Array): Uint8Array[] {
  const marker = [0x63, 0x78, 0x35, 0x63];
  for (let i = 0; i + marker.length < attestationObject.length; i++) {
    if (marker.every((b, j) => attestationObject[i + j] === b)) {
      const arr = readHead(attestationObject, i + marker.length);
      if (arr.major !== 4) return [];
      const out: Uint8Array[] = [];
      let pos = arr.next;
      for (let k = 0; k < arr.arg; k++) {
        const h = readHead(attestationObject, pos);
        if (h.major !== 2) return [];
        out.push(attestationObject.subarray(h.next, h.next + h.arg));
        pos = h.next + h.arg;
      }
      return out;
    }
  }
  return [];
}

/** attStmt.alg of an attestationObject (the first "alg" text key), or undefined. */
export function attStmtAlg(attestationObject: Uint8Array): number | undefined {
  const marker = [0x63, 0x61, 0x6c, 0x67];
  for (let i = 0; i + marker.length < attestationObject.length; i++) {
    if (marker.every((b, j) => attestationObject[i + j] === b)) {
      const h = readHead(attestationObject, i + marker.length);
      if (h.major === 1) return -1 - h.arg;
      return h.major === 0 ? h.arg : undefined;
    }
  }
  return undefined;
}
