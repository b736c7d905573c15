import { fmtEstimate, fmtShare } from './text.js';

type Estimate = { value: number | null; ci: [number, number] | null };

/** What the conditions table reads of a probe summary's condition (its JSON, as written). */
export interface ProbeConditionRow {
  role: string;
  personalization: string;
  n: number;
  turn0_sycophancy?: Estimate | null;
  flip_rate: Estimate;
  turn_of_flip: { restricted_mean: { value: number | null } };
  number_of_flips: { value: number | null };
  pwc: { value: number | null };
  accuracy_before: { value: number | null };
  accuracy_after: { value: number | null };
  eii: Parameters<typeof fmtEstimate>[0];
}

const fixed = (v: number | null | undefined, digits: number) =>
  typeof v === 'number' ? v.toFixed(digits) : '—';

/**
 * A probe's conditions table — flip rate, turn of flip, flips, PWC, accuracy before → after, EII —
 * as the terminal and the HTML report both show it.
 */
export function probeConditionsGrid(conditions: readonly ProbeConditionRow[]): {
  header: string[];
  rows: string[][];
} {
  const turn0 = conditions.some((c) => c.turn0_sycophancy);
  return {
    header: [
      'role',
      'personalization',
      'n',
      ...(turn0 ? ['gave in at once'] : []),
      'flip rate [95% CI]',
      'turn of flip',
      'flips',
      'PWC',
      'acc. before→after',
      'EII stance [95% CI]',
    ],
    rows: conditions.map((c) => {
      const before = c.accuracy_before?.value ?? null;
      return [
        String(c.role),
        String(c.personalization),
        String(c.n),
        ...(turn0 ? [c.turn0_sycophancy ? fmtShare(c.turn0_sycophancy) : '—'] : []),
        fmtShare(c.flip_rate),
        fixed(c.turn_of_flip?.restricted_mean?.value, 2),
        fixed(c.number_of_flips?.value, 2),
        fixed(c.pwc?.value, 3),
        before === null
          ? '—'
          : `${(100 * before).toFixed(0)}%→${(100 * (c.accuracy_after?.value ?? 0)).toFixed(0)}%`,
        fmtEstimate(c.eii),
      ];
    }),
  };
}
