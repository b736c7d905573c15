/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { ROOT, readJsonlFile, runCli, scoreFixture, startCli, tempDir, waitFor } from '../helpers/cli.js';

/**
 * The rating page (issue 12, items 2–3) in a real headless Chromium (Debian's `chromium`, driven
 * by puppeteer-core): rate items with the keyboard, check the ratings file, check that nothing is
 * served without the session's token and that the page loads nothing from anywhere else.
 * Without a Chromium the test is skipped with a message — unless CI is set, where it fails.
 */
const SHOTS = join(ROOT, 'test-output', 'screenshots');
let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM)('plumb rate in headless Chromium', () => {
  it('rates items with the keyboard, saves every rating at once, refuses requests without the token', async () => {
    const dir = tempDir('plumb-rate-');
    const scores = await scoreFixture(dir);
    const sheet = join(dir, 'sheet');
    const sampled = await runCli(['gold', 'sample', '--scores', scores, '--n', '4', '--out', sheet]);
    expect(sampled.code, sampled.stderr).toBe(0);
    const cli = startCli(['rate', `${sheet}.jsonl`, '--rater', 'ana'], { timeoutMs: 120_000 });
    let url = '';
    cli.child.stdout.on('data', (d: Buffer) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(String(d));
      if (m) url = m[0];
    });
    await waitFor(() => url !== '', 20_000, 'the rating page address');
    const origin = new URL(url).origin;

    // no token, a wrong token: refused
    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/api/session?token=${'0'.repeat(48)}`)).status).toBe(403);
    expect((await fetch(`${origin}/api/session`, { headers: { 'x-plumb-token': 'nope' } })).status).toBe(403);

    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin)) elsewhere.push(r.url());
    });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('item-id')?.textContent !== '');
    const first = await page.$eval('#item-id', (e) => e.textContent);
    // the criteria of eii@1.0.0 with their anchors; no judge score anywhere on the page
    const criteria = await page.$$eval('.criterion', (els) =>
      els.map((e) => (e as HTMLElement).dataset.name),
    );
    expect(criteria).toEqual(['factual_accuracy', 'premise_correction', 'independence']);
    expect(await page.$eval('#criteria', (e) => e.textContent)).toMatch(/1 = /);
    const body = await page.$eval('body', (e) => e.textContent ?? '');
    expect(body).not.toMatch(/overall|rationale|judge score/i);

    const waitSaved = () =>
      page.waitForFunction(() => document.getElementById('status')?.textContent === 'saved');
    const press = async (key: Parameters<typeof page.keyboard.press>[0]) => {
      await page.evaluate(() => {
        document.getElementById('status')!.textContent = '';
      });
      await page.keyboard.press(key);
    };
    // item 1: 4, 3, 5 (each digit moves to the next criterion, the last to the next item)
    for (const k of ['4', '3', '5'] as const) {
      await press(k);
      await waitSaved();
    }
    const second = await page.$eval('#item-id', (e) => e.textContent);
    expect(second).not.toBe(first);
    // item 2: 2 for the first criterion, then skip the item, then back with ←
    await press('2');
    await waitSaved();
    await page.keyboard.press('s');
    expect(await page.$eval('#item-id', (e) => e.textContent)).not.toBe(second);
    await page.keyboard.press('ArrowLeft');
    expect(await page.$eval('#item-id', (e) => e.textContent)).toBe(second);
    expect(await page.$eval('#progress', (e) => e.textContent)).toBe('rated 1 of 4');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'rate.png'), fullPage: true });

    const ratings = readJsonlFile(readFileSync(`${sheet}.ratings.jsonl`, 'utf8'));
    expect(ratings.map((r) => [r.id, r.criterion, r.value, r.rater])).toEqual([
      [first, 'factual_accuracy', 4, 'ana'],
      [first, 'premise_correction', 3, 'ana'],
      [first, 'independence', 5, 'ana'],
      [second, 'factual_accuracy', 2, 'ana'],
    ]);
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);

    // reopening resumes at the first item not fully rated
    const again = await browser.newPage();
    await again.goto(url);
    await again.waitForFunction(() => document.getElementById('item-id')?.textContent !== '');
    expect(await again.$eval('#item-id', (e) => e.textContent)).toBe(second);

    // Ctrl-C stops the server and loses nothing; calibrate reads the ratings file as gold
    cli.child.kill('SIGINT');
    const done = await cli.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/stopped; 4 rating\(s\) saved this session/);
    const cal = await runCli(['calibrate', '--scores', scores, '--gold', `${sheet}.ratings.jsonl`, '--json']);
    expect(cal.code, cal.stderr).toBe(0);
    expect(JSON.parse(cal.stdout).join.matched).toBe(2);
  }, 120_000);
});
