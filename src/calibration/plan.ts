import { pearson } from '../stats/correlation.js';
import { zCritical } from '../stats/distributions.js';
import { PPI_MIN_LABELLED, PPI_PAIRED_MIN_PROMPTS } from '../stats/ppi-design.js';

/**
 * How much gold to collect (`plumb gold plan`): the number of human labels that brings the 95 %
 * interval of a mean to a half-width H, with gold alone and with PPI++ over the judged items.
 *
 * Gold alone: n = (z σ_y / H)². PPI++ with the tuned λ (Angelopoulos, Duchi & Zrnic 2023), n of
 * the N judged items labelled: Var = σ_y²/n · (1 − ρ² (N − n)/N) = σ_y²(1 − ρ²)/n + σ_y²ρ²/N,
 * so n = σ_y²(1 − ρ²) / (H²/z² − σ_y²ρ²/N). σ_y and ρ (the judge–human correlation) come from a
 * pilot gold set when there is one; otherwise ρ is assumed and σ_y taken to be the judge's spread.
 * These are large-sample figures: collect a margin above them. plumb's PPI++ interval is offered
 * from 10 gold units on (PPI_MIN_LABELLED), so a plan never asks for fewer.
 *
 * In prompts (`unit: 'prompts'`): when gold is drawn as whole prompts (`gold sample --clusters`),
 * or a contrast is paired by prompt, the unit of both the variance and the sample is the prompt:
 * the same formulas on per-prompt values (a prompt's mean, or its contrast B − A), N the prompts
 * judged, and n the prompts to rate in full (at least 10, PPI_PAIRED_MIN_PROMPTS).
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
  /** What n counts: gold items, or whole prompts to rate in full. */
  unit: 'items' | 'prompts';
  /** With prompts: what a prompt's value is (its mean, or a contrast between two levels). */
  per_prompt?: string;
  /** With prompts: the mean number of scored items per prompt (to turn prompts into ratings). */
  items_per_prompt?: number;
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
  unit?: 'items' | 'prompts';
  perPrompt?: string;
  itemsPerPrompt?: number;
}): GoldPlan {
  const unit = o.unit ?? 'items';
  const floor = unit === 'prompts' ? PPI_PAIRED_MIN_PROMPTS : PPI_MIN_LABELLED;
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
  const noun = unit === 'prompts' ? 'prompts' : 'items';
  const reach = (n: number) => ({
    n: n <= N ? n : null,
    ...(n > N
      ? {
          reason: `more than the ${N} judged ${noun}: even labelling all of them gives a half-width of ${((z * sdHuman) / Math.sqrt(N)).toFixed(4)}`,
        }
      : {}),
  });
  const room = (H / z) ** 2 - (sdHuman * rho) ** 2 / N;
  const ppi =
    room > 0
      ? reach(Math.max(floor, Math.ceil((sdHuman ** 2 * (1 - rho ** 2)) / room)))
      : {
          n: null,
          reason: `the judged set is too small for this half-width with PPI++ (its floor is ${((z * sdHuman * Math.abs(rho)) / Math.sqrt(N)).toFixed(4)}); judge more ${noun}`,
        };
  return {
    criterion: o.criterion,
    halfwidth: H,
    confidence: 1 - o.alpha,
    judged_items: N,
    sd_human: sdHuman,
    rho,
    source: pilot ? 'pilot' : 'assumed',
    unit,
    ...(o.perPrompt ? { per_prompt: o.perPrompt } : {}),
    ...(o.itemsPerPrompt !== undefined ? { items_per_prompt: o.itemsPerPrompt } : {}),
    pilot_items: pilot ? pilot.human.length : 0,
    classical: reach(Math.max(unit === 'prompts' ? floor : 2, classicalN)),
    ppi,
  };
}

/**
 * Per-prompt values to plan in prompts: each prompt's (value of `field`) mean judge value, or its
 * contrast mean(level b) − mean(level a) of `contrast.field`. The pilot pairs use the prompt's
 * rated items only, on both sides (the judge's value over the same items the people rated), and
 * need at least one rated item (of each level, for a contrast). Prompts that lack a level of the
 * contrast are left out.
 */
export function perPromptValues(
  items: readonly {
    judge: number | undefined;
    human: number | undefined;
    metadata: Record<string, unknown>;
  }[],
  field: string,
  contrast?: { field: string; a: string; b: string } | null,
): { judged: number[]; pilot: { judge: number[]; human: number[] }; items_per_prompt: number } {
  type Item = (typeof items)[number];
  const byPrompt = new Map<string, Item[]>();
  let grouped = 0;
  for (const it of items) {
    const g = it.metadata[field.replace(/^metadata\./, '')];
    if (g === undefined || g === null) continue;
    grouped += 1;
    const k = String(g);
    if (!byPrompt.has(k)) byPrompt.set(k, []);
    byPrompt.get(k)!.push(it);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : undefined);
  const values = (list: Item[], side: 'judge' | 'human') =>
    list.map((i) => i[side]).filter((v): v is number => v !== undefined);
  /** The prompt's value over `list` (all its items, or its rated ones) on one side. */
  const promptValue = (list: Item[], side: 'judge' | 'human') => {
    if (!contrast) return mean(values(list, side));
    const level = (l: string) => list.filter((i) => String(i.metadata[contrast.field]) === l);
    const [ma, mb] = [mean(values(level(contrast.a), side)), mean(values(level(contrast.b), side))];
    return ma === undefined || mb === undefined ? undefined : mb - ma;
  };
  const judged: number[] = [];
  const pilot = { judge: [] as number[], human: [] as number[] };
  for (const list of byPrompt.values()) {
    const j = promptValue(list, 'judge');
    if (j === undefined) continue;
    judged.push(j);
    const rated = list.filter((i) => i.human !== undefined && i.judge !== undefined);
    const h = promptValue(rated, 'human');
    const jr = promptValue(rated, 'judge');
    if (h !== undefined && jr !== undefined) {
      pilot.judge.push(jr);
      pilot.human.push(h);
    }
  }
  return { judged, pilot, items_per_prompt: byPrompt.size ? grouped / byPrompt.size : 0 };
}
