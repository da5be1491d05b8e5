/** Which U2F ceremony a challenge was issued for. */
export type U2fCeremony = 'register' | 'sign';

/**
 * A pending, origin-bound U2F challenge: what the server promised to accept, for whom, from
 * where, until when. Plain data (strings and numbers) so any store can serialise it.
 */
export interface U2fChallengeRecord {
  /** The challenge string sent to the client (websafe base64 of ≥ 16 random bytes). The store key. */
  readonly challenge: string;
  readonly ceremony: U2fCeremony;
  readonly appId: string;
  /** The facetId (origin) the request was issued to; `clientData.origin` must equal it. */
  readonly facetId: string;
  /** The account the ceremony was started for. */
  readonly userId: string;
  /**
   * Websafe base64 key handles: for `sign`, the handles the user may answer with; for
   * `register`, the handles already registered (a registration returning one is refused).
   */
  readonly keyHandles: readonly string[];
  /** Expiry, in milliseconds since the Unix epoch. */
  readonly expiresAt: number;
}

/**
 * Storage for pending challenges. The contract every implementation must keep:
 *
 * - `save` stores a new record and rejects if a record with the same `challenge` exists
 *   (challenges are random, so a collision means misuse; never overwrite).
 * - `consume` **atomically** removes the record for `challenge` and resolves to it, or to
 *   `undefined` when there is none. However many `consume` calls race for one saved record —
 *   in one process or many — exactly one resolves to the record; all others resolve to
 *   `undefined`. A get-then-delete is *not* enough: use a single `DELETE … RETURNING`, a
 *   `GETDEL`, or a compare-and-delete transaction. An expired record may be returned (the
 *   caller judges expiry with its own clock) or may already be gone; both fail closed.
 * - Neither method may leave a half-written record behind when it rejects.
 *
 * Records are consumed on every completion attempt, successful or not: a challenge is never
 * usable twice.
 */
export interface U2fChallengeStore {
  save(record: U2fChallengeRecord): Promise<void>;
  consume(challenge: string): Promise<U2fChallengeRecord | undefined>;
}

export interface MemoryU2fChallengeStoreOptions {
  /** Most pending records held; `save` rejects beyond it (bounds memory). Default 100 000. */
  readonly maxEntries?: number;
}

/**
 * In-process {@link U2fChallengeStore} for tests and single-process servers. `consume` takes
 * and deletes in one synchronous step, so concurrent calls in one event loop can never both
 * get a record. Not shared between processes.
 */
export class MemoryU2fChallengeStore implements U2fChallengeStore {
  readonly #records = new Map<string, U2fChallengeRecord>();
  readonly #maxEntries: number;

  constructor(options: MemoryU2fChallengeStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  async save(record: U2fChallengeRecord): Promise<void> {
    if (this.#records.has(record.challenge)) throw new Error('challenge already pending');
    if (this.#records.size >= this.#maxEntries) throw new Error('challenge store is full');
    this.#records.set(
      record.challenge,
      Object.freeze({ ...record, keyHandles: Object.freeze([...record.keyHandles]) }),
    );
  }

  async consume(challenge: string): Promise<U2fChallengeRecord | undefined> {
    const record = this.#records.get(challenge);
    this.#records.delete(challenge);
    return record;
  }

  /** Drops records expired at `now` (ms since epoch); returns how many. */
  purgeExpired(now: number): number {
    let n = 0;
    for (const [key, record] of this.#records) {
      if (record.expiresAt <= now) {
        this.#records.delete(key);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.#records.size;
  }
}
