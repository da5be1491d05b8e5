export type { FixtureCase, FixtureContext, FixtureExpect, LoadedCase } from './cases.ts';
export {
  isCase,
  type LoadOptions,
  loadCases,
  loadSharedCases,
  readCase,
  repoFixturesDir,
  repoRoot,
  SHARED_FIXTURES_ENV,
  sharedFixturesDir,
  sharedFixturesSkipMessage,
} from './loader.ts';
