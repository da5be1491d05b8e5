import { OTP_ALGORITHMS, type OtpAlgorithm } from './algorithms.ts';
import { base32Encode } from './encoding.ts';
import { OtpError, type OtpWarning } from './errors.ts';
import {
  DEFAULT_ALGORITHM,
  DEFAULT_DIGITS,
  DEFAULT_PERIOD,
  MAX_PERIOD,
  resolveAlgorithm,
  resolveCounter,
  resolveDigits,
  resolvePeriod,
} from './params.ts';
import { decodeSecret, type SecretPolicy } from './secret.ts';

/** Longest otpauth:// URI accepted by the parser. */
export const MAX_OTPAUTH_URI_LENGTH = 4096;
/** Longest issuer or account name (characters, decoded). */
export const MAX_LABEL_PART_LENGTH = 256;
const MAX_PARAMETERS = 32;

/** A key as described by an otpauth:// URI (Google Authenticator Key Uri Format). */
export interface OtpauthKey {
  readonly type: 'totp' | 'hotp';
  /** The account name (label part after the issuer). */
  readonly accountName: string;
  /** The provider or service; written to both the label prefix and the `issuer` parameter. */
  readonly issuer?: string;
  readonly secret: Uint8Array;
  readonly algorithm: OtpAlgorithm;
  readonly digits: number;
  /** TOTP only: the period in seconds. */
  readonly period?: number;
  /** HOTP only: the initial counter (required by the format). */
  readonly counter?: number;
}

/** Input of {@link formatOtpauthUri}: algorithm/digits/period default to SHA1/6/30. */
export interface OtpauthKeyInput {
  readonly type: 'totp' | 'hotp';
  readonly accountName: string;
  readonly issuer?: string;
  readonly secret: Uint8Array;
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  readonly period?: number;
  readonly counter?: number;
}

function uriError(message: string): OtpError {
  return new OtpError('ERR_URI_INVALID', message);
}

// encodeURIComponent, keeping '@' readable (the wiki's examples show `alice@google.com`).
function encodePart(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

function checkLabelPart(value: unknown, name: string, allowLeadingSpace: boolean): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  if (value === '' || value.length > MAX_LABEL_PART_LENGTH) {
    throw new RangeError(`${name} must have 1 to ${MAX_LABEL_PART_LENGTH} characters`);
  }
  // Key Uri Format: neither issuer nor account name may contain a colon.
  if (value.includes(':')) throw new RangeError(`${name} must not contain ':'`);
  // Spaces after the label colon are optional decoration and are stripped by parsers.
  if (!allowLeadingSpace && value.startsWith(' '))
    throw new RangeError(`${name} must not start with a space`);
  try {
    encodeURIComponent(value);
  } catch {
    throw new RangeError(`${name} must be well-formed Unicode`);
  }
  return value;
}

/**
 * Formats a Key URI: `otpauth://TYPE/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=…&digits=…&period=…`
 * (`counter=` for HOTP). The secret is unpadded base32. The URI contains the secret: show it to
 * the user once (or as a QR code), never log it.
 */
export function formatOtpauthUri(key: OtpauthKeyInput): string {
  if (typeof key !== 'object' || key === null) throw new TypeError('key must be an object');
  if (key.type !== 'totp' && key.type !== 'hotp') throw new TypeError("type must be 'totp' or 'hotp'");
  if (!(key.secret instanceof Uint8Array) || key.secret.length === 0) {
    throw new TypeError('secret must be a non-empty Uint8Array');
  }
  const accountName = checkLabelPart(key.accountName, 'accountName', false);
  const issuer = key.issuer === undefined ? undefined : checkLabelPart(key.issuer, 'issuer', true);
  const algorithm = resolveAlgorithm(key.algorithm);
  const digits = resolveDigits(key.digits);
  const label =
    issuer === undefined ? encodePart(accountName) : `${encodePart(issuer)}:${encodePart(accountName)}`;
  let uri = `otpauth://${key.type}/${label}?secret=${base32Encode(key.secret)}`;
  if (issuer !== undefined) uri += `&issuer=${encodePart(issuer)}`;
  uri += `&algorithm=${algorithm}&digits=${digits}`;
  if (key.type === 'totp') uri += `&period=${resolvePeriod(key.period)}`;
  else {
    if (key.counter === undefined) throw new TypeError('counter is required for hotp');
    uri += `&counter=${resolveCounter(key.counter, 'counter')}`;
  }
  return uri;
}

/** A parsed URI plus warnings about it (e.g. a secret under 128 bits). */
export interface ParsedOtpauthUri {
  readonly key: OtpauthKey;
  readonly warnings: readonly OtpWarning[];
}

function decodePart(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw uriError(`${what} is not valid percent-encoding`);
  }
}

function parseUnsigned(value: string, what: string): number {
  if (value.length === 0 || value.length > 16) throw uriError(`${what} is not a decimal number`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) throw uriError(`${what} is not a decimal number`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw uriError(`${what} is out of range`);
  return n;
}

/**
 * Parses an otpauth:// Key URI strictly: scheme and type, a label of `accountname` or
 * `issuer:accountname` (colon literal or `%3A`, optional spaces after it), a required strict
 * base32 `secret` (see {@link base32Decode}), `issuer` equal to the label prefix when both are
 * present, `algorithm` SHA1/SHA256/SHA512, `digits` 6–10, `period` (TOTP, 1–3600), `counter`
 * (required for HOTP). Unknown parameters (e.g. `image`) are ignored; duplicates are errors.
 * Throws {@link OtpError} (`ERR_URI_INVALID`, `ERR_URI_ISSUER_MISMATCH`, `ERR_SECRET_*`) and
 * never echoes the input.
 */
export function parseOtpauthUri(uri: unknown, policy: SecretPolicy = {}): ParsedOtpauthUri {
  if (typeof uri !== 'string') throw uriError('URI must be a string');
  if (uri.length > MAX_OTPAUTH_URI_LENGTH)
    throw uriError(`URI longer than ${MAX_OTPAUTH_URI_LENGTH} characters`);
  const scheme = 'otpauth://';
  if (uri.slice(0, scheme.length).toLowerCase() !== scheme) throw uriError('scheme must be otpauth://');
  if (uri.includes('#')) throw uriError('URI must not have a fragment');
  const rest = uri.slice(scheme.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw uriError('missing label');
  const typeRaw = rest.slice(0, slash).toLowerCase();
  if (typeRaw !== 'totp' && typeRaw !== 'hotp') throw uriError('type must be totp or hotp');
  const type: 'totp' | 'hotp' = typeRaw;
  const afterType = rest.slice(slash + 1);
  const q = afterType.indexOf('?');
  const rawLabel = q < 0 ? afterType : afterType.slice(0, q);
  const query = q < 0 ? '' : afterType.slice(q + 1);

  const label = decodePart(rawLabel, 'label');
  const parts = label.split(':');
  if (parts.length > 2) throw uriError('label has more than one colon');
  let labelIssuer: string | undefined;
  let accountName: string;
  if (parts.length === 2) {
    labelIssuer = parts[0] as string;
    accountName = (parts[1] as string).replace(/^ +/, '');
    if (labelIssuer === '') throw uriError('label issuer is empty');
  } else {
    accountName = parts[0] as string;
  }
  if (accountName === '') throw uriError('label account name is empty');
  if (accountName.length > MAX_LABEL_PART_LENGTH || (labelIssuer?.length ?? 0) > MAX_LABEL_PART_LENGTH) {
    throw uriError('label too long');
  }

  const params = new Map<string, string>();
  if (query !== '') {
    const pairs = query.split('&');
    if (pairs.length > MAX_PARAMETERS) throw uriError('too many parameters');
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw uriError('malformed parameter');
      const name = pair.slice(0, eq);
      if (params.has(name)) throw uriError('duplicate parameter');
      params.set(name, pair.slice(eq + 1));
    }
  }

  const secretRaw = params.get('secret');
  if (secretRaw === undefined || secretRaw === '') throw uriError('secret is required');
  const { secret, warnings } = decodeSecret(decodePart(secretRaw, 'secret'), 'base32', policy);

  let issuer = labelIssuer;
  const issuerRaw = params.get('issuer');
  if (issuerRaw !== undefined) {
    const fromParam = decodePart(issuerRaw, 'issuer');
    if (fromParam === '' || fromParam.includes(':') || fromParam.length > MAX_LABEL_PART_LENGTH) {
      throw uriError('issuer parameter is invalid');
    }
    if (labelIssuer !== undefined && labelIssuer !== fromParam) {
      throw new OtpError('ERR_URI_ISSUER_MISMATCH', 'the label issuer and the issuer parameter differ');
    }
    issuer = fromParam;
  }

  let algorithm: OtpAlgorithm = DEFAULT_ALGORITHM;
  const algorithmRaw = params.get('algorithm');
  if (algorithmRaw !== undefined) {
    const upper = algorithmRaw.toUpperCase();
    const found = OTP_ALGORITHMS.find((a) => a === upper);
    if (found === undefined) throw uriError('algorithm must be SHA1, SHA256 or SHA512');
    algorithm = found;
  }
  let digits = DEFAULT_DIGITS;
  const digitsRaw = params.get('digits');
  if (digitsRaw !== undefined) {
    digits = parseUnsigned(digitsRaw, 'digits');
    if (digits < 6 || digits > 10) throw uriError('digits must be 6 to 10');
  }

  const base = { type, accountName, secret, algorithm, digits };
  const withIssuer = issuer === undefined ? base : { ...base, issuer };
  let key: OtpauthKey;
  if (type === 'totp') {
    let period = DEFAULT_PERIOD;
    const periodRaw = params.get('period');
    if (periodRaw !== undefined) {
      period = parseUnsigned(periodRaw, 'period');
      if (period < 1 || period > MAX_PERIOD) throw uriError(`period must be 1 to ${MAX_PERIOD}`);
    }
    key = { ...withIssuer, period };
  } else {
    const counterRaw = params.get('counter');
    if (counterRaw === undefined) throw uriError('counter is required for hotp');
    key = { ...withIssuer, counter: parseUnsigned(counterRaw, 'counter') };
  }
  return { key, warnings };
}
