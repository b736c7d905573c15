import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeSlug } from '../../src/cli/commands/score.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');

describe('no flag is ignored, no earlier run replaced (#23)', () => {
  it('--base-url for a run with no model that takes one is refused, naming what the models read (item 2)', async () => {
    const r = await runCli(
      [
        'score',
        '--rubric',
        'eii',
        '--input',
        FIXTURE,
        '--judge',
        'openai:gpt-4.1-mini',
        '--base-url',
        'http://127.0.0.1:9/v1',
      ],
      {
        env: { OPENAI_API_KEY: 'sk-test' },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--base-url names the server of openai-compatible: and ollama: models.*reads OPENAI_BASE_URL/,
    );
  });

  it('a --base-url that does not parse is refused before it is stamped anywhere (item 21)', async () => {
    const r = await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      FIXTURE,
      '--judge',
      'openai-compatible:m',
      '--base-url',
      'user:secret@not a url',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base-url must be an http\(s\) URL/);
    expect(r.stderr).not.toContain('secret');
  });

  it('default output names carry the judge, so another judge never replaces a run (item 6)', async () => {
    expect(judgeSlug(['openai:gpt-4.1-mini'])).toBe('openai-gpt-4.1-mini');
    expect(judgeSlug(['ollama:llama3.1:8b'])).toBe('ollama-llama3.1-8b');
    expect(judgeSlug(['lexicon', 'openai:x'])).toMatch(/^panel-of-2-[0-9a-f]{6}$/);
    const cwd = tempDir();
    const r = await runCli(['score', '--rubric', 'eii', '--input', FIXTURE], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'runs', 'responses.eii.lexicon.scores.jsonl'))).toBe(true);
  });
});
