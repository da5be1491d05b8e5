/**
 * factorkit's packages are imported dynamically so that a package which is not built, or
 * does not export a function yet, leaves its cases out of the table with an explicit
 * `pending` line instead of failing the whole run (or, worse, a made-up number).
 */
export type Loaded<T> =
  | { readonly ok: true; readonly api: T }
  | { readonly ok: false; readonly reason: string };

const cache = new Map<string, Promise<Record<string, unknown> | string>>();

async function importModule(specifier: string): Promise<Record<string, unknown> | string> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      return `${specifier} is not built (run the build first)`;
    }
    return `${specifier} failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Loads `specifier` and checks that it exports every name in `names` as a function. */
export async function loadApi<T>(specifier: string, names: readonly string[]): Promise<Loaded<T>> {
  let p = cache.get(specifier);
  if (p === undefined) {
    p = importModule(specifier);
    cache.set(specifier, p);
  }
  const mod = await p;
  if (typeof mod === 'string') return { ok: false, reason: `pending: package not landed (${mod})` };
  const missing = names.filter((n) => typeof mod[n] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `pending: package not landed (${specifier} has no ${missing.join(', ')})` };
  }
  return { ok: true, api: mod as T };
}
