import { defineConfig } from 'vitest/config';

// Three projects: the unit tests, the fuzz suite, and the tests of the built files (process and GNOME Shell), which build them first.
// `npm run test:unit` / `test:process` / `test:gnome` pick one by path; `vitest run` runs both.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Fuzzing the parsers (test/fuzz): a few hundred inputs each; `npm run fuzz` sets HEADROOM_FUZZ_RUNS=100000.
      { extends: true, test: { name: 'fuzz', include: ['test/fuzz/**/*.test.ts'], testTimeout: 3_600_000 } },
      {
        extends: true,
        test: {
          name: 'built',
          include: ['test/process/**/*.test.ts', 'test/gnome/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
