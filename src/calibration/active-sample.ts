import { InputError, UsageError } from '../core/errors.js';
import { readJsonl } from '../io/jsonl.js';
import { drawActive } from '../stats/active.js';
import { readArtifact } from './artifact.js';
import { rubricOfScores } from './from-files.js';
import { checkGold, readGold } from './gold.js';
import { PAIR_CRITERIA, pairSheetRowOf, type SheetRow, sheetRowOf } from './gold-sample.js';
import { groupGold, humanValue, judgeValue, readScores } from './join.js';
import type { Mapping } from './mapping.js';
import {
  describeSignals,
  type ItemUncertainty,
  inclusionProbabilities,
  isPairLine,
  itemUncertainty,
  pairJudgeValue,
  pairLineSignals,
  residualSpread,
  scoreLineSignals,
  type UncertaintyItem,
} from './uncertainty.js';

/**
 * `plumb gold sample --active --budget B` (issue #24, batch mode): every scored item gets an
 * inclusion probability πᵢ from the judge's uncertainty about it (uncertainty.ts) with Σπ = B, and
 * is drawn independently with that probability from the seed (Poisson sampling, drawActive). The
 * number drawn is random around B (±√B). Each row of the sheet records `design: active`, its πᵢ
 * (`inclusion_probability`) and the number of scored items N (`stratum_size`): what
 * `plumb calibrate` needs to recognise the sheet and weight each rating by 1/πᵢ.
 */

export interface ActiveSampleOptions {
  budget: number;
  seed: number;
  /** The criterion whose uncertainty drives the draw (default overall). */
  criterion?: string;
  /** τ, the share of the budget spread uniformly (default ½). */
  floor?: number;
  /** Pilot gold for the residual spread (and a calibration artifact's map to apply first). */
  pilotGold?: string;
  calibration?: string;
}

export interface Pilot {
  ids: string[];
  judge: number[];
  human: number[];
}

/** The pilot pairs (raw judge value, human value) of a gold file joined with the scores. */
export async function readPilot(scoresFile: string, goldFile: string, criterion: string): Promise<Pilot> {
  const scores = await readScores(scoresFile);
  const { rubric } = await rubricOfScores(scores);
  const gold = await readGold(goldFile);
  const criteria = rubric
    ? rubric.criteria.map((c) => c.name)
    : [...new Set(gold.flatMap((g) => Object.keys(g.scores)))];
  if (rubric) checkGold(gold, goldFile, rubric.scale, criteria);
  const humans = groupGold(gold, rubric, criteria);
  const pilot: Pilot = { ids: [], judge: [], human: [] };
  for (const it of scores.items) {
    const j = judgeValue(it, criterion);
    const h = humanValue(humans.get(it.id), criterion);
    if (j === undefined || h === undefined) continue;
    pilot.ids.push(it.id);
    pilot.judge.push(j);
    pilot.human.push(h);
  }
  return pilot;
}

/**
 * Each item's id, sheet row, judge value, signals and metadata: score lines (the criterion's
 * value, samples and panel signals) or pairwise lines (the pair's value on the "B is better"
 * scale and the orders signal; rated by `verdict`). A file of both is refused.
 */
export async function readUncertaintyItems(
  scoresFile: string,
  criterion: string,
): Promise<{
  ids: string[];
  rows: SheetRow[];
  items: UncertaintyItem[];
  metadata: Record<string, unknown>[];
  criteria: string[];
  lines: number;
  pairs: number;
}> {
  const ids: string[] = [];
  const rows: SheetRow[] = [];
  const items: UncertaintyItem[] = [];
  const metadata: Record<string, unknown>[] = [];
  const criteria = new Set<string>();
  let lines = 0;
  let pairs = 0;
  let scored = 0;
  for await (const { line, value } of readJsonl(scoresFile)) {
    lines += 1;
    const meta = (value.metadata && typeof value.metadata === 'object' ? value.metadata : {}) as Record<
      string,
      unknown
    >;
    if (value.scores && typeof value.scores === 'object') {
      scored += 1;
      for (const k of Object.keys(value.scores as object)) criteria.add(k);
      const scores = value.scores as Record<string, unknown>;
      const v = criterion === 'overall' ? value.overall : scores[criterion];
      ids.push(String(value.id));
      rows.push(sheetRowOf(value));
      metadata.push(meta);
      items.push({
        judge: typeof v === 'number' ? v : undefined,
        signals: scoreLineSignals(value, criterion),
      });
    } else if (isPairLine(value)) {
      pairs += 1;
      ids.push(String(value.id));
      rows.push(pairSheetRowOf(value));
      metadata.push(meta);
      items.push({ judge: pairJudgeValue(value), signals: pairLineSignals(value) });
    }
    if (pairs && scored)
      throw new InputError(
        scoresFile,
        line,
        'scored items and pairwise lines in one file: draw from each file on its own (they are rated differently)',
      );
  }
  if (items.length === 0)
    throw new InputError(
      scoresFile,
      undefined,
      lines === 0
        ? 'the file is empty'
        : `none of its ${lines} lines is a scored item or a judged pair (a responses file? score it first with plumb score, or judge pairs with plumb pairwise)`,
    );
  return {
    ids,
    rows,
    items,
    metadata,
    criteria: pairs ? [...PAIR_CRITERIA] : [...criteria],
    lines,
    pairs,
  };
}

/** The uncertainty of every item of a scores file, with the residual spread of a pilot when given. */
export async function uncertaintyOfScores(
  scoresFile: string,
  o: { criterion: string; pilotGold?: string; calibration?: string },
): Promise<{
  ids: string[];
  rows: SheetRow[];
  metadata: Record<string, unknown>[];
  /** The items are pairs (pairwise lines), rated by `verdict`. */
  pairs: boolean;
  criteria: string[];
  judge: (number | undefined)[];
  uncertainty: ItemUncertainty;
  signals: string;
  pilot: Pilot | null;
}> {
  if (o.calibration && !o.pilotGold)
    throw new UsageError(
      '--calibration needs --gold: the residual spread of the fitted map is read from gold items (the pilot it was fitted on, or another)',
    );
  const read = await readUncertaintyItems(scoresFile, o.criterion);
  if (read.pairs && o.pilotGold)
    throw new UsageError(
      `${scoresFile} holds pairwise lines: their signal is the disagreement of the two orders (and of their votes); the residual spread of pilot gold (--gold, --calibration) is for scored items`,
    );
  if (read.pairs && o.criterion !== 'overall' && o.criterion !== 'verdict')
    throw new UsageError(
      `${scoresFile} holds pairwise lines, rated by their verdict: --criterion ${o.criterion} applies to scored items`,
    );
  let pilot: Pilot | null = null;
  let table = null;
  if (o.pilotGold) {
    pilot = await readPilot(scoresFile, o.pilotGold, o.criterion);
    if (pilot.judge.length < 3)
      throw new InputError(
        o.pilotGold,
        undefined,
        `only ${pilot.judge.length} gold item(s) match scored items with a ${o.criterion}: the residual spread needs at least 3`,
      );
    let mapping: Mapping = { method: 'none' };
    if (o.calibration) {
      const artifact = await readArtifact(o.calibration);
      if (artifact.criterion !== o.criterion)
        throw new UsageError(
          `${o.calibration} maps ${artifact.criterion}, not ${o.criterion}: give --criterion ${artifact.criterion} or the artifact of ${o.criterion}`,
        );
      mapping = artifact.mapping;
    }
    table = residualSpread(
      pilot.judge.map((j, i) => ({ judge: j, human: pilot!.human[i]! })),
      mapping,
    );
  }
  const uncertainty = itemUncertainty(read.items, table);
  return {
    ids: read.ids,
    rows: read.rows,
    metadata: read.metadata,
    pairs: read.pairs > 0,
    criteria: read.criteria,
    judge: read.items.map((i) => i.judge),
    uncertainty,
    signals: describeSignals(uncertainty, read.items.length),
    pilot,
  };
}

/** Draws the active sample; returns the sheet rows (with their design) and what was done. */
export async function sampleActive(scoresFile: string, o: ActiveSampleOptions) {
  const criterion = o.criterion ?? 'overall';
  const u = await uncertaintyOfScores(scoresFile, {
    criterion,
    ...(o.pilotGold ? { pilotGold: o.pilotGold } : {}),
    ...(o.calibration ? { calibration: o.calibration } : {}),
  });
  const N = u.ids.length;
  const pi = inclusionProbabilities(u.uncertainty.u, {
    budget: o.budget,
    ...(o.floor !== undefined ? { floor: o.floor } : {}),
  });
  const { order } = drawActive(pi, o.seed);
  const rows: SheetRow[] = order.map((i) => ({
    ...u.rows[i]!,
    design: {
      design: 'active',
      stratum: 'all',
      stratum_size: N,
      inclusion_probability: pi[i]!,
    },
  }));
  return {
    rows,
    pairs: u.pairs,
    criteria: u.criteria,
    total: N,
    /** Every item's spread is 0 (or none has one): the draw is a uniform one. */
    uniform: u.uncertainty.u.every((v) => v === null || v === 0),
    expected: Math.min(o.budget, N),
    signals: u.signals,
    floor: o.floor ?? 0.5,
    pi: { min: Math.min(...pi), max: Math.max(...pi) },
  };
}
