/** One case file of the shared fixture format (see the corpus README). */
export interface FixtureCase {
  readonly id: string;
  readonly kind: string;
  readonly device?: string;
  readonly provenance?: string;
  readonly format?: string | null;
  readonly source?: Record<string, unknown>;
  readonly response: Record<string, unknown>;
  readonly context: FixtureContext;
  readonly expect: FixtureExpect;
  readonly notes?: string;
}

export interface FixtureContext {
  readonly challenge?: string;
  readonly origin?: string | readonly string[];
  readonly rpId?: string | readonly string[];
  readonly now?: string | null;
  readonly trustAnchors?: readonly string[];
  readonly requireUserVerification?: boolean;
  readonly requireUserPresence?: boolean;
  readonly credential?: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface FixtureExpect {
  readonly verified: boolean | null;
  readonly scope?: 'ceremony' | 'attestation-statement' | 'parse-only';
  readonly error?: string | null;
  readonly result?: Record<string, unknown>;
}

/** A case plus where it was read from. */
export interface LoadedCase {
  readonly file: string;
  /** Folder relative to the corpus root, e.g. `real/webauthn/w3c-spec`. */
  readonly folder: string;
  readonly case: FixtureCase;
}
