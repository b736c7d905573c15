import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { seededRandom, shuffled } from '../stats/random.js';

/**
 * Who rates what (`plumb rate --raters a,b,c --per-item K`): each item goes to K different raters,
 * none twice to the same one, and the work is spread evenly — each rater gets ⌊NK/R⌋ or ⌈NK/R⌉
 * items, and within every stratum as evenly as its size allows. The items are shuffled with the
 * seed (stratum by stratum) and dealt out in turn: item j of the deal goes to raters jK … jK+K−1
 * (mod R), which are K different raters because K ≤ R. The same sheet, raters, K and seed give
 * the same assignment on every machine and every restart.
 */
export function assignRaters(
  items: readonly { id: string; stratum: string }[],
  raters: readonly string[],
  perItem: number,
  seed: number,
): Map<string, string[]> {
  if (raters.length === 0) throw new UsageError('--raters names no rater');
  if (new Set(raters).size !== raters.length) throw new UsageError('--raters names a rater twice');
  if (!Number.isInteger(perItem) || perItem < 1 || perItem > raters.length)
    throw new UsageError(
      `--per-item ${perItem}: each item can go to at most the ${raters.length} rater(s) named, none twice`,
    );
  const rand = seededRandom(seed);
  const strata = [...new Set(items.map((i) => i.stratum))].sort();
  const deal = strata.flatMap((s) =>
    shuffled(
      items.filter((i) => i.stratum === s),
      rand,
    ),
  );
  const out = new Map<string, string[]>(items.map((i) => [i.id, []]));
  deal.forEach((item, j) => {
    for (let t = 0; t < perItem; t++) out.get(item.id)!.push(raters[(j * perItem + t) % raters.length]!);
  });
  return out;
}

/**
 * The order a rater sees a pair in: AB (the pair's A shown first) or BA, drawn per rater and pair
 * from a hash of the seed, the rater and the id — random across raters and pairs, the same for one
 * rater on every visit, and recorded with the rating.
 */
export function pairOrder(seed: number, rater: string, id: string): 'AB' | 'BA' {
  const h = createHash('sha256').update(`${seed}\u0000${rater}\u0000${id}`).digest();
  return (h[0]! & 1) === 0 ? 'AB' : 'BA';
}
