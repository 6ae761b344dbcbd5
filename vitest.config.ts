import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,firmware,cloud,simulator,e2e,scripts,bench}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Property tests with 100k cases and real sockets need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
