import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../../helpers/cli.js';

/** Every `npx plumb …` line in a ```sh block of docs/kelley-riedl-2026.md runs offline, in order. */
const DOC = readFileSync(join(ROOT, 'docs', 'kelley-riedl-2026.md'), 'utf8');
const commands = [...DOC.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split('\n'))
  .filter((l) => l.startsWith('npx plumb '));
const dir = tempDir('plumb-kr-docs-');
symlinkSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the doc has its offline examples', () => {
  expect(commands.length).toBeGreaterThanOrEqual(4);
});

it.each(commands.map((c, i) => [i + 1, c]))('example %i runs offline: %s', async (_i, command) => {
  const r = await runCli((command as string).slice('npx plumb '.length).split(/\s+/), {
    cwd: dir,
    timeoutMs: 240_000,
  });
  expect(r.code, r.stderr).toBe(0);
});
