// @factorkit/virtual-authenticator/harness — an endpoint conformance harness: drive an RP's own
// routes (URLs or callbacks) with virtual authenticators and mutators, report attacks × verdicts.
export { type HttpRoutes, type HttpSession, type HttpTargetOptions, httpTarget } from './http.ts';
export { formatJson, formatMarkdown } from './report.ts';
export { runHarness } from './run.ts';
export type {
  Expectation,
  HarnessOptions,
  HarnessReport,
  HarnessRow,
  HarnessTarget,
  HarnessUser,
  Outcome,
  TotpRoutes,
  U2fRoutes,
  Verdict,
  WebAuthnRoutes,
  YubicoOtpRoutes,
} from './types.ts';
