import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicLineWriter, writeFileAtomic } from '../../src/io/atomic.js';
import { noteInput, withRunScope } from '../../src/io/guard.js';
import { ROOT, runCli, scoreFixture, tempDir } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures');

describe('an output never destroys an input, whatever route leads there (#23 items 11 and 13)', () => {
  it('inside a run, writing, locking or replacing a file the run read is refused; outside one it is not', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, '{"id":"a"}\n');
    await withRunScope(async () => {
      noteInput(input);
      await expect(writeFileAtomic(input, 'x')).rejects.toThrow(/is an input of this run/);
      await expect(AtomicLineWriter.open(input)).rejects.toThrow(/is an input of this run/);
      // the names a writer derives: <out>.partial and <out>.lock
      const partialIsInput = join(dir, 'p.jsonl');
      writeFileSync(`${partialIsInput}.partial`, 'an input\n');
      noteInput(`${partialIsInput}.partial`);
      await expect(AtomicLineWriter.open(partialIsInput)).rejects.toThrow(/unfinished copy/);
      const lockIsInput = join(dir, 'l.jsonl');
      writeFileSync(`${lockIsInput}.lock`, 'an input\n');
      noteInput(`${lockIsInput}.lock`);
      await expect(AtomicLineWriter.open(lockIsInput)).rejects.toThrow(/the lock of/);
      expect(readFileSync(`${partialIsInput}.partial`, 'utf8')).toBe('an input\n');
      expect(readFileSync(`${lockIsInput}.lock`, 'utf8')).toBe('an input\n');
    });
    expect(readFileSync(input, 'utf8')).toBe('{"id":"a"}\n');
    await writeFileAtomic(input, 'replaced outside a run\n');
    expect(readFileSync(input, 'utf8')).toBe('replaced outside a run\n');
  });

  it('a symlink planted at <out>.partial is replaced, never written through', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    const out = join(dir, 'out.jsonl');
    symlinkSync(victim, `${out}.partial`);
    const w = await AtomicLineWriter.open(out);
    await w.write('{"id":"a"}');
    await w.commit();
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(readFileSync(out, 'utf8')).toBe('{"id":"a"}\n');
  });

  it('through the CLI, every route exits 2 and leaves the input byte for byte', async () => {
    const dir = tempDir();
    const responses = readFileSync(join(FIXTURES, 'responses.jsonl'));
    const scores = await scoreFixture(dir);
    const put = (name: string, bytes: Buffer | string) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    };
    const prices = JSON.stringify({ 'gpt-4.1-mini': { input: 0.4, output: 1.6 } });
    const rubricCopy = readFileSync(join(ROOT, 'rubrics', 'eii-1.0.0.yaml'));
    mkdirSync(join(dir, 'probe'));
    const cases: { what: string; file: string; args: string[] }[] = [
      {
        what: '--input is <out>.partial',
        file: put('a.jsonl.partial', responses),
        args: [
          'score',
          '--rubric',
          'eii',
          '--input',
          join(dir, 'a.jsonl.partial'),
          '--out',
          join(dir, 'a.jsonl'),
        ],
      },
      {
        what: '--input is <out>.lock',
        file: put('b.jsonl.lock', responses),
        args: [
          'score',
          '--rubric',
          'eii',
          '--input',
          join(dir, 'b.jsonl.lock'),
          '--out',
          join(dir, 'b.jsonl'),
        ],
      },
      {
        what: '--input is the summary side file',
        file: put('s.json.items', responses),
        args: [
          'score',
          '--rubric',
          'eii',
          '--input',
          join(dir, 's.json.items'),
          '--summary',
          join(dir, 's.json'),
          '--out',
          join(dir, 'c.jsonl'),
        ],
      },
      {
        what: '--input is <out>.shard.json',
        file: put('d.jsonl.shard.json', responses),
        args: [
          'score',
          '--rubric',
          'eii',
          '--input',
          join(dir, 'd.jsonl.shard.json'),
          '--out',
          join(dir, 'd.jsonl'),
          '--shard',
          '1/2',
        ],
      },
      {
        what: '--prices is --out',
        file: put('prices.json', prices),
        args: [
          'score',
          '--rubric',
          'eii',
          '--input',
          join(FIXTURES, 'responses.jsonl'),
          '--judge',
          'openai:gpt-4.1-mini',
          '--prices',
          join(dir, 'prices.json'),
          '--out',
          join(dir, 'prices.json'),
        ],
      },
      {
        what: 'the rubric path is --summary',
        file: put('my-rubric.yaml', rubricCopy),
        args: [
          'score',
          '--rubric',
          join(dir, 'my-rubric.yaml'),
          '--input',
          join(FIXTURES, 'responses.jsonl'),
          '--out',
          join(dir, 'e.jsonl'),
          '--summary',
          join(dir, 'my-rubric.yaml'),
        ],
      },
      {
        what: '--personas is inside the probe folder',
        file: put('probe/summary.json', readFileSync(join(FIXTURES, 'personas.jsonl'))),
        args: [
          'probe',
          '--questions',
          join(FIXTURES, 'questions.jsonl'),
          '--target',
          `scripted:${join(FIXTURES, 'scripted-target.yaml')}`,
          '--personas',
          join(dir, 'probe', 'summary.json'),
          '--out',
          join(dir, 'probe'),
        ],
      },
      {
        what: '--personas is generate --out',
        file: put('personas.jsonl', readFileSync(join(FIXTURES, 'personas.jsonl'))),
        args: [
          'generate',
          '--questions',
          join(FIXTURES, 'questions.jsonl'),
          '--target',
          `scripted:${join(FIXTURES, 'scripted-target.yaml')}`,
          '--personas',
          join(dir, 'personas.jsonl'),
          '--out',
          join(dir, 'personas.jsonl'),
        ],
      },
      {
        what: 'the scripted target file is generate --out',
        file: put('target.yaml', readFileSync(join(FIXTURES, 'scripted-target.yaml'))),
        args: [
          'generate',
          '--questions',
          join(FIXTURES, 'questions.jsonl'),
          '--target',
          `scripted:${join(dir, 'target.yaml')}`,
          '--personalization',
          'none',
          '--out',
          join(dir, 'target.yaml'),
        ],
      },
      {
        what: 'a file report reads is its --out',
        file: put('eii.summary.json', ''),
        args: ['report', scores, '--out', scores],
      },
    ];
    // the summary report reads must be a real one for the last case
    await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      join(FIXTURES, 'responses.jsonl'),
      '--out',
      join(dir, 'f.jsonl'),
      '--summary',
      join(dir, 'eii.summary.json'),
    ]);
    cases[cases.length - 1]!.args = [
      'report',
      join(dir, 'eii.summary.json'),
      '--out',
      join(dir, 'eii.summary.json'),
    ];
    cases[cases.length - 1]!.file = join(dir, 'eii.summary.json');
    for (const c of cases) {
      const before = readFileSync(c.file);
      // an API judge never gets as far as a request: the key and the server are only there to be refused before
      const r = await runCli(c.args, {
        env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
      });
      expect(r.code, `${c.what}: ${r.stderr} ${r.stdout.slice(0, 500)}`).toBe(2);
      expect(r.stderr, c.what).toMatch(/input/);
      expect(readFileSync(c.file).equals(before), `${c.what}: the input changed`).toBe(true);
    }
    expect(existsSync(join(dir, 'a.jsonl'))).toBe(false);
  });
});
