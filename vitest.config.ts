import { defineConfig } from 'vitest/config';

// Two projects: the unit tests, and the tests of the built files (process and GNOME Shell), which build them first.
// `npm run test:unit` / `test:process` / `test:gnome` pick one by path; `vitest run` runs both.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
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
