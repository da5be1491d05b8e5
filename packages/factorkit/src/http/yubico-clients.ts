import { defaultBackend } from '@factorkit/core/crypto/default';
import type { SeedKeyEncryption } from '@factorkit/yubikey';

/**
 * API clients of the YubiCloud validation protocol (protocols §4.5): a numeric client `id`
 * and a shared HMAC-SHA1 key, given to the client as base64. Keys are sealed with the
 * façade's key-encryption hook before they reach the store and opened only to sign or check
 * one request; `list` never returns them.
 */
export interface YubicoClientRecord {
  /** Positive integer (yubikey-val `clients.id`). */
  readonly id: number;
  /** The sealed key (opaque bytes). */
  readonly sealedKey: Uint8Array;
  /** A disabled client gets OPERATION_NOT_ALLOWED. */
  readonly enabled: boolean;
  /** Unsigned requests (no `h`) are refused with MISSING_PARAMETER. */
  readonly requireSignature: boolean;
  readonly created: string;
}

/** Storage of clients; every method is atomic. */
export interface YubicoClientStore {
  get(id: number): Promise<YubicoClientRecord | undefined>;
  /** Inserts or replaces. */
  put(record: YubicoClientRecord): Promise<void>;
  delete(id: number): Promise<boolean>;
  list(): Promise<readonly YubicoClientRecord[]>;
}

/** A process-local client store (clients from a file, re-read at start). */
export class MemoryYubicoClientStore implements YubicoClientStore {
  readonly #rows = new Map<number, YubicoClientRecord>();
  async get(id: number): Promise<YubicoClientRecord | undefined> {
    const r = this.#rows.get(id);
    return r === undefined ? undefined : { ...r, sealedKey: Uint8Array.from(r.sealedKey) };
  }
  async put(record: YubicoClientRecord): Promise<void> {
    this.#rows.set(record.id, { ...record, sealedKey: Uint8Array.from(record.sealedKey) });
  }
  async delete(id: number): Promise<boolean> {
    return this.#rows.delete(id);
  }
  async list(): Promise<readonly YubicoClientRecord[]> {
    return [...this.#rows.values()].map((r) => ({ ...r, sealedKey: Uint8Array.from(r.sealedKey) }));
  }
}

/** A client as listed (no key). */
export interface YubicoClientInfo {
  readonly id: number;
  readonly enabled: boolean;
  readonly requireSignature: boolean;
  readonly created: string;
}

export interface AddYubicoClientInput {
  readonly id: number;
  /** Base64 key (yubikey-val uses 20 random bytes). Omitted: 20 random bytes are generated. */
  readonly key?: string;
  /** Default true. */
  readonly enabled?: boolean;
  /** Default true: a request without `h` is refused. */
  readonly requireSignature?: boolean;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Keys shorter than this are refused (HMAC-SHA1 keys should carry ≥ 128 bits). */
export const MIN_YUBICO_CLIENT_KEY_BYTES = 16;
const MAX_KEY_BYTES = 64;
const MAX_CLIENT_ID = 2 ** 31 - 1;

const aad = (id: number): Uint8Array => new TextEncoder().encode(`factorkit/yubico-client key v1:${id}`);

/** Parses a base64 client key; `undefined` when it is not canonical base64 of 16..64 bytes. */
export function decodeClientKey(key: string): Uint8Array | undefined {
  if (typeof key !== 'string' || key.length === 0 || key.length > 128 || !BASE64.test(key)) return undefined;
  const bytes = Uint8Array.from(Buffer.from(key, 'base64'));
  if (bytes.length < MIN_YUBICO_CLIENT_KEY_BYTES || bytes.length > MAX_KEY_BYTES) return undefined;
  return bytes;
}

export function isClientId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 && id <= MAX_CLIENT_ID;
}

/** Manages validation-protocol clients over a {@link YubicoClientStore}. */
export class YubicoClients {
  readonly #store: YubicoClientStore;
  readonly #enc: SeedKeyEncryption;
  readonly #clock: () => Date;

  constructor(options: {
    readonly keyEncryption: SeedKeyEncryption;
    readonly store?: YubicoClientStore;
    readonly clock?: () => Date;
  }) {
    if (options?.keyEncryption === undefined) throw new TypeError('keyEncryption is required');
    this.#enc = options.keyEncryption;
    this.#store = options.store ?? new MemoryYubicoClientStore();
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Adds (or replaces) a client. Returns the base64 key — the generated one when `key` was
   * omitted: hand it to the client once; it is not retrievable afterwards.
   */
  async add(input: AddYubicoClientInput): Promise<{ readonly id: number; readonly key: string }> {
    if (!isClientId(input?.id)) throw new RangeError('client id must be an integer in 1..2^31-1');
    let key: Uint8Array;
    if (input.key === undefined) key = defaultBackend.randomBytes(20);
    else {
      const decoded = decodeClientKey(input.key);
      if (decoded === undefined)
        throw new RangeError(`client key must be base64 of ${MIN_YUBICO_CLIENT_KEY_BYTES}..64 bytes`);
      key = decoded;
    }
    try {
      const sealedKey = await this.#enc.seal(key, aad(input.id));
      await this.#store.put({
        id: input.id,
        sealedKey,
        enabled: input.enabled ?? true,
        requireSignature: input.requireSignature ?? true,
        created: this.#clock().toISOString(),
      });
      return { id: input.id, key: Buffer.from(key).toString('base64') };
    } finally {
      key.fill(0);
    }
  }

  remove(id: number): Promise<boolean> {
    return this.#store.delete(id);
  }

  async list(): Promise<readonly YubicoClientInfo[]> {
    return (await this.#store.list()).map(({ sealedKey: _k, ...info }) => info);
  }

  /** The client's settings, or undefined. */
  async get(id: number): Promise<YubicoClientInfo | undefined> {
    const r = await this.#store.get(id);
    if (r === undefined) return undefined;
    const { sealedKey: _k, ...info } = r;
    return info;
  }

  /**
   * Runs `use` with the client's opened key and wipes it afterwards. `undefined` when the
   * client does not exist. Throws when the sealed key does not open (wrong KEK, tampering).
   */
  async withKey<T>(
    id: number,
    use: (key: Uint8Array, client: YubicoClientInfo) => T,
  ): Promise<T | undefined> {
    const r = await this.#store.get(id);
    if (r === undefined) return undefined;
    const key = await this.#enc.open(r.sealedKey, aad(id));
    try {
      const { sealedKey: _k, ...info } = r;
      return use(key, info);
    } finally {
      key.fill(0);
    }
  }
}
