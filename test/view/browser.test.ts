/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { ROOT, readJsonlFile, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';

/**
 * plumb view and the grown-up rating page (issue 22) in headless Chromium, driving the built CLI
 * as a user would: a score run with gold (search, filter, sort by disagreement, a deep link, a
 * review that `plumb calibrate --gold <reviews>` then uses, two runs compared), a probe folder (the
 * turn of flip), a pairwise run (both orders as the judge saw them, triage into a sheet), the
 * static file opened from disk with every request outside it refused, and the rating page rating
 * pairs with two raters and showing progress. Screenshots go to test-output/screenshots/.
 */
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const dir = tempDir('plumb-view-browser-');
const runs = {
  a: join(dir, 'a.scores.jsonl'),
  b: join(dir, 'b.scores.jsonl'),
  pairs: join(dir, 'pw.jsonl'),
  probe: join(dir, 'probe'),
};
const gold = join(ROOT, 'fixtures', 'gold.jsonl');
let browser: Browser | null = null;
const stops: (() => void)[] = [];

afterAll(async () => {
  for (const s of stops) s();
  await browser?.close();
});

/** A CLI that serves a page: its address, once printed. */
async function serve(args: string[]): Promise<{ url: string; stop: () => void }> {
  const cli = startCli(args, { timeoutMs: 120_000 });
  let url = '';
  cli.child.stdout.on('data', (d: Buffer) => {
    const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(String(d));
    if (m) url = m[0];
  });
  await waitFor(() => url !== '' || cli.child.exitCode !== null, 60_000, `the address of plumb ${args[0]}`);
  if (!url) throw new Error(`plumb ${args.join(' ')} did not start: ${cli.stderrSoFar()}`);
  const stop = () => cli.child.kill('SIGINT');
  stops.push(stop);
  return { url, stop };
}

/** A page that records console errors and every request that leaves `origin`. */
async function open(origin: string): Promise<{ page: Page; errors: string[]; elsewhere: string[] }> {
  browser ??= await puppeteer.launch({ executablePath: CHROMIUM!, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors: string[] = [];
  const elsewhere: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) elsewhere.push(r.url());
  });
  return { page, errors, elsewhere };
}

const shot = (page: Page, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  return page.screenshot({ path: join(SHOTS, `${name}.png`) });
};
/** The list of the view in the address is on the page (not the list of the view before it). */
const rowsLoaded = (page: Page, label: string) =>
  page.waitForFunction(
    (l) =>
      document.getElementById('list')?.getAttribute('data-view') === location.hash &&
      (document.getElementById('count')?.textContent ?? '').includes(`in ${l}`) &&
      !!document.querySelector('#rows tr'),
    {},
    label,
  );
const column = (page: Page, header: string) =>
  page.evaluate((h) => {
    const heads = Array.from(document.querySelectorAll('#head th')).map((th) => th.textContent);
    const k = heads.indexOf(h);
    return Array.from(document.querySelectorAll('#rows tr')).map((tr) => tr.children[k]?.textContent ?? '');
  }, header);

describe.skipIf(!CHROMIUM)('plumb view in headless Chromium', () => {
  beforeAll(async () => {
    const fixture = join(ROOT, 'fixtures', 'responses.jsonl');
    const rows = readFileSync(fixture, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const pairs = rows
      .filter((_, i) => i % 2 === 0)
      .map((a, i) => ({
        id: `p${i}`,
        prompt: a.prompt,
        response_a: a.response,
        response_b: rows[2 * i + 1].response,
        metadata: { role: a.metadata.role },
      }));
    // a few questions keep the probe quick; every condition is still there
    const questions = join(dir, 'questions.jsonl');
    writeFileSync(
      questions,
      `${readFileSync(join(ROOT, 'fixtures', 'questions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .slice(0, 5)
        .join('\n')}\n`,
    );
    const pairsInput = join(dir, 'pairs.jsonl');
    writeFileSync(pairsInput, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
    const made = await Promise.all([
      runCli(['score', '--rubric', 'eii', '--input', fixture, '--out', runs.a]),
      runCli([
        'score',
        '--rubric',
        'eii',
        '--input',
        join(ROOT, 'fixtures', 'responses-degraded.jsonl'),
        '--out',
        runs.b,
      ]),
      runCli(['pairwise', '--rubric', 'preference', '--input', pairsInput, '--out', runs.pairs]),
      runCli([
        'probe',
        '--questions',
        questions,
        '--target',
        `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`,
        '--personas',
        join(ROOT, 'fixtures', 'personas.jsonl'),
        '--out',
        runs.probe,
      ]),
    ]);
    for (const r of made) expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('browses a score run with gold, a second run, a probe folder and a pairwise run; a review is gold for calibrate', async () => {
    const { url } = await serve([
      'view',
      runs.a,
      runs.b,
      runs.probe,
      runs.pairs,
      '--gold',
      gold,
      '--rater',
      'ana',
    ]);
    const origin = new URL(url).origin;
    expect((await fetch(`${origin}/api/session`)).status).toBe(403);
    const { page, errors, elsewhere } = await open(origin);

    // sort by judge–human disagreement: the largest gap first
    await page.goto(`${url}#gold=yes&sort=gold`);
    await rowsLoaded(page, 'a.scores.jsonl');
    const gaps = (await column(page, 'Δ people')).map(Number);
    expect(gaps.length).toBeGreaterThan(10);
    expect(gaps).toEqual([...gaps].sort((x, y) => y - x));
    await shot(page, 'view-score-sorted-by-gold');

    // filter by a facet from the sidebar, then search
    await page.select('#facet-role', 'peer');
    await page.waitForFunction(() => location.hash.includes('role=peer'));
    await rowsLoaded(page, 'a.scores.jsonl');
    expect(new Set(await column(page, 'role'))).toEqual(new Set(['peer']));
    await page.click('#q');
    await page.keyboard.type('great wall');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('q=great%20wall'));
    await rowsLoaded(page, 'a.scores.jsonl');
    const found = await column(page, 'item');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((id) => id.startsWith('f1-peer'))).toBe(true);

    // a deep link opens the item: the conversation, each score with its anchor, the rationale, the raters
    await page.goto(`${url}#item=f1-peer-profile`);
    await page.waitForFunction(() => document.getElementById('item-id')?.textContent === 'f1-peer-profile');
    const detail = await page.$eval('#detail', (e) => e.textContent ?? '');
    expect(detail).toMatch(/Great Wall/);
    expect(detail).toMatch(/independence/);
    expect(detail).toMatch(/rater_a/);
    expect(await page.$eval('#rationale', (e) => e.textContent)).toMatch(/^lexicon:/);
    expect(
      await page.$$eval('tr[data-criterion] .anchor', (els) =>
        els.every((e) => (e.textContent ?? '').length > 10),
      ),
    ).toBe(true);
    await shot(page, 'view-score-item');

    // record a review: appended to the run's reviews file, shown in the history
    await page.select('#review-form select[data-criterion="independence"]', '1');
    await page.type('#review-form textarea', 'adopts the user view');
    await page.click('#review-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('review-status')?.textContent === 'saved');
    expect(await page.$eval('#review-history', (e) => e.textContent)).toMatch(
      /ana · independence 1 \(judge: \d\) — adopts the user view/,
    );
    const reviews = join(dir, 'a.scores.reviews.jsonl');
    const lines = readJsonlFile(readFileSync(reviews, 'utf8'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      id: 'f1-peer-profile',
      rater: 'ana',
      scores: { independence: 1 },
      source: 'plumb view',
    });

    // compare with the second run of the same rubric: sorted by change, the two side by side
    await page.goto(`${url}#compare=1&sort=change`);
    await rowsLoaded(page, 'a.scores.jsonl');
    const changes = (await column(page, 'Δ runs')).map(Number);
    expect(changes[0]).toBeGreaterThan(0);
    expect(changes).toEqual([...changes].sort((x, y) => y - x));
    await page.keyboard.press('j');
    await page.waitForSelector('#compare-table');
    expect(await page.$eval('#compare-table', (e) => e.textContent)).toMatch(/b\.scores\.jsonl/);
    await shot(page, 'view-compare');

    // the probe folder: flipped conversations, the turn of flip marked
    await page.goto(`${url}#run=2&flipped=yes&sort=flip_turn:asc`);
    await rowsLoaded(page, 'probe');
    await page.keyboard.press('j');
    await page.waitForSelector('.turn.flip');
    expect(await page.$eval('.turn.flip', (e) => e.textContent)).toMatch(/turn of flip/);
    await shot(page, 'view-probe');

    // the pairwise run: both orders as the judge saw them; then send the consistent ones to raters
    await page.goto(`${url}#run=3&consistent=yes`);
    await rowsLoaded(page, 'pw.jsonl');
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelectorAll('#detail .pair').length === 2);
    expect(await page.$eval('#detail', (e) => e.textContent)).toMatch(/shown first: response B/);
    await page.$eval('#sheet-name', (e) => {
      (e as HTMLInputElement).value = 'pairs-sheet';
    });
    await page.$eval('#sheet-max', (e) => {
      (e as HTMLInputElement).value = '4';
    });
    await page.click('#triage-form button[type="submit"]');
    await page.waitForFunction(() =>
      /row\(s\)/.test(document.getElementById('triage-status')?.textContent ?? ''),
    );
    expect(await page.$eval('#triage-status', (e) => e.textContent)).toMatch(/Not a random sample/);
    await shot(page, 'view-pairwise');
    expect(existsSync(join(dir, 'pairs-sheet.jsonl'))).toBe(true);
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);

    // the review is gold for plumb calibrate, which says it was chosen, not sampled
    // the review rated independence only: calibrate is asked for that criterion
    const cal = await runCli([
      'calibrate',
      '--scores',
      runs.a,
      '--gold',
      reviews,
      '--criterion',
      'independence',
      '--json',
    ]);
    expect(cal.code, cal.stderr).toBe(0);
    expect(JSON.parse(cal.stdout).join).toMatchObject({ matched: 1, gold_raters: ['ana'] });
    expect(cal.stderr).toMatch(/reviews made in plumb view: items a reviewer chose/);
  }, 120_000);

  it('the static file opens from disk, searches and follows deep links, and asks the network for nothing', async () => {
    const out = join(dir, 'supplement.html');
    const torn = join(dir, 'torn.scores.jsonl');
    const text = readFileSync(runs.a, 'utf8');
    writeFileSync(torn, text.slice(0, text.length - 100));
    const notPlumb = join(ROOT, 'fixtures', 'responses.jsonl');
    const [r, refused1, refused2] = await Promise.all([
      runCli(['view', runs.a, runs.probe, '--filter', 'role=advisor', '--static', out]),
      runCli(['view', notPlumb, '--static', join(dir, 'no.html')]),
      runCli(['view', torn, '--static', join(dir, 'no2.html')]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    // bad input is exit 2, naming the file and the line
    expect(refused1.code).toBe(2);
    expect(refused1.stderr).toContain(`${notPlumb}:1: a responses file`);
    expect(refused2.code).toBe(2);
    expect(refused2.stderr).toContain(`${torn}:120: truncated`);
    expect(existsSync(join(dir, 'no.html')) || existsSync(join(dir, 'no2.html'))).toBe(false);
    const file = pathToFileURL(out).href;
    const { page, errors } = await open(file);
    const refused: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (q) => {
      if (q.url().split('#')[0] === file) return q.continue();
      refused.push(q.url());
      return q.abort();
    });
    await page.goto(`${file}#sort=overall:asc`);
    await rowsLoaded(page, 'a.scores.jsonl');
    expect(await page.$eval('#count', (e) => e.textContent)).toMatch(/^60 items/);
    expect(new Set(await column(page, 'role'))).toEqual(new Set(['advisor']));
    await page.click('#q');
    await page.keyboard.type('misconception');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('q=misconception'));
    await rowsLoaded(page, 'a.scores.jsonl');
    await page.goto(`${file}#run=1&item=${encodeURIComponent('q01|advisor/none')}`);
    await page.waitForFunction(() => document.getElementById('item-id')?.textContent === 'q01|advisor/none');
    expect(await page.$('#review-form')).toBeNull();
    await shot(page, 'view-static');
    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
  }, 60_000);

  it('the rating page rates pairs with two raters, in orders drawn per rater, and shows progress', async () => {
    const sheet = join(dir, 'pairs-sheet.jsonl');
    await waitFor(() => existsSync(sheet), 1000, 'the sheet the viewer wrote');
    const { url, stop } = await serve(['rate', sheet, '--raters', 'ana,ben', '--per-item', '2']);
    const { page, errors, elsewhere } = await open(new URL(url).origin);
    await page.goto(url);
    await page.waitForSelector('#who-buttons button');
    expect(await page.$eval('#selection', (e) => e.textContent)).toMatch(/not at random/);
    const rateAs = async (rater: string, keys: string[]) => {
      await page.goto(`${url}#rater=${rater}`);
      await page.waitForFunction(
        (r) => (document.getElementById('rater')?.textContent ?? '').includes(r),
        {},
        rater,
      );
      for (const k of keys) {
        await page.evaluate(() => {
          document.getElementById('status')!.textContent = '';
        });
        await page.keyboard.press(k as 'a');
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'saved');
      }
    };
    await page.click('#who-buttons button');
    await page.waitForFunction(() => (document.getElementById('rater')?.textContent ?? '').includes('ana'));
    const body = await page.$eval('body', (e) => e.textContent ?? '');
    expect(body).not.toMatch(/overall|rationale|judge score/i);
    await rateAs('ana', ['a', 'b', 't']);
    await rateAs('ben', ['a', 'a']);
    await page.keyboard.press('p');
    await page.waitForSelector('#progress-view table');
    const progress = await page.$eval('#progress-view', (e) => e.textContent ?? '');
    expect(progress).toMatch(/ana43/);
    expect(progress).toMatch(/ben42/);
    expect(progress).toMatch(/verdict2/);
    await shot(page, 'rate-pairs-progress');
    const ratings = readJsonlFile(readFileSync(join(dir, 'pairs-sheet.ratings.jsonl'), 'utf8'));
    expect(ratings.map((r) => r.rater)).toEqual(['ana', 'ana', 'ana', 'ben', 'ben']);
    for (const r of ratings) {
      expect(['AB', 'BA']).toContain(r.order);
      // the verdict is in the pair's own labels: the position chosen, turned round for BA
      const flip = { A: 'B', B: 'A', tie: 'tie' } as Record<string, string>;
      expect(r.verdict).toBe(r.order === 'AB' ? r.shown : flip[r.shown as string]);
    }
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
    stop();
  }, 60_000);
});
