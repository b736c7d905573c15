import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readJsonlFile, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures');
const GOLD = join(FIXTURES, 'gold.jsonl');

describe('plumb calibrate end to end', () => {
  let dir: string;
  let scores: string;
  beforeAll(async () => {
    dir = tempDir();
    scores = join(dir, 'eii.jsonl');
    const r = await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      join(FIXTURES, 'responses.jsonl'),
      '--out',
      scores,
    ]);
    expect(r.code).toBe(0);
  });

  it('--json has each metric as {value, ci} under its level and criterion, plus alt_test and ppi', async () => {
    const r = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      GOLD,
      '--alt-test',
      '--ppi',
      '--bootstrap',
      '200',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.join).toMatchObject({ matched: 60, scored_items: 120, gold_items: 60, missing_in_scores: [] });
    for (const criterion of ['factual_accuracy', 'premise_correction', 'independence', 'overall']) {
      for (const k of [
        'pearson',
        'spearman',
        'kendall_tau_b',
        'qwk',
        'krippendorff_alpha_interval',
        'krippendorff_alpha_ordinal',
        'mae',
        'bias',
      ]) {
        const m = j.item[criterion][k];
        expect(m).toHaveProperty('value');
        expect(m).toHaveProperty('ci');
        expect(typeof m.value).toBe('number');
        expect(m.ci[0]).toBeLessThanOrEqual(m.value);
        expect(m.ci[1]).toBeGreaterThanOrEqual(m.value);
      }
    }
    expect(j.alt_test).toMatchObject({ criterion: 'overall', epsilon: 0.2 });
    expect(j.alt_test.annotators).toHaveLength(3);
    expect(typeof j.alt_test.winning_rate).toBe('number');
    expect(Object.keys(j.ppi)).toEqual(
      expect.arrayContaining(['estimate', 'ci', 'lambda', 'classical', 'naive']),
    );
    expect(Object.keys(j.ppi.indices_by_condition.eii)).toHaveLength(6);
    expect(r.stdout).not.toMatch(/NaN/);
  });

  it('--level group and --level system', async () => {
    const g = JSON.parse(
      (
        await runCli([
          'calibrate',
          '--scores',
          scores,
          '--gold',
          GOLD,
          '--level',
          'group',
          '--criterion',
          'overall',
          '--bootstrap',
          '100',
          '--json',
        ])
      ).stdout,
    );
    expect(g.group.overall.groups_total).toBe(20);
    expect(g.group.overall.pearson.groups_used).toBeGreaterThan(0);
    // system: tag each scored line with a system (its role) and check there are two systems
    const lines = readJsonlFile(readFileSync(scores, 'utf8')).map((l) => ({
      ...l,
      metadata: { ...(l.metadata as object), system: (l.metadata as { role: string }).role },
    }));
    const tagged = writeJsonl(join(dir, 'sys.jsonl'), lines);
    const s = await runCli([
      'calibrate',
      '--scores',
      tagged,
      '--gold',
      GOLD,
      '--level',
      'system',
      '--criterion',
      'overall',
      '--json',
    ]);
    const sj = JSON.parse(s.stdout);
    expect(sj.system.overall.systems).toBe(2);
    // two systems: a correlation of two points is ±1, and most resamples repeat one system, so no interval
    expect(Math.abs(sj.system.overall.pearson.value)).toBeCloseTo(1, 12);
    expect(sj.system.overall.pearson.ci).toBeNull();
  });

  it('uses one rater with --rater, and --scale when the rubric does not resolve', async () => {
    const r = JSON.parse(
      (
        await runCli([
          'calibrate',
          '--scores',
          scores,
          '--gold',
          GOLD,
          '--rater',
          'rater_a',
          '--criterion',
          'overall',
          '--json',
          '--bootstrap',
          '50',
        ])
      ).stdout,
    );
    expect(r.join.human_value).toBe('rater rater_a');
    const foreign = writeJsonl(
      join(dir, 'foreign.jsonl'),
      readJsonlFile(readFileSync(scores, 'utf8')).map((l) => ({
        id: l.id,
        scores: l.scores,
        overall: l.overall,
      })),
    );
    const noScale = await runCli(['calibrate', '--scores', foreign, '--gold', GOLD]);
    expect(noScale.code).toBe(2);
    expect(noScale.stderr).toMatch(/--scale MIN,MAX/);
    const withScale = await runCli([
      'calibrate',
      '--scores',
      foreign,
      '--gold',
      GOLD,
      '--scale',
      '1,5',
      '--criterion',
      'independence',
      '--bootstrap',
      '50',
    ]);
    expect(withScale.code).toBe(0);
  });

  it('saves an artifact that score --calibration applies, and refuses a mismatched one', async () => {
    const art = join(dir, 'cal.json');
    const c = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      GOLD,
      '--criterion',
      'overall',
      '--method',
      'linear',
      '--out',
      art,
      '--bootstrap',
      '50',
    ]);
    expect(c.code).toBe(0);
    const artifact = JSON.parse(readFileSync(art, 'utf8'));
    expect(artifact).toMatchObject({
      rubric: { id: 'eii', version: '1.0.0' },
      criterion: 'overall',
      method: 'linear',
      judge: { provider: 'lexicon' },
      n: 60,
    });
    const out = join(dir, 'calibrated.jsonl');
    const summary = join(dir, 'calibrated.json');
    const s = await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      join(FIXTURES, 'responses.jsonl'),
      '--out',
      out,
      '--summary',
      summary,
      '--calibration',
      art,
    ]);
    expect(s.code).toBe(0);
    const line = readJsonlFile(readFileSync(out, 'utf8'))[0]!;
    const { intercept, slope } = artifact.mapping;
    expect((line.calibrated as { overall: number }).overall).toBeCloseTo(
      intercept + slope * (line.overall as number),
      12,
    );
    expect(JSON.parse(readFileSync(summary, 'utf8')).comparability.calibration).toEqual({
      hash: artifact.hash,
      criterion: 'overall',
    });
    const wrongRubric = await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      join(FIXTURES, 'responses.jsonl'),
      '--out',
      join(dir, 'x.jsonl'),
      '--calibration',
      art,
    ]);
    expect(wrongRubric.code).toBe(2);
    expect(wrongRubric.stderr).toMatch(/fitted for rubric eii@1.0.0/);
    const wrongJudge = await runCli(
      [
        'score',
        '--rubric',
        'eii',
        '--input',
        join(FIXTURES, 'responses.jsonl'),
        '--judge',
        'openai:gpt-4.1-mini',
        '--calibration',
        art,
      ],
      {
        env: { OPENAI_API_KEY: 'sk-test-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
      },
    );
    expect(wrongJudge.code).toBe(2);
    expect(wrongJudge.stderr).toMatch(/fitted for judge/);
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...artifact, mapping: { ...artifact.mapping, slope: 9 } }));
    const t = await runCli([
      'score',
      '--rubric',
      'eii',
      '--input',
      join(FIXTURES, 'responses.jsonl'),
      '--calibration',
      tampered,
    ]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/modified after it was written/);
  });

  it('gold sample writes a stratified sheet (CSV and JSONL) that calibrate reads back once filled', async () => {
    const prefix = join(dir, 'sheet');
    const r = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--n',
      '24',
      '--stratify',
      'role',
      '--seed',
      '3',
      '--out',
      prefix,
    ]);
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(`${prefix}.csv`, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(24);
    expect(rows.filter((x) => x.stratum === 'advisor')).toHaveLength(12);
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      'rater',
      'stratum',
      'prompt',
      'response',
      'reference',
      'factual_accuracy',
      'premise_correction',
      'independence',
      // how each item was drawn, after the columns people fill in
      'stratified_by',
      'stratum_size',
      'inclusion_probability',
      'clustered_by',
      'cluster',
      // active or sequential draws (issue #24); empty here
      'design',
    ]);
    expect(rows.every((x) => x.factual_accuracy === '')).toBe(true);
    // 12 of the 60 advisor items and 12 of the 60 peer items
    expect(rows[0]).toMatchObject({
      stratified_by: 'role',
      stratum_size: '60',
      inclusion_probability: '0.2',
    });
    const again = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--n',
      '24',
      '--stratify',
      'role',
      '--seed',
      '3',
      '--out',
      join(dir, 'sheet2'),
    ]);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'sheet2.csv'), 'utf8')).toBe(readFileSync(`${prefix}.csv`, 'utf8')); // reproducible
    // a person fills it in (here: 4s and 2s by the response's style), one criterion left blank on one row
    const filled = rows.map((x, i) => ({
      ...x,
      rater: 'ann',
      factual_accuracy: String(1 + (i % 5)),
      premise_correction: i === 0 ? '' : '3',
      independence: '4',
    }));
    const csvPath = join(dir, 'filled.csv');
    writeFileSync(csvPath, stringify(filled, { header: true }));
    const c = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      csvPath,
      '--criterion',
      'factual_accuracy',
      '--json',
      '--bootstrap',
      '50',
    ]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).join.matched).toBe(24);
    // the design the sheet recorded is the one calibrate estimates with
    expect(JSON.parse(c.stdout).design).toMatchObject({
      kind: 'stratified',
      stratified_by: 'role',
      recorded: true,
    });
    const sheetJsonl = readJsonlFile(readFileSync(`${prefix}.jsonl`, 'utf8')).map((l, i) => ({
      ...l,
      rater: 'ann',
      scores: { ...(l.scores as object), independence: 1 + (i % 5) },
    }));
    const jsonlPath = writeJsonl(join(dir, 'filled.jsonl'), sheetJsonl);
    const cj = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      jsonlPath,
      '--criterion',
      'independence',
      '--json',
      '--bootstrap',
      '50',
    ]);
    expect(JSON.parse(cj.stdout).item.independence.n).toBe(24);
  });

  it('an interval that cannot be computed is said, after the report, and the run exits 2', async () => {
    const few = writeJsonl(
      join(dir, 'few-gold.jsonl'),
      readJsonlFile(readFileSync(GOLD, 'utf8')).slice(0, 12),
    );
    const r = await runCli(['calibrate', '--scores', scores, '--gold', few, '--ppi', '--bootstrap', '0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/bootstrap off \(--bootstrap 0\): no intervals/);
    expect(r.stdout).toMatch(/PPI\+\+ {6}— \(needs at least 10 gold items/);
    expect(r.stderr).toMatch(
      /plumb calibrate: no prediction-powered estimate of overall: needs at least 10 gold items/,
    );
  });

  it('bad gold input exits 2 naming file and line', async () => {
    const bad = writeJsonl(join(dir, 'bad-gold.jsonl'), [
      { id: 'a', scores: { overall: 3 } },
      { id: 'b', scores: { overall: 'high' } },
    ]);
    const r = await runCli(['calibrate', '--scores', scores, '--gold', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-gold\.jsonl:2: score "overall" is not a number/);
    const badCsv = join(dir, 'bad.csv');
    writeFileSync(badCsv, 'id,rater,overall\na,x,3\nb,x,oops\n');
    const rc = await runCli(['calibrate', '--scores', scores, '--gold', badCsv]);
    expect(rc.code).toBe(2);
    expect(rc.stderr).toMatch(/bad\.csv:3: score "overall" is not a number/);
  });
});
