// The same scoring run with the HTTP layer replaced by a transport that answers after L ms:
// what plumb itself costs per item (prompt, validation, cache, output), without the SDK and the
// fake server. Prints a JSON line of figures.

import { LlmJudge } from '../dist/judges/llm.js';
import { JudgeCache } from '../dist/models/cache.js';
import { resolveRubric } from '../dist/rubrics/load.js';
import { runScore } from '../dist/score/run.js';

const [input, out, cacheDir, concurrency, latency] = process.argv.slice(2);
const rubric = await resolveRubric('aai');
const reply = JSON.stringify({
  rationale: 'bench',
  scores: { emotional_validation: 3, politeness_warmth: 3, deference_hedging: 3 },
});
const transport = {
  stamp: { provider: 'openai', model: 'no-http' },
  provider: 'openai',
  start: (messages) => messages,
  send: () =>
    new Promise((resolve) =>
      setTimeout(
        () =>
          resolve({
            raw: reply,
            value: JSON.parse(reply),
            finish: 'complete',
            usage: { input_tokens: 100, output_tokens: 20 },
          }),
        Number(latency),
      ),
    ),
  reask: (c) => c,
  isAbort: () => false,
};
const judge = new LlmJudge({
  name: 'no-http',
  transport,
  params: { temperature: 0, seed: 0, maxTokens: 1024 },
  reasks: 2,
  cache: new JudgeCache(cacheDir),
});
const t0 = performance.now();
const result = await runScore({ rubric, judges: [judge], input, out, concurrency: Number(concurrency) });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${JSON.stringify({ seconds, scored: result.summary.n.scored, cpuSeconds: process.cpuUsage().user / 1e6 })}\n`,
);
