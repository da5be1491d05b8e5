import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoFixturesDir } from '@factorkit/testkit';
import { describe, expect, it } from 'vitest';
import type { Case } from '../src/cli/cases.ts';
import { VERIFIERS } from '../src/cli/verifiers.ts';

// `factorkit check` on U2F cases whose `context.origin` is a list of accepted origins (the case
// format: "string or array of accepted origins"; a U2F facet list).

const base = JSON.parse(
  readFileSync(join(repoFixturesDir(), 'virtual/u2f/register-positive.json'), 'utf8'),
) as Case;
const sign = JSON.parse(
  readFileSync(join(repoFixturesDir(), 'virtual/u2f/sign-positive.json'), 'utf8'),
) as Case;
const origin = base.context['origin'] as string;

const withOrigins = (c: Case, origins: unknown): Case => ({
  ...c,
  context: { ...c.context, origin: origins },
});

describe('factorkit check: U2F context.origin arrays', () => {
  it.each([
    ['register', base],
    ['sign', sign],
  ])('%s: the response origin among several accepted ones verifies', async (_k, c) => {
    const verdict = await VERIFIERS[c.kind](withOrigins(c, ['https://other.example.net', origin]));
    expect(verdict).toMatchObject({ verified: true });
  });

  it.each([
    ['register', base],
    ['sign', sign],
  ])('%s: a list without the response origin is a rejection, not an error', async (_k, c) => {
    const verdict = await VERIFIERS[c.kind](
      withOrigins(c, ['https://other.example.net', 'https://third.example.org']),
    );
    expect(verdict.verified).toBe(false);
  });
});
