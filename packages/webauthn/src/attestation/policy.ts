import type { AttestationPolicy } from './types.ts';

/** Throws `TypeError` for a malformed attestation policy (a programmer's misuse of options). */
export function checkAttestationPolicy(p: AttestationPolicy): void {
  for (const key of ['androidKeyRequireTeeEnforced', 'safetyNetRequireCtsProfileMatch'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean') throw new TypeError(`${key} must be a boolean`);
  }
  for (const key of ['safetyNetMaxAgeMs', 'safetyNetClockSkewMs'] as const) {
    const v = p[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
      throw new TypeError(`${key} must be a non-negative integer (milliseconds)`);
  }
  const status = p.androidKeyRevocationStatus;
  if (status !== undefined) {
    const entries = (status as { entries?: unknown } | null)?.entries;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw new TypeError('androidKeyRevocationStatus must be the parsed status list ({ entries: {...} })');
  }
}
