/**
 * What kind of input a codec refused. Each factor package maps a kind to its own stable code at
 * its edge (`base64` → `ERR_INVALID_BASE64URL` in WebAuthn, `ERR_BASE64_INVALID` in U2F...), so
 * this package never imports a package's error type and a package never sees another's codes.
 */
export type CodecErrorKind =
  /** Not canonical base64url/base64: alphabet, padding, length or trailing bits. */
  | 'base64'
  /** Not hex: odd length or a character outside 0-9, a-f, A-F. */
  | 'hex'
  /** Not strict DER (X.690 §10): BER forms, non-minimal integers, bad structure. */
  | 'der'
  /** The input ends before a structure it declares. */
  | 'truncated'
  /** Not strict JSON (RFC 8259): syntax, duplicate member names, limits. */
  | 'json'
  /** Not valid UTF-8. */
  | 'utf8'
  /** Larger, longer or deeper than the bound the caller set. */
  | 'too-large';

/**
 * The one error the base layer throws for bad input. Its message describes the input's shape
 * (an offset, a rule), never its content, so it can be logged.
 */
export class CodecError extends Error {
  readonly kind: CodecErrorKind;
  override readonly name = 'CodecError';

  constructor(kind: CodecErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export function isCodecError(value: unknown): value is CodecError {
  return value instanceof CodecError;
}
