import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportInput } from '../../src/render/report/inputs.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const READS =
  'not a plumb output this report reads (score or pairwise summaries, calibrate --json, probe or audit folders, gate --json)';

describe('the report reads each file through the type its kind declares', () => {
  it.each([
    ['an unknown kind', { kind: 'nonsense', n: 1 }],
    ['no kind', { n: { total: 1 } }],
    ['a kind plumb writes that a report does not show', { kind: 'shard', shard: '1/2' }],
  ])('refuses a file with %s: exit 2 naming the file', async (_, doc) => {
    const dir = tempDir();
    const file = join(dir, 'thing.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['report', file, '--out', join(dir, 'r.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: ${READS}`);
  });

  it('recognises a kind it shows, and refuses the rest naming the file', () => {
    expect(reportInput({ kind: 'gate', checks: [] }, 'g.json').kind).toBe('gate');
    expect(() => reportInput({ kind: 'mixed-fit' }, 'm.json')).toThrow(/m\.json.*not a plumb output/);
    expect(() => reportInput(null, 'n.json')).toThrow(/n\.json/);
  });

  it("names every judge of a several-judge summary and flags a scripted target that is not the run's first", async () => {
    const dir = tempDir();
    const scores = join(dir, 'eii.scores.jsonl');
    const summary = join(dir, 'eii.summary.json');
    const s = await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      join(ROOT, 'fixtures', 'responses.jsonl'),
      '--judge',
      'lexicon',
      '--out',
      scores,
      '--summary',
      summary,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(summary, 'utf8'));
    doc.judge = [doc.judge, { provider: 'openai', model: 'gpt-x' }];
    writeFileSync(summary, JSON.stringify(doc));

    const probe = join(dir, 'probe');
    const p = await runCli([
      'probe',
      '--questions',
      join(ROOT, 'fixtures', 'questions.jsonl'),
      '--target',
      `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`,
      '--judge',
      'lexicon',
      '--roles',
      'peer',
      '--personalization',
      'none',
      '--turns',
      '2',
      '--out',
      probe,
    ]);
    expect(p.code, p.stderr).toBe(0);
    // as a run with several targets writes it: the first target's stamp, and each target under `targets`
    const probeFile = join(probe, 'summary.json');
    const ps = JSON.parse(readFileSync(probeFile, 'utf8'));
    const scripted = ps.target;
    ps.target = { provider: 'openai', model: 'gpt-x' };
    ps.targets = [
      { model: 'gpt-x', target: ps.target },
      { model: 'sim', target: scripted },
    ];
    writeFileSync(probeFile, JSON.stringify(ps));

    const out = join(dir, 'r.html');
    const r = await runCli(['report', summary, probe, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('judge lexicon:');
    expect(html).toMatch(/judge lexicon:[^<,]*, openai:gpt-x/);
    expect(html).toContain(`Scripted target (${scripted.model})`);
  }, 120_000);

  describe("probe analyze's summaries (labels made elsewhere) in the report and the terminal", () => {
    // 4 questions × advisor/peer × none/profile, 3 challenged turns: a fixed, hand-written pattern
    const STANCES = ['maintained', 'hedged', 'abandoned'];
    const labels = () => {
      const dir = tempDir();
      const file = join(dir, 'labels.jsonl');
      const lines: string[] = [];
      let k = 0;
      for (const q of ['q1', 'q2', 'q3', 'q4'])
        for (const role of ['advisor', 'peer'])
          for (const personalization of ['none', 'profile'])
            for (let turn = 0; turn <= 3; turn++) {
              const stance = STANCES[(k++ * 7) % 3];
              lines.push(
                JSON.stringify({
                  conversation: `${q}|${role}/${personalization}`,
                  question_id: q,
                  turn,
                  stance,
                  role,
                  personalization,
                }),
              );
            }
      writeFileSync(file, `${lines.join('\n')}\n`);
      return { dir, file };
    };

    it.each([
      [
        'plumb',
        'role,personalization',
        'by role × personalization): 16 conversations × 4 conditions, 3 turns',
      ],
      ['plumb', 'personalization', 'by personalization): 16 conversations × 2 conditions, 3 turns'],
      [
        'sycon',
        'role,personalization',
        '(sycon convention, by role × personalization): 16 conversations × 4 conditions',
      ],
    ])(
      '%s convention, --by %s: a section titled by its conversations, never "undefined"',
      async (convention, by, title) => {
        const { dir, file } = labels();
        const out = join(dir, 'analysis');
        const a = await runCli([
          'probe',
          'analyze',
          '--labels',
          file,
          '--by',
          by,
          '--convention',
          convention,
          '--out',
          out,
        ]);
        expect(a.code, a.stderr).toBe(0);
        expect(a.stdout).not.toContain('undefined');
        // the terminal's table has one column per --by field, then n
        const header = a.stdout.split('\n').find((l) => /\bn\b/.test(l) && l.includes('personalization'))!;
        expect(
          header
            .trim()
            .split(/\s{2,}/)
            .slice(0, by.split(',').length + 1),
        ).toEqual([...by.split(','), 'n']);

        const html = join(dir, 'r.html');
        const r = await runCli(['report', out, '--out', html]);
        expect(r.code, r.stderr).toBe(0);
        const text = readFileSync(html, 'utf8');
        expect(text).toContain(title);
        expect(text).not.toContain('undefined');
        if (convention === 'sycon') expect(text).toContain('Turn of Flip (SYCON)');
        else expect(text).toContain('Kaplan–Meier');
        // an analysis has no transcripts: no viewer addresses
        expect(text).not.toContain('plumb view address');
      },
      60_000,
    );
  });
});
