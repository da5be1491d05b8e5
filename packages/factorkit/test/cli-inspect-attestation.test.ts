import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoFixturesDir } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import { explain } from '../src/cli/inspect.ts';

// `factorkit inspect` explains the platform formats' own structures.
const load = (rel: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoFixturesDir(), rel), 'utf8')) as Record<string, unknown>;

describe('inspect: attestation format structures', () => {
  it('tpm: pubArea and certInfo fields, named', () => {
    const out = explain(load('virtual/webauthn/tpm-rs256/registration-positive.json')) as {
      attStmt: { pubArea: Record<string, unknown>; certInfo: Record<string, unknown> };
    };
    expect(out.attStmt.pubArea['type']).toBe('0x0001 (TPM_ALG_RSA)');
    expect(out.attStmt.pubArea['exponent']).toBe('0 (default 65537)');
    expect(out.attStmt.certInfo['magic']).toMatch(/TPM_GENERATED_VALUE/);
    expect(out.attStmt.certInfo['type']).toMatch(/TPM_ST_ATTEST_CERTIFY/);
    expect(out.attStmt.certInfo['attested']).toBeDefined();
  });
  it('android-key: the key description and both authorization lists', () => {
    const out = explain(load('virtual/webauthn/android-key-es256/registration-positive.json')) as {
      attStmt: { keyDescription: Record<string, Record<string, unknown>> };
    };
    const d = out.attStmt.keyDescription;
    expect(d['teeEnforced']?.['purpose']).toEqual(['2 (KM_PURPOSE_SIGN)']);
    expect(d['teeEnforced']?.['origin']).toBe('0 (KM_ORIGIN_GENERATED)');
    expect(d['softwareEnforced']).toEqual({});
  });
  it('a malformed structure is explained as an error, never thrown', () => {
    const c = load('virtual/webauthn/tpm-es256/registration-certinfo-magic.json');
    expect(() => explain(c)).not.toThrow();
  });
});
