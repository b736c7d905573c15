/// <reference lib="dom" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { ROOT, runCli, scoreFixture, tempDir } from '../helpers/cli.js';

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
    expect(r.stdout).toMatch(/2 section\(s\), 7 figure\(s\)/);
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
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(summary, 'utf8').slice(0, 200));
    const torn = await runCli(['report', truncated, '--out', join(dir, 'r3.html')]);
    expect(torn.code).toBe(2);
    expect(torn.stderr).toContain(`${truncated}: not a JSON file plumb wrote`);
  });

  it.skipIf(!CHROMIUM)(
    'renders every figure of every kind of run in headless Chromium, with no error and no request beyond the file',
    async () => {
      const dir = tempDir('plumb-report-browser-');
      const fixture = join(ROOT, 'fixtures', 'responses.jsonl');
      const ok = async (args: string[]) => {
        const r = await runCli(args);
        // the degraded gate fails (exit 1), by design
        expect([0, 1], `${args.join(' ')}\n${r.stderr}`).toContain(r.code);
        return r;
      };
      const summary = join(dir, 's.json');
      await ok([
        'score',
        '--rubric',
        'eii',
        '--input',
        fixture,
        '--out',
        join(dir, 'e.jsonl'),
        '--summary',
        summary,
      ]);
      const degraded = join(ROOT, 'fixtures', 'responses-degraded.jsonl');
      await ok([
        'score',
        '--rubric',
        'eii',
        '--input',
        degraded,
        '--out',
        join(dir, 'd.jsonl'),
        '--summary',
        join(dir, 'd.json'),
      ]);
      const gate = await ok(['gate', '--baseline', summary, '--current', join(dir, 'd.json'), '--json']);
      writeFileSync(join(dir, 'gate.json'), gate.stdout);
      const gold = join(ROOT, 'fixtures', 'gold.jsonl');
      const cal = await ok([
        'calibrate',
        '--scores',
        join(dir, 'e.jsonl'),
        '--gold',
        gold,
        '--ppi',
        '--json',
      ]);
      writeFileSync(join(dir, 'cal.json'), cal.stdout);
      const target = `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`;
      const questions = join(ROOT, 'fixtures', 'questions.jsonl');
      const personas = join(ROOT, 'fixtures', 'personas.jsonl');
      await ok([
        'probe',
        '--questions',
        questions,
        '--target',
        target,
        '--personas',
        personas,
        '--out',
        join(dir, 'probe'),
      ]);
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
      const pairsFile = join(dir, 'pairs.jsonl');
      writeFileSync(pairsFile, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);
      await ok([
        'pairwise',
        '--rubric',
        'preference',
        '--input',
        pairsFile,
        '--out',
        join(dir, 'pw.jsonl'),
        '--summary',
        join(dir, 'pw.json'),
      ]);
      await ok(['audit', '--rubric', 'eii', '--input', fixture, '--out', join(dir, 'audit')]);
      const out = join(dir, 'report.html');
      const inputs = [
        summary,
        join(dir, 'cal.json'),
        join(dir, 'probe'),
        join(dir, 'pw.json'),
        join(dir, 'audit'),
        join(dir, 'gate.json'),
      ];
      const r = await runCli(['report', ...inputs, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
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
          id: (f as HTMLElement).dataset.figure,
          marks: f.querySelectorAll('svg path, svg line, svg rect, svg circle').length,
          title: f.querySelector('svg text')?.textContent ?? '',
          caption: f.querySelector('figcaption')?.textContent ?? '',
        })),
      );
      expect(figures.map((f) => f.id)).toEqual([
        'eii-interaction',
        'criteria',
        'scatter',
        'agreement',
        'ppi',
        'confusion',
        'flip-rate-by-turn',
        'kaplan-meier',
        'win-rates',
        'position',
        'audit-effects',
        'gate',
      ]);
      for (const f of figures) {
        expect(f.marks, f.id).toBeGreaterThan(5);
        // every caption says how many; those with intervals say which
        expect(f.caption, f.id).toMatch(/n = \d+|over \d+ items/);
        if (/\[|interval/i.test(f.caption)) expect(f.caption, f.id).toMatch(/95%/);
      }
      // the probe's comparisons
      expect(await page.$$eval('table tbody tr', (trs) => trs.length)).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      mkdirSync(join(ROOT, 'test-output', 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-output', 'screenshots', 'report.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.byteLength).toBeGreaterThan(10_000);
    },
    60_000,
  );

  it.skipIf(!CHROMIUM)(
    "plumb demo's report.html: every section's figures render",
    async () => {
      const cwd = tempDir('plumb-report-demo-');
      const demo = await runCli(['demo'], { cwd, timeoutMs: 120_000 });
      expect(demo.code, demo.stderr).toBe(0);
      const url = pathToFileURL(join(cwd, 'runs', 'demo', 'report.html')).href;
      browser ??= await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      const figures = await page.$$eval('figure', (fs) =>
        fs.map((f) => ({
          id: (f as HTMLElement).dataset.figure,
          marks: f.querySelectorAll('svg path, svg line, svg rect, svg circle').length,
        })),
      );
      expect(figures.map((f) => f.id)).toEqual([
        'aai-interaction',
        'criteria',
        'eii-interaction',
        'criteria',
        'scatter',
        'agreement',
        'ppi',
        'confusion',
        'alt-test',
        'flip-rate-by-turn',
        'kaplan-meier',
        'win-rates',
        'position',
        'gate',
      ]);
      for (const f of figures) expect(f.marks, f.id).toBeGreaterThan(5);
      // ids are unique in the document, as HTML requires
      const ids = await page.$$eval('[id]', (els) => els.map((e) => e.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(errors).toEqual([]);
      mkdirSync(join(ROOT, 'test-output', 'screenshots'), { recursive: true });
      await page.screenshot({
        path: join(ROOT, 'test-output', 'screenshots', 'demo-report.png'),
        fullPage: true,
      });
    },
    180_000,
  );
});
