import cliProgress from 'cli-progress';
import { formatCost } from '../render/text.js';
import type { ScoreProgress } from '../score/run.js';

/**
 * Progress on stderr: a live bar on a terminal, and plain lines every few seconds otherwise
 * (CI logs and files would fill with the bar's redraws).
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (stream.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} {percentage}% | unscored {unscored} | {cost} | eta {eta_formatted}`,
        stream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: ScoreProgress) {
        const payload = { unscored: p.unscored, cost: formatCost(p.costUsd) };
        if (!started) {
          bar.start(p.total, 0, payload);
          started = true;
        }
        bar.update(p.done, payload);
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  const start = Date.now();
  let last = start; // a run that ends within the first interval prints nothing
  let latest: ScoreProgress | null = null;
  const print = (p: ScoreProgress) => {
    const secs = (Date.now() - start) / 1000;
    const pct = p.total ? Math.round((100 * p.done) / p.total) : 100;
    stream.write(
      `${label}: ${p.done}/${p.total} (${pct}%), ${p.unscored} unscored, ${formatCost(p.costUsd)}, ${(p.done / Math.max(secs, 1e-3)).toFixed(1)} items/s\n`,
    );
  };
  return {
    update(p: ScoreProgress) {
      latest = p;
      const now = Date.now();
      if (now - last >= 5000) {
        last = now;
        print(p);
      }
    },
    stop() {
      if (latest && Date.now() - start >= 5000) print(latest);
      latest = null;
    },
  };
}
