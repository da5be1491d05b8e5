import { type NewYubikeyTokenRecord, TOMBSTONE_STATUSES, type YubikeyTokenStatus } from '@factorkit/yubikey';

/**
 * The conflicts of a seed import, in the reference store's order (`YubikeyStore.insertMany`):
 * an id repeated in the batch or already stored; a publicId repeated in the batch; a publicId
 * held by a stored record that is not a tombstone. Empty = the import may proceed.
 */
export function importConflicts(
  records: readonly NewYubikeyTokenRecord[],
  idExists: (id: string) => boolean,
  statusOfPublicId: (publicId: string) => YubikeyTokenStatus | undefined,
): string[] {
  const conflicts: string[] = [];
  const ids = new Set<string>();
  const publicIds = new Set<string>();
  for (const r of records) {
    if (ids.has(r.id) || idExists(r.id)) conflicts.push(r.id);
    ids.add(r.id);
    if (publicIds.has(r.publicId)) {
      conflicts.push(r.publicId);
      continue;
    }
    publicIds.add(r.publicId);
    const status = statusOfPublicId(r.publicId);
    if (status !== undefined && !TOMBSTONE_STATUSES.includes(status)) conflicts.push(r.publicId);
  }
  return conflicts;
}
