import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { reportHtml } from '../../report/html.js';
import { calibrationSection, kindOf, type Section, scoreSection } from '../../report/sections.js';
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
  for (const file of inputs) {
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
    if (kind === 'score') sections.push(await scoreSection(doc, file));
    else if (kind === 'calibration') sections.push(await calibrationSection(doc, file));
    else
      throw new InputError(
        file,
        undefined,
        `${kind ? `a ${kind} output has no report section yet` : 'not a plumb output this report reads'} (it reads score summaries and calibrate --json)`,
      );
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
