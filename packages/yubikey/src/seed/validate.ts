import type { YubikeyErrorCode } from '../errors.ts';
import { isModhex } from '../modhex.ts';

/** Seed fields as they appear in files and in Okta's upload body. */
export type SeedField = 'serialNumber' | 'publicId' | 'privateId' | 'aesKey' | 'accessCode';

/** Where a problem is: CSV line/column (1-based) or JSON record number (1-based) and field. */
export interface SeedRowError {
  readonly code: YubikeyErrorCode;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly record?: number;
  readonly field?: SeedField;
}

/** One seed after validation; secrets as bytes (the caller seals and wipes them). */
export interface ValidSeed {
  /** Zero-padded to 12 digits, or null when the source has no serial. */
  readonly serial: string | null;
  /** Lowercase modhex. */
  readonly publicId: string;
  readonly privateId: Uint8Array;
  readonly aesKey: Uint8Array;
}

/** Raw field values (and the column each came from, for error locations). */
export interface RawSeed {
  readonly serialNumber: string | null;
  readonly publicId: string;
  readonly privateId: string;
  readonly aesKey: string;
  readonly accessCode?: string;
  readonly columns?: Partial<Record<SeedField, number>>;
}

const DIGITS = /^[0-9]{1,12}$/;
const HEX12 = /^[0-9a-fA-F]{12}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;
const ACCESS = /^(?:[0-9a-fA-F]{12})?$/;
/** A public id is 1..8 bytes (2..16 modhex characters): 32 + 16 = 48, the longest OTP (§4.1). */
const MAX_PUBLIC_ID_CHARS = 16;

type FieldProblem = { field: SeedField; code: YubikeyErrorCode; message: string };

/**
 * Validates one seed (protocols §5.4: publicId modhex, privateId 12 hex, aesKey 32 hex, serial
 * digits). Every problem of the row is reported; messages name the field, never its value.
 */
export function validateSeed(raw: RawSeed): { seed: ValidSeed } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  let serial: string | null = null;
  if (raw.serialNumber !== null) {
    if (!DIGITS.test(raw.serialNumber)) {
      problems.push({
        field: 'serialNumber',
        code: 'ERR_SEED_SERIAL',
        message: 'serial must be 1..12 decimal digits',
      });
    } else {
      serial = raw.serialNumber.padStart(12, '0');
    }
  }
  const publicId = raw.publicId.toLowerCase();
  if (publicId.length < 2 || publicId.length > MAX_PUBLIC_ID_CHARS || !isModhex(publicId)) {
    problems.push({
      field: 'publicId',
      code: 'ERR_SEED_PUBLIC_ID',
      message: 'publicId must be 2..16 modhex characters (cbdefghijklnrtuv), an even number',
    });
  }
  if (!HEX12.test(raw.privateId)) {
    problems.push({
      field: 'privateId',
      code: 'ERR_SEED_PRIVATE_ID',
      message: 'privateId must be 12 hex characters (6 bytes)',
    });
  }
  if (!HEX32.test(raw.aesKey)) {
    problems.push({
      field: 'aesKey',
      code: 'ERR_SEED_AES_KEY',
      message: 'aesKey must be 32 hex characters (AES-128)',
    });
  } else if (/^0+$/.test(raw.aesKey)) {
    problems.push({ field: 'aesKey', code: 'ERR_SEED_WEAK_AES_KEY', message: 'aesKey must not be all zero' });
  }
  if (raw.accessCode !== undefined && !ACCESS.test(raw.accessCode)) {
    problems.push({
      field: 'accessCode',
      code: 'ERR_SEED_ACCESS_CODE',
      message: 'access code must be empty or 12 hex characters',
    });
  }
  if (problems.length > 0) return { problems };
  // One 22-byte buffer per seed (private id then AES key); Buffer.from draws small buffers from
  // Node's shared pool, so 100 000 seeds do not mean 100 000 ArrayBuffers for the GC to track.
  const secret = Buffer.from(raw.privateId + raw.aesKey, 'hex');
  return {
    seed: {
      serial,
      // A flat copy: a slice of the input chunk would keep the whole chunk alive.
      publicId: flatCopy(publicId),
      privateId: secret.subarray(0, 6),
      aesKey: secret.subarray(6, 22),
    },
  };
}

function flatCopy(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}
