import { X509Certificate } from 'node:crypto';
import type { FixtureCase } from '@factorkit/testkit';
import {
  type RegistrationResponseJSON,
  SettingsService,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { attStmtAlg, x5cOf } from '../cose.ts';
import { b64url, fixtureSource, obj, pickCase, str } from '../fixtures.ts';
import { type BenchCase, expect, type Group } from '../model.ts';
import { factorkitRegistrationCases } from './factorkit-webauthn.ts';
import { plain } from './webauthn-assertion.ts';

export type RegistrationKind = 'none' | 'packed-self' | 'packed-x5c' | 'fido-u2f' | 'tpm-rsa' | 'android-key';

interface KindSpec {
  readonly kind: RegistrationKind;
  readonly title: string;
  readonly format: string;
  readonly preferred: readonly string[];
  readonly x5c: 'none' | 'some';
  /** A trust anchor is needed (from the case, or the device chain's own root). */
  readonly anchored: boolean;
  /** Extra fixture filter (e.g. an RSA AIK for tpm). */
  readonly accept?: (c: FixtureCase) => boolean;
}

/** The TPM statement's alg names an RSA AIK (RS1/RS256/PS256...): COSE RSA ids are ≤ -37 and ≠ -47. */
function rsaAik(c: FixtureCase): boolean {
  const r = obj(c.response['response'], 'response.response');
  const ao = b64url(str(r['attestationObject'], 'attestationObject'));
  const alg = attStmtAlg(ao);
  // SimpleWebAuthn checks certificate validity at the real clock: the AIK chain must be valid now.
  const now = Date.now();
  const valid = x5cOf(ao).every((d) => {
    const x = new X509Certificate(d);
    return Date.parse(x.validFrom) <= now && now <= Date.parse(x.validTo);
  });
  return valid && alg !== undefined && [-257, -258, -259, -37, -38, -39, -65535].includes(alg);
}

const KINDS: readonly KindSpec[] = [
  {
    kind: 'none',
    title: 'WebAuthn registration, none attestation',
    format: 'none',
    preferred: [
      'go-webauthn/registration-none-1',
      'fido2-lib/registration-none-1',
      'virtual/webauthn/none-es256/registration-positive',
    ],
    x5c: 'none',
    anchored: false,
  },
  {
    kind: 'packed-self',
    title: 'WebAuthn registration, packed self attestation',
    format: 'packed',
    preferred: [
      'go-webauthn/registration-packed-1',
      'fido2-lib/registration-packed-3',
      'virtual/webauthn/packed-self-es256/registration-positive',
    ],
    x5c: 'none',
    anchored: false,
  },
  {
    kind: 'packed-x5c',
    title: 'WebAuthn registration, packed x5c chained to a trust anchor',
    format: 'packed',
    // The W3C vector's leaf chains to the anchor the case configures. (Real-device packed x5c
    // cases either end in a root absent from the corpus, e.g. Yubico's, or carry the root inside
    // x5c, e.g. fido2-lib's Feitian key, which SimpleWebAuthn refuses as a duplicate certificate.)
    preferred: [
      'w3c-spec/registration-packed-es256-1',
      'fido2-lib/registration-packed-1',
      'virtual/webauthn/packed-full-es256/registration-positive',
    ],
    x5c: 'some',
    anchored: true,
  },
  {
    kind: 'fido-u2f',
    title: 'WebAuthn registration, fido-u2f attestation',
    format: 'fido-u2f',
    preferred: [
      'go-webauthn/registration-fido-u2f-1',
      'java-webauthn-server/registration-fido-u2f-1',
      'virtual/webauthn/fido-u2f-es256/registration-positive',
    ],
    x5c: 'some',
    anchored: false,
  },
  {
    kind: 'tpm-rsa',
    title: 'WebAuthn registration, tpm attestation with an RSA AIK (Windows Hello)',
    format: 'tpm',
    // Real Windows Hello TPMs; the statement is verified in full, the chain is not anchored
    // (neither library is given a TPM root), so the two do the same work.
    preferred: [
      'simplewebauthn/registration-tpm-6',
      'py-webauthn/registration-tpm-1',
      'fido2-lib/registration-tpm-1',
    ],
    x5c: 'some',
    anchored: false,
    accept: rsaAik,
  },
  {
    kind: 'android-key',
    title: 'WebAuthn registration, android-key attestation',
    format: 'android-key',
    // A real device (Pixel); no anchors on either side (SimpleWebAuthn's default Google roots
    // are cleared for the run): the statement and key description are what is measured.
    preferred: ['simplewebauthn/registration-android-key-3', 'py-webauthn/registration-android-key-1'],
    x5c: 'some',
    anchored: false,
  },
];

export interface RegistrationInput {
  readonly fixture: FixtureCase;
  readonly response: RegistrationResponseJSON;
  readonly challenge: string;
  readonly origin: string;
  readonly rpId: string;
  readonly requireUserVerification: boolean;
  /** PEM trust anchors for this case ([] = none configured). */
  readonly trustAnchors: readonly string[];
  /** The case's clock, when it has one. */
  readonly now?: Date;
  /** COSE algorithms offered (RS1 included for legacy Windows TPM keys). */
  readonly supportedAlgorithms?: readonly number[];
}

function first(v: unknown, what: string): string {
  return Array.isArray(v) ? str(v[0], what) : str(v, what);
}

function selfSignedRoot(der: Uint8Array | undefined): string | undefined {
  if (der === undefined) return undefined;
  const cert = new X509Certificate(der);
  return cert.ca && cert.checkIssued(cert) ? cert.toString() : undefined;
}

function anchorsFor(fixture: FixtureCase): string[] {
  const given = fixture.context.trustAnchors ?? [];
  if (given.length > 0) return [...given];
  const r = obj(fixture.response['response'], 'response.response');
  const chain = x5cOf(b64url(str(r['attestationObject'], 'attestationObject')));
  const root = selfSignedRoot(chain.length > 1 ? chain[chain.length - 1] : undefined);
  return root === undefined ? [] : [root];
}

function x5cCount(fixture: FixtureCase): number {
  const r = obj(fixture.response['response'], 'response.response');
  return x5cOf(b64url(str(r['attestationObject'], 'attestationObject'))).length;
}

function pick(spec: KindSpec): FixtureCase | undefined {
  return pickCase('real/webauthn', ['webauthn.registration'], spec.preferred, (c) => {
    if (
      c.format !== spec.format ||
      c.expect.verified !== true ||
      (c.expect.scope ?? 'ceremony') !== 'ceremony' ||
      !plain(c)
    ) {
      return false;
    }
    const n = x5cCount(c);
    if (spec.x5c === 'none' ? n !== 0 : n === 0) return false;
    if (spec.accept !== undefined && !spec.accept(c)) return false;
    return !spec.anchored || anchorsFor(c).length > 0;
  });
}

function simpleWebAuthnCase(spec: KindSpec, input: RegistrationInput): BenchCase {
  const opts = {
    response: input.response,
    expectedChallenge: input.challenge,
    expectedOrigin: input.origin,
    expectedRPID: input.rpId,
    requireUserVerification: input.requireUserVerification,
    ...(input.supportedAlgorithms === undefined
      ? {}
      : { supportedAlgorithmIDs: [...input.supportedAlgorithms] }),
  };
  const run = async (): Promise<boolean> => {
    // SimpleWebAuthn's roots are process-global; set them for this format before each call
    // (a map write, negligible next to the verification).
    if (spec.anchored)
      SettingsService.setRootCertificates({ identifier: 'packed', certificates: [...input.trustAnchors] });
    else if (spec.format === 'tpm' || spec.format === 'android-key')
      SettingsService.setRootCertificates({ identifier: spec.format, certificates: [] });
    return (await verifyRegistrationResponse(opts)).verified;
  };
  return {
    key: 'simplewebauthn',
    label: '@simplewebauthn/server verifyRegistrationResponse',
    role: 'peer',
    async: true,
    run,
    check: async () => expect(await run(), `SimpleWebAuthn verified the ${spec.kind} registration`),
  };
}

export async function registrationGroups(): Promise<Group[]> {
  const groups: Group[] = [];
  for (const spec of KINDS) {
    const id = `registration-${spec.kind}`;
    const fixture = pick(spec);
    if (fixture === undefined) {
      groups.push({
        id,
        title: spec.title,
        input: '—',
        cases: [],
        comparisons: [],
        pending: [`no ${spec.kind} registration fixture in the ${fixtureSource()}`],
        notes: [],
      });
      continue;
    }
    const input: RegistrationInput = {
      fixture,
      response: fixture.response as unknown as RegistrationResponseJSON,
      challenge: str(fixture.context.challenge, 'challenge'),
      origin: first(fixture.context.origin, 'origin'),
      rpId: first(fixture.context.rpId, 'rpId'),
      requireUserVerification: fixture.context.requireUserVerification === true,
      trustAnchors: spec.anchored ? anchorsFor(fixture) : [],
      ...(fixture.context.now ? { now: new Date(fixture.context.now) } : {}),
      supportedAlgorithms: [-7, -8, -35, -36, -37, -257, -65535],
    };
    const fk = await factorkitRegistrationCases(spec.kind, input);
    const cases = [...fk.cases, simpleWebAuthnCase(spec, input)];
    groups.push({
      id,
      title: spec.title,
      input: `${fixture.id} (${fixture.provenance ?? '?'}: ${fixture.device ?? '?'}; x5c ${x5cCount(fixture)} cert(s)${
        spec.anchored ? `, ${input.trustAnchors.length} anchor(s)` : ''
      })`,
      cases,
      comparisons: fk.cases.map((c) => ({
        key: `${c.key}/simplewebauthn`,
        subject: c.key,
        baseline: 'simplewebauthn',
      })),
      pending: fk.pending,
      notes: fk.notes ?? [],
    });
  }
  return groups;
}
