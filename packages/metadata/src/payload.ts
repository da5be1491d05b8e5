import { parseStrictJson } from '@factorkit/core';
import { MetadataError } from './errors.ts';

/** FIDO Metadata Service §3.1.4 AuthenticatorStatus values. */
export const AUTHENTICATOR_STATUSES = [
  'NOT_FIDO_CERTIFIED',
  'FIDO_CERTIFIED',
  'USER_VERIFICATION_BYPASS',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
  'UPDATE_AVAILABLE',
  'REVOKED',
  'SELF_ASSERTION_SUBMITTED',
  'FIDO_CERTIFIED_L1',
  'FIDO_CERTIFIED_L1plus',
  'FIDO_CERTIFIED_L2',
  'FIDO_CERTIFIED_L2plus',
  'FIDO_CERTIFIED_L3',
  'FIDO_CERTIFIED_L3plus',
] as const;

export type AuthenticatorStatus = (typeof AUTHENTICATOR_STATUSES)[number];

/** §3.1.3 StatusReport (the members policy reads; the rest is kept in `raw`). */
export interface StatusReport {
  readonly status: AuthenticatorStatus;
  /** ISO-8601 date (YYYY-MM-DD) from which the status applies; absent: always. */
  readonly effectiveDate: string | undefined;
  readonly authenticatorVersion: number | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The Metadata Statement members factorkit reads (FIDO Metadata Statement §4); all kept in `raw`. */
export interface MetadataStatement {
  readonly description: string;
  readonly aaguid: string | undefined;
  readonly attestationCertificateKeyIdentifiers: readonly string[];
  readonly protocolFamily: string;
  readonly authenticatorVersion: number | undefined;
  readonly authenticationAlgorithms: readonly string[];
  readonly attestationTypes: readonly string[];
  readonly keyProtection: readonly string[];
  readonly userVerificationMethods: readonly string[];
  /** Base64 DER certificates (standard alphabet, as in the statement). */
  readonly attestationRootCertificates: readonly string[];
  readonly raw: Readonly<Record<string, unknown>>;
}

/** §3.1.1 MetadataBLOBPayloadEntry. */
export interface MetadataEntry {
  readonly aaid: string | undefined;
  /** Lowercase UUID. */
  readonly aaguid: string | undefined;
  /** Lowercase hex SHA-1 key identifiers. */
  readonly attestationCertificateKeyIdentifiers: readonly string[];
  readonly metadataStatement: MetadataStatement | undefined;
  readonly statusReports: readonly StatusReport[];
  readonly timeOfLastStatusChange: string | undefined;
}

/** §3.1.6 MetadataBLOBPayload. */
export interface MetadataBlobPayload {
  readonly legalHeader: string;
  readonly no: number;
  /** ISO-8601 date (YYYY-MM-DD). */
  readonly nextUpdate: string;
  readonly entries: readonly MetadataEntry[];
}

export interface PayloadLimits {
  /** Deepest JSON nesting accepted. Default 32 (the real BLOB nests 8 deep). */
  readonly maxDepth?: number;
  /** Most entries accepted. Default 20 000. */
  readonly maxEntries?: number;
}

export const DEFAULT_MAX_PAYLOAD_DEPTH = 32;
export const DEFAULT_MAX_ENTRIES = 20_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_ID = /^[0-9a-f]{40}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATUSES: ReadonlySet<string> = new Set(AUTHENTICATOR_STATUSES);

function invalid(message: string): MetadataError {
  return new MetadataError('ERR_MDS_PAYLOAD_INVALID', message);
}

/**
 * Rejects JSON nested deeper than `maxDepth` before JSON.parse builds it: one linear pass
 * over the text that skips string contents (DOS-3: depth limits before the first decode).
 */
export function checkJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw new MetadataError('ERR_MDS_PAYLOAD_TOO_DEEP', 'payload nests too deep');
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isValidDate(s: string): boolean {
  return DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

function stringArray(v: unknown, where: string, max = 4096): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max || v.some((x) => typeof x !== 'string'))
    throw invalid(`${where} must be an array of strings`);
  return v as string[];
}

function optionalString(v: unknown, where: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${where} must be a string`);
  return v;
}

function optionalInteger(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalid(`${where} must be a non-negative integer`);
  return v;
}

function parseStatusReport(v: unknown, where: string): StatusReport {
  if (!isRecord(v)) throw invalid(`${where} must be an object`);
  const status = v['status'];
  if (typeof status !== 'string' || !STATUSES.has(status))
    throw invalid(`${where}.status is not a known status`);
  const effectiveDate = optionalString(v['effectiveDate'], `${where}.effectiveDate`);
  if (effectiveDate !== undefined && !isValidDate(effectiveDate))
    throw invalid(`${where}.effectiveDate is not a YYYY-MM-DD date`);
  return {
    status: status as AuthenticatorStatus,
    effectiveDate,
    authenticatorVersion: optionalInteger(v['authenticatorVersion'], `${where}.authenticatorVersion`),
    raw: v,
  };
}

function parseStatement(v: unknown, where: string): MetadataStatement {
  if (!isRecord(v)) throw invalid(`${where} must be an object`);
  const description = v['description'];
  if (typeof description !== 'string') throw invalid(`${where}.description must be a string`);
  const protocolFamily = v['protocolFamily'];
  if (typeof protocolFamily !== 'string') throw invalid(`${where}.protocolFamily must be a string`);
  const aaguid = optionalString(v['aaguid'], `${where}.aaguid`)?.toLowerCase();
  if (aaguid !== undefined && !UUID.test(aaguid)) throw invalid(`${where}.aaguid is not a UUID`);
  const methods = new Set<string>();
  const uvd = v['userVerificationDetails'];
  if (uvd !== undefined) {
    if (!Array.isArray(uvd)) throw invalid(`${where}.userVerificationDetails must be an array`);
    for (const combo of uvd) {
      if (!Array.isArray(combo)) throw invalid(`${where}.userVerificationDetails entries must be arrays`);
      for (const m of combo) {
        // MDS3 names it userVerificationMethod; the conformance BLOB still uses userVerification.
        const method = isRecord(m) ? (m['userVerificationMethod'] ?? m['userVerification']) : undefined;
        if (typeof method !== 'string') throw invalid(`${where}.userVerificationDetails has a bad method`);
        methods.add(method);
      }
    }
  }
  return {
    description,
    aaguid,
    attestationCertificateKeyIdentifiers: stringArray(
      v['attestationCertificateKeyIdentifiers'],
      `${where}.attestationCertificateKeyIdentifiers`,
    ).map((k) => k.toLowerCase()),
    protocolFamily,
    authenticatorVersion: optionalInteger(v['authenticatorVersion'], `${where}.authenticatorVersion`),
    authenticationAlgorithms: stringArray(v['authenticationAlgorithms'], `${where}.authenticationAlgorithms`),
    attestationTypes: stringArray(v['attestationTypes'], `${where}.attestationTypes`),
    keyProtection: stringArray(v['keyProtection'], `${where}.keyProtection`),
    userVerificationMethods: [...methods],
    attestationRootCertificates: stringArray(
      v['attestationRootCertificates'],
      `${where}.attestationRootCertificates`,
      64,
    ),
    raw: v,
  };
}

/** Validates one §3.1.1 entry. */
export function parseEntry(v: unknown, where: string): MetadataEntry {
  if (!isRecord(v)) throw invalid(`${where} must be an object`);
  const aaguid = optionalString(v['aaguid'], `${where}.aaguid`)?.toLowerCase();
  if (aaguid !== undefined && !UUID.test(aaguid)) throw invalid(`${where}.aaguid is not a UUID`);
  const keyIds = stringArray(
    v['attestationCertificateKeyIdentifiers'],
    `${where}.attestationCertificateKeyIdentifiers`,
  ).map((k) => k.toLowerCase());
  if (keyIds.some((k) => !KEY_ID.test(k)))
    throw invalid(`${where}.attestationCertificateKeyIdentifiers must be 40 hex digits each`);
  const reports = v['statusReports'];
  if (!Array.isArray(reports) || reports.length > 1024)
    throw invalid(`${where}.statusReports must be an array`);
  const statement =
    v['metadataStatement'] === undefined
      ? undefined
      : parseStatement(v['metadataStatement'], `${where}.metadataStatement`);
  if (statement?.aaguid !== undefined && aaguid !== undefined && statement.aaguid !== aaguid)
    throw invalid(`${where}: entry and statement AAGUIDs differ`);
  return {
    aaid: optionalString(v['aaid'], `${where}.aaid`),
    aaguid,
    attestationCertificateKeyIdentifiers: keyIds,
    metadataStatement: statement,
    statusReports: reports.map((r, i) => parseStatusReport(r, `${where}.statusReports[${i}]`)),
    timeOfLastStatusChange: optionalString(v['timeOfLastStatusChange'], `${where}.timeOfLastStatusChange`),
  };
}

/**
 * Parses the BLOB payload JSON (§3.1.6) with depth and entry-count limits.
 *
 * @throws {MetadataError} `ERR_MDS_PAYLOAD_INVALID`, `ERR_MDS_PAYLOAD_TOO_DEEP`
 */
export function parseMetadataPayload(text: string, limits: PayloadLimits = {}): MetadataBlobPayload {
  checkJsonDepth(text, limits.maxDepth ?? DEFAULT_MAX_PAYLOAD_DEPTH);
  let json: unknown;
  try {
    // Strict RFC 8259 (duplicate member names rejected: no parser differential on signed data).
    json = parseStrictJson(text, {
      maxDepth: limits.maxDepth ?? DEFAULT_MAX_PAYLOAD_DEPTH,
      maxEntries: 1_000_000,
    });
  } catch {
    throw invalid('payload is not strict JSON');
  }
  if (!isRecord(json)) throw invalid('payload must be an object');
  const legalHeader = json['legalHeader'];
  if (typeof legalHeader !== 'string') throw invalid('legalHeader must be a string');
  const no = json['no'];
  if (typeof no !== 'number' || !Number.isSafeInteger(no) || no < 0)
    throw invalid('no must be a non-negative integer');
  const nextUpdate = json['nextUpdate'];
  if (typeof nextUpdate !== 'string' || !isValidDate(nextUpdate))
    throw invalid('nextUpdate must be a YYYY-MM-DD date');
  const entries = json['entries'];
  if (!Array.isArray(entries)) throw invalid('entries must be an array');
  if (entries.length > (limits.maxEntries ?? DEFAULT_MAX_ENTRIES)) throw invalid('too many entries');
  return {
    legalHeader,
    no,
    nextUpdate,
    entries: entries.map((e, i) => parseEntry(e, `entries[${i}]`)),
  };
}
