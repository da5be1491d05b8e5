// Byte helpers shared by every authenticator: base64url (the WebAuthn JSON encoding and the
// U2F "websafe base64"), hex, UTF-8 and concatenation. No Buffer in signatures so the types
// stay plain Uint8Array.

const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Unpadded base64url (RFC 4648 §5), the encoding of every binary field in WebAuthn JSON. */
export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decodes base64url (padding optional). Throws `TypeError` on other characters. */
export function fromBase64url(text: string): Uint8Array {
  if (!B64URL.test(text)) throw new TypeError('expected a base64url string');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new TypeError('expected an even-length hex string');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

// One concatenation for the whole tree.
export { concat } from '@factorkit/core';

export function uint16be(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

export function uint32be(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function readUint32be(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

/** Accepts bytes or a base64url string (the `*JSON` option variants) and returns bytes. */
export function bufferSource(value: BufferSourceLike, name: string): Uint8Array {
  if (typeof value === 'string') {
    try {
      return fromBase64url(value);
    } catch {
      throw new TypeError(`${name} must be bytes or a base64url string`);
    }
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  throw new TypeError(`${name} must be bytes or a base64url string`);
}

/** Bytes as accepted by `navigator.credentials.*` or their `*JSON` (base64url) form. */
export type BufferSourceLike = Uint8Array | ArrayBuffer | ArrayBufferView | string;
