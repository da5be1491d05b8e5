/** Codes of {@link VirtualAuthenticatorError}, modelled on the DOMExceptions a browser raises. */
export type VirtualAuthenticatorErrorCode =
  /** No usable credential, or the user "declined" (NotAllowedError). */
  | 'ERR_NOT_ALLOWED'
  /** A credential in `excludeCredentials` is present on this authenticator (InvalidStateError). */
  | 'ERR_INVALID_STATE'
  /** None of `pubKeyCredParams` is supported, or the format cannot carry the algorithm (NotSupportedError). */
  | 'ERR_NOT_SUPPORTED'
  /** The RP ID is not a registrable suffix of the origin's host (SecurityError). */
  | 'ERR_SECURITY'
  /** U2F: key handle unknown to this token or bound to another appId (SW_WRONG_DATA). */
  | 'ERR_WRONG_DATA'
  /** A counter reached its maximum (the key can no longer produce fresh responses). */
  | 'ERR_COUNTER_EXHAUSTED';

/** Thrown when an authenticator refuses an operation a real one would refuse. */
export class VirtualAuthenticatorError extends Error {
  readonly code: VirtualAuthenticatorErrorCode;
  constructor(code: VirtualAuthenticatorErrorCode, message: string) {
    super(message);
    this.name = 'VirtualAuthenticatorError';
    this.code = code;
  }
}
