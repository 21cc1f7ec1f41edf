import { defineConfig } from 'vitest/config';

// One test config for every package: colocated tests, and a JSON report per package that
// scripts/test-summary.js adds up for CI.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 60_000,
    // GPU adapters and shader compiles on a software driver make setup slow.
    hookTimeout: 60_000,
  },
});
