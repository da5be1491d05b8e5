/**
 * Versioned Postgres migrations. `migratePostgres` applies the missing ones, each in the same
 * transaction as the version bump, under a transaction-level advisory lock — so several
 * instances starting at once migrate exactly once. Idempotent: at the current version it only
 * reads the version. A database newer than this build is refused (`ERR_STORE_SCHEMA`).
 */
import { StoreError } from '../errors.ts';
import { int } from '../records.ts';
import type { PgCore, PgQueryable } from './core.ts';

/** Where the tables live: `"<schema>"."<tablePrefix><name>"`. */
export interface PgNames {
  readonly schema: string;
  readonly tablePrefix: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/;

/** Checks the naming options (they are spliced into SQL, so only plain identifiers pass). */
export function pgNames(schema: string | undefined, tablePrefix: string | undefined): PgNames {
  const names = { schema: schema ?? 'public', tablePrefix: tablePrefix ?? 'factorkit_' };
  if (!IDENTIFIER.test(names.schema)) throw new TypeError('schema must match /^[a-z_][a-z0-9_]{0,39}$/');
  if (names.tablePrefix !== '' && !IDENTIFIER.test(names.tablePrefix))
    throw new TypeError('tablePrefix must match /^[a-z_][a-z0-9_]{0,39}$/ or be empty');
  return names;
}

export type PgTable =
  | 'challenges'
  | 'credentials'
  | 'otp_factors'
  | 'yubikey_tokens'
  | 'attempts'
  | 'schema_version';

/** The qualified, quoted name of a table. */
export const table = (n: PgNames, name: PgTable): string => `"${n.schema}"."${n.tablePrefix}${name}"`;

/** Index names are per schema: prefixed like the tables. */
const index = (n: PgNames, name: string): string => `"${n.tablePrefix}${name}"`;

/**
 * Migrations, in order; index + 1 = the version each produces. Text columns that are sorted
 * or compared (ids, statuses, ISO timestamps) are `COLLATE "C"`: bytewise, as JavaScript
 * compares the sort keys of the YubiKey token list.
 */
const MIGRATIONS: readonly ((n: PgNames) => string)[] = [
  (n) => `
    CREATE TABLE ${table(n, 'challenges')} (
      id TEXT COLLATE "C" PRIMARY KEY, factor TEXT NOT NULL, user_id TEXT, origin TEXT,
      challenge TEXT NOT NULL, expires_at BIGINT NOT NULL, data JSONB NOT NULL);
    CREATE INDEX ${index(n, 'challenges_expires_at')} ON ${table(n, 'challenges')} (expires_at);
    CREATE TABLE ${table(n, 'credentials')} (
      id TEXT COLLATE "C" PRIMARY KEY, user_id TEXT COLLATE "C" NOT NULL, factor TEXT NOT NULL,
      public_key BYTEA NOT NULL, sign_count BIGINT NOT NULL, created_at BIGINT NOT NULL,
      last_used_at BIGINT, data JSONB NOT NULL);
    CREATE INDEX ${index(n, 'credentials_user_id')} ON ${table(n, 'credentials')} (user_id, created_at, id);
    CREATE TABLE ${table(n, 'otp_factors')} (
      id TEXT COLLATE "C" PRIMARY KEY, user_id TEXT COLLATE "C" NOT NULL, type TEXT NOT NULL,
      secret BYTEA NOT NULL, params JSONB NOT NULL, counter BIGINT, created_at BIGINT NOT NULL,
      last_verified_at BIGINT);
    CREATE INDEX ${index(n, 'otp_factors_user_id')} ON ${table(n, 'otp_factors')} (user_id, created_at, id);
    CREATE TABLE ${table(n, 'yubikey_tokens')} (
      id TEXT COLLATE "C" PRIMARY KEY, public_id TEXT COLLATE "C" NOT NULL UNIQUE, serial TEXT COLLATE "C",
      status TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C", created TEXT COLLATE "C" NOT NULL,
      last_updated TEXT COLLATE "C" NOT NULL, last_verified TEXT COLLATE "C", activated TEXT COLLATE "C",
      otp_usage INTEGER, otp_session INTEGER, otp_timestamp INTEGER, otp_at TEXT, sealed_secret BYTEA);
    CREATE INDEX ${index(n, 'yubikey_tokens_status')} ON ${table(n, 'yubikey_tokens')} (status);
    CREATE INDEX ${index(n, 'yubikey_tokens_user_id')} ON ${table(n, 'yubikey_tokens')} (user_id);
    CREATE INDEX ${index(n, 'yubikey_tokens_serial')} ON ${table(n, 'yubikey_tokens')} (serial);
    CREATE TABLE ${table(n, 'attempts')} (
      key TEXT COLLATE "C" PRIMARY KEY, count INTEGER NOT NULL, window_started_at BIGINT NOT NULL);`,
];

/** The schema version this build writes. */
export const POSTGRES_SCHEMA_VERSION: number = MIGRATIONS.length;

/** The advisory lock key that serialises migrations of one schema + prefix. */
const lockKey = (n: PgNames): string => `factorkit-migrate:${n.schema}.${n.tablePrefix}`;

async function readVersion(q: PgQueryable, n: PgNames): Promise<number | undefined> {
  const exists = await q.query('SELECT to_regclass($1) AS t', [`${n.schema}.${n.tablePrefix}schema_version`]);
  if (exists.rows[0]?.['t'] === null) return undefined;
  const row = (await q.query(`SELECT version FROM ${table(n, 'schema_version')}`)).rows[0];
  return row === undefined ? 0 : int(row['version'], 'schema version');
}

function tooNew(version: number): StoreError {
  return new StoreError(
    'ERR_STORE_SCHEMA',
    `database schema version ${version} is newer than this build supports (${MIGRATIONS.length})`,
  );
}

/** Applies the missing migrations; returns the schema version. */
export async function migrate(core: PgCore, n: PgNames): Promise<number> {
  return core.transaction('migrate', async (q) => {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(n)]);
    await q.query(`CREATE SCHEMA IF NOT EXISTS "${n.schema}"`);
    let version = await readVersion(q, n);
    if (version === undefined) {
      await q.query(`CREATE TABLE ${table(n, 'schema_version')} (version INTEGER NOT NULL)`);
      await q.query(`INSERT INTO ${table(n, 'schema_version')} (version) VALUES (0)`);
      version = 0;
    }
    if (version > MIGRATIONS.length) throw tooNew(version);
    for (; version < MIGRATIONS.length; version++) {
      await q.query((MIGRATIONS[version] as (n: PgNames) => string)(n));
      await q.query(`UPDATE ${table(n, 'schema_version')} SET version = $1`, [version + 1]);
    }
    return version;
  });
}

/** Checks that the schema is exactly at this build's version (for `migrate: false`). */
export async function checkVersion(core: PgCore, n: PgNames): Promise<number> {
  const exists = await core.query('SELECT to_regclass($1) AS t', [
    `${n.schema}.${n.tablePrefix}schema_version`,
  ]);
  const version =
    exists.rows[0]?.['t'] === null
      ? 0
      : int(
          (await core.query(`SELECT version FROM ${table(n, 'schema_version')}`, [])).rows[0]?.['version'] ??
            0,
          'schema version',
        );
  if (version > MIGRATIONS.length) throw tooNew(version);
  if (version < MIGRATIONS.length)
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `database schema version ${version} is older than this build needs (${MIGRATIONS.length}): run the migrations`,
    );
  return version;
}
