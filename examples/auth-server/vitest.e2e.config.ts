import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.ts';

// The browser end-to-end suite (`npm run e2e`): one Chromium, tests in order, generous timeouts.
export default defineConfig({
  resolve: { alias: workspaceAliases() },
  root: dirname(fileURLToPath(import.meta.url)),
  test: {
    name: 'example-auth-server-e2e',
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
