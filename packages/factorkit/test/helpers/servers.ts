/**
 * Where the real database servers are: `.ci/db-servers start` exports these variables. When
 * one is absent the suites that need it skip, saying which variable to set.
 */
export const POSTGRES_URL: string | undefined = process.env['FACTORKIT_TEST_POSTGRES_URL'] || undefined;
export const REDIS_URL: string | undefined = process.env['FACTORKIT_TEST_REDIS_URL'] || undefined;

export function skipMessage(variable: string, what: string): string {
  return `${what}: skipped — set ${variable} (e.g. eval "$(.ci/db-servers start)") to run against a real server`;
}

/** A name unique to this run, usable as a schema or key prefix. */
export const uniqueName = (base: string): string =>
  `${base}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
