/**
 * Case replay: each kind of the corpus format is replayed through the façade, honouring the
 * case's `context` (now, trust anchors, options, stored credential, appId, token state,
 * secret/window). The replay seeds a fresh MemoryStore with what the relying party knew
 * (the issued challenge, the stored credential or token state) and then calls the façade's
 * `finish*`/`verify` exactly as a server would.
 */
import { decodeWebsafeBase64, encodeWebsafeBase64, parseClientData } from '@factorkit/u2f';
import {
  ATTESTATION_FORMATS,
  decodeBase64url,
  decodeCbor,
  isBase64url,
  PENDING_ATTESTATION_FORMATS,
} from '@factorkit/webauthn';
import { createFactorkit, type Factorkit } from '../facade/create.ts';
import type { FactorVerification } from '../facade/result.ts';
import { U2F_CHALLENGE_PREFIX } from '../facade/u2f.ts';
import { challengeOf, WEBAUTHN_CHALLENGE_PREFIX } from '../facade/webauthn.ts';
import type { JsonValue } from '../store/types.ts';
import type { Case, CaseKind } from './cases.ts';

/** A replay verdict: `verified: null` = not evaluated (unsupported). */
export interface Verdict {
  readonly verified: boolean | null;
  readonly code: string | null;
  /** Free-text detail for the human report (step, message). */
  readonly detail?: string;
}

export type CaseVerifier = (c: Case) => Promise<Verdict>;

/** Package codes meaning "this build does not implement that yet" → reported as ERR_UNSUPPORTED. */
export const UNSUPPORTED_CODES: ReadonlySet<string> = new Set([
  // A COSE key type/algorithm this build does not implement (e.g. ML-DSA); a policy refusal of
  // an implemented algorithm is ERR_ALGORITHM_NOT_ALLOWED and stays a verdict.
  'ERR_UNSUPPORTED_ALGORITHM',
]);

const USER = 'case-user';
const HOUR = 3_600_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function verdictOf(r: FactorVerification<unknown>): Verdict {
  if (r.factorResult === 'SUCCESS') return { verified: true, code: null };
  const code = r.code ?? 'ERR_REJECTED';
  if (UNSUPPORTED_CODES.has(code)) return { verified: null, code: 'ERR_UNSUPPORTED', detail: code };
  return {
    verified: false,
    code,
    detail: [r.factorResult, r.step, r.message].filter((x) => x !== undefined).join(' · '),
  };
}

function fixedClock(now: Date): () => Date {
  return () => new Date(now.getTime());
}

function contextNow(c: Case): Date {
  const now = str(c.context['now']);
  if (now === undefined) return new Date();
  const d = new Date(now);
  if (Number.isNaN(d.getTime())) throw new TypeError('context.now is not a valid date');
  return d;
}

function webauthnFacade(c: Case, now: Date): Factorkit {
  const ctx = c.context;
  const o = (ctx['options'] ?? {}) as Record<string, unknown>;
  const origins = list(o['allowedOrigins']).length > 0 ? list(o['allowedOrigins']) : list(ctx['origin']);
  if (origins.length === 0) throw new TypeError('context.origin is required');
  // No rpId in the context (the source did not check it): the RP ID a server would configure,
  // the origin's host.
  const rpIds = list(ctx['rpId']).length > 0 ? list(ctx['rpId']) : [new URL(origins[0] as string).hostname];
  const [rpId, ...additionalRpIds] = rpIds;
  if (rpId === undefined || rpId === '') throw new TypeError('context.rpId is required');
  const anchors = list(ctx['trustAnchors']);
  return createFactorkit({
    rp: { id: rpId, name: rpId },
    origins,
    clock: fixedClock(now),
    policies: {
      webauthn: {
        additionalRpIds,
        requireUserVerification: ctx['requireUserVerification'] === true,
        trustAnchors: anchors,
        extraIntermediates: list(o['extraIntermediates']),
        // Corpus convention: a source that configured roots for a case fails the ceremony when
        // the attestation does not chain to them.
        requireTrustedAttestation: o['requireTrustedAttestation'] === true || anchors.length > 0,
        ...(Array.isArray(o['supportedAlgorithms'])
          ? { supportedAlgorithms: o['supportedAlgorithms'] as number[] }
          : {}),
        ...(o['expectedType'] === undefined ? {} : { expectedType: o['expectedType'] as string | string[] }),
        ...(typeof o['allowCrossOrigin'] === 'boolean' ? { allowCrossOrigin: o['allowCrossOrigin'] } : {}),
        ...(o['allowedTopOrigins'] === undefined ? {} : { topOrigins: list(o['allowedTopOrigins']) }),
      },
    },
  });
}

/** Seeds the challenge the RP issued, keyed by the challenge the response answers. */
async function seedWebAuthnChallenge(
  fk: Factorkit,
  c: Case,
  factor: string,
  now: Date,
  data: JsonValue,
): Promise<void> {
  const issued = str(c.context['challenge']);
  if (issued === undefined) throw new TypeError('context.challenge is required');
  const answered = challengeOf(c.response) ?? issued;
  await fk.store.challenges.put({
    id: WEBAUTHN_CHALLENGE_PREFIX + answered,
    factor,
    userId: USER,
    origin: null,
    challenge: issued,
    expiresAt: now.getTime() + HOUR,
    data,
  });
}

/**
 * The attestation statement format of a registration: the attestationObject's `fmt` when it
 * decodes, else the case's `format` field.
 */
export function attestationFormatOf(c: Case): string | null {
  const response = c.response['response'];
  const ao =
    typeof response === 'object' && response !== null
      ? (response as Record<string, unknown>)['attestationObject']
      : undefined;
  if (typeof ao === 'string' && isBase64url(ao)) {
    try {
      const decoded = decodeCbor(decodeBase64url(ao));
      if (decoded instanceof Map) {
        const fmt = decoded.get('fmt');
        // A present but non-string fmt is malformed: the verifier's verdict, not a format question.
        return typeof fmt === 'string' ? fmt : null;
      }
    } catch {
      // not decodable: fall back to what the case says
    }
  }
  return c.format;
}

/**
 * A registered attestation format the webauthn package does not verify yet (its
 * `PENDING_ATTESTATION_FORMATS`, and not in its `ATTESTATION_FORMATS` registry). Decided before
 * any verification step: a rejection by an earlier step (e.g. the RS1 algorithm policy for a TPM
 * key) would be a verdict on a format this build cannot judge. An unregistered `fmt` is not
 * "pending": §7.1 step 21 rejects it, and that rejection is a verdict.
 */
export function pendingAttestationFormat(c: Case): string | undefined {
  if (c.kind !== 'webauthn.registration') return undefined;
  const fmt = attestationFormatOf(c);
  if (fmt === null || ATTESTATION_FORMATS.has(fmt)) return undefined;
  return PENDING_ATTESTATION_FORMATS.includes(fmt) ? fmt : undefined;
}

const webauthnRegistration: CaseVerifier = async (c) => {
  const pending = pendingAttestationFormat(c);
  if (pending !== undefined) {
    return { verified: null, code: 'ERR_UNSUPPORTED', detail: `attestation format ${pending}` };
  }
  const now = contextNow(c);
  const fk = webauthnFacade(c, now);
  // Conditional create (UP may be clear) is a property of the issued challenge, as the façade
  // records it for `mediation: "conditional"`.
  const o = (c.context['options'] ?? {}) as Record<string, unknown>;
  const conditional = c.context['requireUserPresence'] === false || o['mediation'] === 'conditional';
  await seedWebAuthnChallenge(
    fk,
    c,
    'webauthn.registration',
    now,
    conditional ? { requireUserPresence: false } : null,
  );
  return verdictOf(await fk.webauthn.finishRegistration({ userId: USER, response: c.response }));
};

const webauthnAuthentication: CaseVerifier = async (c) => {
  const now = contextNow(c);
  const fk = webauthnFacade(c, now);
  const o = (c.context['options'] ?? {}) as Record<string, unknown>;
  const cred = (c.context['credential'] ?? {}) as Record<string, unknown>;
  const id = str(cred['id']);
  const publicKey = str(cred['publicKey']);
  if (id === undefined || publicKey === undefined)
    throw new TypeError('context.credential needs id and publicKey');
  const data: Record<string, JsonValue> = {};
  if (typeof cred['backupEligible'] === 'boolean') data['backupEligible'] = cred['backupEligible'];
  if (typeof cred['userHandle'] === 'string') data['userHandle'] = cred['userHandle'];
  if (typeof o['appid'] === 'string') data['appId'] = o['appid'];
  await fk.store.credentials.put({
    id,
    userId: USER,
    factor: 'webauthn',
    publicKey: decodeBase64url(publicKey),
    signCount: typeof cred['counter'] === 'number' ? cred['counter'] : 0,
    createdAt: 0,
    lastUsedAt: null,
    data,
  });
  await seedWebAuthnChallenge(fk, c, 'webauthn.authentication', now, {
    allowCredentials: list(o['allowCredentials']),
  });
  return verdictOf(await fk.webauthn.finishAuthentication({ userId: USER, response: c.response }));
};

function u2fFacade(c: Case): Factorkit {
  const ctx = c.context;
  // `context.origin`: one origin or the accepted list (a facet list, FIDO AppID & Facet §3.1.2).
  const origins = list(ctx['origin']);
  const origin = origins[0];
  const appId = str(ctx['appId']);
  if (origin === undefined || appId === undefined) throw new TypeError('context needs origin and appId');
  const o = (ctx['options'] ?? {}) as Record<string, unknown>;
  const anchors = list(ctx['trustAnchors']);
  return createFactorkit({
    rp: { id: new URL(origin).hostname || 'localhost', name: 'factorkit check' },
    origins,
    clock: fixedClock(contextNow(c)),
    policies: {
      u2f: {
        appId,
        trustAnchors: anchors,
        requireTrustedAttestation: o['requireTrustedAttestation'] === true,
        requireUserPresence: ctx['requireUserPresence'] !== false,
      },
    },
  });
}

/** Seeds the U2F challenge record (`U2fChallengeRecord` shape) the RP issued. */
async function seedU2fChallenge(
  fk: Factorkit,
  c: Case,
  ceremony: 'register' | 'sign',
  keyHandles: string[],
): Promise<void> {
  const issued = str(c.context['challenge']);
  const clientData = str(c.response['clientData']);
  if (issued === undefined) throw new TypeError('context.challenge is required');
  let answered = issued;
  // The facet the page ran on: with a list of accepted origins, the one the response names when
  // it is listed (else the first, which the verifier then compares and rejects).
  const origins = list(c.context['origin']);
  let facetId = origins[0] ?? '';
  try {
    if (clientData !== undefined) {
      const parsed = parseClientData(clientData, { allowStandardAlphabet: true });
      answered = parsed.challenge;
      if (origins.includes(parsed.origin)) facetId = parsed.origin;
    }
  } catch {
    // unreadable clientData: the package reports it when the finish step parses it again
  }
  const expiresAt = contextNow(c).getTime() + HOUR;
  const record = {
    challenge: issued,
    ceremony,
    appId: str(c.context['appId']) ?? '',
    facetId,
    userId: USER,
    keyHandles,
    expiresAt,
  };
  await fk.store.challenges.put({
    id: U2F_CHALLENGE_PREFIX + answered,
    factor: `u2f.${ceremony}`,
    userId: USER,
    origin: record.facetId,
    challenge: issued,
    expiresAt,
    data: record,
  });
}

const u2fRegister: CaseVerifier = async (c) => {
  const fk = u2fFacade(c);
  await seedU2fChallenge(fk, c, 'register', []);
  return verdictOf(await fk.u2f.finishRegistration({ userId: USER, response: c.response as never }));
};

const u2fSign: CaseVerifier = async (c) => {
  const fk = u2fFacade(c);
  const cred = (c.context['credential'] ?? {}) as Record<string, unknown>;
  const keyHandle = str(cred['keyHandle']);
  const publicKey = str(cred['publicKey']);
  if (keyHandle === undefined || publicKey === undefined)
    throw new TypeError('context.credential needs keyHandle and publicKey');
  // Stored registrations use the canonical (unpadded websafe) key handle, as the façade writes them.
  const id = encodeWebsafeBase64(decodeWebsafeBase64(keyHandle, { allowStandardAlphabet: true }));
  await fk.store.credentials.put({
    id,
    userId: USER,
    factor: 'u2f',
    publicKey: decodeWebsafeBase64(publicKey, { allowStandardAlphabet: true }),
    signCount: typeof cred['counter'] === 'number' ? cred['counter'] : 0,
    createdAt: 0,
    lastUsedAt: null,
    data: { appId: str(c.context['appId']) ?? '' },
  });
  await seedU2fChallenge(fk, c, 'sign', [id]);
  return verdictOf(await fk.u2f.finishSign({ userId: USER, response: c.response as never }));
};

/**
 * Runs an OTP enrollment for a replay. The otp package refuses secrets below its floor
 * (`ERR_SECRET_TOO_SHORT`/`_LONG`) at enrollment: a server on factorkit never accepts codes
 * for such a secret, so that refusal is the verdict.
 */
async function enrolled<T>(enroll: () => Promise<T>): Promise<T | Verdict> {
  try {
    return await enroll();
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (code === 'ERR_SECRET_TOO_SHORT' || code === 'ERR_SECRET_TOO_LONG') {
      return { verified: false, code, detail: 'secret refused at enrollment' };
    }
    throw error;
  }
}

const isVerdict = (v: unknown): v is Verdict => typeof v === 'object' && v !== null && 'verified' in v;

function hexSecret(c: Case): Uint8Array {
  const secret = str(c.context['secret']);
  if (secret === undefined || !/^(?:[0-9a-fA-F]{2})+$/.test(secret))
    throw new TypeError('context.secret must be hex');
  return Uint8Array.from(Buffer.from(secret, 'hex'));
}

const algorithmOf = (c: Case): 'SHA1' | 'SHA256' | 'SHA512' | undefined => {
  const a = str(c.context['algorithm']);
  return a === undefined ? undefined : (a.toUpperCase().replace('-', '') as 'SHA1' | 'SHA256' | 'SHA512');
};

const hotp: CaseVerifier = async (c) => {
  const ctx = c.context;
  const window = typeof ctx['window'] === 'number' ? ctx['window'] : undefined;
  const fk = createFactorkit({
    rp: { id: 'localhost', name: 'factorkit check' },
    origins: ['https://localhost'],
    policies: { otp: { ...(window === undefined ? {} : { hotpLookAhead: window }) } },
  });
  const algorithm = algorithmOf(c);
  const enrollment = await enrolled(() =>
    fk.otp.enrollHotp({
      userId: USER,
      secret: hexSecret(c),
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(typeof ctx['digits'] === 'number' ? { digits: ctx['digits'] } : {}),
      counter: typeof ctx['counter'] === 'number' ? ctx['counter'] : 0,
    }),
  );
  if (isVerdict(enrollment)) return enrollment;
  const { factorId } = enrollment;
  return verdictOf(await fk.otp.verify({ userId: USER, factorId, passCode: c.response['code'] as string }));
};

/** Symantec VIP enrollment: `response.code` = passCode, `response.nextCode` = nextPassCode. */
const vip: CaseVerifier = async (c) => {
  const ctx = c.context;
  const o = (ctx['options'] ?? {}) as Record<string, unknown>;
  const time = ctx['time'];
  if (typeof time !== 'number') throw new TypeError('context.time (unix seconds) is required');
  const fk = createFactorkit({
    rp: { id: 'localhost', name: 'factorkit check' },
    origins: ['https://localhost'],
    clock: fixedClock(new Date(time * 1000)),
  });
  const r = await enrolled(() =>
    fk.otp.enrollVip({
      userId: USER,
      credentialId: str(o['credentialId']) ?? '',
      secret: hexSecret(c),
      passCode: c.response['code'] as string,
      nextPassCode: c.response['nextCode'] as string,
    }),
  );
  return 'factorResult' in r ? verdictOf(r) : r;
};

const totp: CaseVerifier = async (c) => {
  if (c.response['nextCode'] !== undefined) return vip(c);
  const ctx = c.context;
  const o = (ctx['options'] ?? {}) as Record<string, unknown>;
  const time = ctx['time'];
  if (typeof time !== 'number') throw new TypeError('context.time (unix seconds) is required');
  const window = typeof ctx['window'] === 'number' ? ctx['window'] : undefined;
  const fk = createFactorkit({
    rp: { id: 'localhost', name: 'factorkit check' },
    origins: ['https://localhost'],
    clock: fixedClock(new Date(time * 1000)),
    policies: { otp: { ...(window === undefined ? {} : { totpWindow: window }) } },
  });
  const algorithm = algorithmOf(c);
  const enrollment = await enrolled(() =>
    fk.otp.enrollTotp({
      userId: USER,
      secret: hexSecret(c),
      ...(algorithm === undefined ? {} : { algorithm }),
      ...(typeof ctx['digits'] === 'number' ? { digits: ctx['digits'] } : {}),
      ...(typeof ctx['period'] === 'number' ? { period: ctx['period'] } : {}),
      ...(typeof o['t0'] === 'number' ? { t0: o['t0'] } : {}),
    }),
  );
  if (isVerdict(enrollment)) return enrollment;
  const { factorId } = enrollment;
  return verdictOf(await fk.otp.verify({ userId: USER, factorId, passCode: c.response['code'] as string }));
};

/**
 * A `yubico-otp` case is a fact about one OTP and one token (spec vectors: decryption, CRC,
 * private id, counters), with the token's secret in the case: it is replayed through the
 * stateless `yubikey.verifyOtp`, not through a seed upload. The registry's import policy
 * (which refuses e.g. an all-zero AES key for real uploads) is a separate question, tested
 * in the yubikey package, and must not decide a decryption vector.
 */
const yubicoOtp: CaseVerifier = async (c) => {
  const token = (c.context['token'] ?? {}) as Record<string, unknown>;
  const state = (c.context['state'] ?? {}) as Record<string, unknown>;
  const publicId = str(token['publicId']);
  const privateId = str(token['privateId']);
  const aesKey = str(token['aesKey']);
  if (publicId === undefined || privateId === undefined || aesKey === undefined) {
    throw new TypeError('context.token needs publicId, privateId and aesKey');
  }
  const otp = str(c.response['otp']);
  if (otp === undefined) throw new TypeError('response.otp must be a string');
  const fk = createFactorkit({
    rp: { id: 'localhost', name: 'factorkit check' },
    origins: ['https://localhost'],
    clock: fixedClock(contextNow(c)),
  });
  // state null = first OTP of this token; else the last accepted (counter, session).
  const lastOtp =
    typeof state['counter'] === 'number' && typeof state['session'] === 'number'
      ? { usageCounter: state['counter'], sessionCounter: state['session'] }
      : null;
  return verdictOf(fk.yubikey.verifyOtp({ otp, token: { publicId, privateId, aesKey }, lastOtp }));
};

/** The per-kind verifier registry. */
export const VERIFIERS: Readonly<Record<CaseKind, CaseVerifier>> = {
  'webauthn.registration': webauthnRegistration,
  'webauthn.authentication': webauthnAuthentication,
  'u2f.register': u2fRegister,
  'u2f.sign': u2fSign,
  hotp,
  totp,
  'yubico-otp': yubicoOtp,
};
