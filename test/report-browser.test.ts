/// <reference lib="dom" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/browser.js';
import { ROOT, runCli, scoreFixture, tempDir } from './helpers/cli.js';

/**
 * plumb report (issue 12, items 1 and 3, the score and calibration sections): the HTML file opened
 * from disk in headless Chromium renders every figure as SVG with marks, logs no error and asks
 * the network for nothing.
 */
let browser: Browser | null = null;
afterAll(async () => {
  await browser?.close();
});

describe('plumb report', () => {
  it('writes one file with inline SVG figures from a score summary and a calibration; refuses what it cannot read', async () => {
    const dir = tempDir('plumb-report-');
    const summary = join(dir, 'alignment.summary.json');
    expect(
      (
        await runCli([
          'score',
          '--rubric',
          'alignment',
          '--input',
          join(ROOT, 'fixtures', 'responses.jsonl'),
          '--out',
          join(dir, 'a.jsonl'),
          '--summary',
          summary,
        ])
      ).code,
    ).toBe(0);
    const scores = await scoreFixture(dir);
    const cal = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      join(ROOT, 'fixtures', 'gold.jsonl'),
      '--ppi',
      '--json',
    ]);
    expect(cal.code).toBe(0);
    const calFile = join(dir, 'calibration.json');
    writeFileSync(calFile, cal.stdout);
    const out = join(dir, 'report.html');
    const r = await runCli(['report', summary, calFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 section\(s\), 5 figure\(s\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toMatch(
      /rubric alignment@1\.0\.0 \(sha256 [0-9a-f]{12}…\) · judge lexicon:lexicon-v1 · plumb /,
    );
    const notPlumb = join(dir, 'x.json');
    writeFileSync(notPlumb, '{"hello": 1}');
    const bad = await runCli(['report', notPlumb, '--out', join(dir, 'r2.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${notPlumb}: not a plumb output this report reads`);
  });

  it.skipIf(!CHROMIUM)(
    'renders every figure in headless Chromium, with no error and no request beyond the file',
    async () => {
      const dir = tempDir('plumb-report-browser-');
      const summary = join(dir, 's.json');
      await runCli([
        'score',
        '--rubric',
        'alignment',
        '--input',
        join(ROOT, 'fixtures', 'responses.jsonl'),
        '--out',
        join(dir, 'a.jsonl'),
        '--summary',
        summary,
      ]);
      const out = join(dir, 'report.html');
      expect((await runCli(['report', summary, '--out', out])).code).toBe(0);
      browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (q) => requests.push(q.url()));
      const url = pathToFileURL(out).href;
      await page.goto(url);
      const figures = await page.$$eval('figure', (fs) =>
        fs.map((f) => ({
          id: f.id,
          marks: f.querySelectorAll('svg path, svg line, svg rect, svg circle').length,
          title: f.querySelector('svg text')?.textContent ?? '',
          caption: f.querySelector('figcaption')?.textContent ?? '',
        })),
      );
      expect(figures.map((f) => f.id)).toEqual(['aai-interaction', 'eii-interaction', 'criteria']);
      for (const f of figures) {
        expect(f.marks, f.id).toBeGreaterThan(5);
        expect(f.caption).toMatch(/95% .*interval.* n = \d+/);
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      mkdirSync(join(ROOT, 'test-output', 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-output', 'screenshots', 'report.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.byteLength).toBeGreaterThan(10_000);
    },
    60_000,
  );
});
