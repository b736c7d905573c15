import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Tests that start other processes (the CLI as a child, to signal or kill it or to run several
 * side by side; fake servers behind TLS; a packed package) or a browser: the `cli` project. Every
 * other test runs in-process, the CLI included (test/helpers/cli.ts): the `unit` project.
 * test/architecture/test-projects.test.ts checks that a test file that spawns is listed here.
 */
export const PROCESS_TESTS = [
  'test/models/batch.test.ts',
  'test/cli/providers.test.ts',
  'test/cli/faults.test.ts',
  'test/cli/cache-compact.test.ts',
  'test/cli/outside-audit-process.test.ts',
  'test/cli/io-errors.test.ts',
  'test/package/library.test.ts',
  'test/models/providers.test.ts',
  'test/rate/active-browser.test.ts',
  'test/rate/browser.test.ts',
  'test/render/report-browser.test.ts',
  'test/study/seed-study.test.ts',
  'test/experiments/study-resume.test.ts',
  'test/view/browser.test.ts',
];

/**
 * In-process tests that run the CLI end to end through many commands — the docs' and --help's
 * examples, the demo, the study, the probe, the audit's coverage simulation: seconds to tens of
 * seconds each. They run
 * in the `cli` project beside the process tests, so the `unit` project stays a matter of seconds.
 */
export const END_TO_END_TESTS = [
  'test/docs/readme.test.ts',
  'test/cli/help-examples.test.ts',
  'test/cli/score.test.ts',
  'test/audit/audit.test.ts',
  'test/experiments/study.test.ts',
  'test/probe/probe.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // one worker per core: most test files wait on servers, child processes and the disk, and
    // vitest's default (cores − 1) is a single worker on a two-core machine
    maxWorkers: availableParallelism(),
    // the files of a worker share one module graph: each file re-importing the library (and
    // re-loading the tokenizer, zod schemas, the SDKs) was most of the suite's time. Tests leave no
    // global state behind: runCli restores the environment, the working directory and the streams
    // it borrows (test/helpers/cli.ts), and servers and children are closed by each file
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...PROCESS_TESTS, ...END_TO_END_TESTS],
        },
      },
      { extends: true, test: { name: 'cli', include: [...PROCESS_TESTS, ...END_TO_END_TESTS] } },
    ],
  },
});
