import { activeLabelsFor, type ExpectedSaving, expectedSaving } from '../stats/active.js';
import { uncertaintyOfScores } from './active-sample.js';

/**
 * `plumb gold plan --active` (issue #24): before any label is collected, how many labels an active
 * draw needs for the half-width a uniform draw reaches with `uniformLabels` (the plan's PPI++
 * figure), and so the expected saving. The relation between the signal u and the judge's residual
 * variance E[r² | u] comes from the pilot gold when there is one (fitted a + b·u² on the pilot's
 * residuals human − judge; optimistic when the pilot also gave the residual-spread signal, since
 * the same items then fit both) and is otherwise assumed (half of it moves with u²): see
 * expectedSaving in src/stats/active.ts. Both draws are compared under the active estimator
 * (the inverse-probability-weighted judge errors), which for a uniform draw is PPI with λ = 1;
 * PPI++'s tuned λ can do a little better than that on a uniform draw, so the saving is an upper
 * figure when the judge's scores are far off the human scale's slope.
 */
export interface ActivePlan {
  criterion: string;
  /** Labels the uniform draw needs (the plan's PPI++ n). */
  uniform_labels: number;
  /** Expected labels of the active draw for the same half-width. */
  active_labels: number;
  /** 1 − active/uniform. */
  saving: number;
  floor: number;
  signals: string;
  assumption: string;
  expected: ExpectedSaving;
}

export async function planActive(o: {
  scoresFile: string;
  criterion: string;
  uniformLabels: number;
  pilotGold?: string;
  calibration?: string;
  floor?: number;
}): Promise<ActivePlan> {
  const u = await uncertaintyOfScores(o.scoresFile, {
    criterion: o.criterion,
    ...(o.pilotGold ? { pilotGold: o.pilotGold } : {}),
    ...(o.calibration ? { calibration: o.calibration } : {}),
  });
  const index = new Map(u.ids.map((id, i) => [id, i]));
  const pilot = u.pilot
    ? u.pilot.ids.map((id, k) => ({
        uncertainty: u.uncertainty.u[index.get(id)!] ?? null,
        residual: u.pilot!.human[k]! - u.pilot!.judge[k]!,
      }))
    : undefined;
  const floor = o.floor ?? 0.5;
  const model = { floor, ...(pilot ? { pilot } : {}) };
  const activeLabels = activeLabelsFor(o.uniformLabels, u.uncertainty.u, model);
  const expected = expectedSaving(u.uncertainty.u, { ...model, budget: activeLabels });
  return {
    criterion: o.criterion,
    uniform_labels: o.uniformLabels,
    active_labels: Math.ceil(activeLabels),
    saving: 1 - Math.ceil(activeLabels) / o.uniformLabels,
    floor,
    signals: u.signals,
    assumption: expected.assumption,
    expected,
  };
}
