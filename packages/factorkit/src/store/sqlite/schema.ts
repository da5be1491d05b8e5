import { StoreError } from '../errors.ts';
import type { Row } from '../sql/rows.ts';
import type { Database } from './core.ts';

/** Schema migrations, applied in order on open; index + 1 = the version it produces. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE challenges (
     id TEXT PRIMARY KEY, factor TEXT NOT NULL, user_id TEXT, origin TEXT,
     challenge TEXT NOT NULL, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX challenges_expires_at ON challenges (expires_at);
   CREATE TABLE credentials (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, factor TEXT NOT NULL, public_key BLOB NOT NULL,
     sign_count INTEGER NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER, data TEXT NOT NULL);
   CREATE INDEX credentials_user_id ON credentials (user_id, created_at);
   CREATE TABLE otp_factors (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, type TEXT NOT NULL, secret BLOB NOT NULL,
     params TEXT NOT NULL, counter INTEGER, created_at INTEGER NOT NULL, last_verified_at INTEGER);
   CREATE INDEX otp_factors_user_id ON otp_factors (user_id, created_at);
   CREATE TABLE yubikey_tokens (
     id TEXT PRIMARY KEY, public_id TEXT NOT NULL UNIQUE, serial TEXT, status TEXT NOT NULL,
     user_id TEXT, created TEXT NOT NULL, last_updated TEXT NOT NULL, last_verified TEXT, activated TEXT,
     otp_usage INTEGER, otp_session INTEGER, otp_timestamp INTEGER, otp_at TEXT, sealed_secret BLOB);
   CREATE INDEX yubikey_tokens_status ON yubikey_tokens (status);
   CREATE INDEX yubikey_tokens_user_id ON yubikey_tokens (user_id);
   CREATE INDEX yubikey_tokens_serial ON yubikey_tokens (serial);
   CREATE TABLE attempts (key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_started_at INTEGER NOT NULL);`,
];

/** The schema version this build writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS.length;

/** Applies the missing migrations in one `BEGIN IMMEDIATE` transaction (all or nothing). */
export function migrate(db: Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    let version = row === undefined ? 0 : Number(row['version']);
    if (version > MIGRATIONS.length) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `database schema version ${version} is newer than this build supports (${MIGRATIONS.length})`,
      );
    }
    for (; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    }
  }).immediate();
}

export function schemaVersion(db: Database): number {
  return Number(
    (db.prepare('SELECT version FROM schema_version').get() as Row | undefined)?.['version'] ?? 0,
  );
}
