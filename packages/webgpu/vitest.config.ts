import { defineConfig } from 'vitest/config';

// Every package writes a JSON report; .ci/run adds them up.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
