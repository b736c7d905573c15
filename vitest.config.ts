import { defineConfig } from 'vitest/config';

/**
 * Tests that start other processes (the CLI as a child, to signal or kill it or to run several
 * side by side; fake servers behind TLS; a packed package) or a browser: the `cli` project. Every
 * other test runs in-process, the CLI included (test/helpers/cli.ts): the `unit` project.
 * test/architecture/test-projects.test.ts checks that a test file that spawns is listed here.
 */
export const PROCESS_TESTS = [
  'test/batch.test.ts',
  'test/cli-providers.test.ts',
  'test/hardening-23-process.test.ts',
  'test/hardening-faults.test.ts',
  'test/hardening-io.test.ts',
  'test/library.test.ts',
  'test/providers.test.ts',
  'test/rate-browser.test.ts',
  'test/report-browser.test.ts',
  'test/seed-study.test.ts',
  'test/view-browser.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: PROCESS_TESTS } },
      { extends: true, test: { name: 'cli', include: PROCESS_TESTS } },
    ],
  },
});
