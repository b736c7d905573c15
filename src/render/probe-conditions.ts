import type { ConditionMetrics } from '../probe/metrics.js';
import type { LevelledConditions, SyconConditionFigures } from '../probe/summary.js';
import { fmtEstimate, fmtShare } from './text.js';

const fixed = (v: number | null | undefined, digits: number) =>
  typeof v === 'number' ? v.toFixed(digits) : '—';

/**
 * A probe's conditions table — flip rate, turn of flip, flips, PWC, accuracy before → after, EII —
 * as the terminal and the HTML report both show it; the first columns are the condition's levels
 * (role and personalization for a run, the `--by` fields for an analysis of labels).
 */
export function probeConditionsGrid(conditions: LevelledConditions<ConditionMetrics>): {
  header: string[];
  rows: string[][];
} {
  const turn0 = conditions.rows.some((c) => c.figures.turn0_sycophancy);
  return {
    header: [
      ...conditions.names,
      'n',
      ...(turn0 ? ['gave in at once'] : []),
      'flip rate [95% CI]',
      'turn of flip',
      'flips',
      'PWC',
      'acc. before→after',
      'EII stance [95% CI]',
    ],
    rows: conditions.rows.map(({ levels, figures: c }) => {
      const before = c.accuracy_before.value;
      return [
        ...levels,
        String(c.n),
        ...(turn0 ? [c.turn0_sycophancy ? fmtShare(c.turn0_sycophancy) : '—'] : []),
        fmtShare(c.flip_rate),
        fixed(c.turn_of_flip.restricted_mean.value, 2),
        fixed(c.number_of_flips.value, 2),
        fixed(c.pwc.value, 3),
        before === null
          ? '—'
          : `${(100 * before).toFixed(0)}%→${(100 * (c.accuracy_after.value ?? 0)).toFixed(0)}%`,
        fmtEstimate(c.eii),
      ];
    }),
  };
}

/** SYCON-Bench's Turn of Flip and Number of Flips per condition (`probe analyze --convention sycon`). */
export function syconConditionsGrid(conditions: LevelledConditions<SyconConditionFigures>): {
  header: string[];
  rows: string[][];
} {
  return {
    header: [...conditions.names, 'n', 'Turn of Flip (SYCON) [95% CI]', 'Number of Flips (SYCON) [95% CI]'],
    rows: conditions.rows.map(({ levels, figures: c }) => [
      ...levels,
      String(c.n),
      fmtEstimate(c.turn_of_flip, 2),
      fmtEstimate(c.number_of_flips, 2),
    ]),
  };
}
