import { pearson } from '../stats/correlation.js';
import { zCritical } from '../stats/distributions.js';

/**
 * How much gold to collect (`plumb gold plan`): the number of human labels that brings the 95 %
 * interval of a mean to a half-width H, with gold alone and with PPI++ over the judged items.
 *
 * Gold alone: n = (z σ_y / H)². PPI++ with the tuned λ (Angelopoulos, Duchi & Zrnic 2023), n of
 * the N judged items labelled: Var = σ_y²/n · (1 − ρ² (N − n)/N) = σ_y²(1 − ρ²)/n + σ_y²ρ²/N,
 * so n = σ_y²(1 − ρ²) / (H²/z² − σ_y²ρ²/N). σ_y and ρ (the judge–human correlation) come from a
 * pilot gold set when there is one; otherwise ρ is assumed and σ_y taken to be the judge's spread.
 * These are large-sample figures: collect a margin above them (and the CLT interval wants ≥ 100).
 */
export interface GoldPlan {
  criterion: string;
  halfwidth: number;
  confidence: number;
  judged_items: number;
  sd_human: number;
  rho: number;
  /** Where σ_y and ρ came from. */
  source: 'pilot' | 'assumed';
  pilot_items: number;
  classical: { n: number | null; reason?: string };
  ppi: { n: number | null; reason?: string };
}

export function planGold(o: {
  criterion: string;
  judged: readonly number[];
  pilot?: { judge: readonly number[]; human: readonly number[] } | null;
  rho?: number;
  halfwidth: number;
  alpha: number;
}): GoldPlan {
  const z = zCritical(o.alpha);
  const N = o.judged.length;
  const sd = (x: readonly number[]) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
  };
  const pilot = o.pilot && o.pilot.human.length >= 3 ? o.pilot : null;
  const sdHuman = pilot ? sd(pilot.human) : sd(o.judged);
  const rho = pilot ? (pearson([...pilot.judge], [...pilot.human]) ?? 0) : (o.rho ?? 0);
  const H = o.halfwidth;
  const classicalN = Math.ceil(((z * sdHuman) / H) ** 2);
  const reach = (n: number) => ({
    n: n <= N ? n : null,
    ...(n > N
      ? {
          reason: `more than the ${N} judged items: even labelling all of them gives a half-width of ${((z * sdHuman) / Math.sqrt(N)).toFixed(4)}`,
        }
      : {}),
  });
  const room = (H / z) ** 2 - (sdHuman * rho) ** 2 / N;
  const ppi =
    room > 0
      ? reach(Math.max(2, Math.ceil((sdHuman ** 2 * (1 - rho ** 2)) / room)))
      : {
          n: null,
          reason: `the judged set is too small for this half-width with PPI++ (its floor is ${((z * sdHuman * Math.abs(rho)) / Math.sqrt(N)).toFixed(4)}); judge more items`,
        };
  return {
    criterion: o.criterion,
    halfwidth: H,
    confidence: 1 - o.alpha,
    judged_items: N,
    sd_human: sdHuman,
    rho,
    source: pilot ? 'pilot' : 'assumed',
    pilot_items: pilot ? pilot.human.length : 0,
    classical: reach(Math.max(2, classicalN)),
    ppi,
  };
}
