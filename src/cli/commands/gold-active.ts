import type { ActiveCalibration } from '../../calibration/active-estimate.js';
import { type ActivePlan, planActive } from '../../calibration/active-plan.js';
import { sampleActive } from '../../calibration/active-sample.js';
import {
  makeRoomForSheet,
  sheetOutputs,
  sheetPrefix,
  writeRatingSheet,
} from '../../calibration/gold-sample.js';
import type { GoldPlan } from '../../calibration/plan.js';
import type { SequentialCalibration } from '../../calibration/sequential-session.js';
import { UsageError } from '../../core/errors.js';
import { table } from '../../render/text.js';
import type { ActiveMeanResult } from '../../stats/active.js';
import type { GoldPlanFlags, GoldSampleFlags } from '../specs/calibrate.js';

/** `plumb gold sample --active --budget N`: the batch active draw, written as a rating sheet. */
export async function goldSampleActiveCommand(flags: GoldSampleFlags): Promise<void> {
  const prefix = sheetPrefix(flags.out);
  const files = sheetOutputs(flags.out, [
    { flag: '--scores', path: flags.scores },
    ...(flags.gold ? [{ flag: '--gold', path: flags.gold }] : []),
  ]);
  const s = await sampleActive(flags.scores, {
    budget: flags.budget!,
    seed: flags.seed,
    criterion: flags.criterion,
    floor: flags.floor,
    ...(flags.gold ? { pilotGold: flags.gold } : {}),
    ...(flags.calibration ? { calibration: flags.calibration } : {}),
  });
  const moved = await makeRoomForSheet(prefix, flags.force === true);
  const { csv, jsonl } = await writeRatingSheet(prefix, s.rows, s.criteria);
  for (const [from, to] of moved) process.stdout.write(`kept the old ${from} as ${to}\n`);
  const what = s.pairs ? 'judged pairs' : 'scored items';
  const then = s.pairs
    ? `rate the pairs (A, B or tie) with\n  npx plumb rate ${jsonl}\nthen:\n  npx plumb calibrate --scores ${flags.scores} --gold ${files.ratings}\n`
    : `fill in the rater column and one score per criterion (${s.criteria.join(', ')}), then:\n  npx plumb calibrate --scores ${flags.scores} --gold ${csv}\n`;
  process.stdout.write(
    `drew ${s.rows.length} of ${s.total} ${what} by the active rule (budget ${s.expected} expected; Poisson sampling, so the count varies by about ±${Math.round(Math.sqrt(s.expected))})\n` +
      `  uncertainty of ${s.pairs ? 'each pair' : flags.criterion}: ${s.signals}\n` +
      (s.uniform
        ? `  every ${s.pairs ? 'pair’s orders agree' : 'item’s spread is 0'}: the probabilities are equal, a uniform draw (${s.pi.min.toFixed(3)})\n`
        : `  inclusion probabilities ${s.pi.min.toFixed(3)}–${s.pi.max.toFixed(3)} (floor τ = ${s.floor}: every item could be drawn)\n`) +
      'the sheet records design: active and each item’s inclusion probability: calibrate weights each rating by its inverse. Rate every drawn item: a skipped one biases the estimate\n' +
      `rating sheet: ${csv} and ${jsonl}\n${then}`,
  );
}

const ci = (c: [number, number] | null | undefined) =>
  c ? `[${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : '(no interval)';

function cells(
  r: Pick<ActiveMeanResult, 'estimate' | 'ci' | 'n' | 'N' | 'uniformLabelsForSameWidth' | 'reason'>,
) {
  if (r.estimate === null) return [`— (${r.reason})`, `${r.n}/${r.N}`, '—'];
  const u = r.uniformLabelsForSameWidth;
  return [
    `${r.estimate.toFixed(3)} ${ci(r.ci)}`,
    `${r.n}/${r.N}`,
    u === null || u === undefined ? '—' : `≈ ${Math.round(u)}`,
  ];
}

/** The active section of calibrate's text report. */
export function renderActive(a: ActiveCalibration | null | undefined): string[] {
  if (!a) return [];
  const conf = `${Math.round(100 * (1 - a.alpha))}% CI`;
  const lines = [
    '',
    `active estimates (${conf}; inverse-probability weighted, judge score + cross-fitted shift, Satterthwaite t):`,
    table(
      ['criterion', 'condition', 'estimate [CI]', 'rated/items', 'uniform draw needs'],
      a.means.map((m) => [m.criterion, m.condition ?? 'all', ...cells(m.result)]),
    ),
  ];
  if (a.contrasts.length)
    lines.push(
      '',
      'contrasts between conditions (B − A):',
      table(
        ['criterion', 'contrast', 'estimate [CI]', 'rated/items', 'uniform draw needs'],
        a.contrasts.map((c) => [c.criterion, `${c.b} − ${c.a}`, ...cells(c.result)]),
      ),
    );
  lines.push(
    '"uniform draw needs": about how many labels a uniform random draw would need for the same width (from the same data)',
    ...a.warnings.map((w) => `  note: ${w}`),
  );
  return lines;
}

/** The sequential section of calibrate's text report: the session replayed, as its page showed it. */
export function renderSequential(s: SequentialCalibration | null | undefined): string[] {
  if (!s) return [];
  const conf = `${Math.round(100 * (1 - s.alpha))}%`;
  const u = s.uniform_labels_for_same_variance;
  return [
    '',
    `sequential estimate (${conf} anytime-valid interval: a betting confidence sequence, valid at the session's stop; replayed from ${s.rater}'s ratings):`,
    table(
      ['criterion', 'estimate [CI]', 'half-width', 'labels/items', 'draws', 'uniform draws needs'],
      [
        [
          s.criterion,
          s.estimate === null ? '— (no rating yet)' : `${s.estimate.toFixed(3)} ${ci(s.interval)}`,
          `${s.half_width.toFixed(3)} (target ${s.target_halfwidth})`,
          `${s.labelled}/${s.items}`,
          String(s.draws),
          u === null
            ? '—'
            : `≈ ${Math.round(s.uniform_draws_for_same_variance!)} draws, ≈ ${Math.round(u)} labels`,
        ],
      ],
    ),
    `  ${s.message}${s.matches_page ? ' (the same as the rating page showed)' : ''}`,
    '"uniform draws needs": the draws (and the distinct items, so labels, they hold) a uniform session would need for the same variance, from the same data; the interval’s width also depends on the range of the weighted terms, which the active rule widens',
  ];
}

/** The active lines of gold plan's text report. */
export function activePlanLines(p: ActivePlan): string {
  return (
    `  active      ${p.active_labels} gold items expected (gold sample --active --budget ${p.active_labels}): ${p.saving >= 0 ? `${Math.round(100 * p.saving)}% fewer` : `${Math.round(-100 * p.saving)}% more`} than the ${p.uniform_labels} of a uniform draw\n` +
    `              uncertainty: ${p.signals}; floor τ = ${p.floor}\n` +
    `              ${p.assumption}\n`
  );
}

/** `gold plan --active`: the active draw's labels for the plan's uniform (PPI++) figure. */
export async function planActiveFor(flags: GoldPlanFlags, plan: GoldPlan): Promise<ActivePlan> {
  if (plan.unit === 'prompts')
    throw new UsageError('--active plans items, not whole prompts: leave out --clusters and --contrast');
  const uniform = plan.ppi.n ?? plan.classical.n;
  if (uniform === null)
    throw new UsageError(
      `no uniform figure to compare with (${plan.ppi.reason ?? plan.classical.reason}): ask for a wider half-width`,
    );
  return planActive({
    scoresFile: flags.scores,
    criterion: flags.criterion,
    uniformLabels: uniform,
    floor: flags.floor,
    ...(flags.gold ? { pilotGold: flags.gold } : {}),
  });
}
