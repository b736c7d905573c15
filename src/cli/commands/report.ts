import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { reportHtml } from '../../report/html.js';
import {
  auditSection,
  calibrationSection,
  gateSection,
  kindOf,
  pairwiseSection,
  probeSection,
  type Section,
  scoreSection,
} from '../../report/sections.js';
import { parseFlags, text } from '../options.js';

const reportFlags = z.object({ out: text(), open: z.boolean().optional() });

/** `plumb report RUN... --out report.html`: one self-contained HTML file from plumb's outputs. */
export async function reportCommand(inputs: string[], raw: Record<string, unknown>): Promise<void> {
  const flags = parseFlags(reportFlags, raw);
  refuseOutputsOverInputs(
    [{ flag: '--out', path: flags.out }],
    inputs.map((path) => ({ flag: 'RUN', path })),
  );
  const sections: Section[] = [];
  const build = {
    score: scoreSection,
    calibration: calibrationSection,
    probe: probeSection,
    pairwise: pairwiseSection,
    audit: auditSection,
    gate: gateSection,
  };
  for (const input of inputs) {
    // a probe or audit folder: its summary
    let file = input;
    try {
      if (statSync(input).isDirectory())
        file =
          [join(input, 'summary.json'), join(input, 'audit.json')].find((f) => {
            try {
              return statSync(f).isFile();
            } catch {
              return false;
            }
          }) ?? join(input, 'summary.json');
    } catch {
      // not there: reading it below says so
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new InputError(
        file,
        undefined,
        `not a JSON file plumb wrote (${(err as Error).message.split('\n')[0]})`,
      );
    }
    const kind = kindOf(doc);
    if (!kind)
      throw new InputError(
        file,
        undefined,
        'not a plumb output this report reads (score or pairwise summaries, calibrate --json, probe or audit folders, gate --json)',
      );
    sections.push(await build[kind](doc, file));
  }
  await writeFileAtomic(flags.out, reportHtml(sections, new Date().toISOString()));
  const figures = sections.reduce((s, x) => s + x.figures.length, 0);
  process.stdout.write(`report: ${flags.out} (${sections.length} section(s), ${figures} figure(s))\n`);
  if (flags.open) {
    const { spawn } = await import('node:child_process');
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    spawn(opener, [flags.out], { detached: true, stdio: 'ignore' })
      .on('error', () => {})
      .unref();
  }
}
