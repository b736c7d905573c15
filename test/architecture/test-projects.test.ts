import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { END_TO_END_TESTS, PROCESS_TESTS } from '../../vitest.config.js';
import { ROOT } from '../helpers/cli.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testFiles(p);
    return p.endsWith('.test.ts') ? [relative(ROOT, p)] : [];
  });
}

/**
 * A file that starts processes or a browser belongs to the `cli` project, with the in-process
 * end-to-end files (END_TO_END_TESTS); the `unit` project stays in-process and quick.
 */
describe('the two test projects', () => {
  it('every test file that spawns a process or a browser is in the cli project, and only those', () => {
    const spawning = testFiles(join(ROOT, 'test'))
      .filter((f) =>
        /startCli|spawn: true|spawnSync|fileSizeLimitKb|puppeteer/.test(readFileSync(join(ROOT, f), 'utf8')),
      )
      .filter((f) => !f.startsWith('test/architecture/'));
    expect(spawning.sort()).toEqual([...PROCESS_TESTS].sort());
  });

  it('the end-to-end files the cli project also runs exist and start no process', () => {
    for (const f of END_TO_END_TESTS) {
      expect(PROCESS_TESTS, f).not.toContain(f);
      expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/startCli|spawn: true|spawnSync|puppeteer/);
    }
  });
});
