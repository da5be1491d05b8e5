import { timingSafeEqual as nodeTimingSafeEqual, randomBytes } from 'node:crypto';
import { type BenchCase, expect, type Group } from '../model.ts';
import { loadApi } from '../packages.ts';

interface CtApi {
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/** Equal inputs: the comparison's full length is always walked (the case that matters). */
export async function ctGroups(): Promise<Group[]> {
  const groups: Group[] = [];
  for (const size of [32, 1024]) {
    const a = new Uint8Array(randomBytes(size));
    const b = Uint8Array.from(a);
    const cases: BenchCase[] = [];
    const pending: string[] = [];
    for (const [key, specifier, label] of [
      ['fk-native', '@factorkit/ct', '@factorkit/ct timingSafeEqual (native)'],
      ['fk-portable', '@factorkit/ct/portable', '@factorkit/ct/portable timingSafeEqual'],
    ] as const) {
      const loaded = await loadApi<CtApi>(specifier, ['timingSafeEqual']);
      if (!loaded.ok) {
        pending.push(`${label}: ${loaded.reason}`);
        continue;
      }
      const eq = loaded.api.timingSafeEqual;
      cases.push({
        key,
        label,
        role: 'factorkit',
        async: false,
        run: () => eq(a, b),
        check: () => {
          expect(eq(a, b), `${label} says equal inputs are equal`);
          const c = Uint8Array.from(a);
          c[size - 1] = (c[size - 1] ?? 0) ^ 1;
          expect(!eq(a, c), `${label} says different inputs differ`);
        },
      });
    }
    cases.push({
      key: 'node',
      label: 'node:crypto timingSafeEqual',
      role: 'limit',
      async: false,
      run: () => nodeTimingSafeEqual(a, b),
      check: () => expect(nodeTimingSafeEqual(a, b), 'node says equal inputs are equal'),
    });
    groups.push({
      id: `ct-${size}`,
      title: `constant-time compare, ${size} bytes`,
      input: `${size} random bytes vs an equal copy`,
      cases,
      comparisons: cases
        .filter((c) => c.role === 'factorkit')
        .map((c) => ({ key: `${c.key}/node`, subject: c.key, baseline: 'node' })),
      pending,
      notes: [],
    });
  }
  return groups;
}
