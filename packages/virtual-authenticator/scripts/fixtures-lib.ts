import { createHash } from 'node:crypto';
import { concat } from '@factorkit/core';
// Builds every case file of the repo's `fixtures/virtual/` folder in memory. The script
// (generate-fixtures.ts) writes them; a test regenerates and compares byte for byte.
// Case format: the shared corpus format (see @factorkit/testkit's FixtureCase).
import type { FixtureCase, FixtureContext, FixtureExpect } from '@factorkit/testkit';
import {
  type AttestationFormat,
  type AuthenticationResponseJSON,
  type CborValue,
  COSE_ALGORITHMS,
  type CoseAlgorithmName,
  decodeAuthenticatorData,
  decodeCborMap,
  defaultTestCa,
  encodeAuthenticatorData,
  encodeCbor,
  fromBase64url,
  HotpToken,
  mutate,
  type OtpAlgorithm,
  packedAttestationCertificate,
  type RegistrationResponseJSON,
  TotpToken,
  toBase64url,
  U2FToken,
  VipCredential,
  VirtualAuthenticator,
  VirtualYubiKey,
} from '../src/index.ts';

/** The clock every generated case is verified at. */
export const FIXTURE_NOW = '2025-06-01T00:00:00.000Z';
const NOW_SECONDS = Date.parse(FIXTURE_NOW) / 1000;

export interface GeneratedFile {
  /** Path relative to the repo's `fixtures/` folder, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

const SOURCE = {
  repo: null,
  path: 'packages/virtual-authenticator/scripts/fixtures-lib.ts',
  commit: null,
  license: 'Apache-2.0',
} as const;

class Collector {
  readonly files: GeneratedFile[] = [];
  add(
    folder: string,
    stem: string,
    c: {
      kind: string;
      device: string;
      format?: string | null;
      response: object;
      context: FixtureContext;
      expect: FixtureExpect;
      notes: string;
    },
  ): void {
    const id = `${folder}/${stem}`;
    const value: FixtureCase = {
      id,
      kind: c.kind,
      device: c.device,
      provenance: 'virtual',
      format: c.format ?? null,
      source: { ...SOURCE, test: id },
      response: c.response as Record<string, unknown>,
      context: c.context,
      expect: c.expect,
      notes: c.notes,
    };
    this.files.push({ path: `${id}.json`, content: `${JSON.stringify(value, null, 2)}\n` });
  }
}

const ok = (result: Record<string, unknown> = {}): FixtureExpect => ({
  verified: true,
  scope: 'ceremony',
  error: null,
  result,
});
const fail = (error: string): FixtureExpect => ({ verified: false, scope: 'ceremony', error, result: {} });

// ---------------------------------------------------------------------------------------------
// WebAuthn

const ORIGIN = 'https://login.example.com';
const RP_ID = 'example.com';
const EVIL_ORIGIN = 'https://login.example.net';
// The classical algorithms: ML-DSA responses are verified from real-device captures, Chromium
// and Wycheproof instead (the independent re-check here uses node:crypto, which has no ML-DSA on Node 20).
const ALGS: readonly CoseAlgorithmName[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'];
const challengeFor = (label: string): string =>
  toBase64url(new TextEncoder().encode(`challenge:${label}`.padEnd(32, '.')));

type RegVariant = { name: string; format: AttestationFormat; self: boolean };
const REG_VARIANTS: RegVariant[] = [
  { name: 'none', format: 'none', self: false },
  { name: 'packed-self', format: 'packed', self: true },
  { name: 'packed-full', format: 'packed', self: false },
];

function webauthnContext(challenge: string, extra: Partial<FixtureContext> = {}): FixtureContext {
  return {
    challenge,
    origin: ORIGIN,
    rpId: RP_ID,
    now: FIXTURE_NOW,
    trustAnchors: [],
    requireUserVerification: false,
    requireUserPresence: true,
    options: {},
    ...extra,
  };
}

function uuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function registrationGroup(
  out: Collector,
  folder: string,
  format: AttestationFormat,
  self: boolean,
  alg: CoseAlgorithmName,
): void {
  const va = new VirtualAuthenticator({
    seed: `fixtures/${folder}`,
    attestationFormat: format,
    selfAttestation: self,
  });
  const challenge = challengeFor(folder);
  const reg = va.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: 'dXNlci0xMjM0', name: 'alice@example.com', displayName: 'Alice' },
      challenge,
      pubKeyCredParams: [{ type: 'public-key', alg: COSE_ALGORITHMS[alg] }],
      attestation: 'direct',
    },
  });
  const trusted =
    (format === 'packed' && !self) ||
    format === 'fido-u2f' ||
    format === 'tpm' ||
    format === 'android-key' ||
    format === 'apple';
  const ctx = (extra: Partial<FixtureContext> = {}): FixtureContext =>
    webauthnContext(challenge, { trustAnchors: trusted ? [va.ca.rootPem] : [], ...extra });
  const device = `@factorkit/virtual-authenticator VirtualAuthenticator, ${format}${self ? ' self' : ''} attestation, ${alg}`;
  const authData = decodeAuthenticatorData(fromBase64url(reg.response.authenticatorData));
  const aaguid = authData.attestedCredentialData?.aaguid ?? new Uint8Array(16);
  const add = (
    stem: string,
    response: RegistrationResponseJSON,
    expect: FixtureExpect,
    notes: string,
    context = ctx(),
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.registration',
      device,
      format,
      response,
      context,
      expect,
      notes,
    });
  const resign = { resign: va };

  add(
    'registration-positive',
    reg,
    ok({
      fmt: format,
      aaguid: uuid(aaguid),
      counter: 0,
      credentialId: reg.id,
      userVerified: true,
      alg: COSE_ALGORITHMS[alg],
    }),
    `Valid registration; ${trusted ? 'attestation chains to context.trustAnchors[0] (test CA root)' : 'no attestation trust path'}.`,
  );
  add(
    'registration-challenge-mismatch',
    mutate.setChallenge(reg, challengeFor('another'), resign),
    fail('ERR_CHALLENGE_MISMATCH'),
    'clientDataJSON.challenge differs from the issued challenge; attestation re-signed over the changed clientDataJSON.',
  );
  add(
    'registration-origin-mismatch',
    mutate.setOrigin(reg, EVIL_ORIGIN, resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'clientDataJSON.origin is another site; attestation re-signed.',
  );
  add(
    'registration-type-get',
    mutate.setType(reg, 'webauthn.get', resign),
    fail('ERR_TYPE_MISMATCH'),
    'clientDataJSON.type is webauthn.get in a registration; attestation re-signed.',
  );
  add(
    'registration-rpidhash-mismatch',
    mutate.setRpIdHash(reg, 'example.net', resign),
    fail('ERR_RP_ID_HASH_MISMATCH'),
    'authenticatorData.rpIdHash = SHA-256("example.net"); attestation re-signed.',
  );
  add(
    'registration-user-not-present',
    mutate.setFlag(reg, 'UP', false, resign),
    fail('ERR_USER_PRESENCE_REQUIRED'),
    'UP flag cleared; attestation re-signed.',
  );
  add(
    'registration-uv-required-missing',
    mutate.setFlag(reg, 'UV', false, resign),
    fail('ERR_USER_VERIFICATION_REQUIRED'),
    'UV flag cleared while the RP requires user verification; attestation re-signed.',
    ctx({ requireUserVerification: true }),
  );
  add(
    'registration-trailing-authdata',
    mutate.appendTrailingBytes(reg, 'authenticatorData', Uint8Array.of(0x00), resign),
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'One extra byte after the credential public key in authData (ED not set); attestation re-signed over it.',
  );
  add(
    'registration-attestation-object-truncated',
    mutate.truncate(reg, 'attestationObject', 1),
    fail('ERR_INVALID_CBOR'),
    'attestationObject missing its last byte.',
  );
  if (format === 'apple') {
    add(
      'registration-nonce-mismatch',
      mutate.setFlag(reg, 'UV', false),
      fail('ERR_ATTESTATION_INVALID'),
      'UV flag cleared after attestation: the nonce extension of the credential certificate no longer equals SHA-256(authData || clientDataHash) (§8.8 steps 2-4).',
    );
    add(
      'registration-x5c-missing',
      mutate.setAttestation(reg, 'apple', new Map()),
      fail('ERR_ATTESTATION_INVALID'),
      'apple attStmt without x5c.',
    );
    add(
      'registration-credential-key-mismatch',
      appleOtherCredentialKey(reg),
      fail('ERR_ATTESTATION_INVALID'),
      'credCert belongs to another registration of the same authenticator: its public key is not the credential public key (§8.8 step 5), and its nonce is for other data.',
    );
  } else if (format === 'none') {
    add(
      'registration-none-with-statement',
      mutate.setAttestation(reg, 'none', new Map([['sig', new Uint8Array(8)]])),
      fail('ERR_ATTESTATION_INVALID'),
      'fmt "none" requires an empty attStmt (§8.7).',
    );
  } else {
    add(
      'registration-signature-corrupted',
      mutate.corruptSignature(reg, 'flip-bit'),
      fail('ERR_INVALID_SIGNATURE'),
      'One bit of attStmt.sig flipped.',
    );
    add(
      'registration-signature-other-key',
      mutate.resignWithOtherKey(reg),
      fail('ERR_INVALID_SIGNATURE'),
      'attStmt.sig is a well-formed signature over the right data by an unrelated key.',
    );
    if (format === 'packed' || format === 'tpm' || format === 'android-key') {
      // Swap away from the statement's own alg (the attestation key's: ES256 for packed full,
      // the AIK's for tpm, the credential's for self and android-key).
      const stmtAlg = (
        decodeCborMap(fromBase64url(reg.response.attestationObject)).get('attStmt') as Map<string, CborValue>
      ).get('alg');
      const other = stmtAlg === -7 ? -257 : -7;
      add(
        'registration-alg-swapped',
        mutate.swapAttestationAlgorithm(reg, other),
        fail('ERR_ATTESTATION_INVALID'),
        `attStmt.alg rewritten from ${String(stmtAlg)} to ${other}: it no longer matches the ${self ? 'credential public key' : 'attestation key'} that made sig.`,
      );
      if (alg === 'ES256' || alg === 'ES384' || alg === 'ES512') {
        add(
          'registration-signature-der-corrupted',
          mutate.corruptSignature(reg, 'der-length'),
          fail('ERR_INVALID_SIGNATURE'),
          'attStmt.sig DER SEQUENCE length one too large.',
        );
      }
    }
    if (format === 'packed' && !self) {
      add(
        'registration-aaguid-extension-mismatch',
        aaguidMismatch(va, reg),
        fail('ERR_ATTESTATION_AAGUID_MISMATCH'),
        'authData AAGUID changed; attStmt re-signed with the leaf key, whose id-fido-gen-ce-aaguid extension holds the original AAGUID (§8.2.1).',
      );
    }
    if (format === 'tpm') {
      add(
        'registration-pubarea-mismatch',
        patchStatementBytes(reg, 'pubArea', -1),
        fail('ERR_ATTESTATION_INVALID'),
        'Last byte of pubArea.unique changed: pubArea no longer describes the credential public key and certInfo.attested.name no longer matches (§8.3.2).',
      );
      add(
        'registration-certinfo-magic',
        patchStatementBytes(reg, 'certInfo', 0),
        fail('ERR_ATTESTATION_INVALID'),
        'certInfo.magic is not TPM_GENERATED_VALUE (signature also invalid).',
      );
    }
    if (format === 'android-key') {
      add(
        'registration-challenge-not-in-certificate',
        androidStaleCertificate(va, reg),
        fail('ERR_ATTESTATION_INVALID'),
        'x5c[0] is the credential certificate of the same key but with another attestationChallenge; sig re-made with the credential key (§8.4: attestationChallenge must equal clientDataHash).',
      );
    }
    if (format === 'fido-u2f') {
      add(
        'registration-x5c-two-certs',
        u2fTwoCerts(reg),
        fail('ERR_ATTESTATION_INVALID'),
        'fido-u2f x5c must contain exactly one certificate (§8.6 step 2); here the root is appended.',
      );
    }
  }
}

/** packed full attestation over a different AAGUID than the leaf certificate's extension. */
function aaguidMismatch(va: VirtualAuthenticator, reg: RegistrationResponseJSON): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const parts = decodeAuthenticatorData(ao.get('authData') as Uint8Array);
  const acd = parts.attestedCredentialData;
  if (acd === undefined) throw new Error('no acd');
  const leaf = packedAttestationCertificate(va.ca, acd.aaguid);
  const aaguid = new Uint8Array(acd.aaguid);
  aaguid[0] = (aaguid[0] ?? 0) ^ 0xff;
  const authData = encodeAuthenticatorData({ ...parts, attestedCredentialData: { ...acd, aaguid } });
  const cdh = new Uint8Array(sha256Bytes(fromBase64url(reg.response.clientDataJSON)));
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  stmt.set('sig', leaf.key.sign(Buffer.concat([authData, cdh])));
  ao.set('attStmt', stmt);
  ao.set('authData', authData);
  return {
    ...reg,
    response: {
      ...reg.response,
      authenticatorData: toBase64url(authData),
      attestationObject: toBase64url(encodeCbor(ao)),
    },
  };
}

/** Flips one byte of a binary attStmt member (negative index counts from the end). */
function patchStatementBytes(
  reg: RegistrationResponseJSON,
  member: string,
  index: number,
): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  const bytes = new Uint8Array(stmt.get(member) as Uint8Array);
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  stmt.set(member, bytes);
  ao.set('attStmt', stmt);
  return { ...reg, response: { ...reg.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

/** Apple credCert of a second credential put in place of the first one's. */
function appleOtherCredentialKey(reg: RegistrationResponseJSON): RegistrationResponseJSON {
  const other = new VirtualAuthenticator({ seed: 'fixtures/apple-other', attestationFormat: 'apple' });
  const r2 = other.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: 'dXNlci0y', name: 'bob', displayName: 'Bob' },
      challenge: challengeFor('apple-other'),
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      attestation: 'direct',
    },
  });
  const stmt2 = decodeCborMap(fromBase64url(r2.response.attestationObject)).get('attStmt') as Map<
    string,
    CborValue
  >;
  return mutate.setAttestation(reg, 'apple', stmt2);
}

/** android-key: certificate issued for another clientDataHash, signature redone over the real data. */
function androidStaleCertificate(
  va: VirtualAuthenticator,
  reg: RegistrationResponseJSON,
): RegistrationResponseJSON {
  // Re-attest over a different clientDataJSON to get a certificate with another challenge.
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const authData = ao.get('authData') as Uint8Array;
  const stale = decodeCborMap(
    va.reattest(
      fromBase64url(reg.response.attestationObject),
      authData,
      new TextEncoder().encode('{"stale":true}'),
    ),
  );
  const staleX5c = (stale.get('attStmt') as Map<string, CborValue>).get('x5c') as CborValue;
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  stmt.set('x5c', staleX5c);
  ao.set('attStmt', stmt);
  return { ...reg, response: { ...reg.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

function u2fTwoCerts(reg: RegistrationResponseJSON): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  stmt.set('x5c', [...(stmt.get('x5c') as Uint8Array[]), defaultTestCa().root.certificate]);
  ao.set('attStmt', stmt);
  return { ...reg, response: { ...reg.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

function sha256Bytes(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}

export function authenticationGroup(out: Collector, folder: string, alg: CoseAlgorithmName): void {
  const va = new VirtualAuthenticator({ seed: `fixtures/${folder}`, attestationFormat: 'none' });
  const reg = va.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: 'dXNlci0xMjM0', name: 'alice@example.com', displayName: 'Alice' },
      challenge: challengeFor(`${folder}/registration`),
      pubKeyCredParams: [{ type: 'public-key', alg: COSE_ALGORITHMS[alg] }],
      authenticatorSelection: { residentKey: 'required' },
    },
  });
  const record = va.credential(reg.id);
  if (record === undefined) throw new Error('credential missing');
  const device = `@factorkit/virtual-authenticator VirtualAuthenticator, discoverable ${alg} credential`;
  const challenge = challengeFor(folder);
  // Three earlier logins: the stored counter is 3, this assertion carries 4.
  for (let i = 0; i < 3; i++) va.getAssertion({ origin: ORIGIN, publicKey: { challenge, rpId: RP_ID } });
  const credential = { id: reg.id, publicKey: record.publicKey, counter: 3 };
  const auth = va.getAssertion({
    origin: ORIGIN,
    publicKey: { challenge, rpId: RP_ID, userVerification: 'required' },
  });
  const ctx = (extra: Partial<FixtureContext> = {}): FixtureContext =>
    webauthnContext(challenge, { credential, ...extra });
  const add = (
    stem: string,
    response: AuthenticationResponseJSON,
    expect: FixtureExpect,
    notes: string,
    context = ctx(),
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.authentication',
      device,
      format: null,
      response,
      context,
      expect,
      notes,
    });
  const resign = { resign: va };

  add(
    'authentication-positive',
    auth,
    ok({ newCounter: 4, userVerified: true, userHandle: auth.response.userHandle }),
    'Valid assertion; stored counter 3, new counter 4; userHandle of the discoverable credential.',
    ctx({ requireUserVerification: true }),
  );
  const extra = va.getAssertion({
    origin: ORIGIN,
    publicKey: { challenge, rpId: RP_ID },
    clientDataExtra: {
      other_keys_can_be_added_here:
        'do not compare clientDataJSON against a template. See https://goo.gl/yabPex',
    },
  });
  add(
    'authentication-positive-extra-clientdata',
    extra,
    ok({ newCounter: 5 }),
    'Valid assertion whose clientDataJSON carries an extra member as Chromium adds sometimes (§5.8.1.2: must be ignored).',
  );
  add(
    'authentication-challenge-mismatch',
    mutate.setChallenge(auth, challengeFor('another'), resign),
    fail('ERR_CHALLENGE_MISMATCH'),
    'clientDataJSON.challenge differs; re-signed.',
  );
  add(
    'authentication-origin-mismatch',
    mutate.setOrigin(auth, EVIL_ORIGIN, resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'clientDataJSON.origin is another site; re-signed.',
  );
  add(
    'authentication-type-create',
    mutate.setType(auth, 'webauthn.create', resign),
    fail('ERR_TYPE_MISMATCH'),
    'clientDataJSON.type is webauthn.create; re-signed.',
  );
  add(
    'authentication-rpidhash-mismatch',
    mutate.setRpIdHash(auth, 'example.net', resign),
    fail('ERR_RP_ID_HASH_MISMATCH'),
    'rpIdHash = SHA-256("example.net"); re-signed.',
  );
  add(
    'authentication-user-not-present',
    mutate.setFlag(auth, 'UP', false, resign),
    fail('ERR_USER_PRESENCE_REQUIRED'),
    'UP flag cleared; re-signed.',
  );
  add(
    'authentication-uv-required-missing',
    mutate.setFlag(auth, 'UV', false, resign),
    fail('ERR_USER_VERIFICATION_REQUIRED'),
    'UV cleared while the RP requires UV; re-signed.',
    ctx({ requireUserVerification: true }),
  );
  add(
    'authentication-bs-without-be',
    mutate.setFlag(auth, 'BS', true, resign),
    fail('ERR_BACKUP_STATE_WITHOUT_ELIGIBILITY'),
    'BS set while BE is not (§6.1: invalid combination); re-signed.',
  );
  add(
    'authentication-counter-replayed',
    mutate.setSignCount(auth, 2, resign),
    fail('ERR_COUNTER_ROLLBACK'),
    'signCount 2 is not greater than the stored 3 (§7.2 step 22: possible clone); re-signed.',
  );
  add(
    'authentication-cross-origin',
    mutate.patchClientData(auth, { crossOrigin: true, topOrigin: EVIL_ORIGIN }, resign),
    fail('ERR_CROSS_ORIGIN_NOT_ALLOWED'),
    'crossOrigin true (embedded in another site) and the RP does not allow cross-origin use; re-signed.',
  );
  add(
    'authentication-signature-corrupted',
    mutate.corruptSignature(auth, 'flip-bit'),
    fail('ERR_INVALID_SIGNATURE'),
    'One bit of the signature flipped.',
  );
  add(
    'authentication-signature-other-key',
    mutate.resignWithOtherKey(auth, alg),
    fail('ERR_INVALID_SIGNATURE'),
    'Valid signature over the right data by an unrelated key of the same algorithm.',
  );
  add(
    'authentication-clientdata-tampered',
    mutate.setChallenge(auth, challengeFor('another')),
    fail('ERR_CHALLENGE_MISMATCH'),
    'clientDataJSON changed after signing (challenge and signature both wrong).',
  );
  add(
    'authentication-authdata-truncated',
    mutate.truncate(auth, 'authenticatorData', 1),
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'authenticatorData 36 bytes (shorter than 37).',
  );
  add(
    'authentication-authdata-trailing',
    mutate.appendTrailingBytes(auth, 'authenticatorData', Uint8Array.of(0), resign),
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'One byte after authenticatorData (no ED flag); re-signed.',
  );
  if (alg === 'ES256' || alg === 'ES384' || alg === 'ES512') {
    add(
      'authentication-signature-der-corrupted',
      mutate.corruptSignature(auth, 'der-length'),
      fail('ERR_INVALID_SIGNATURE'),
      'DER SEQUENCE length one too large.',
    );
  }
}

/**
 * Structural bad-input seeds from the security catalog (CBOR, authData, COSE, DER, clientDataJSON,
 * ids), each on an otherwise valid ES256 response so only the named defect fails.
 */
export function structureGroup(out: Collector): void {
  const folder = 'virtual/webauthn/structure-es256';
  const device = '@factorkit/virtual-authenticator VirtualAuthenticator, ES256 (structural bad-input seeds)';
  const enc = new TextEncoder();
  const regChallenge = challengeFor(`${folder}/registration`);
  const mk = (format: AttestationFormat, self = false) => {
    const va = new VirtualAuthenticator({
      seed: `fixtures/${folder}/${format}${self ? '-self' : ''}`,
      attestationFormat: format,
      selfAttestation: self,
    });
    const reg = va.createCredential({
      origin: ORIGIN,
      publicKey: {
        rp: { id: RP_ID, name: 'Example' },
        user: { id: 'dXNlci0xMjM0', name: 'alice@example.com', displayName: 'Alice' },
        challenge: regChallenge,
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        attestation: 'direct',
        authenticatorSelection: { residentKey: 'required' },
      },
    });
    return { va, reg };
  };
  const none = mk('none');
  const full = mk('packed');
  const self = mk('packed', true);
  const regCtx = (trusted: boolean): FixtureContext =>
    webauthnContext(regChallenge, { trustAnchors: trusted ? [full.va.ca.rootPem] : [] });
  const addReg = (
    stem: string,
    response: RegistrationResponseJSON,
    format: string,
    expect: FixtureExpect,
    notes: string,
    trusted = false,
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.registration',
      device,
      format,
      response,
      context: regCtx(trusted),
      expect,
      notes,
    });

  addReg(
    'registration-positive-none',
    none.reg,
    'none',
    ok({ fmt: 'none', counter: 0, credentialId: none.reg.id }),
    'Baseline for the registration seeds (fmt none).',
  );
  addReg(
    'registration-id-mismatch',
    { ...none.reg, id: full.reg.id, rawId: full.reg.id },
    'none',
    fail('ERR_CREDENTIAL_ID_MISMATCH'),
    'response.id/rawId name another credential than the attested credentialId (go-webauthn #763).',
  );
  addReg(
    'registration-rawid-differs',
    { ...none.reg, rawId: full.reg.id },
    'none',
    fail('ERR_MALFORMED_RESPONSE'),
    'rawId differs from id.',
  );
  addReg(
    'registration-at-cleared',
    mutate.setFlag(none.reg, 'AT', false),
    'none',
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'Attested credential data present but AT flag clear (conformance Resp-3 F-9).',
  );
  addReg(
    'registration-ed-without-extensions',
    mutate.setFlag(none.reg, 'ED', true),
    'none',
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'ED flag set but no extensions map follows the credential public key.',
  );
  addReg(
    'registration-cose-alg-curve-mismatch',
    mutate.swapCredentialAlgorithm(none.reg, -35),
    'none',
    fail('ERR_INVALID_PUBLIC_KEY'),
    'COSE key alg -35 (ES384) on a P-256 key (crv 1) (go-webauthn #752).',
  );
  addReg(
    'registration-cose-point-not-on-curve',
    patchCoseKey(none.reg, -3),
    'none',
    fail('ERR_INVALID_PUBLIC_KEY'),
    'Last byte of the COSE key y coordinate changed: the point is not on P-256.',
  );
  addReg(
    'registration-credential-id-too-long',
    longCredentialId(none.reg, 1024),
    'none',
    fail('ERR_CREDENTIAL_ID_TOO_LONG'),
    'credentialIdLength 1024 > 1023 (§6.5.1).',
  );
  addReg(
    'registration-attestation-object-trailing',
    mutate.appendTrailingBytes(none.reg, 'attestationObject', Uint8Array.of(0xf6)),
    'none',
    fail('ERR_INVALID_CBOR'),
    'A CBOR null after the attestationObject map (CBOR-3).',
  );
  addReg(
    'registration-attestation-object-duplicate-key',
    duplicateFmt(none.reg),
    'none',
    fail('ERR_INVALID_CBOR'),
    'attestationObject map with "fmt" twice (CBOR-5: parser differential).',
  );
  addReg(
    'registration-unknown-format',
    mutate.setAttestation(none.reg, 'packed2', new Map()),
    'packed2',
    fail('ERR_UNSUPPORTED_ATTESTATION_FORMAT'),
    'fmt "packed2" (ATT-12).',
  );
  addReg(
    'registration-self-with-x5c',
    addX5c(self.reg, full.reg),
    'packed',
    fail('ERR_INVALID_SIGNATURE'),
    'Self attestation (signed by the credential key) carrying an x5c: verified as full attestation, its signature does not match the certificate key (conformance Resp-6 F-2).',
    true,
  );
  addReg(
    'registration-full-signed-by-credential-key',
    signedByCredentialKey(full.va, full.reg),
    'packed',
    fail('ERR_INVALID_SIGNATURE'),
    'packed with x5c but sig made with the credential key instead of the batch key (conformance Resp-5 F-14).',
    true,
  );

  // Assertions
  const va = none.va;
  const challenge = challengeFor(`${folder}/authentication`);
  const record = va.credential(none.reg.id);
  if (record === undefined) throw new Error('missing credential');
  const credential = { id: none.reg.id, publicKey: record.publicKey, counter: 0, userHandle: 'dXNlci0xMjM0' };
  const auth = va.getAssertion({ origin: ORIGIN, publicKey: { challenge, rpId: RP_ID } });
  const authCtx = (extra: Partial<FixtureContext> = {}): FixtureContext =>
    webauthnContext(challenge, { credential, ...extra });
  const add = (
    stem: string,
    response: AuthenticationResponseJSON,
    expect: FixtureExpect,
    notes: string,
    context = authCtx(),
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.authentication',
      device,
      format: null,
      response,
      context,
      expect,
      notes,
    });
  const resign = { resign: va };
  const cd = (json: string) => enc.encode(json);
  const base = `"challenge":"${challenge}","origin":"${ORIGIN}","crossOrigin":false`;

  add(
    'authentication-positive',
    auth,
    ok({ newCounter: 1, userHandle: credential.userHandle }),
    'Baseline for the assertion seeds; context.credential.userHandle is the user the ceremony was started for.',
  );
  add(
    'authentication-positive-clientdata-bom',
    mutate.replaceClientDataJSON(
      auth,
      concat(Uint8Array.of(0xef, 0xbb, 0xbf), cd(`{"type":"webauthn.get",${base}}`)),
      resign,
    ),
    ok({ newCounter: 1 }),
    'clientDataJSON starts with a UTF-8 BOM: "UTF-8 decode" (Encoding standard) strips it, so it verifies (CD-3); re-signed.',
  );
  add(
    'authentication-clientdata-duplicate-type',
    mutate.replaceClientDataJSON(
      auth,
      cd(`{"type":"webauthn.create","type":"webauthn.get",${base}}`),
      resign,
    ),
    fail('ERR_CLIENT_DATA_INVALID'),
    'Duplicate "type" members: JSON.parse keeps the last (webauthn.get), other parsers the first (CD-2 parser differential); re-signed.',
  );
  add(
    'authentication-clientdata-invalid-utf8',
    mutate.replaceClientDataJSON(
      auth,
      concat(cd(`{"type":"webauthn.get",${base},"x":"`), Uint8Array.of(0xc3, 0x28), cd('"}')),
      resign,
    ),
    fail('ERR_CLIENT_DATA_INVALID'),
    'clientDataJSON contains the invalid UTF-8 sequence C3 28 (CD-3); re-signed.',
  );
  add(
    'authentication-clientdata-not-json',
    mutate.replaceClientDataJSON(auth, cd(`{"type":"webauthn.get",${base}`), resign),
    fail('ERR_CLIENT_DATA_INVALID'),
    'clientDataJSON missing its closing brace; re-signed.',
  );
  add(
    'authentication-origin-default-port',
    mutate.setOrigin(auth, `${ORIGIN}:443`, resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'Origin with an explicit default port (not how a browser serialises an origin, ORG-2); re-signed.',
  );
  add(
    'authentication-origin-uppercase',
    mutate.setOrigin(auth, ORIGIN.toUpperCase(), resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'Origin in upper case; re-signed.',
  );
  add(
    'authentication-origin-http',
    mutate.setOrigin(auth, ORIGIN.replace('https:', 'http:'), resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'http:// origin; re-signed.',
  );
  add(
    'authentication-origin-suffix',
    mutate.setOrigin(auth, 'https://evilexample.com', resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'Origin whose host merely ends with the RP ID (ORG-1); re-signed.',
  );
  add(
    'authentication-challenge-not-base64url',
    mutate.setChallenge(auth, `${challenge.slice(0, -2)}+/`, resign),
    fail('ERR_CHALLENGE_MISMATCH'),
    'Challenge with + and / (standard base64 alphabet); re-signed.',
  );
  add(
    'authentication-cross-origin-no-top-origin',
    mutate.patchClientData(auth, { crossOrigin: true }, resign),
    fail('ERR_CROSS_ORIGIN_NOT_ALLOWED'),
    'crossOrigin true without topOrigin; the RP does not allow cross-origin use; re-signed.',
  );
  add(
    'authentication-at-set',
    mutate.setFlag(auth, 'AT', true, resign),
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'AT flag on an assertion with no attested data (AD-1); re-signed.',
  );
  add(
    'authentication-ed-without-extensions',
    mutate.setFlag(auth, 'ED', true, resign),
    fail('ERR_AUTHENTICATOR_DATA_INVALID'),
    'ED flag set, no extensions map (AD-1); re-signed.',
  );
  add(
    'authentication-rawid-differs',
    { ...auth, rawId: full.reg.id },
    fail('ERR_MALFORMED_RESPONSE'),
    'rawId differs from id.',
  );
  add(
    'authentication-userhandle-mismatch',
    { ...auth, response: { ...auth.response, userHandle: 'dXNlci05OTk5' } },
    fail('ERR_USER_HANDLE_MISMATCH'),
    'userHandle names another user than the one owning the credential (OWN-1, YSA-2026-02).',
  );
  const corruptions = {
    zero: 'r = s = 0',
    'trailing-byte': '0x00 after the DER SEQUENCE',
    'extra-integer': 'an extra INTEGER inside the SEQUENCE',
    'non-minimal': 'r with a superfluous leading zero (BER)',
    raw: '64-byte raw r||s instead of DER',
    'der-integer': 'r tagged OCTET STRING',
  } as const;
  for (const [how, what] of Object.entries(corruptions) as [keyof typeof corruptions, string][]) {
    add(
      `authentication-signature-${how}`,
      mutate.corruptSignature(auth, how),
      fail('ERR_INVALID_SIGNATURE'),
      `Signature mutated: ${what} (SIG-1/2/3).`,
    );
  }
}

/** Re-encodes the credential public key with one coordinate's last byte flipped (fmt none). */
function patchCoseKey(reg: RegistrationResponseJSON, label: number): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const parts = decodeAuthenticatorData(ao.get('authData') as Uint8Array);
  const acd = parts.attestedCredentialData;
  if (acd === undefined) throw new Error('no acd');
  const key = decodeCborMap(acd.credentialPublicKey);
  const v = new Uint8Array(key.get(label) as Uint8Array);
  v[v.length - 1] = (v[v.length - 1] ?? 0) ^ 0x01;
  key.set(label, v);
  return withAuthData(
    reg,
    encodeAuthenticatorData({
      ...parts,
      attestedCredentialData: { ...acd, credentialPublicKey: encodeCbor(key) },
    }),
  );
}

function longCredentialId(reg: RegistrationResponseJSON, length: number): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const parts = decodeAuthenticatorData(ao.get('authData') as Uint8Array);
  const acd = parts.attestedCredentialData;
  if (acd === undefined) throw new Error('no acd');
  const credentialId = new Uint8Array(length).map((_, i) => (i * 7 + 3) & 0xff);
  const r = withAuthData(
    reg,
    encodeAuthenticatorData({ ...parts, attestedCredentialData: { ...acd, credentialId } }),
  );
  return { ...r, id: toBase64url(credentialId), rawId: toBase64url(credentialId) };
}

function withAuthData(reg: RegistrationResponseJSON, authData: Uint8Array): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  ao.set('authData', authData);
  return {
    ...reg,
    response: {
      ...reg.response,
      authenticatorData: toBase64url(authData),
      attestationObject: toBase64url(encodeCbor(ao)),
    },
  };
}

/** attestationObject as a 4-entry map with "fmt" twice (hand-built: the encoder cannot produce it). */
function duplicateFmt(reg: RegistrationResponseJSON): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const tail = encodeCbor(ao).slice(1); // drop the map header (0xa3)
  const bytes = concat(Uint8Array.of(0xa4), encodeCbor('fmt'), encodeCbor('packed'), tail);
  return { ...reg, response: { ...reg.response, attestationObject: toBase64url(bytes) } };
}

function addX5c(
  selfReg: RegistrationResponseJSON,
  fullReg: RegistrationResponseJSON,
): RegistrationResponseJSON {
  const fullStmt = decodeCborMap(fromBase64url(fullReg.response.attestationObject)).get('attStmt') as Map<
    string,
    CborValue
  >;
  const ao = decodeCborMap(fromBase64url(selfReg.response.attestationObject));
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  stmt.set('x5c', fullStmt.get('x5c') as CborValue);
  ao.set('attStmt', stmt);
  return { ...selfReg, response: { ...selfReg.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

function signedByCredentialKey(
  va: VirtualAuthenticator,
  reg: RegistrationResponseJSON,
): RegistrationResponseJSON {
  const ao = decodeCborMap(fromBase64url(reg.response.attestationObject));
  const authData = ao.get('authData') as Uint8Array;
  // signAssertion signs authData || SHA-256(clientDataJSON): exactly attToBeSigned.
  const sig = va.signAssertion(reg.id, authData, fromBase64url(reg.response.clientDataJSON));
  const stmt = new Map(ao.get('attStmt') as Map<string, CborValue>);
  stmt.set('sig', sig);
  ao.set('attStmt', stmt);
  return { ...reg, response: { ...reg.response, attestationObject: toBase64url(encodeCbor(ao)) } };
}

/** WebAuthn assertions of a U2F-registered credential through the FIDO AppID extension (§10.1.1). */
export function appidGroup(out: Collector): void {
  const folder = 'virtual/webauthn/appid-es256';
  const device =
    '@factorkit/virtual-authenticator U2FToken key used through WebAuthn with the appid extension';
  const appId = 'https://login.example.com/u2f/app-id.json';
  const token = new U2FToken({ seed: `fixtures/${folder}` });
  const reg = token.register({ appId, challenge: challengeFor(`${folder}/u2f`), origin: ORIGIN });
  const regBytes = fromBase64url(reg.registrationData);
  const keyHandle = toBase64url(regBytes.slice(67, 67 + (regBytes[66] ?? 0)));
  const va = new VirtualAuthenticator({ seed: `fixtures/${folder}/webauthn` });
  const record = va.importCredential(token.exportCredential(keyHandle));
  const challenge = challengeFor(folder);
  const auth = va.getAssertion({
    origin: ORIGIN,
    publicKey: {
      challenge,
      rpId: RP_ID,
      allowCredentials: [{ type: 'public-key', id: keyHandle }],
      extensions: { appid: appId },
    },
  });
  const credential = { id: keyHandle, publicKey: record.publicKey, counter: 0 };
  const ctx = (options: Record<string, unknown> = { appid: appId }): FixtureContext =>
    webauthnContext(challenge, { credential, options });
  const add = (
    stem: string,
    response: AuthenticationResponseJSON,
    expect: FixtureExpect,
    notes: string,
    context = ctx(),
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.authentication',
      device,
      format: null,
      response,
      context,
      expect,
      notes,
    });
  add(
    'authentication-positive-appid',
    auth,
    ok({ newCounter: 1, appidUsed: true }),
    `rpIdHash = SHA-256("${appId}"); the client reports appid: true and the RP requested options.appid.`,
  );
  add(
    'authentication-appid-not-requested',
    auth,
    fail('ERR_EXTENSION_OUTPUT_INVALID'),
    'Same response, but the RP never passed the appid extension: the client output appid: true is unsolicited and only SHA-256(rpId) is acceptable.',
    ctx({}),
  );
  add(
    'authentication-appid-not-reported',
    { ...auth, clientExtensionResults: {} },
    fail('ERR_RP_ID_HASH_MISMATCH'),
    'rpIdHash is the AppID hash but the client did not report appid: true.',
  );
  add(
    'authentication-appid-other',
    auth,
    fail('ERR_RP_ID_HASH_MISMATCH'),
    'The RP asked for another AppID than the one the credential is scoped to.',
    ctx({ appid: 'https://login.example.com/u2f/other.json' }),
  );
  const rpScopedVa = new VirtualAuthenticator({
    seed: `fixtures/${folder}/rp-scoped`,
    attestationFormat: 'none',
  });
  const rpReg = rpScopedVa.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: 'dXNlci0xMjM0', name: 'alice@example.com', displayName: 'Alice' },
      challenge,
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    },
  });
  const rpAuth = rpScopedVa.getAssertion({
    origin: ORIGIN,
    publicKey: { challenge, rpId: RP_ID, allowCredentials: [{ type: 'public-key', id: rpReg.id }] },
  });
  const rpRecord = rpScopedVa.credential(rpReg.id);
  add(
    'authentication-appid-reported-rp-scoped',
    { ...rpAuth, clientExtensionResults: { appid: true } },
    fail('ERR_RP_ID_HASH_MISMATCH'),
    'appid: true reported but authData is scoped to the RP ID: the RP must expect SHA-256(appid) and not fall back (go-webauthn rule).',
    webauthnContext(challenge, {
      credential: { id: rpReg.id, publicKey: rpRecord?.publicKey ?? '', counter: 0 },
      options: { appid: appId },
    }),
  );
}

/** A synced passkey: BE and BS set, signCount always 0. */
export function passkeyGroup(out: Collector): void {
  const folder = 'virtual/webauthn/passkey-es256';
  const device =
    '@factorkit/virtual-authenticator VirtualAuthenticator as a synced passkey (BE, BS, signCount 0)';
  const va = new VirtualAuthenticator({
    seed: `fixtures/${folder}`,
    attestationFormat: 'none',
    backupEligible: true,
    backupState: true,
    signCounter: 'zero',
    attachment: 'platform',
    transports: ['internal', 'hybrid'],
  });
  const reg = va.createCredential({
    origin: ORIGIN,
    publicKey: {
      rp: { id: RP_ID, name: 'Example' },
      user: { id: 'dXNlci0xMjM0', name: 'alice@example.com', displayName: 'Alice' },
      challenge: challengeFor(`${folder}/registration`),
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    },
  });
  const record = va.credential(reg.id);
  if (record === undefined) throw new Error('missing credential');
  const challenge = challengeFor(folder);
  const auth = va.getAssertion({
    origin: ORIGIN,
    publicKey: { challenge, rpId: RP_ID, userVerification: 'required' },
  });
  const credential = (counter: number) => ({
    id: reg.id,
    publicKey: record.publicKey,
    counter,
    backupEligible: true,
  });
  const ctx = (counter = 0): FixtureContext =>
    webauthnContext(challenge, { credential: credential(counter), requireUserVerification: true });
  const add = (
    stem: string,
    response: AuthenticationResponseJSON,
    expect: FixtureExpect,
    notes: string,
    context = ctx(),
  ) =>
    out.add(folder, stem, {
      kind: 'webauthn.authentication',
      device,
      format: null,
      response,
      context,
      expect,
      notes,
    });
  const resign = { resign: va };
  add(
    'authentication-positive-counter-zero',
    auth,
    ok({ newCounter: 0, credentialDeviceType: 'multiDevice', credentialBackedUp: true }),
    'Stored and received signCount both 0: allowed (§7.2 step 22 applies only when either is non-zero). BE and BS set.',
  );
  add(
    'authentication-positive-backup-state-cleared',
    mutate.setFlag(auth, 'BS', false, resign),
    ok({ newCounter: 0, credentialBackedUp: false }),
    'BS may change between ceremonies (only BE is fixed); re-signed.',
  );
  add(
    'authentication-be-changed',
    mutate.setFlag(mutate.setFlag(auth, 'BS', false), 'BE', false, resign),
    fail('ERR_BACKUP_ELIGIBILITY_CHANGED'),
    'BE cleared although the credential was registered backup-eligible (§7.2 step 18); re-signed.',
  );
  add(
    'authentication-counter-zero-after-nonzero',
    auth,
    fail('ERR_COUNTER_ROLLBACK'),
    'Stored counter 5, received 0: not greater (§7.2 step 22, possible clone).',
    ctx(5),
  );
  add(
    'authentication-uv-missing',
    mutate.setFlag(auth, 'UV', false, resign),
    fail('ERR_USER_VERIFICATION_REQUIRED'),
    'UV cleared while required; re-signed.',
  );
  add(
    'authentication-signature-other-key',
    mutate.resignWithOtherKey(auth, 'ES256'),
    fail('ERR_INVALID_SIGNATURE'),
    'Signed by an unrelated key.',
  );
}

// ---------------------------------------------------------------------------------------------
// FIDO U2F

const U2F_APPID = 'https://u2f.example.com';

export function u2fGroup(out: Collector): void {
  const folder = 'virtual/u2f';
  const token = new U2FToken({ seed: 'fixtures/u2f', counter: 41 });
  const device = '@factorkit/virtual-authenticator U2FToken (P-256, test CA attestation)';
  const challenge = challengeFor('u2f-register');
  const reg = token.register({ appId: U2F_APPID, challenge, origin: U2F_APPID });
  const regBytes = fromBase64url(reg.registrationData);
  const keyHandle = toBase64url(regBytes.slice(67, 67 + (regBytes[66] ?? 0)));
  const publicKey = toBase64url(token.publicKey(keyHandle) ?? new Uint8Array(0));
  const ca = token.ca;
  const regCtx = (): FixtureContext =>
    ({
      challenge,
      origin: U2F_APPID,
      now: FIXTURE_NOW,
      trustAnchors: [ca.rootPem],
      requireUserVerification: false,
      requireUserPresence: true,
      appId: U2F_APPID,
      facets: [U2F_APPID],
      options: {},
    }) as FixtureContext;
  const resign = { resign: { token, appId: U2F_APPID } };
  const addReg = (stem: string, response: object, expect: FixtureExpect, notes: string) =>
    out.add(folder, stem, { kind: 'u2f.register', device, response, context: regCtx(), expect, notes });
  addReg(
    'register-positive',
    reg,
    ok({ keyHandle, publicKey }),
    'Valid registration; attestation certificate issued by context.trustAnchors[0].',
  );
  addReg(
    'register-challenge-mismatch',
    mutate.patchU2FClientData(reg, { challenge: challengeFor('other') }, resign),
    fail('ERR_CHALLENGE_MISMATCH'),
    'clientData.challenge differs; re-signed.',
  );
  addReg(
    'register-origin-mismatch',
    mutate.patchU2FClientData(reg, { origin: 'https://u2f.example.net' }, resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'clientData.origin is a facet of another site; re-signed.',
  );
  addReg(
    'register-typ-get-assertion',
    mutate.patchU2FClientData(reg, { typ: 'navigator.id.getAssertion' }, resign),
    fail('ERR_CLIENT_DATA_TYP'),
    'clientData.typ is the authentication typ; re-signed.',
  );
  addReg(
    'register-reserved-byte',
    mutate.setU2FReservedByte(reg, 0x04),
    fail('ERR_RESERVED_BYTE'),
    'registrationData[0] is 0x04, not 0x05.',
  );
  addReg(
    'register-signature-corrupted',
    mutate.corruptU2FSignature(reg, 'flip-bit'),
    fail('ERR_SIGNATURE_INVALID'),
    'One bit of the attestation signature flipped.',
  );
  addReg(
    'register-signature-other-key',
    mutate.resignU2FWithOtherKey(reg, U2F_APPID),
    fail('ERR_SIGNATURE_INVALID'),
    'Attestation signature by a key other than the certificate key.',
  );
  addReg(
    'register-trailing-bytes',
    mutate.appendU2F(reg, 'registrationData', Uint8Array.of(0x00)),
    fail('ERR_TRAILING_BYTES'),
    'One byte after the attestation signature (U2F-3).',
  );
  addReg(
    'register-public-key-not-uncompressed',
    u2fKeyPrefix(reg, token),
    fail('ERR_PUBLIC_KEY_INVALID'),
    'User public key starts with 0x02 instead of 0x04; attestation re-signed over it.',
  );
  addReg(
    'register-truncated',
    mutate.truncateU2F(reg, 'registrationData', 80),
    fail('ERR_MESSAGE_TRUNCATED'),
    'registrationData cut inside the signature.',
  );

  const signChallenge = challengeFor('u2f-sign');
  const sign = token.sign({ appId: U2F_APPID, challenge: signChallenge, keyHandle, origin: U2F_APPID });
  const signCtx = (counter = 41): FixtureContext =>
    ({
      challenge: signChallenge,
      origin: U2F_APPID,
      now: FIXTURE_NOW,
      trustAnchors: [],
      requireUserVerification: false,
      requireUserPresence: true,
      appId: U2F_APPID,
      facets: [U2F_APPID],
      credential: { keyHandle, publicKey, counter },
      options: {},
    }) as FixtureContext;
  const addSign = (
    stem: string,
    response: object,
    expect: FixtureExpect,
    notes: string,
    context = signCtx(),
  ) => out.add(folder, stem, { kind: 'u2f.sign', device, response, context, expect, notes });
  addSign(
    'sign-positive',
    sign,
    ok({ counter: 42, userPresent: true }),
    'Valid authentication; stored counter 41, new 42.',
  );
  addSign(
    'sign-user-not-present',
    mutate.setU2FUserPresence(sign, 0, resign),
    fail('ERR_USER_PRESENCE_REQUIRED'),
    'User presence byte 0x00; re-signed.',
  );
  addSign(
    'sign-counter-not-increased',
    sign,
    fail('ERR_COUNTER_NOT_INCREASED'),
    'Same response against a stored counter of 42 (replay / cloned token).',
    signCtx(42),
  );
  addSign(
    'sign-counter-replayed',
    mutate.setU2FCounter(sign, 40, resign),
    fail('ERR_COUNTER_NOT_INCREASED'),
    'Counter 40 below the stored 41; re-signed.',
  );
  addSign(
    'sign-typ-finish-enrollment',
    mutate.patchU2FClientData(sign, { typ: 'navigator.id.finishEnrollment' }, resign),
    fail('ERR_CLIENT_DATA_TYP'),
    'clientData.typ is the registration typ; re-signed.',
  );
  addSign(
    'sign-challenge-mismatch',
    mutate.patchU2FClientData(sign, { challenge: challengeFor('other') }, resign),
    fail('ERR_CHALLENGE_MISMATCH'),
    'clientData.challenge differs; re-signed.',
  );
  addSign(
    'sign-origin-mismatch',
    mutate.patchU2FClientData(sign, { origin: 'https://u2f.example.net' }, resign),
    fail('ERR_ORIGIN_MISMATCH'),
    'clientData.origin of another site; re-signed.',
  );
  addSign(
    'sign-signature-corrupted',
    mutate.corruptU2FSignature(sign, 'flip-bit'),
    fail('ERR_SIGNATURE_INVALID'),
    'One bit of the signature flipped.',
  );
  addSign(
    'sign-signature-other-key',
    mutate.resignU2FWithOtherKey(sign, U2F_APPID),
    fail('ERR_SIGNATURE_INVALID'),
    'Signed by an unrelated P-256 key.',
  );
  addSign(
    'sign-trailing-bytes',
    mutate.appendU2F(sign, 'signatureData', Uint8Array.of(0x00)),
    fail('ERR_TRAILING_BYTES'),
    'One byte after the DER signature.',
  );
  addSign(
    'sign-truncated',
    mutate.truncateU2F(sign, 'signatureData', 70),
    fail('ERR_MESSAGE_TRUNCATED'),
    'signatureData only the presence byte and counter.',
  );
}

function u2fKeyPrefix(
  reg: { registrationData: string; clientData: string; version: 'U2F_V2' },
  token: U2FToken,
) {
  const parts = mutate.splitRegistrationData(fromBase64url(reg.registrationData));
  const userPublicKey = new Uint8Array(parts.userPublicKey);
  userPublicKey[0] = 0x02;
  const signed = concat(
    Uint8Array.of(0),
    sha256Bytes(new TextEncoder().encode(U2F_APPID)),
    sha256Bytes(fromBase64url(reg.clientData)),
    parts.keyHandle,
    userPublicKey,
  );
  const signature = token.signWithAttestationKey(signed);
  const data = concat(
    Uint8Array.of(5),
    userPublicKey,
    Uint8Array.of(parts.keyHandle.length),
    parts.keyHandle,
    parts.attestationCertificate,
    signature,
  );
  return { ...reg, registrationData: toBase64url(data) };
}

// ---------------------------------------------------------------------------------------------
// OATH

const OTP_ALGS: [OtpAlgorithm, number][] = [
  ['SHA1', 6],
  ['SHA256', 8],
  ['SHA512', 6],
];

function changeDigit(code: string): string {
  const last = Number(code[code.length - 1]);
  return code.slice(0, -1) + String((last + 1) % 10);
}

export function hotpGroup(out: Collector, algorithm: OtpAlgorithm, digits: number): void {
  const folder = `virtual/hotp/${algorithm.toLowerCase()}-${digits}`;
  const token = new HotpToken({ seed: `fixtures/${folder}`, algorithm, digits, counter: 0 });
  const device = `@factorkit/virtual-authenticator HotpToken (${algorithm}, ${digits} digits)`;
  const ctx = (counter: number, window: number): FixtureContext => ({
    secret: token.secret,
    algorithm,
    digits,
    counter,
    window,
    options: {},
  });
  const add = (stem: string, code: string, context: FixtureContext, expect: FixtureExpect, notes: string) =>
    out.add(folder, stem, { kind: 'hotp', device, response: { code }, context, expect, notes });
  add('positive', token.codeAt(5), ctx(5, 0), ok({ nextCounter: 6 }), 'Code for the stored counter 5.');
  add(
    'positive-look-ahead',
    token.codeAt(7),
    ctx(5, 3),
    ok({ nextCounter: 8 }),
    'Code for counter 7, within the look-ahead window 3 from 5 (RFC 4226 §7.4).',
  );
  add('wrong-code', changeDigit(token.codeAt(5)), ctx(5, 0), fail('ERR_OTP_INVALID'), 'Last digit changed.');
  add(
    'replayed-previous-counter',
    token.codeAt(4),
    ctx(5, 3),
    fail('ERR_OTP_REPLAYED'),
    'Code for counter 4, already consumed (stored counter 5).',
  );
  add(
    'beyond-window',
    token.codeAt(9),
    ctx(5, 3),
    fail('ERR_OTP_INVALID'),
    'Code for counter 9, outside the window 5..8.',
  );
  add(
    'replayed-far-behind',
    token.codeAt(1),
    ctx(5, 3),
    fail('ERR_OTP_INVALID'),
    'Code for counter 1: a window must never scan backwards (OTP-2, notp#21).',
  );
  if (algorithm === 'SHA1') {
    // 72 bits: under the default 80-bit floor. (80–127-bit secrets are accepted with a typed
    // warning, as field tokens still carry them; RFC 4226 R6's 128 bits is the recommendation.)
    const shortSecret = '000102030405060708';
    const short = new HotpToken({ secret: shortSecret, digits });
    add(
      'secret-too-short',
      short.codeAt(5),
      { ...ctx(5, 0), secret: shortSecret },
      fail('ERR_SECRET_TOO_SHORT'),
      'Correct code for a 9-byte (72-bit) secret, below the default 80-bit floor (RFC 4226 §4 R6, OTP-5).',
    );
  }
  add(
    'malformed',
    `${token.codeAt(5).slice(0, -1)}x`,
    ctx(5, 0),
    fail('ERR_OTP_CODE_MALFORMED'),
    'Non-digit character.',
  );
  add(
    'wrong-length',
    token.codeAt(5).slice(1),
    ctx(5, 0),
    fail('ERR_OTP_CODE_MALFORMED'),
    `${digits - 1} digits instead of ${digits}.`,
  );
}

export function totpGroup(out: Collector, algorithm: OtpAlgorithm, digits: number): void {
  const folder = `virtual/totp/${algorithm.toLowerCase()}-${digits}`;
  const token = new TotpToken({ seed: `fixtures/${folder}`, algorithm, digits, period: 30 });
  const device = `@factorkit/virtual-authenticator TotpToken (${algorithm}, ${digits} digits, 30 s)`;
  const t = NOW_SECONDS + 7;
  const step = token.step(t);
  const ctx = (window: number): FixtureContext => ({
    secret: token.secret,
    algorithm,
    digits,
    time: t,
    period: 30,
    window,
    now: FIXTURE_NOW,
    options: { t0: 0 },
  });
  const add = (stem: string, code: string, context: FixtureContext, expect: FixtureExpect, notes: string) =>
    out.add(folder, stem, { kind: 'totp', device, response: { code }, context, expect, notes });
  add('positive', token.codeAtStep(step), ctx(0), ok({ T: step }), `Code for T=${step} at time ${t}.`);
  add(
    'positive-previous-step',
    token.codeAtStep(step - 1),
    ctx(1),
    ok({ T: step - 1 }),
    'Code of the previous step, within window 1 (network delay, RFC 6238 §5.2).',
  );
  add(
    'wrong-code',
    changeDigit(token.codeAtStep(step)),
    ctx(1),
    fail('ERR_OTP_INVALID'),
    'Last digit changed.',
  );
  add(
    'outside-window',
    token.codeAtStep(step - 2),
    ctx(1),
    fail('ERR_OTP_INVALID'),
    'Code two steps old, window 1.',
  );
  add(
    'future-outside-window',
    token.codeAtStep(step + 2),
    ctx(1),
    fail('ERR_OTP_INVALID'),
    'Code two steps ahead, window 1.',
  );
  add(
    'malformed',
    `${token.codeAtStep(step).slice(0, -2)} 1`,
    ctx(1),
    fail('ERR_OTP_CODE_MALFORMED'),
    'Contains a space.',
  );
  const far = 20_000_000_000;
  add(
    'positive-far-future',
    token.code(far),
    { ...ctx(0), time: far },
    ok({ T: token.step(far) }),
    `Time ${far} (year 2603): T = ${token.step(far)} needs more than 32 bits (OTP-9, RFC 6238 §4.2).`,
  );
}

export function vipGroup(out: Collector): void {
  const folder = 'virtual/vip';
  const vip = new VipCredential({ seed: 'fixtures/vip', prefix: 'VSMT' });
  const device = `@factorkit/virtual-authenticator VipCredential ${vip.credentialId} (TOTP SHA1, 6 digits, 30 s)`;
  const t = NOW_SECONDS + 3;
  const totp = new TotpToken({ secret: vip.secret });
  const step = totp.step(t);
  const { passCode, nextPassCode } = vip.securityCodes(t);
  const ctx = (credentialId = vip.credentialId): FixtureContext => ({
    secret: vip.secret,
    algorithm: 'SHA1',
    digits: 6,
    time: t,
    period: 30,
    window: 1,
    now: FIXTURE_NOW,
    options: { t0: 0, credentialId, consecutive: 2 },
  });
  const add = (
    stem: string,
    response: { code: string; nextCode: string },
    expect: FixtureExpect,
    notes: string,
    context = ctx(),
  ) => out.add(folder, stem, { kind: 'totp', device, response, context, expect, notes });
  const notes =
    ' VIP registration/sync: response.code = passCode (step T), response.nextCode = nextPassCode (step T+1); options.consecutive = 2.';
  add(
    'positive-two-codes',
    { code: passCode, nextCode: nextPassCode },
    ok({ T: step + 1 }),
    `Two consecutive codes for steps ${step} and ${step + 1}.${notes}`,
  );
  add(
    'codes-swapped',
    { code: nextPassCode, nextCode: passCode },
    fail('ERR_OTP_SEQUENCE_INVALID'),
    `Codes in the wrong order.${notes}`,
  );
  add(
    'same-code-twice',
    { code: passCode, nextCode: passCode },
    fail('ERR_OTP_SEQUENCE_INVALID'),
    `The same code twice.${notes}`,
  );
  add(
    'not-consecutive',
    { code: passCode, nextCode: totp.codeAtStep(step + 2) },
    fail('ERR_OTP_SEQUENCE_INVALID'),
    `Second code skips a step.${notes}`,
  );
  add(
    'credential-id-invalid',
    { code: passCode, nextCode: nextPassCode },
    fail('ERR_VIP_CREDENTIAL_ID_INVALID'),
    `Credential id VSMT1234 is not 4 letters + 8 digits.${notes}`,
    ctx('VSMT1234'),
  );
}

// ---------------------------------------------------------------------------------------------
// Yubico OTP

export function yubicoGroup(out: Collector): void {
  const folder = 'virtual/yubico-otp';
  let now = 0;
  const key = new VirtualYubiKey({ seed: 'fixtures/yubico-otp', usageCounter: 9, clock: () => now });
  const secrets = key.secrets;
  const device = `@factorkit/virtual-authenticator VirtualYubiKey ${secrets.publicId}`;
  const first = key.press();
  now += 2_500;
  const second = key.press();
  key.powerCycle();
  now += 60_000;
  const afterPowerCycle = key.press();
  const ctx = (counter: number | null, session: number | null, token = secrets): FixtureContext => ({
    token: { ...token },
    state: { counter, session },
    now: FIXTURE_NOW,
    options: {},
  });
  const add = (stem: string, otp: string, context: FixtureContext, expect: FixtureExpect, notes: string) =>
    out.add(folder, stem, { kind: 'yubico-otp', device, response: { otp }, context, expect, notes });
  add(
    'positive-first-use',
    first,
    ctx(null, null),
    ok({ counter: 10, session: 0 }),
    'First OTP of a never-seen key (no stored counters).',
  );
  add(
    'positive-same-session',
    second,
    ctx(10, 0),
    ok({ counter: 10, session: 1 }),
    'Second press of the session: (10,1) > stored (10,0).',
  );
  add(
    'positive-after-power-cycle',
    afterPowerCycle,
    ctx(10, 1),
    ok({ counter: 11, session: 0 }),
    'After replugging: usage counter 11, session 0.',
  );
  add('replayed', second, ctx(10, 1), fail('ERR_OTP_REPLAYED'), 'Stored (10,1) equals the OTP pair.');
  add(
    'replayed-older-session',
    second,
    ctx(11, 0),
    fail('ERR_OTP_REPLAYED'),
    'OTP (10,1) is older than stored (11,0).',
  );
  add(
    'crc-invalid',
    mutate.patchYubicoOtp(second, secrets.aesKey, { crcXor: 0x0101 }),
    ctx(10, 0),
    fail('ERR_OTP_CRC'),
    'Token re-encrypted with a wrong CRC field.',
  );
  add(
    'private-id-mismatch',
    mutate.patchYubicoOtp(second, secrets.aesKey, { privateId: 'ffeeddccbbaa' }),
    ctx(10, 0),
    fail('ERR_OTP_PRIVATE_ID'),
    'Token re-encrypted with another private id (valid CRC).',
  );
  add(
    'ciphertext-altered',
    mutate.flipYubicoOtpChar(second),
    ctx(10, 0),
    fail('ERR_OTP_CRC'),
    'Last modhex character changed: decrypts to garbage.',
  );
  add(
    'not-modhex',
    `${second.slice(0, -1)}a`,
    ctx(10, 0),
    fail('ERR_OTP_MODHEX'),
    "Last character 'a' is not modhex.",
  );
  add('too-short', second.slice(0, 31), ctx(10, 0), fail('ERR_OTP_LENGTH'), '31 characters.');
  add(
    'too-long',
    `c${'cc'.repeat(8)}${second.slice(-32)}`,
    ctx(10, 0),
    fail('ERR_OTP_LENGTH'),
    '49 characters (public id of 17 modhex characters).',
  );
  add(
    'unknown-public-id',
    mutate.setYubicoPublicId(second, 'cccccccccccb'),
    ctx(10, 0),
    fail('ERR_UNKNOWN_TOKEN'),
    'Public id not provisioned (context.token has another one).',
  );
  add(
    'wrong-aes-key',
    second,
    ctx(10, 0, { ...secrets, aesKey: '00112233445566778899aabbccddeeff' }),
    fail('ERR_OTP_CRC'),
    'Provisioned AES key differs from the key that made the OTP.',
  );
}

// ---------------------------------------------------------------------------------------------

const MANIFEST = `# fixtures/virtual

Generated by \`@factorkit/virtual-authenticator\` (\`npm run fixtures\`); do not edit by hand.
Regeneration is byte-identical (a test checks it), and every positive is re-verified with
node:crypto alone (not with factorkit's verifiers).

- provenance: \`virtual\`; license: Apache-2.0 (this repository).
- Clock: every case is meant to be verified at \`context.now\` = ${FIXTURE_NOW}.
- Attestation certificates come from the package's default test CA (seed "factorkit test CA",
  validity 2024-01-01 to 2049-12-31); its root is in \`context.trustAnchors\` where a chain exists.
- Negatives name the failing step in \`expect.error\` with the code factorkit uses. Most are
  re-signed after the mutation so that only that step fails.
- \`webauthn/<format>-<alg>/\`: registrations (none, packed self, packed full x5c, fido-u2f,
  tpm with RSA and ECC keys, android-key, apple) per COSE algorithm; \`webauthn/assertion-<alg>/\`: authentications; \`webauthn/structure-es256/\`:
  structural bad-input seeds; \`webauthn/appid-es256/\`: a U2F key used through the appid
  extension (\`context.options.appid\`); \`webauthn/passkey-es256/\`: BE/BS and zero counters
  (\`context.credential.backupEligible\`).
- \`u2f/\`: U2F JS API register/sign responses (websafe base64).
- \`hotp/\`, \`totp/\`: per hash algorithm. \`vip/\`: kind \`totp\` with \`response.nextCode\` and
  \`options.consecutive = 2\` for VIP's two consecutive security codes.
- \`yubico-otp/\`: Yubico OTP with \`context.state\` = stored (usage counter, session counter).
`;

/** Every file of `fixtures/virtual/`, sorted by path. */
export function generateFixtures(): GeneratedFile[] {
  const out = new Collector();
  for (const alg of ALGS) {
    for (const v of REG_VARIANTS)
      registrationGroup(out, `virtual/webauthn/${v.name}-${alg.toLowerCase()}`, v.format, v.self, alg);
    authenticationGroup(out, `virtual/webauthn/assertion-${alg.toLowerCase()}`, alg);
  }
  registrationGroup(out, 'virtual/webauthn/fido-u2f-es256', 'fido-u2f', false, 'ES256');
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'ES512'] as const) {
    registrationGroup(out, `virtual/webauthn/tpm-${alg.toLowerCase()}`, 'tpm', false, alg);
  }
  for (const alg of ['ES256', 'ES384', 'ES512', 'RS256'] as const) {
    registrationGroup(out, `virtual/webauthn/android-key-${alg.toLowerCase()}`, 'android-key', false, alg);
  }
  registrationGroup(out, 'virtual/webauthn/apple-es256', 'apple', false, 'ES256');
  structureGroup(out);
  appidGroup(out);
  passkeyGroup(out);
  u2fGroup(out);
  for (const [alg, digits] of OTP_ALGS) {
    hotpGroup(out, alg, digits);
    totpGroup(out, alg, digits);
  }
  vipGroup(out);
  yubicoGroup(out);
  out.files.push({ path: 'virtual/MANIFEST.md', content: MANIFEST });
  return [...out.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
