import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real-process tests bind ports and spawn compilers; keep files parallel but bounded.
    maxWorkers: 2,
  },
});
