import {
  crlDistributionPoints,
  crlProblem,
  crlRevokes,
  MAX_CRL_LENGTH,
  type ParsedCertificate,
  type ParsedCrl,
  parseCrl,
} from '@factorkit/webauthn';
import { cacheKey, conditionalFetch, type FetchLike, type MetadataCache } from './cache.ts';

/**
 * Revocation checking modes (RFC 5280 §6.3, CRLs only):
 * - `off` — no check.
 * - `soft-fail` — every CRL that can be had (given, cached or fetched) is used; a certificate
 *   listed in a usable CRL is rejected; when no usable CRL can be had the chain passes.
 * - `hard-fail` — as soft-fail, but a certificate that names a cRLDistributionPoint must be
 *   covered by a usable CRL (issued and signed by its issuer, thisUpdate ≤ now ≤ nextUpdate),
 *   else the chain is rejected (`ERR_REVOCATION_UNAVAILABLE`). The MDS BLOB chain is always
 *   checked in this mode. A certificate without a distribution point has no CRL to consult.
 */
export type RevocationMode = 'off' | 'soft-fail' | 'hard-fail';

export interface RevocationOptions {
  /** Default `soft-fail` for attestation chains; the MDS chain always uses `hard-fail`. */
  readonly mode?: RevocationMode;
  /** CRLs known out of band (DER bytes or PEM text). */
  readonly crls?: readonly (Uint8Array | string)[];
  /** Fetches CRLs from the certificates' distribution points. No fetch: no network. */
  readonly fetch?: FetchLike;
  /** Where fetched CRLs are kept (and reused while their nextUpdate has not passed). */
  readonly cache?: MetadataCache;
}

export type RevocationOutcome =
  | {
      readonly ok: true;
      /** Certificates covered by a usable CRL. */
      readonly checked: number;
      /** Certificates for which no usable CRL was found (allowed by the mode). */
      readonly unchecked: number;
    }
  | {
      readonly ok: false;
      readonly code: 'ERR_CERTIFICATE_REVOKED' | 'ERR_REVOCATION_UNAVAILABLE';
      readonly message: string;
      /** Position in the path (0 = leaf) of the certificate concerned. */
      readonly depth: number;
    };

const parsedGiven = new WeakMap<readonly (Uint8Array | string)[], ParsedCrl[]>();

/** Parses the out-of-band CRLs once per array; unparseable ones are dropped (never usable). */
function givenCrls(list: readonly (Uint8Array | string)[] | undefined): ParsedCrl[] {
  if (list === undefined) return [];
  let parsed = parsedGiven.get(list);
  if (parsed === undefined) {
    parsed = [];
    for (const item of list) {
      try {
        parsed.push(parseCrl(item));
      } catch {
        // A CRL that does not parse can prove nothing; hard-fail reports the gap it leaves.
      }
    }
    parsedGiven.set(list, parsed);
  }
  return parsed;
}

async function fetchedCrls(
  subject: ParsedCertificate,
  options: RevocationOptions,
  now: Date,
): Promise<ParsedCrl[]> {
  const { fetch, cache } = options;
  if (fetch === undefined && cache === undefined) return [];
  const out: ParsedCrl[] = [];
  for (const url of crlDistributionPoints(subject)) {
    const key = cacheKey.crl(url);
    const cached = cache === undefined ? undefined : await cache.get(key);
    if (cached !== undefined) {
      try {
        const crl = parseCrl(cached.body);
        // A cached CRL is reused until its nextUpdate; then it is refreshed.
        if (crl.nextUpdate !== undefined && crl.nextUpdate.getTime() >= now.getTime()) {
          out.push(crl);
          continue;
        }
      } catch {
        // fall through to a fetch
      }
    }
    if (fetch === undefined) continue;
    const got = await conditionalFetch(fetch, url, cached, MAX_CRL_LENGTH, now.getTime());
    if (got.kind === 'failed') continue;
    try {
      const crl = parseCrl(got.record.body);
      out.push(crl);
      if (got.kind === 'fresh' && cache !== undefined) await cache.put(key, got.record);
    } catch {
      // an unparseable response is not a CRL
    }
  }
  return out;
}

/**
 * Checks every certificate of a built path (leaf first, anchor last; the anchor itself is
 * trusted as configured) against CRLs issued by the next certificate up.
 */
export async function checkPathRevocation(
  path: readonly ParsedCertificate[],
  now: Date,
  options: RevocationOptions,
  modeOverride?: RevocationMode,
): Promise<RevocationOutcome> {
  const mode = modeOverride ?? options.mode ?? 'soft-fail';
  if (mode === 'off') return { ok: true, checked: 0, unchecked: path.length - 1 };
  const given = givenCrls(options.crls);
  let checked = 0;
  let unchecked = 0;
  for (let depth = 0; depth < path.length - 1; depth++) {
    const subject = path[depth] as ParsedCertificate;
    const issuer = path[depth + 1] as ParsedCertificate;
    const candidates = [...given, ...(await fetchedCrls(subject, options, now))];
    let usable = 0;
    let lastProblem: string | undefined;
    for (const crl of candidates) {
      const problem = crlProblem(crl, issuer, now);
      if (problem !== undefined) {
        if (problem !== 'issuer-mismatch') lastProblem = problem;
        continue;
      }
      usable++;
      if (crlRevokes(crl, subject)) {
        return {
          ok: false,
          code: 'ERR_CERTIFICATE_REVOKED',
          message: `certificate at depth ${depth} (${subject.cert.subject}) is revoked`,
          depth,
        };
      }
    }
    if (usable > 0) {
      checked++;
      continue;
    }
    if (mode === 'hard-fail' && crlDistributionPoints(subject).length > 0) {
      return {
        ok: false,
        code: 'ERR_REVOCATION_UNAVAILABLE',
        message: `no usable CRL for the certificate at depth ${depth}${lastProblem === undefined ? '' : ` (CRL ${lastProblem})`}`,
        depth,
      };
    }
    unchecked++;
  }
  return { ok: true, checked, unchecked };
}
