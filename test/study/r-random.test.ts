import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RRandom, rAbOrders, rMultiturnDraws } from '../../src/stats/r-random.js';

/**
 * R's Mersenne-Twister and sample() (R ≥ 3.6, "Rejection" sampling), against numbers R 4.2.2 printed.
 * The recorded draws are the brief's ab_order_seed456.csv and multiturn_ids_seed456.csv (made by
 * `Rscript seeds.R`: `set.seed(456); sapply(1:250, function(i) sample(c("generic_is_A",
 * "personalized_is_A"), 1))` and `set.seed(456); ids <- sample(1:250, 100); for (i in 1:100)
 * pidx[i] <- sample.int(500, 1)`, as evaluate_alignment.R 152–154 and
 * goal_multiturn_personalized_plus.R 491–528 draw them).
 */
const DATA = join(import.meta.dirname, 'presets', 'data');
const csv = (name: string) =>
  readFileSync(join(DATA, name), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));

describe('R random numbers', () => {
  it('runif after set.seed equals R to the last bit', () => {
    // Rscript -e 'set.seed(456); cat(sprintf("%.17g", runif(2)))'
    const r = new RRandom(456);
    expect(r.unifRand()).toBe(0.089551600394770503);
    expect(r.unifRand()).toBe(0.21051231934688985);
    // Rscript -e 'set.seed(-7); cat(runif(3))' (a negative seed is taken as an unsigned word)
    const n = new RRandom(-7);
    expect([n.unifRand(), n.unifRand(), n.unifRand()].map((x) => x.toFixed(7))).toEqual([
      '0.3264949',
      '0.5398611',
      '0.2547362',
    ]);
  });

  it('sample.int with and without replacement, large n (several 16-bit chunks)', () => {
    // Rscript -e 'set.seed(1); cat(sample.int(1e6, 5))'
    expect(new RRandom(1).sampleInt(1e6, 5)).toEqual([548676, 452737, 124413, 436523, 856018]);
    // Rscript -e 'set.seed(2024); cat(sample(70000, 5, replace=TRUE))'
    expect(new RRandom(2024).sampleInt(70000, 5, true)).toEqual([45756, 45969, 19872, 7802, 33803]);
  });

  it("GoalPref-Bench's 100 multi-turn scenarios: set.seed(456); sample(1:250, 100)", () => {
    // Rscript -e 'set.seed(456); cat(sample(1:250, 100), sep=",")'
    const r = new RRandom(456);
    const ids = r.sample(
      Array.from({ length: 250 }, (_, i) => i + 1),
      100,
    );
    expect(ids.slice(0, 10)).toEqual([237, 229, 163, 38, 213, 27, 25, 206, 159, 122]);
    expect(ids.slice(-5)).toEqual([37, 24, 137, 232, 68]);
    expect(ids).toEqual(csv('multiturn_ids_seed456.csv').map((row) => Number(row[1])));
  });

  it('the Personalized+ persona indices drawn after them (recorded)', () => {
    const draws = rMultiturnDraws({ nScenarios: 250, n: 100, nPersonas: 500 });
    const rows = csv('multiturn_ids_seed456.csv');
    expect(draws.map((d) => [d.position, d.scenario, d.persona])).toEqual(rows.map((r) => r.map(Number)));
    // with n_scenarios = NULL there is no subset draw: scenario 1 gets persona 237, 2 gets 485, …
    const all = rMultiturnDraws({ nScenarios: 250, nPersonas: 500 });
    expect(all.slice(0, 5).map((d) => d.persona)).toEqual([237, 485, 419, 38, 469]);
  });

  it("the judge's A/B order per row (recorded, 250 rows; generic is A 129 times)", () => {
    const orders = rAbOrders(250);
    expect(orders).toEqual(csv('ab_order_seed456.csv').map((r) => r[1]));
    expect(orders.filter((o) => o === 'generic_is_A')).toHaveLength(129);
  });

  it.runIf(hasR())('equals a live Rscript on other seeds', () => {
    const out = execFileSync(
      'Rscript',
      [
        '-e',
        'for (s in c(0, 42, 123456789)) { set.seed(s); cat(sample(1:300, 20), sample.int(70000, 3), "\\n") }',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    [0, 42, 123456789].forEach((seed, i) => {
      const r = new RRandom(seed);
      expect([...r.sampleInt(300, 20), ...r.sampleInt(70000, 3)]).toEqual(out[i]);
    });
  });
});

function hasR(): boolean {
  try {
    execFileSync('Rscript', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
