import { writeFileAtomic } from '../../io/atomic.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { buildReport } from '../../render/report/build.js';
import type { ReportFlags } from '../specs/rate.js';

/** `plumb report RUN... --out report.html`: one self-contained HTML file from plumb's outputs. */
export async function reportCommand(inputs: string[], flags: ReportFlags): Promise<void> {
  refuseOutputsOverInputs(
    [{ flag: '--out', path: flags.out }],
    inputs.map((path) => ({ flag: 'RUN', path })),
  );
  const { html, sections } = await buildReport(inputs, { out: flags.out });
  await writeFileAtomic(flags.out, html);
  const figures = sections.reduce((s, x) => s + x.figures.length, 0);
  process.stdout.write(`report: ${flags.out} (${sections.length} section(s), ${figures} figure(s))\n`);
  if (flags.open) {
    const { spawn } = await import('node:child_process');
    const opener =
      process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [flags.out], { detached: true, stdio: 'ignore' })
      .on('error', () => {})
      .unref();
  }
}
