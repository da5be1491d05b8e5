// The example's own account table (usernames and which OTP factors are confirmed). Everything
// about factors — credentials, counters, secrets, tokens — lives in factorkit's store.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly createdAt: number;
}

/** An OTP factor as the account page shows it (factorkit holds the secret and counters). */
export interface OtpFactorEntry {
  readonly factorId: string;
  readonly userId: string;
  readonly kind: 'totp' | 'vip';
  readonly label: string;
  /** TOTP factors stay unconfirmed (unusable for sign-in) until the user typed one code. */
  readonly confirmed: boolean;
  readonly createdAt: number;
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** Normalises a username (lower case, trimmed); `undefined` when it is not acceptable. */
export function normaliseUsername(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const name = input.trim().toLowerCase();
  return USERNAME.test(name) ? name : undefined;
}

/** A fresh, opaque user id (the WebAuthn user handle): never the username (§14.6.1 privacy). */
export const newUserId = (): string => randomBytes(16).toString('base64url');

export class Users {
  readonly #db: Database.Database;

  constructor(filename: string) {
    this.#db = new Database(filename);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS otp_factors (
        factor_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        confirmed INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
  }

  /** Creates the account; `false` when the username was taken meanwhile (atomic: UNIQUE). */
  create(user: User): boolean {
    const r = this.#db
      .prepare('INSERT OR IGNORE INTO users (id, username, created_at) VALUES (?, ?, ?)')
      .run(user.id, user.username, user.createdAt);
    return r.changes === 1;
  }

  byName(username: string): User | undefined {
    const row = this.#db
      .prepare('SELECT id, username, created_at FROM users WHERE username = ?')
      .get(username) as { id: string; username: string; created_at: number } | undefined;
    return row === undefined ? undefined : { id: row.id, username: row.username, createdAt: row.created_at };
  }

  byId(id: string): User | undefined {
    const row = this.#db.prepare('SELECT id, username, created_at FROM users WHERE id = ?').get(id) as
      | { id: string; username: string; created_at: number }
      | undefined;
    return row === undefined ? undefined : { id: row.id, username: row.username, createdAt: row.created_at };
  }

  addOtpFactor(entry: OtpFactorEntry): void {
    this.#db
      .prepare(
        'INSERT INTO otp_factors (factor_id, user_id, kind, label, confirmed, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(entry.factorId, entry.userId, entry.kind, entry.label, entry.confirmed ? 1 : 0, entry.createdAt);
  }

  confirmOtpFactor(userId: string, factorId: string): boolean {
    return (
      this.#db
        .prepare('UPDATE otp_factors SET confirmed = 1 WHERE user_id = ? AND factor_id = ?')
        .run(userId, factorId).changes === 1
    );
  }

  removeOtpFactor(userId: string, factorId: string): boolean {
    return (
      this.#db.prepare('DELETE FROM otp_factors WHERE user_id = ? AND factor_id = ?').run(userId, factorId)
        .changes === 1
    );
  }

  otpFactors(userId: string): OtpFactorEntry[] {
    const rows = this.#db
      .prepare(
        'SELECT factor_id, user_id, kind, label, confirmed, created_at FROM otp_factors WHERE user_id = ? ORDER BY created_at, factor_id',
      )
      .all(userId) as {
      factor_id: string;
      user_id: string;
      kind: 'totp' | 'vip';
      label: string;
      confirmed: number;
      created_at: number;
    }[];
    return rows.map((r) => ({
      factorId: r.factor_id,
      userId: r.user_id,
      kind: r.kind,
      label: r.label,
      confirmed: r.confirmed === 1,
      createdAt: r.created_at,
    }));
  }

  close(): void {
    this.#db.close();
  }
}
