import type { CliIo } from './main.ts';
export async function runInspect(_args: readonly string[], _io: CliIo): Promise<number> {
  return 2;
}
