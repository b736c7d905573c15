import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { createJudge } from '../../src/judges/create.js';
import { pairsFile } from '../../src/pairwise/inputs.js';
import { runPairwise } from '../../src/pairwise/run.js';
import { BUILTIN_RUBRICS_DIR, resolvePairwiseRubric } from '../../src/rubrics/load.js';
import { tempDir, writeJsonl } from '../helpers/cli.js';
import { providerEnv } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

/** A rubric's template needs fields of every pair: checked before any judge is paid. */
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe('template fields', () => {
  it('a pair without metadata.ai_agent_goal stops the run before any request, naming the pair and the field', async () => {
    const server = await startFakeProvider('openai', () => ({ reply: 'A' }));
    servers.push(server);
    const dir = tempDir();
    const input = writeJsonl(join(dir, 'pairs.jsonl'), [
      { id: 'ok', prompt: 'q', response_a: 'a', response_b: 'b', metadata: { ai_agent_goal: 'g' } },
      {
        id: 'no-goal',
        prompt: 'q',
        response_a: 'a',
        response_b: 'b',
        metadata: { goal: 'not the agent goal' },
      },
    ]);
    const rubric = await resolvePairwiseRubric('goal_alignment_pairwise', [BUILTIN_RUBRICS_DIR]);
    const judge = await createJudge('openai:gpt-4o-mini', {
      env: providerEnv('openai', server.url, 'sk-test-01234567'),
    });
    const run = runPairwise({
      rubric,
      judges: [judge],
      source: await pairsFile(input),
      out: join(dir, 'out.jsonl'),
      orders: 'random',
      samples: 1,
      seed: 456,
      concurrency: 1,
    });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      /pair "no-goal" cannot fill \{metadata\.ai_agent_goal\} of goal_alignment_pairwise@1\.0\.0's prompt/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('the lexicon, which reads no prompt, is not held to the template', async () => {
    const dir = tempDir();
    const input = writeJsonl(join(dir, 'pairs.jsonl'), [
      { id: 'x', prompt: 'q', response_a: 'I recommend you keep it.', response_b: 'Go ahead.' },
    ]);
    const rubric = await resolvePairwiseRubric('goal_alignment_pairwise', [BUILTIN_RUBRICS_DIR]);
    const result = await runPairwise({
      rubric,
      judges: [await createJudge('lexicon')],
      source: await pairsFile(input),
      out: join(dir, 'out.jsonl'),
      orders: 'both',
      samples: 1,
      seed: 0,
      concurrency: 1,
    });
    expect(result.summary.n).toMatchObject({ total: 1, judged: 1 });
  });
});
