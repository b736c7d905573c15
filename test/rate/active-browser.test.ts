/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/stats/random.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { readJsonlFile, scoreFixture, startCli, tempDir, waitFor } from '../helpers/cli.js';

/**
 * The sequential mode of active gold sampling (issue #24) in a real headless Chromium: `plumb rate
 * SHEET --active` serves items by the active rule as ratings arrive, shows the anytime-valid
 * interval, and stops when the half-width reaches the target — the page then says it is done and
 * why. The rater here gives each item the judge's own score rounded, so the session converges.
 */
let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
});

/** The fixture's scores with a planted sample spread per item (the lexicon judge has none of its own). */
async function scoresWithSpread(dir: string): Promise<{ file: string; judge: Map<string, number> }> {
  const scored = await scoreFixture(dir);
  const rand = seededRandom(5);
  const lines = readJsonlFile(readFileSync(scored, 'utf8'));
  const judge = new Map<string, number>();
  const withSpread = lines.map((l) => {
    const v = (l.scores as Record<string, number>).independence!;
    judge.set(String(l.id), v);
    return { ...l, spread: { independence: { n: 5, sd: rand() < 0.3 ? 1 : 0.2, min: v, max: v } } };
  });
  const file = join(dir, 'spread.scores.jsonl');
  writeFileSync(file, `${withSpread.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return { file, judge };
}

function urlOf(cli: ReturnType<typeof startCli>): () => string {
  let url = '';
  cli.child.stdout.on('data', (d: Buffer) => {
    const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(String(d));
    if (m) url = m[0];
  });
  return () => url;
}

describe.skipIf(!CHROMIUM)('plumb rate --active in headless Chromium', () => {
  it('serves items by the active rule, shows the interval, and stops at the target half-width saying why', async () => {
    const dir = tempDir('plumb-rate-active-');
    const { file, judge } = await scoresWithSpread(dir);
    const sheet = join(dir, 'seq');
    const cli = startCli(
      [
        'rate',
        `${sheet}.jsonl`,
        '--active',
        '--scores',
        file,
        '--criterion',
        'independence',
        '--target-width',
        '0.9',
        '--budget',
        '60',
        '--rater',
        'ana',
      ],
      { timeoutMs: 180_000 },
    );
    const url = urlOf(cli);
    await waitFor(() => url() !== '', 30_000, 'the rating page address');
    const started = readFileSync(`${sheet}.jsonl`, 'utf8');
    expect(readJsonlFile(started)).toHaveLength(120);
    expect(readJsonlFile(started)[0]!.design).toEqual({
      design: 'sequential',
      stratum: 'all',
      stratum_size: 120,
    });

    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url());
    await page.waitForFunction(() => document.getElementById('item-id')?.textContent !== '');
    expect(await page.$eval('#estimate', (e) => e.textContent)).toMatch(
      /95% anytime-valid interval \[1\.000, 5\.000\].*0 of 60 labels/,
    );
    // only the criterion estimated is asked for; no judge score on the page
    expect(await page.$$eval('.criterion', (els) => els.map((e) => (e as HTMLElement).dataset.name))).toEqual(
      ['independence'],
    );
    expect(await page.$eval('body', (e) => e.textContent ?? '')).not.toMatch(
      /overall|rationale|judge score/i,
    );

    const served: string[] = [];
    for (let k = 0; k < 60; k++) {
      if (!(await page.$eval('#done', (e) => (e as HTMLElement).hidden))) break;
      const id = (await page.$eval('#item-id', (e) => e.textContent))!;
      served.push(id);
      await page.evaluate(() => {
        document.getElementById('status')!.textContent = '';
      });
      await page.keyboard.press(String(Math.round(judge.get(id)!)) as '1');
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'saved');
    }
    const done = await page.$eval('#done', (e) => ({
      hidden: (e as HTMLElement).hidden,
      text: e.textContent,
    }));
    expect(done.hidden).toBe(false);
    expect(done.text).toMatch(
      /^Done: the target half-width is reached — half-width 0\.\d+ \(target 0\.9\) after \d+ labels/,
    );
    expect(await page.$eval('#main', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.screenshot({ path: join(dir, 'done.png') });

    // the ratings file holds one rating per item served, in the order served; the session says why it stopped
    const ratings = readJsonlFile(readFileSync(`${sheet}.ratings.jsonl`, 'utf8'));
    expect(ratings.map((r) => r.id)).toEqual(served);
    expect(new Set(served).size).toBe(served.length); // an item drawn again is not asked again
    const session = JSON.parse(readFileSync(`${sheet}.session.json`, 'utf8'));
    expect(session.status).toMatchObject({ done: true, reason: 'width', labelled: served.length });
    expect(session.status.half_width).toBeLessThanOrEqual(0.9);
    expect(session.status.interval[0]).toBeLessThanOrEqual(session.status.estimate);
    expect(errors).toEqual([]);

    cli.child.kill('SIGINT');
    const end = await cli.done;
    expect(end.code).toBe(0);
    expect(end.stdout).toMatch(/stopped\. Done: the target half-width is reached/);

    // the same command resumes the finished session: nothing more to rate, and the reason again
    const again = startCli(
      [
        'rate',
        `${sheet}.jsonl`,
        '--active',
        '--scores',
        file,
        '--criterion',
        'independence',
        '--target-width',
        '0.9',
        '--budget',
        '60',
        '--rater',
        'ana',
      ],
      { timeoutMs: 60_000 },
    );
    const url2 = urlOf(again);
    await waitFor(() => url2() !== '', 30_000, 'the resumed page address');
    const token = new URL(url2()).searchParams.get('token')!;
    const origin = new URL(url2()).origin;
    const state = await (await fetch(`${origin}/api/state`, { headers: { 'x-plumb-token': token } })).json();
    expect(state.status.reason).toBe('width');
    expect(state.item).toBeNull();
    const refused = await fetch(`${origin}/api/rate`, {
      method: 'POST',
      headers: { 'x-plumb-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ id: served[0], criterion: 'independence', value: 3 }),
    });
    expect(refused.status).toBe(409);
    again.child.kill('SIGINT');
    expect((await again.done).code).toBe(0);
  }, 240_000);

  it('a budget reached before the target stops the session and says so', async () => {
    const dir = tempDir('plumb-rate-active-');
    const { file, judge } = await scoresWithSpread(dir);
    const sheet = join(dir, 'seq');
    const cli = startCli(
      [
        'rate',
        `${sheet}.jsonl`,
        '--active',
        '--scores',
        file,
        '--criterion',
        'independence',
        '--target-width',
        '0.05',
        '--budget',
        '3',
        '--rater',
        'ana',
      ],
      { timeoutMs: 60_000 },
    );
    const url = urlOf(cli);
    await waitFor(() => url() !== '', 30_000, 'the rating page address');
    const token = new URL(url()).searchParams.get('token')!;
    const origin = new URL(url()).origin;
    const headers = { 'x-plumb-token': token, 'content-type': 'application/json' };
    let state = await (await fetch(`${origin}/api/state`, { headers })).json();
    // a rating of another item than the one served is refused
    const wrong = await fetch(`${origin}/api/rate`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: 'not-served', criterion: 'independence', value: 3 }),
    });
    expect(wrong.status).toBe(409);
    while (!state.status.done) {
      const res = await fetch(`${origin}/api/rate`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          id: state.item.id,
          criterion: 'independence',
          value: Math.round(judge.get(state.item.id)!),
        }),
      });
      state = await res.json();
    }
    expect(state.status).toMatchObject({ done: true, reason: 'budget', labelled: 3 });
    expect(state.status.message).toMatch(/^Done: the budget of 3 labels is spent before the target/);
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
  }, 120_000);
});
