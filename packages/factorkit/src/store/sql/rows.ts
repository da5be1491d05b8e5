/**
 * Row → record for the SQL stores (SQLite and Postgres share the column layout: snake_case
 * columns, JSON text/jsonb for the free-form members, integers that Postgres returns as
 * strings for BIGINT). Every column is checked; see `../records.ts`.
 */
import type { AcceptedOtp, YubikeyTokenRecord, YubikeyTokenStatus } from '@factorkit/yubikey';
import { YUBIKEY_TOKEN_STATUSES } from '@factorkit/yubikey';
import { StoreError } from '../errors.ts';
import {
  blob,
  int,
  intOrNull,
  parseCredentialData,
  parseJsonText,
  parseOtpParams,
  text,
  textOrNull,
} from '../records.ts';
import type { ChallengeRecord, CredentialRecord, JsonValue, OtpFactorRecord } from '../types.ts';

export type Row = Record<string, unknown>;

/** How a dialect hands back a JSON column. */
export type JsonColumn = (value: unknown, what: string) => JsonValue;
/** JSON stored as text (SQLite, Redis). */
export const jsonText: JsonColumn = parseJsonText;
/** jsonb, already decoded by the driver (Postgres). */
export const jsonDecoded: JsonColumn = (value) => value as JsonValue;

export function toChallenge(row: Row, json: JsonColumn = jsonText): ChallengeRecord {
  return {
    id: text(row['id'], 'challenge id'),
    factor: text(row['factor'], 'challenge factor'),
    userId: textOrNull(row['user_id'], 'challenge user'),
    origin: textOrNull(row['origin'], 'challenge origin'),
    challenge: text(row['challenge'], 'challenge'),
    expiresAt: int(row['expires_at'], 'challenge expiry'),
    data: json(row['data'], 'challenge data'),
  };
}

export function toCredential(row: Row, json: JsonColumn = jsonText): CredentialRecord {
  const factor = row['factor'];
  if (factor !== 'webauthn' && factor !== 'u2f')
    throw new StoreError('ERR_STORE_CORRUPT', 'stored credential factor is unknown');
  return {
    id: text(row['id'], 'credential id'),
    userId: text(row['user_id'], 'credential user'),
    factor,
    publicKey: blob(row['public_key'], 'credential public key'),
    signCount: int(row['sign_count'], 'credential signCount'),
    createdAt: int(row['created_at'], 'credential createdAt'),
    lastUsedAt: intOrNull(row['last_used_at'], 'credential lastUsedAt'),
    data: parseCredentialData(json(row['data'], 'credential data')),
  };
}

export function toOtp(row: Row, json: JsonColumn = jsonText): OtpFactorRecord {
  const type = row['type'];
  if (type !== 'totp' && type !== 'hotp' && type !== 'vip')
    throw new StoreError('ERR_STORE_CORRUPT', 'stored OTP factor type is unknown');
  return {
    id: text(row['id'], 'OTP factor id'),
    userId: text(row['user_id'], 'OTP factor user'),
    type,
    secret: blob(row['secret'], 'OTP factor secret'),
    params: parseOtpParams(json(row['params'], 'OTP parameters')),
    counter: intOrNull(row['counter'], 'OTP counter'),
    createdAt: int(row['created_at'], 'OTP factor createdAt'),
    lastVerifiedAt: intOrNull(row['last_verified_at'], 'OTP factor lastVerifiedAt'),
  };
}

export function toTokenRecord(row: Row): YubikeyTokenRecord {
  const status = row['status'] as YubikeyTokenStatus;
  if (!YUBIKEY_TOKEN_STATUSES.includes(status))
    throw new StoreError('ERR_STORE_CORRUPT', 'stored token status is unknown');
  const usage = intOrNull(row['otp_usage'], 'token usage counter');
  const lastOtp: AcceptedOtp | null =
    usage === null
      ? null
      : Object.freeze({
          usageCounter: usage,
          sessionCounter: int(row['otp_session'], 'token session counter'),
          timestamp: int(row['otp_timestamp'], 'token timestamp'),
          at: text(row['otp_at'], 'token OTP time'),
        });
  return Object.freeze({
    id: text(row['id'], 'token id'),
    publicId: text(row['public_id'], 'token publicId'),
    serial: textOrNull(row['serial'], 'token serial'),
    status,
    userId: textOrNull(row['user_id'], 'token user'),
    created: text(row['created'], 'token created'),
    lastUpdated: text(row['last_updated'], 'token lastUpdated'),
    lastVerified: textOrNull(row['last_verified'], 'token lastVerified'),
    activated: textOrNull(row['activated'], 'token activated'),
    lastOtp,
  });
}
