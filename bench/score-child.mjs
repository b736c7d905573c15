// One scoring run in its own process, so its peak RSS and CPU are its own (the fake server runs in
// the parent). Prints a JSON line of figures, with the wall time at every 10,000th item.

import { createJudge } from '../dist/judges/create.js';
import { JudgeCache } from '../dist/models/cache.js';
import { resolveRubric } from '../dist/rubrics/load.js';
import { runScore } from '../dist/score/run.js';

const [input, out, cacheDir, concurrency] = process.argv.slice(2);
const rubric = await resolveRubric('aai');
const judge = await createJudge('openai:gpt-4.1-mini', { cache: new JudgeCache(cacheDir), maxRetries: 2 });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const marks = [];
const result = await runScore({
  rubric,
  judges: [judge],
  input,
  out,
  concurrency: Number(concurrency),
  onProgress: (p) => {
    if (p.done % 10_000 === 0) marks.push((performance.now() - t0) / 1000);
  },
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    userSeconds: cpu.user / 1e6,
    systemSeconds: cpu.system / 1e6,
    marks,
    scored: result.summary.n.scored,
    total: result.summary.n.total,
    requests: result.summary.requests,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
