// One scoring run in its own process, so its peak RSS is its own. Prints a JSON line of figures.

import { JudgeCache } from '../dist/judges/cache.js';
import { createJudge } from '../dist/judges/create.js';
import { resolveRubric } from '../dist/rubrics/load.js';
import { runScore } from '../dist/score/run.js';

const [input, out, cacheDir, concurrency] = process.argv.slice(2);
const rubric = await resolveRubric('aai');
const judge = await createJudge('openai:gpt-4.1-mini', { cache: new JudgeCache(cacheDir), maxRetries: 2 });
const t0 = performance.now();
const result = await runScore({ rubric, judges: [judge], input, out, concurrency: Number(concurrency) });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${JSON.stringify({ seconds, scored: result.summary.n.scored, total: result.summary.n.total, requests: result.summary.requests, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
