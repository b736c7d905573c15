import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibration/calibrate.js';
import { goldOnlyMean, resolveDesign } from '../../src/calibration/design.js';
import { calibrateFiles, problemsOf } from '../../src/calibration/from-files.js';
import {
  type GoldRating,
  type ItemDesign,
  readGold,
  readSheetDesign,
  type SheetDesign,
} from '../../src/calibration/gold.js';
import { sampleForGold, writeRatingSheet } from '../../src/calibration/gold-sample.js';
import type { ScoredItem, ScoresFile } from '../../src/calibration/join.js';
import { perPromptValues, planGold } from '../../src/calibration/plan.js';
import { renderCalibration } from '../../src/cli/commands/calibrate.js';
import { ppiClusteredMeanInterval, ppiStratifiedMeanInterval } from '../../src/stats/ppi-design.js';
import { tempDir, writeJsonl } from '../helpers/cli.js';
import ref from '../reference/design.json' with { type: 'json' };

/**
 * Designs carried through (issue 21, "What to build", and item 7): the rating sheet records how
 * each item was drawn, calibrate estimates with it and refuses what it cannot honour, and nothing
 * is dropped without being counted and named. Reference for the stratified gold-only mean:
 * `Rscript test/reference/design_reference.R > test/reference/design.json` (Cochran's formulas in
 * base R 4.2.2).
 */
const item = (id: string, judge: number, metadata: Record<string, unknown> = {}): ScoredItem => ({
  id,
  scores: { q: judge },
  overall: judge,
  indices: {},
  metadata,
});
const goldOf = (id: string, human: number, design?: ItemDesign): GoldRating => ({
  id,
  rater: 'ana',
  scores: { q: human, overall: human },
  ...(design ? { design } : {}),
});
const base = {
  rubric: null,
  scale: { min: 1, max: 5 },
  level: 'item' as const,
  method: 'isotonic' as const,
  bootstrap: 0,
  seed: 1,
  criterion: 'overall',
  ppi: { alpha: 0.05 },
};
const scoresOf = (items: ScoredItem[]): ScoresFile => ({ items, rubric: null, judge: null });

describe('stratified gold (Neyman-like: 6 of 60, 6 of 30, 6 of 10) is estimated with its weights', () => {
  const items = ref.items.map((r) => item(r.id, r.judge, { personalization: r.personalization }));
  const strata = ref.strata as Record<string, number>;
  const gold = ref.items
    .filter((r) => r.gold)
    .map((r) =>
      goldOf(r.id, r.human, {
        stratified_by: 'personalization',
        stratum: r.personalization,
        stratum_size: strata[r.personalization]!,
        inclusion_probability: 6 / strata[r.personalization]!,
      }),
    );
  const sheet: SheetDesign = { file: 'sheet.csv', items: new Map(gold.map((g) => [g.id, g.design!])) };
  const r = calibrate({ ...base, scores: scoresOf(items), gold, sheet });
  const ppi = r.ppi as unknown as {
    estimate: number;
    ci: [number, number];
    interval: string;
    classical: { estimate: number; se: number; df: number; ci: [number, number] };
  };

  it('reads the design from the sheet', () => {
    expect(r.design).toMatchObject({ kind: 'stratified', stratified_by: 'personalization', strata });
    expect(r.design.note).toMatch(
      /stratified by personalization \(filler: 6 of 10, none: 6 of 60, profile: 6 of 30\)/,
    );
  });

  it('gold only: the stratified mean with the finite-population correction and Welch df = R', () => {
    const e = ref.stratified_gold_mean;
    expect(ppi.classical.estimate).toBeCloseTo(e.estimate, 12);
    expect(ppi.classical.se).toBeCloseTo(e.se, 12);
    expect(ppi.classical.df).toBeCloseTo(e.df, 9);
    expect(ppi.classical.ci[0]).toBeCloseTo(e.lower, 10);
    expect(ppi.classical.ci[1]).toBeCloseTo(e.upper, 10);
    // treated as a simple random sample it would be the unweighted mean, biased towards the small stratum
    expect(Math.abs(ppi.classical.estimate - ref.unweighted_gold_mean)).toBeGreaterThan(0.5);
  });

  it('PPI++: stratified (Fisch et al. 2024), each stratum weighted by its share of the items', () => {
    const direct = ppiStratifiedMeanInterval(
      ref.items.filter((x) => x.gold).map((x) => ({ y: x.human, f: x.judge, stratum: x.personalization })),
      ref.items.filter((x) => !x.gold).map((x) => ({ f: x.judge, stratum: x.personalization })),
      { alpha: 0.05, seed: 1, range: [1, 5] },
    );
    expect(ppi.interval).toMatch(/^stratified PPI\+\+/);
    expect(ppi.estimate).toBeCloseTo(direct.estimate!, 14);
    expect(ppi.ci).toEqual(direct.ci);
  });

  it("refuses Lee et al.'s pass rate for such gold (on a 0–1 criterion), saying why", () => {
    const binary = calibrate({
      ...base,
      scale: { min: 0, max: 1 },
      scores: scoresOf(
        items.map((it) => ({
          ...it,
          overall: it.overall! >= 3 ? 1 : 0,
          scores: { q: it.overall! >= 3 ? 1 : 0 },
        })),
      ),
      gold: gold.map((g) => ({
        ...g,
        scores: { q: g.scores.q! >= 3 ? 1 : 0, overall: g.scores.q! >= 3 ? 1 : 0 },
      })),
      sheet,
    });
    expect(binary.prevalence!.corrected).toBeNull();
    expect(binary.prevalence!.reason).toMatch(/unequal rates .* use --ppi/);
    // the refusal fails a run that did not ask for --ppi; with --ppi the weighted estimate is the answer
    expect((binary.ppi as unknown as { estimate: number | null }).estimate).not.toBeNull();
    expect(problemsOf(binary, { ppi: { alpha: 0.05, interval: 'clt' } })).toEqual([]);
    expect(problemsOf(binary, { ppi: null })).toEqual([
      `no corrected pass rate of overall: ${binary.prevalence!.reason}`,
    ]);
  });
});

describe('gold alone for a random sample of items (goldOnlyMean)', () => {
  it('a 1–5 scale: t on n − 1 with the scale ends as two pseudo-observations in the variance, cut at 5', () => {
    // Rscript -e 'y <- c(5,5,4,5,5,5,4,5,5,5,5,4,5,5,5,5,5,3,5,5,5,5,4,5,5,5,5,5,5,4); n <- length(y);
    //   se <- sqrt(var(c(y, 1, 5)) / n); h <- qt(0.975, n - 1) * se; print(c(mean(y), se, mean(y) - h), digits = 17)'
    // (R 4.2.2) → 4.7666666666666666 0.1510491979954007 4.4577363695061010; upper 5.12 cut at 5
    const y = [5, 5, 4, 5, 5, 5, 4, 5, 5, 5, 5, 4, 5, 5, 5, 5, 5, 3, 5, 5, 5, 5, 4, 5, 5, 5, 5, 5, 5, 4];
    const r = goldOnlyMean(y, 0.05, [1, 5])!;
    expect(r.estimate).toBeCloseTo(4.7666666666666666, 14);
    expect(r.se).toBeCloseTo(0.1510491979954007, 14);
    expect(r.df).toBe(29);
    expect(r.ci![0]).toBeCloseTo(4.457736369506101, 12);
    expect(r.ci![1]).toBe(5);
    // the plain t interval claims less spread than the scale allows: narrower
    const plain = Math.sqrt(y.reduce((a, v) => a + (v - r.estimate) ** 2, 0) / 29 / 30);
    expect(r.se!).toBeGreaterThan(plain);
    // without a scale: the ordinary t interval
    expect(goldOnlyMean(y, 0.05)!.interval).toBe('t(n − 1)');
  });

  it('0/1 values: the Clopper–Pearson interval at n − 1, inside [0, 1]', () => {
    // python3 -c 'from scipy.stats import beta; n = 29; x = 3 / 30 * n;
    //   print(beta.ppf(0.025, x, n - x + 1), beta.ppf(0.975, x + 1, n - x))'  (scipy 1.17.1)
    //   → 0.020335456096038915 0.2690683367250361
    // se over the values and a pseudo 0 and 1: Rscript -e 'y <- c(rep(1, 3), rep(0, 27));
    //   print(sqrt(var(c(y, 0, 1)) / 30), digits = 17)' → 0.061346889572455536
    const y = Array.from({ length: 30 }, (_, i) => (i < 3 ? 1 : 0));
    const r = goldOnlyMean(y, 0.05, [0, 1])!;
    expect(r.estimate).toBeCloseTo(0.1, 14);
    expect(r.ci![0]).toBeCloseTo(0.020335456096038915, 10);
    expect(r.ci![1]).toBeCloseTo(0.2690683367250361, 10);
    expect(r.se).toBeCloseTo(0.061346889572455536, 14);
    expect(r.interval).toBe('Clopper–Pearson at n − 1');
    // none passed: [0, Beta(0.975; 1, 30)]; scipy beta.ppf(0.975, 1, 30) → 0.11570330822202778
    const none = goldOnlyMean(new Array(30).fill(0), 0.05, [0, 1])!;
    expect(none.ci![0]).toBe(0);
    expect(none.ci![1]).toBeCloseTo(0.11570330822202778, 10);
    expect(goldOnlyMean([3], 0.05, [1, 5])!.ci).toBeNull();
    expect(goldOnlyMean([], 0.05, [1, 5])).toBeNull();
  });

  it("PPI++'s worth is a ratio of variances: gold alone's plain s²/n, not the guarded one", () => {
    const items = Array.from({ length: 60 }, (_, i) => item(`w${i}`, 1 + (i % 5)));
    const gold = items
      .slice(0, 30)
      .map((it, i) => goldOf(it.id, Math.min(5, 1 + (i % 5) + (i % 3 === 0 ? 1 : 0))));
    const r = calibrate({ ...base, scores: scoresOf(items), gold });
    const ppi = r.ppi as unknown as {
      se: number;
      effective_sample_size_gain: number;
      classical: { se: number };
    };
    const ys = gold.map((g) => g.scores.q!);
    const m = ys.reduce((a, b) => a + b, 0) / 30;
    const plain = Math.sqrt(ys.reduce((a, v) => a + (v - m) ** 2, 0) / 29 / 30);
    expect(ppi.effective_sample_size_gain).toBeCloseTo((plain / ppi.se) ** 2, 12);
    expect(ppi.classical.se).toBeGreaterThan(plain);
  });

  it('the design note the PPI++ section carries is printed once, at the top', () => {
    const items = Array.from({ length: 40 }, (_, i) => item(`n${i}`, 1 + (i % 5)));
    const gold = items.slice(0, 20).map((it, i) => goldOf(it.id, 1 + ((i + 1) % 5)));
    const r = calibrate({ ...base, scores: scoresOf(items), gold });
    const note = r.design.note!;
    expect(note).toMatch(/treated as a simple random sample/);
    expect((r.ppi as unknown as { warnings: string[] }).warnings).toContain(note);
    expect(renderCalibration(r).split(note).length - 1).toBe(1);
  });

  it('an item with gold but no human value of the quantity counts as not rated', () => {
    const items = Array.from({ length: 40 }, (_, i) => item(`u${i}`, 1 + (i % 5)));
    const gold = items.slice(0, 20).map((it, i) => goldOf(it.id, 1 + ((i + 2) % 5)));
    // ten more items have gold, but only of another criterion
    const other = items.slice(20, 30).map((it) => ({ id: it.id, rater: 'ana', scores: { tone: 3 } }));
    const r = calibrate({ ...base, scores: scoresOf(items), gold: [...gold, ...other] });
    const ppi = r.ppi as unknown as { n_labelled: number; n_unlabelled: number };
    expect(ppi.n_labelled).toBe(20);
    expect(ppi.n_unlabelled).toBe(20);
  });
});

describe('which design, and what is refused', () => {
  const items = Array.from({ length: 40 }, (_, i) => item(`i${i}`, 1 + (i % 5), { group: `p${i % 10}` }));
  const rated = (ids: string[]) => new Set(ids);

  it('no design information: a simple random sample, said so', () => {
    const d = resolveDesign(null, items, rated(['i0', 'i1', 'i2']));
    expect(d.design).toMatchObject({ kind: 'srs', recorded: false });
    expect(d.design!.note).toMatch(/records no design.*treated as a simple random sample/);
  });

  it('every item of the rated prompts has gold: whole prompts, cluster-robust', () => {
    const whole = items.filter((it) => ['p1', 'p2'].includes(String(it.metadata.group))).map((it) => it.id);
    expect(resolveDesign(null, items, rated(whole)).design).toMatchObject({
      kind: 'clusters',
      clustered_by: 'group',
      recorded: false,
    });
  });

  it('refuses whole prompts drawn within strata, sheets joined by hand, and strata of an unknown field', () => {
    const sheet = (entries: [string, ItemDesign][]): SheetDesign => ({
      file: 's.csv',
      items: new Map(entries),
    });
    const both = resolveDesign(
      sheet([
        [
          'i0',
          { stratified_by: 'role', stratum: 'a', clustered_by: 'group', cluster: 'p0', stratum_size: 5 },
        ],
        [
          'i1',
          { stratified_by: 'role', stratum: 'b', clustered_by: 'group', cluster: 'p1', stratum_size: 5 },
        ],
      ]),
      items,
      rated(['i0', 'i1']),
    );
    expect(both.design).toBeNull();
    expect(both.refused).toMatch(/whole prompts \(by group\) drawn within strata/);
    const mixed = resolveDesign(
      sheet([
        ['i0', { stratified_by: '', stratum: 'all', stratum_size: 40, inclusion_probability: 0.05 }],
        ['i1', { stratum: 'all' }],
      ]),
      items,
      rated(['i0', 'i1']),
    );
    expect(mixed.refused).toMatch(/1 of its 2 rows record how they were drawn/);
    const unknown = resolveDesign(
      sheet([
        ['i0', { stratum: 'x' }],
        ['i1', { stratum: 'y' }],
      ]),
      items,
      rated(['i0', 'i1']),
    );
    expect(unknown.refused).toMatch(/names strata \(x, y\) but not the field/);
  });

  it('an older sheet whose strata are the values of one metadata field: that field, found', () => {
    const withRole = items.map((it, i) => ({
      ...it,
      metadata: { ...it.metadata, role: i < 30 ? 'advisor' : 'peer' },
    }));
    const d = resolveDesign(
      {
        file: 'old.csv',
        items: new Map([
          ['i0', { stratum: 'advisor' }],
          ['i35', { stratum: 'peer' }],
          ['i36', { stratum: 'peer' }],
        ]),
      },
      withRole,
      rated(['i0', 'i35', 'i36']),
    );
    expect(d.design).toMatchObject({ kind: 'stratified', stratified_by: 'role', inferred: true });
  });

  it('drawn but not rated: counted and named', () => {
    const d = resolveDesign(
      {
        file: 's.csv',
        items: new Map(
          ['i0', 'i1', 'i2'].map((id) => [
            id,
            { stratified_by: '', stratum: 'all', stratum_size: 40, inclusion_probability: 3 / 40 },
          ]),
        ),
      },
      items,
      rated(['i0']),
    );
    expect(d.design).toMatchObject({ kind: 'srs', recorded: true });
    expect(d.not_rated).toEqual({ count: 2, ids: ['i1', 'i2'] });
    expect(d.warnings[0]).toMatch(/2 items drawn for the sheet were not rated \(i1, i2\)/);
  });
});

describe('whole prompts drawn (gold sample --clusters) and planned (gold plan --clusters / --contrast)', () => {
  it('samples whole prompts, records the design, and calibrate estimates cluster-robustly', async () => {
    const dir = tempDir('plumb-design-');
    const lines = Array.from({ length: 60 }, (_, i) => ({
      id: `r${i}`,
      scores: { q: 1 + ((i * 7) % 5) },
      overall: 1 + ((i * 7) % 5),
      metadata: { group: `p${Math.floor(i / 4)}`, personalization: i % 2 ? 'profile' : 'none' },
    }));
    const scoresFile = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const s = await sampleForGold(scoresFile, 12, { seed: 3, clusters: 'group' });
    expect(s.prompts).toEqual({ drawn: 12, of: 15 });
    expect(s.rows).toHaveLength(48);
    const byPrompt = new Map<string, number>();
    for (const r of s.rows) byPrompt.set(r.design!.cluster!, (byPrompt.get(r.design!.cluster!) ?? 0) + 1);
    expect([...byPrompt.values()].every((n) => n === 4)).toBe(true);
    expect(s.rows[0]!.design).toMatchObject({
      clustered_by: 'group',
      stratum_size: 15,
      inclusion_probability: 12 / 15,
    });
    await expect(
      sampleForGold(scoresFile, 4, { seed: 1, clusters: 'group', stratify: 'personalization' }),
    ).rejects.toThrow(/--clusters and --stratify together/);
    // the sheet, rated through plumb rate (one line per rating), beside it
    const prefix = join(dir, 'sheet');
    await writeRatingSheet(prefix, s.rows, ['q']);
    const ratings = s.rows
      .slice(0, 44) // the last prompt drawn is left unrated
      .map((r, i) => JSON.stringify({ rater: 'ana', id: r.id, criterion: 'q', value: 1 + ((i * 3) % 5) }))
      .join('\n');
    writeFileSync(`${prefix}.ratings.jsonl`, `${ratings}\n`);
    const gold = await readGold(`${prefix}.ratings.jsonl`);
    const sheet = await readSheetDesign(`${prefix}.ratings.jsonl`, gold);
    expect(sheet!.file).toBe(`${prefix}.jsonl`);
    const { report, problems } = await calibrateFiles({
      scoresFile,
      goldFile: `${prefix}.ratings.jsonl`,
      scale: { min: 1, max: 5 },
      criterion: 'q',
      level: 'item',
      method: 'isotonic',
      bootstrap: 0,
      seed: 1,
      altTest: null,
      ppi: { alpha: 0.05, interval: 'clt' },
      compare: null,
    });
    expect(problems).toEqual([]);
    expect(report.design).toMatchObject({ kind: 'clusters', clustered_by: 'group', recorded: true });
    expect(report.design.not_rated.count).toBe(4);
    const ppi = report.ppi as unknown as { estimate: number; ci: [number, number]; clusters: number };
    const rated = new Set(gold.map((g) => g.id));
    const direct = ppiClusteredMeanInterval(
      lines
        .filter((l) => rated.has(l.id))
        .map((l) => ({
          y: gold.find((g) => g.id === l.id)!.scores.q!,
          f: l.scores.q,
          cluster: l.metadata.group,
        })),
      lines.filter((l) => !rated.has(l.id)).map((l) => ({ f: l.scores.q, cluster: l.metadata.group })),
      { alpha: 0.05, seed: 1, range: [1, 5] },
    );
    expect(ppi.clusters).toBe(11);
    expect(ppi.estimate).toBeCloseTo(direct.estimate!, 14);
    expect(ppi.ci).toEqual(direct.ci);
    expect(renderCalibration(report)).toMatch(/4 items drawn for the sheet were not rated/);
  });

  it('plans in prompts: per-prompt values, at least 10 prompts', () => {
    const items = Array.from({ length: 80 }, (_, i) => ({
      judge: 2 + (i % 3) + (i % 2 ? 0.5 : 0),
      human: i < 40 ? 2 + (i % 3) + (i % 2 ? 0.7 : 0) : undefined,
      metadata: { group: `p${Math.floor(i / 2)}`, personalization: i % 2 ? 'profile' : 'none' },
    }));
    const per = perPromptValues(items, 'group', { field: 'personalization', a: 'none', b: 'profile' });
    expect(per.judged).toHaveLength(40);
    expect(per.pilot.human).toHaveLength(20);
    expect(per.items_per_prompt).toBe(2);
    // a contrast of profile − none within each prompt: 0.5 by the judge, 0.7 by people, plus the
    // 1-step changes between the prompt's two items
    expect(per.judged[0]).toBeCloseTo(1.5, 12);
    const plan = planGold({
      criterion: 'overall',
      judged: per.judged,
      pilot: per.pilot,
      halfwidth: 5,
      alpha: 0.05,
      unit: 'prompts',
    });
    expect(plan.unit).toBe('prompts');
    expect(plan.classical.n).toBe(10);
    expect(plan.ppi.n).toBe(10);
  });

  it("a prompt's pilot pair uses its rated items on both sides", () => {
    // p0: three items, two rated; p1: rated in full; p2: none rated
    const items = [
      { judge: 1, human: 2, metadata: { group: 'p0' } },
      { judge: 3, human: 4, metadata: { group: 'p0' } },
      { judge: 5, human: undefined, metadata: { group: 'p0' } },
      { judge: 2, human: 2, metadata: { group: 'p1' } },
      { judge: 4, human: 5, metadata: { group: 'p1' } },
      { judge: 3, human: undefined, metadata: { group: 'p2' } },
    ];
    const per = perPromptValues(items, 'group');
    expect(per.judged).toEqual([3, 3, 3]);
    // p0's judge value over its rated items (1, 3), not all three (1, 3, 5)
    expect(per.pilot).toEqual({ judge: [2, 3], human: [3, 3.5] });
  });
});

describe('no silent drops', () => {
  it("another tool's scores without overall: explained, not blamed on too little gold", async () => {
    const dir = tempDir('plumb-drops-');
    const scoresFile = writeJsonl(
      join(dir, 's.jsonl'),
      Array.from({ length: 20 }, (_, i) => ({ id: `x${i}`, scores: { helpful: 1 + (i % 5) } })),
    );
    const goldFile = writeJsonl(
      join(dir, 'g.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({
        id: `x${i}`,
        rater: 'a',
        scores: { helpful: 1 + ((i + 1) % 5) },
      })),
    );
    const run = (criterion: string) =>
      calibrateFiles({
        scoresFile,
        goldFile,
        scale: { min: 1, max: 5 },
        criterion,
        level: 'item',
        method: 'isotonic',
        bootstrap: 0,
        seed: 1,
        altTest: null,
        ppi: null,
        compare: null,
      });
    await expect(run('overall')).rejects.toThrow(
      /no item has both a judge and a human value of overall \(of 12 joined: 12 items: the judge gave no overall.*The scores carry no "overall" \(scores from another tool\?\): calibrate one of their criteria with --criterion \(helpful\)/,
    );
    const ok = await run('helpful');
    expect(ok.report.join.criteria.helpful).toEqual({ n: 12, dropped: {} });
  });

  it('a renamed sheet column that leaves n = 0 is an error naming the column', async () => {
    const dir = tempDir('plumb-drops-');
    const scoresFile = writeJsonl(
      join(dir, 's.jsonl'),
      Array.from({ length: 20 }, (_, i) => ({ id: `x${i}`, scores: { a: 1 + (i % 5), b: 2 }, overall: 2 })),
    );
    const goldFile = join(dir, 'sheet.csv');
    writeFileSync(
      goldFile,
      `id,rater,A,b\n${Array.from({ length: 10 }, (_, i) => `x${i},ana,${1 + (i % 5)},2`).join('\n')}\n`,
    );
    await expect(
      calibrateFiles({
        scoresFile,
        goldFile,
        scale: { min: 1, max: 5 },
        level: 'item',
        method: 'isotonic',
        bootstrap: 0,
        seed: 1,
        altTest: null,
        ppi: null,
        compare: null,
      }),
    ).rejects.toThrow(
      /no item has both a judge and a human value of a .*"A" that is no criterion of the scores .*renamed\?/,
    );
  });

  it('items without a reference: their human overall leaves out what needs one, as the judge does; drops are counted', async () => {
    const { resolveRubric } = await import('../../src/rubrics/load.js');
    const rubric = await resolveRubric('eii');
    // factual_accuracy needs a reference: the judge left it null on items without one
    const items: ScoredItem[] = Array.from({ length: 16 }, (_, i) => ({
      id: `e${i}`,
      scores: { factual_accuracy: i < 4 ? null : 3, premise_correction: 3, independence: 4 },
      overall: 3.5,
      indices: {},
      metadata: {},
    }));
    const gold = items.map((it, i) => ({
      id: it.id,
      rater: 'ana',
      scores: {
        ...(i < 4 ? {} : { factual_accuracy: 3 }),
        ...(i === 15 ? {} : { premise_correction: 2 }),
        independence: 4,
      },
    }));
    const r = calibrate({
      ...base,
      rubric,
      scale: { min: 1, max: 5 },
      scores: scoresOf(items),
      gold,
      ppi: null,
      criterion: undefined,
    });
    expect(r.join.criteria.overall!.n).toBe(15);
    expect(r.join.criteria.overall!.dropped).toEqual({
      'no human overall: the gold has no "overall" and premise_correction is not rated': 1,
    });
    expect(r.join.criteria.factual_accuracy!.dropped).toEqual({
      'the judge could not score factual_accuracy (it needs a reference these items lack)': 4,
    });
    const text = renderCalibration(r);
    expect(text).toMatch(/overall: 15 of 16 joined items used; left out: 1 \(no human overall/);
    expect(text).toMatch(/bootstrap off \(--bootstrap 0\): no intervals/);
    expect(text).not.toMatch(/95% bootstrap CI/);
  });

  it('--ppi with every item rated says so: the gold-only estimate is the answer, and it is no failure', async () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`a${i}`, 1 + (i % 5)));
    const gold = items.map((it, i) => goldOf(it.id, 1 + ((i + 1) % 5)));
    const r = calibrate({ ...base, scores: scoresOf(items), gold });
    const ppi = r.ppi as unknown as { estimate: null; reason: string; classical: { estimate: number } };
    expect(ppi.estimate).toBeNull();
    expect(ppi.reason).toMatch(/every item here has gold: PPI\+\+ needs items without it.*is the answer/);
    expect(ppi.classical.estimate).toBeCloseTo(3, 14);
    const { problemsOf } = await import('../../src/calibration/from-files.js');
    expect(problemsOf(r, { ppi: { alpha: 0.05, interval: 'clt' } })).toEqual([]);
    // too little gold for an interval is a failure that says why
    const few = calibrate({ ...base, scores: scoresOf(items), gold: gold.slice(0, 5) });
    expect(problemsOf(few, { ppi: { alpha: 0.05, interval: 'clt' } })).toEqual([
      'no prediction-powered estimate of overall: needs at least 10 gold items and one item without gold (has 5 and 25)',
    ]);
  });
});
