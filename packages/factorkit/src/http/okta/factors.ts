import { utf8Encode } from '@factorkit/core';
import { defaultBackend } from '@factorkit/core/crypto/default';
import { encodeSecretBase32, formatOtpauthUri, generateSecret, renderQrCode } from '@factorkit/otp';
import { decodeBase64url, decodeCbor, encodeBase64url, parseAuthenticatorData } from '@factorkit/webauthn';
import type { YubikeyToken } from '@factorkit/yubikey';
import type { FactorResult, FactorVerification } from '../../facade/result.ts';
import type { CredentialRecord, OtpFactorRecord } from '../../store/types.ts';
import { isRecord, readJson } from './body.ts';
import type { OktaContext } from './context.ts';
import { cause, json, type OktaErrorCause, oktaError } from './errors.ts';
import { safeId } from './tokens.ts';

/**
 * `/api/v1/users/{userId}/factors…` — Okta's user factor lifecycle (protocols §5.2/§5.3) over the
 * façade: list, enroll (`activate` query), get, delete (reset), `lifecycle/activate`, `verify`,
 * `catalog`, for `u2f`, `webauthn`, `token:hardware` (YUBICO), `token` (SYMANTEC), `token:hotp`
 * (CUSTOM) and `token:software:totp` (OKTA, GOOGLE).
 *
 * Factors are not a separate table: each is the façade record it stands for, so an Okta client
 * and in-process calls see one state. Factor ids: `otp_…` (HOTP/TOTP/VIP records), `ykk…` (the
 * YubiKey token), `fu2…`/`fwa…` + the credential id (U2F key handle / WebAuthn credential id). A
 * U2F or WebAuthn enrollment pending activation is its registration challenge: its id is
 * `pu2…`/`pwa…` (a digest of the challenge) until activation creates the credential.
 */
export const USERS_PREFIX = '/api/v1/users/';

const USER_ID = /^[A-Za-z0-9._~@+-]{1,128}$/;
const FACTOR_ID = /^[A-Za-z0-9_-]{1,1100}$/;

type FactorType = 'u2f' | 'webauthn' | 'token:hardware' | 'token' | 'token:hotp' | 'token:software:totp';

interface CatalogEntry {
  readonly factorType: FactorType;
  readonly provider: string;
  readonly vendorName: string;
}

const CATALOG: readonly CatalogEntry[] = [
  { factorType: 'u2f', provider: 'FIDO', vendorName: 'FIDO' },
  { factorType: 'webauthn', provider: 'FIDO', vendorName: 'FIDO' },
  { factorType: 'token:hardware', provider: 'YUBICO', vendorName: 'YUBICO' },
  { factorType: 'token', provider: 'SYMANTEC', vendorName: 'SYMANTEC' },
  { factorType: 'token:hotp', provider: 'CUSTOM', vendorName: 'CUSTOM' },
  { factorType: 'token:software:totp', provider: 'OKTA', vendorName: 'OKTA' },
  { factorType: 'token:software:totp', provider: 'GOOGLE', vendorName: 'GOOGLE' },
];

/** An Okta factor as this API knows it (derived from a façade record). */
interface Factor {
  readonly id: string;
  readonly factorType: FactorType;
  readonly provider: string;
  readonly status: 'ACTIVE' | 'PENDING_ACTIVATION' | 'INACTIVE';
  readonly created: string;
  readonly lastUpdated: string;
  readonly profile: Record<string, unknown>;
  readonly source:
    | { readonly kind: 'otp'; readonly record: OtpFactorRecord }
    | { readonly kind: 'yubikey'; readonly token: YubikeyToken }
    | { readonly kind: 'credential'; readonly record: CredentialRecord };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function otpFactor(r: OtpFactorRecord): Factor {
  const base = {
    id: r.id,
    created: iso(r.createdAt),
    lastUpdated: iso(r.lastVerifiedAt ?? r.createdAt),
    source: { kind: 'otp' as const, record: r },
  };
  if (r.type === 'vip') {
    return {
      ...base,
      factorType: 'token',
      provider: 'SYMANTEC',
      status: 'ACTIVE',
      profile: typeof r.params.credentialId === 'string' ? { credentialId: r.params.credentialId } : {},
    };
  }
  if (r.type === 'hotp')
    return { ...base, factorType: 'token:hotp', provider: 'CUSTOM', status: 'ACTIVE', profile: {} };
  return {
    ...base,
    factorType: 'token:software:totp',
    // GOOGLE is accepted at enrollment as an alias; the record does not keep which was asked for.
    provider: 'OKTA',
    // Activation is the first accepted code: before it the record has no replay position.
    status: r.counter === null ? 'PENDING_ACTIVATION' : 'ACTIVE',
    profile: {},
  };
}

function yubikeyFactor(t: YubikeyToken): Factor {
  return {
    id: t.id,
    factorType: 'token:hardware',
    provider: 'YUBICO',
    status: t.status === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    created: t.activated ?? t.created,
    lastUpdated: t.lastUpdated,
    profile: { credentialId: t.profile.serial ?? t.profile.publicId },
    source: { kind: 'yubikey', token: t },
  };
}

function credentialFactor(r: CredentialRecord): Factor {
  const u2f = r.factor === 'u2f';
  return {
    id: `${u2f ? 'fu2' : 'fwa'}${r.id}`,
    factorType: u2f ? 'u2f' : 'webauthn',
    provider: 'FIDO',
    status: 'ACTIVE',
    created: iso(r.createdAt),
    lastUpdated: iso(r.lastUsedAt ?? r.createdAt),
    profile: u2f
      ? { credentialId: r.id, version: 'U2F_V2' }
      : {
          credentialId: r.id,
          ...(typeof r.data['aaguid'] === 'string' ? { authenticatorName: r.data['aaguid'] } : {}),
        },
    source: { kind: 'credential', record: r },
  };
}

/** A pending U2F/WebAuthn enrollment's id: a digest of its challenge (the challenge is the state). */
function pendingId(kind: 'u2f' | 'webauthn', challenge: string): string {
  const d = encodeBase64url(defaultBackend.digest('SHA-256', utf8Encode(`${kind}:${challenge}`))).slice(
    0,
    22,
  );
  return `${kind === 'u2f' ? 'pu2' : 'pwa'}${d}`;
}

async function userFactors(ctx: OktaContext, userId: string): Promise<Factor[]> {
  const [otp, creds, tokens] = await Promise.all([
    ctx.fk.store.otp.list(userId),
    ctx.fk.store.credentials.list(userId),
    ctx.fk.yubikey.tokens.list({ filter: { userId }, limit: 200 }),
  ]);
  return [
    ...(tokens.ok ? tokens.tokens.map(yubikeyFactor) : []),
    ...otp.map(otpFactor),
    ...creds.map(credentialFactor),
  ].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

async function findFactor(ctx: OktaContext, userId: string, id: string): Promise<Factor | undefined> {
  if (id.startsWith('otp_')) {
    const r = await ctx.fk.store.otp.get(id);
    return r !== undefined && r.userId === userId ? otpFactor(r) : undefined;
  }
  if (id.startsWith('ykk')) {
    const t = await ctx.fk.yubikey.tokens.get(id);
    return t !== undefined &&
      t.userId === userId &&
      (t.status === 'ACTIVE' || t.status === 'INACTIVE' || t.status === 'BLOCKED')
      ? yubikeyFactor(t)
      : undefined;
  }
  if (id.startsWith('fu2') || id.startsWith('fwa')) {
    const r = await ctx.fk.store.credentials.get(id.slice(3));
    const kind = id.startsWith('fu2') ? 'u2f' : 'webauthn';
    return r !== undefined && r.userId === userId && r.factor === kind ? credentialFactor(r) : undefined;
  }
  return undefined;
}

function factorHref(base: string, userId: string, id: string): string {
  return `${base}${USERS_PREFIX}${encodeURIComponent(userId)}/factors/${encodeURIComponent(id)}`;
}

function verifyLink(base: string, userId: string, id: string) {
  return { href: `${factorHref(base, userId, id)}/verify`, hints: { allow: ['POST'] } };
}

function links(base: string, userId: string, f: { id: string; status: string; factorType: string }) {
  const factor = `${base}${USERS_PREFIX}${encodeURIComponent(userId)}/factors/${encodeURIComponent(f.id)}`;
  return {
    self: { href: factor, hints: { allow: ['GET', 'DELETE'] } },
    ...(f.status === 'PENDING_ACTIVATION'
      ? { activate: { href: `${factor}/lifecycle/activate`, hints: { allow: ['POST'] } } }
      : { verify: { href: `${factor}/verify`, hints: { allow: ['POST'] } } }),
    user: { href: `${base}${USERS_PREFIX}${encodeURIComponent(userId)}`, hints: { allow: ['GET'] } },
  };
}

function factorJson(
  base: string,
  userId: string,
  f: Factor,
  embedded?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: f.id,
    factorType: f.factorType,
    provider: f.provider,
    vendorName: f.provider,
    status: f.status,
    created: f.created,
    lastUpdated: f.lastUpdated,
    profile: f.profile,
    ...(embedded === undefined ? {} : { _embedded: embedded }),
    _links: links(base, userId, f),
  };
}

const notFound = (what: string) =>
  oktaError('E0000007', [cause(`Resource not found: ${safeId(what)} (UserFactor)`, 'factorId')]);
const invalidPasscode = (
  summary = "Your passcode doesn't match our records. Please try again.",
  reason?: string,
) => oktaError('E0000068', [cause(summary, 'passCode', reason)]);
const validation = (summary: string, location: string, reason?: string) =>
  oktaError('E0000001', [cause(summary, location, reason)]);

/**
 * Maps a failed façade verification onto Okta's answer (403 E0000068 and friends). A TIMEOUT is
 * a `factorResult` of a verification (200), but a failed activation (403: enroll again).
 */
function failed(result: FactorVerification<unknown>, during: 'verify' | 'activate' = 'verify'): Response {
  if (during === 'activate' && result.factorResult === 'TIMEOUT')
    return invalidPasscode('The activation expired; enroll the factor again', result.code ?? undefined);
  switch (result.factorResult as FactorResult) {
    case 'PASSCODE_REPLAYED':
      return invalidPasscode(
        'Each code can only be used once. Please wait for a new code and try again.',
        result.code ?? undefined,
      );
    case 'LOCKED_OUT': {
      const retry = result.retryAfterSeconds;
      return oktaError(
        'E0000069',
        [cause('Too many failed attempts; try again later', 'passCode', result.code ?? undefined)],
        typeof retry === 'number' ? { 'retry-after': String(Math.max(1, Math.ceil(retry))) } : {},
      );
    }
    case 'TIMEOUT':
      return json({ factorResult: 'TIMEOUT' });
    case 'ERROR':
      return oktaError('E0000009');
    default:
      return invalidPasscode(undefined, result.code ?? undefined);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** base64 or base64url → base64url (Okta's clients send either). */
function toBase64url(v: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v) || v.length > 100_000) return undefined;
  return v.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Enrollment

async function enroll(ctx: OktaContext, request: Request, url: URL, userId: string): Promise<Response> {
  const body = await readJson(request, ctx.maxJsonBytes);
  if (!body.ok) return body.response;
  if (!isRecord(body.value)) return oktaError('E0000003', [cause('the body must be a JSON object', 'body')]);
  const b = body.value;
  const factorType = b['factorType'];
  const provider = b['provider'];
  const entry = CATALOG.find((c) => c.factorType === factorType && c.provider === provider);
  if (entry === undefined) {
    return validation(
      `factorType/provider must be one of ${CATALOG.map((c) => `${c.factorType}/${c.provider}`).join(', ')}`,
      'factorType',
    );
  }
  const activate = url.searchParams.get('activate');
  if (activate !== null && activate !== 'true' && activate !== 'false')
    return validation('activate must be true or false', 'activate');
  const profile = b['profile'] === undefined ? {} : b['profile'];
  const verify = b['verify'] === undefined ? {} : b['verify'];
  if (!isRecord(profile)) return validation('profile must be an object', 'profile');
  if (!isRecord(verify)) return validation('verify must be an object', 'verify');
  const base = ctx.baseUrl(request);
  switch (entry.factorType) {
    case 'token:hardware':
      return enrollYubikey(ctx, base, userId, verify);
    case 'token':
      return enrollVip(ctx, base, userId, profile, verify);
    case 'token:hotp':
      return enrollHotp(ctx, base, userId, profile, activate === 'true', b['factorProfileId']);
    case 'token:software:totp':
      return enrollTotp(ctx, base, userId);
    case 'u2f':
      return enrollU2f(ctx, base, userId);
    case 'webauthn':
      return enrollWebAuthn(ctx, base, userId);
  }
}

async function enrollYubikey(
  ctx: OktaContext,
  base: string,
  userId: string,
  verify: Record<string, unknown>,
) {
  const passCode = str(verify['passCode']);
  if (passCode === undefined)
    return validation('verify.passCode (the OTP of a first touch) is required', 'verify.passCode');
  const r = await ctx.fk.yubikey.enroll({ userId, passCode });
  if (r.factorResult !== 'SUCCESS' || r.details === undefined) {
    if (r.code === 'ERR_TOKEN_ALREADY_ASSIGNED')
      return validation('This YubiKey is already enrolled', 'verify.passCode', r.code);
    return failed(r);
  }
  return json(factorJson(base, userId, yubikeyFactor(r.details.token)));
}

async function enrollVip(
  ctx: OktaContext,
  base: string,
  userId: string,
  profile: Record<string, unknown>,
  verify: Record<string, unknown>,
) {
  const credentialId = str(profile['credentialId']);
  const given = profile['sharedSecret'];
  const passCode = verify['passCode'];
  const nextPassCode = verify['nextPassCode'];
  const causes: OktaErrorCause[] = [];
  if (credentialId === undefined)
    causes.push(cause('profile.credentialId is required', 'profile.credentialId'));
  if (given !== undefined && str(given) === undefined)
    causes.push(cause('profile.sharedSecret must be a base32 string', 'profile.sharedSecret'));
  // Okta's OpenAPI types nextPassCode as an integer; both forms are read as the digits they carry.
  const code = (v: unknown) =>
    typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
  if (code(passCode) === undefined) causes.push(cause('verify.passCode is required', 'verify.passCode'));
  if (code(nextPassCode) === undefined)
    causes.push(cause('verify.nextPassCode is required', 'verify.nextPassCode'));
  if (causes.length > 0) return oktaError('E0000001', causes);
  // The secret: in the request (factorkit's extension) or from the VIP provisioning lookup.
  const secret = str(given) ?? (await ctx.vipSecrets?.(credentialId as string));
  if (secret === undefined) {
    return validation(
      'no secret is known for this VIP credential (profile.sharedSecret, or the vipSecrets lookup)',
      'profile.credentialId',
    );
  }
  let r: Awaited<ReturnType<typeof ctx.fk.otp.enrollVip>>;
  try {
    r = await ctx.fk.otp.enrollVip({
      userId,
      credentialId: credentialId as string,
      secret,
      ...(typeof secret === 'string' ? { encoding: 'base32' as const } : {}),
      passCode: code(passCode) as string,
      nextPassCode: code(nextPassCode) as string,
    });
  } catch {
    return validation('profile.sharedSecret or profile.credentialId is not usable', 'profile');
  }
  if (r.factorResult !== 'SUCCESS' || r.details === undefined) return failed(r);
  const record = await ctx.fk.store.otp.get(r.details.factorId);
  if (record === undefined) return oktaError('E0000009');
  return json(factorJson(base, userId, otpFactor(record)));
}

interface HotpProfileSettings {
  readonly algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  readonly otpLength?: number;
  readonly encoding?: 'base32' | 'hex' | 'base64';
}

async function enrollHotp(
  ctx: OktaContext,
  base: string,
  userId: string,
  profile: Record<string, unknown>,
  activate: boolean,
  factorProfileId: unknown,
) {
  if (!activate) return validation('token:hotp supports only activate=true (auto-activation)', 'activate');
  const secret = str(profile['sharedSecret']);
  if (secret === undefined) return validation('profile.sharedSecret is required', 'profile.sharedSecret');
  let settings: HotpProfileSettings = {};
  if (factorProfileId !== undefined) {
    const p = typeof factorProfileId === 'string' ? ctx.hotpProfiles[factorProfileId] : undefined;
    if (p === undefined)
      return validation('factorProfileId is not a configured HOTP profile', 'factorProfileId');
    settings = p;
  }
  let enrolled: Awaited<ReturnType<typeof ctx.fk.otp.enrollHotp>>;
  try {
    enrolled = await ctx.fk.otp.enrollHotp({
      userId,
      secret,
      encoding: settings.encoding ?? 'base32',
      ...(settings.algorithm === undefined ? {} : { algorithm: settings.algorithm }),
      ...(settings.otpLength === undefined ? {} : { digits: settings.otpLength }),
    });
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    return validation(
      'profile.sharedSecret is not a usable secret in the profile encoding (or too short)',
      'profile.sharedSecret',
      typeof code === 'string' ? code : undefined,
    );
  }
  const record = await ctx.fk.store.otp.get(enrolled.factorId);
  if (record === undefined) return oktaError('E0000009');
  return json(factorJson(base, userId, otpFactor(record)));
}

async function enrollTotp(ctx: OktaContext, base: string, userId: string) {
  // The secret is generated here (160 bits, RFC 4226 §4 R6) and shown once, in this response.
  const secret = generateSecret(20);
  try {
    const enrolled = await ctx.fk.otp.enrollTotp({ userId, secret });
    const record = await ctx.fk.store.otp.get(enrolled.factorId);
    if (record === undefined) return oktaError('E0000009');
    const sharedSecret = encodeSecretBase32(secret);
    const uri = formatOtpauthUri({
      type: 'totp',
      accountName: userId,
      issuer: ctx.issuer,
      secret,
    });
    const qr = await renderQrCode(uri, { format: 'dataUrl' });
    const f = otpFactor(record);
    return json(
      factorJson(base, userId, f, {
        activation: {
          timeStep: 30,
          sharedSecret,
          encoding: 'base32',
          keyLength: 6,
          _links: { qrcode: { href: qr, type: 'image/png' } },
        },
      }),
    );
  } finally {
    secret.fill(0);
  }
}

function needOrigin(ctx: OktaContext): Response | undefined {
  return ctx.origin === undefined
    ? validation('u2f and webauthn need the API configured with the origin ceremonies run on', 'factorType')
    : undefined;
}

async function enrollU2f(ctx: OktaContext, base: string, userId: string) {
  const refused = needOrigin(ctx);
  if (refused !== undefined) return refused;
  const req = await ctx.fk.u2f.startRegistration({ userId, origin: ctx.origin as string });
  const nonce = req.registerRequests[0].challenge;
  const now = ctx.clock().toISOString();
  const f = {
    id: pendingId('u2f', nonce),
    factorType: 'u2f',
    provider: 'FIDO',
    vendorName: 'FIDO',
    status: 'PENDING_ACTIVATION',
    created: now,
    lastUpdated: now,
    profile: {},
  };
  return json({
    ...f,
    _embedded: {
      activation: {
        version: 'U2F_V2',
        nonce,
        appId: req.appId,
        timeoutSeconds: req.timeoutSeconds,
        registeredKeys: req.registeredKeys,
      },
    },
    _links: links(base, userId, f),
  });
}

async function enrollWebAuthn(ctx: OktaContext, base: string, userId: string) {
  const refused = needOrigin(ctx);
  if (refused !== undefined) return refused;
  const options = await ctx.fk.webauthn.startRegistration({
    userId,
    userName: userId,
    origin: ctx.origin as string,
  });
  const now = ctx.clock().toISOString();
  const f = {
    id: pendingId('webauthn', options.challenge),
    factorType: 'webauthn',
    provider: 'FIDO',
    vendorName: 'FIDO',
    status: 'PENDING_ACTIVATION',
    created: now,
    lastUpdated: now,
    profile: {},
  };
  return json({ ...f, _embedded: { activation: options }, _links: links(base, userId, f) });
}

// ---------------------------------------------------------------------------------------------
// Activation (rate limited: Okta's five attempts within five minutes per user)

async function rateLimit(
  ctx: OktaContext,
  userId: string,
): Promise<{ ok: true; headers: Record<string, string> } | { ok: false; response: Response }> {
  const { attempts, windowSeconds } = ctx.activationLimit;
  const now = ctx.clock().getTime();
  const state = await ctx.fk.store.attempts.record(`okta-activate:${userId}`, now, windowSeconds * 1000);
  const reset = Math.ceil((state.windowStartedAt + windowSeconds * 1000) / 1000);
  const headers = {
    'x-rate-limit-limit': String(attempts),
    'x-rate-limit-remaining': String(Math.max(0, attempts - state.count)),
    'x-rate-limit-reset': String(reset),
  };
  if (state.count > attempts) {
    return {
      ok: false,
      response: oktaError(
        'E0000047',
        [
          cause(
            `at most ${attempts} activation attempts within ${windowSeconds / 60} minutes`,
            'lifecycle/activate',
          ),
        ],
        { ...headers, 'retry-after': String(Math.max(1, reset - Math.floor(now / 1000))) },
      ),
    };
  }
  return { ok: true, headers };
}

function withHeaders(r: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
  return r;
}

async function activate(
  ctx: OktaContext,
  request: Request,
  userId: string,
  factorId: string,
): Promise<Response> {
  const limited = await rateLimit(ctx, userId);
  if (!limited.ok) {
    await request.body?.cancel().catch(() => undefined);
    return limited.response;
  }
  return withHeaders(await activateFactor(ctx, request, userId, factorId), limited.headers);
}

async function activateFactor(
  ctx: OktaContext,
  request: Request,
  userId: string,
  factorId: string,
): Promise<Response> {
  const body = await readJson(request, ctx.maxJsonBytes);
  if (!body.ok) return body.response;
  const b = body.value === undefined ? {} : body.value;
  if (!isRecord(b)) return oktaError('E0000003', [cause('the body must be a JSON object', 'body')]);
  const base = ctx.baseUrl(request);
  if (factorId.startsWith('pu2') || factorId.startsWith('pwa'))
    return activatePending(ctx, base, userId, factorId, b);
  const f = await findFactor(ctx, userId, factorId);
  if (f === undefined) return notFound(factorId);
  if (f.status !== 'PENDING_ACTIVATION' || f.source.kind !== 'otp')
    return validation('the factor is not pending activation', 'factorId');
  const passCode = str(b['passCode']);
  if (passCode === undefined) return validation('passCode is required', 'passCode');
  const r = await ctx.fk.otp.verify({ userId, factorId, passCode });
  if (r.factorResult !== 'SUCCESS') return failed(r, 'activate');
  const record = await ctx.fk.store.otp.get(factorId);
  if (record === undefined) return notFound(factorId);
  return json(factorJson(base, userId, otpFactor(record)));
}

async function activatePending(
  ctx: OktaContext,
  base: string,
  userId: string,
  factorId: string,
  b: Record<string, unknown>,
): Promise<Response> {
  const u2f = factorId.startsWith('pu2');
  const clientData = str(b['clientData']);
  if (clientData === undefined) return validation('clientData is required', 'clientData');
  const clientDataB64u = toBase64url(clientData);
  // The challenge inside clientData names the enrollment: it must be the one this id stands for.
  let challenge: string | undefined;
  try {
    const cd = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64url(clientDataB64u ?? '')),
    );
    challenge = typeof cd?.challenge === 'string' ? cd.challenge : undefined;
  } catch {
    challenge = undefined;
  }
  if (challenge === undefined)
    return invalidPasscode('clientData is not readable client data', 'ERR_CLIENT_DATA_MALFORMED');
  if (pendingId(u2f ? 'u2f' : 'webauthn', challenge) !== factorId) return notFound(factorId);
  if (u2f) {
    const registrationData = str(b['registrationData']);
    if (registrationData === undefined) return validation('registrationData is required', 'registrationData');
    const r = await ctx.fk.u2f.finishRegistration({ userId, response: { registrationData, clientData } });
    if (r.factorResult !== 'SUCCESS' || r.details === undefined) return failed(r, 'activate');
    const cred = await ctx.fk.store.credentials.get(r.details.keyHandle);
    if (cred === undefined) return oktaError('E0000009');
    return json(factorJson(base, userId, credentialFactor(cred)));
  }
  const attestation = str(b['attestation']);
  const attestationB64u = attestation === undefined ? undefined : toBase64url(attestation);
  if (attestationB64u === undefined || clientDataB64u === undefined)
    return validation('attestation is required (base64 or base64url)', 'attestation');
  // The credential id is read from the attested credential data (the façade re-verifies it all).
  let credentialId: string;
  try {
    const ao = decodeCbor(decodeBase64url(attestationB64u)) as Map<unknown, unknown>;
    const authData = ao instanceof Map ? ao.get('authData') : undefined;
    const parsed = parseAuthenticatorData(authData as Uint8Array);
    if (parsed.attestedCredentialData === undefined) throw new Error('no attested credential');
    credentialId = encodeBase64url(parsed.attestedCredentialData.credentialId);
  } catch {
    return invalidPasscode('attestation is not a readable attestation object', 'ERR_ATTESTATION_MALFORMED');
  }
  const r = await ctx.fk.webauthn.finishRegistration({
    userId,
    response: {
      id: credentialId,
      rawId: credentialId,
      type: 'public-key',
      response: { clientDataJSON: clientDataB64u, attestationObject: attestationB64u },
      clientExtensionResults: {},
    },
  });
  if (r.factorResult !== 'SUCCESS' || r.details === undefined) return failed(r, 'activate');
  const cred = await ctx.fk.store.credentials.get(r.details.credentialId);
  if (cred === undefined) return oktaError('E0000009');
  return json(factorJson(base, userId, credentialFactor(cred)));
}

// ---------------------------------------------------------------------------------------------
// Verification

async function verify(
  ctx: OktaContext,
  request: Request,
  userId: string,
  factorId: string,
): Promise<Response> {
  const body = await readJson(request, ctx.maxJsonBytes);
  if (!body.ok) return body.response;
  const b = body.value === undefined ? {} : body.value;
  if (!isRecord(b)) return oktaError('E0000003', [cause('the body must be a JSON object', 'body')]);
  const f = await findFactor(ctx, userId, factorId);
  if (f === undefined) return notFound(factorId);
  if (f.status === 'PENDING_ACTIVATION') return validation('the factor must be activated first', 'factorId');
  if (f.status !== 'ACTIVE') return validation('the factor is not active', 'factorId');
  const base = ctx.baseUrl(request);
  const ok = () => json({ factorResult: 'SUCCESS', _links: { factor: links(base, userId, f).self } });
  switch (f.source.kind) {
    case 'otp':
    case 'yubikey': {
      const passCode = str(b['passCode']);
      if (passCode === undefined) return validation('passCode is required', 'passCode');
      const r =
        f.source.kind === 'otp'
          ? await ctx.fk.otp.verify({ userId, factorId, passCode })
          : await ctx.fk.yubikey.verify({ userId, passCode });
      if (r.factorResult !== 'SUCCESS') return failed(r);
      // A YubiKey OTP names its token: it must be this factor's token, not another of the user's.
      if (
        f.source.kind === 'yubikey' &&
        (r.details as { token?: { id?: string } } | undefined)?.token?.id !== f.id
      )
        return invalidPasscode(undefined, 'ERR_TOKEN_MISMATCH');
      return ok();
    }
    case 'credential':
      return f.factorType === 'u2f'
        ? verifyU2f(ctx, base, userId, f, b, ok)
        : verifyWebAuthn(ctx, base, userId, f, b, ok);
  }
}

async function verifyU2f(
  ctx: OktaContext,
  base: string,
  userId: string,
  f: Factor,
  b: Record<string, unknown>,
  ok: () => Response,
): Promise<Response> {
  const keyHandle = f.source.kind === 'credential' ? f.source.record.id : '';
  const clientData = str(b['clientData']);
  const signatureData = str(b['signatureData']);
  if (clientData === undefined && signatureData === undefined) {
    const refused = needOrigin(ctx);
    if (refused !== undefined) return refused;
    const req = await ctx.fk.u2f.startSign({ userId, origin: ctx.origin as string });
    return json({
      factorResult: 'CHALLENGE',
      profile: f.profile,
      _embedded: {
        challenge: {
          nonce: req.challenge,
          appId: req.appId,
          timeoutSeconds: req.timeoutSeconds,
          registeredKeys: req.registeredKeys.filter((k) => k.keyHandle === keyHandle),
        },
      },
      _links: { verify: verifyLink(base, userId, f.id), factor: links(base, userId, f).self },
    });
  }
  if (clientData === undefined || signatureData === undefined)
    return validation(
      'clientData and signatureData are both required',
      clientData === undefined ? 'clientData' : 'signatureData',
    );
  const r = await ctx.fk.u2f.finishSign({ userId, response: { keyHandle, clientData, signatureData } });
  return r.factorResult === 'SUCCESS' ? ok() : failed(r);
}

async function verifyWebAuthn(
  ctx: OktaContext,
  base: string,
  userId: string,
  f: Factor,
  b: Record<string, unknown>,
  ok: () => Response,
): Promise<Response> {
  const credentialId = f.source.kind === 'credential' ? f.source.record.id : '';
  const clientData = str(b['clientData']);
  const authenticatorData = str(b['authenticatorData']);
  const signatureData = str(b['signatureData']);
  if (clientData === undefined && authenticatorData === undefined && signatureData === undefined) {
    const refused = needOrigin(ctx);
    if (refused !== undefined) return refused;
    const options = await ctx.fk.webauthn.startAuthentication({ userId, origin: ctx.origin as string });
    return json({
      factorResult: 'CHALLENGE',
      profile: f.profile,
      _embedded: { challenge: { ...options, allowCredentials: [{ type: 'public-key', id: credentialId }] } },
      _links: { verify: verifyLink(base, userId, f.id), factor: links(base, userId, f).self },
    });
  }
  const cd = clientData === undefined ? undefined : toBase64url(clientData);
  const ad = authenticatorData === undefined ? undefined : toBase64url(authenticatorData);
  const sig = signatureData === undefined ? undefined : toBase64url(signatureData);
  if (cd === undefined || ad === undefined || sig === undefined) {
    return validation(
      'clientData, authenticatorData and signatureData are required (base64 or base64url)',
      cd === undefined ? 'clientData' : ad === undefined ? 'authenticatorData' : 'signatureData',
    );
  }
  const userHandle = f.source.kind === 'credential' ? f.source.record.data['userHandle'] : undefined;
  const r = await ctx.fk.webauthn.finishAuthentication({
    userId,
    response: {
      id: credentialId,
      rawId: credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: cd,
        authenticatorData: ad,
        signature: sig,
        ...(typeof userHandle === 'string' ? { userHandle } : {}),
      },
      clientExtensionResults: {},
    },
  });
  return r.factorResult === 'SUCCESS' ? ok() : failed(r);
}

// ---------------------------------------------------------------------------------------------
// Delete (reset)

async function unenroll(ctx: OktaContext, userId: string, factorId: string): Promise<Response> {
  const f = await findFactor(ctx, userId, factorId);
  if (f === undefined) return notFound(factorId);
  switch (f.source.kind) {
    case 'otp':
      await ctx.fk.otp.delete({ userId, factorId });
      break;
    case 'yubikey': {
      // Okta's reset: the token goes back to UNASSIGNED (seed and counters kept: old OTPs stay spent).
      const r = await ctx.fk.yubikey.tokens.unassign(f.id);
      if (!r.ok && r.code !== 'ERR_TOKEN_NOT_FOUND') return validation(r.message, 'factorId', r.code);
      break;
    }
    case 'credential':
      await ctx.fk.store.credentials.delete(f.source.record.id);
      break;
  }
  return new Response(null, { status: 204 });
}

// ---------------------------------------------------------------------------------------------

async function catalog(ctx: OktaContext, request: Request, userId: string): Promise<Response> {
  const base = ctx.baseUrl(request);
  const enrolled = await userFactors(ctx, userId);
  return json(
    CATALOG.map((c) => ({
      factorType: c.factorType,
      provider: c.provider,
      vendorName: c.vendorName,
      enrollment: 'OPTIONAL',
      status: enrolled.some(
        (f) => f.factorType === c.factorType && f.provider === c.provider && f.status === 'ACTIVE',
      )
        ? 'ACTIVE'
        : 'NOT_SETUP',
      _links: {
        enroll: {
          href: `${base}${USERS_PREFIX}${encodeURIComponent(userId)}/factors`,
          hints: { allow: ['POST'] },
        },
      },
    })),
  );
}

/** Routes `/api/v1/users/{userId}/factors…`; `undefined` when the path is not one of them. */
export async function routeFactors(
  ctx: OktaContext,
  request: Request,
  url: URL,
): Promise<Response | undefined> {
  const parts = url.pathname.slice(USERS_PREFIX.length).split('/');
  if (parts.length < 2 || parts[1] !== 'factors') return undefined;
  let userId: string;
  let factorId: string | undefined;
  try {
    userId = decodeURIComponent(parts[0] as string);
    factorId = parts[2] === undefined ? undefined : decodeURIComponent(parts[2]);
  } catch {
    return notFound('user');
  }
  if (!USER_ID.test(userId)) return oktaError('E0000007', [cause('Resource not found (User)', 'userId')]);
  const m = request.method;
  const rest = parts.slice(3).join('/');
  if (factorId === undefined || (factorId === '' && parts.length === 3)) {
    if (m === 'GET') {
      const base = ctx.baseUrl(request);
      return json((await userFactors(ctx, userId)).map((f) => factorJson(base, userId, f)));
    }
    if (m === 'POST') return enroll(ctx, request, url, userId);
    return oktaError('E0000022', [], { allow: 'GET, POST' });
  }
  if (factorId === 'catalog' && rest === '') {
    if (m === 'GET') return catalog(ctx, request, userId);
    return oktaError('E0000022', [], { allow: 'GET' });
  }
  if (!FACTOR_ID.test(factorId)) return notFound(factorId);
  if (rest === '') {
    if (m === 'GET') {
      const f = await findFactor(ctx, userId, factorId);
      return f === undefined ? notFound(factorId) : json(factorJson(ctx.baseUrl(request), userId, f));
    }
    if (m === 'DELETE') return unenroll(ctx, userId, factorId);
    return oktaError('E0000022', [], { allow: 'GET, DELETE' });
  }
  if (rest === 'lifecycle/activate') {
    if (m === 'POST') return activate(ctx, request, userId, factorId);
    return oktaError('E0000022', [], { allow: 'POST' });
  }
  if (rest === 'verify') {
    if (m === 'POST') return verify(ctx, request, userId, factorId);
    return oktaError('E0000022', [], { allow: 'POST' });
  }
  return undefined;
}
