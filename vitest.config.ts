import { defineConfig } from 'vitest/config';

// One run for the whole monorepo: each package is a vitest project with its own
// config (packages/*/vitest.config.ts), all resolving workspace imports to source.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
