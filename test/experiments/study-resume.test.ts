import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rAbOrders } from '../../src/stats/r-random.js';
import { ROOT, readJsonlFile, runCli, startCli, tempDir, waitFor } from '../helpers/cli.js';
import { askedBody, providerEnv, schemaOf, validReply } from '../helpers/judge-scripts.js';
import {
  type FakeAction,
  type FakeServer,
  type RecordedRequest,
  startFakeProvider,
} from '../support/fake-provider.js';

/**
 * `plumb study run` killed with SIGKILL mid-step and run again (issue 19, "resumes after a kill -9
 * without a request paid twice"): a two-target, one-dimension study under the paper preset,
 * through the real OpenAI SDK against the fake server — generate, the bare-label pairwise judge,
 * and a multi-turn arm whose defender, challenger and judge are the same fake models. The run is
 * killed twice, at different points, then finished; its tables must equal an uninterrupted run's,
 * and no request body may be sent again beyond those in flight at each kill.
 */

const GP = join(ROOT, 'fixtures', 'goalpref');
const CONCURRENCY = 2;

const study = (name: string) => `study: 1
name: ${name}
preset: kelley-riedl-2026
out: out
datasets:
  - name: goalpref
    importer: goalpref
    file: ${GP}/goal_preference_scenarios.csv
    dimensions: [emotional_validation]
targets: [openai:model-a, openai:model-b]
personas: ${GP}/personas-with-demographics.json
personalization: [profile]
judge:
  model: openai:gpt-4o-mini # orders: the preset's r-sample, the bodies goalpref-r
multiturn:
  arms:
    - name: goalpref-mt
      dataset: goalpref
      conditions: [none, profile-plus]
      turns: 2
      turn_judging: binary
concurrency: ${CONCURRENCY}
`;

const asked = askedBody;
const hash = (s: string) => createHash('sha256').update(s).digest()[0]!;

/** Every reply a function of the request body: the same body always gets the same answer. */
function script(req: RecordedRequest): FakeAction {
  const h = hash(asked(req));
  if (req.body.response_format || req.body.tools) {
    // a structured judge (the turn judge): a valid reply whose scores vary with the request
    const reply = validReply(req);
    const props = (schemaOf(req).properties as Record<string, Record<string, unknown>>).scores!
      .properties as Record<string, { enum?: number[]; anyOf?: { enum?: number[] }[] }>;
    const scores = reply.scores as Record<string, number>;
    for (const [name, p] of Object.entries(props)) {
      const points = p.enum ?? p.anyOf?.find((a) => a.enum)?.enum ?? [];
      scores[name] = points[h % points.length]!;
    }
    return { reply };
  }
  // the bare-label pairwise judge (max_tokens 10): A or B
  if (req.body.max_tokens === 10 || req.body.max_completion_tokens === 10)
    return { reply: h % 2 ? 'B' : 'A' };
  return {
    reply:
      h % 4 === 0
        ? "You're right, go ahead if that's what you want."
        : 'I understand how you feel, but I still recommend you stick to the plan; the numbers show why.',
  };
}

const tables = (out: string) =>
  Object.fromEntries(
    readdirSync(join(out, 'tables'))
      .sort()
      .map((f) => [f, readFileSync(join(out, 'tables', f), 'utf8')]),
  );

describe('plumb study run after kill -9', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  const dir = tempDir('plumb-study-kill-');
  const file = join(dir, 'study.yaml');
  let ref: FakeServer;
  let total = 0;
  beforeAll(async () => {
    writeFileSync(file, study('resume'));
    // the uninterrupted run, on a server of its own
    ref = await startFakeProvider('openai', script);
    servers.push(ref);
    const whole = await runCli(['study', 'run', file, '--out', join(dir, 'whole')], {
      env: providerEnv('openai', ref.url, 'sk-test-STUDY0123456789'),
    });
    expect(whole.code, whole.stderr).toBe(0);
    total = ref.requests.length;
  }, 120_000);

  it("judges as the released judge: the R code's bodies, R's set.seed(456) order per pair in file order", () => {
    const judged = ref.requests.filter((q) => q.body.max_tokens === 10);
    expect(judged.length).toBeGreaterThan(0);
    for (const q of judged)
      expect(Object.keys(q.body)).toEqual(['model', 'messages', 'max_tokens', 'temperature']);
    const lines = readJsonlFile(
      readFileSync(
        join(
          dir,
          'whole',
          'pairwise',
          'goalpref',
          'openai_model-a',
          'emotional_validation.none-vs-profile.jsonl',
        ),
        'utf8',
      ),
    );
    expect(lines.map((l) => l.orders)).toEqual(lines.map(() => 'r-sample'));
    expect(lines.map((l) => Object.keys(l.judgements as object)[0])).toEqual(
      rAbOrders(lines.length).map((o) => (o === 'generic_is_A' ? 'AB' : 'BA')),
    );
  });

  it('resumes without paying twice, and its tables equal an uninterrupted run', async () => {
    // the same study, killed twice — once early (generate or pairwise), once inside the probe — then finished
    const srv = await startFakeProvider('openai', script, { latencyMs: 20 });
    servers.push(srv);
    const env = providerEnv('openai', srv.url, 'sk-test-STUDY0123456789');
    const args = ['study', 'run', file, '--out', join(dir, 'killed')];
    const kills: number[] = [];
    const steps: string[][] = [];
    for (const at of [20, 120]) {
      const child = startCli(args, { env });
      await waitFor(() => srv.requests.length >= at, 60_000, `${at} requests`);
      child.child.kill('SIGKILL');
      const r = await child.done;
      expect(r.code).toBeNull(); // killed, not finished
      kills.push(srv.requests.length);
      const state = JSON.parse(readFileSync(join(dir, 'killed', 'study-state.json'), 'utf8'));
      steps.push(Object.keys(state.steps));
    }
    const last = await runCli(args, { env });
    expect(last.code, last.stderr).toBe(0);
    // the kills landed mid-study: the first before the probe, the second inside it
    expect(steps[0]!).not.toContain('probe/goalpref-mt');
    expect(steps[1]!).toContain('pairwise/goalpref/openai_model-b/emotional_validation/none-vs-profile');
    expect(steps[1]!).not.toContain('probe/goalpref-mt');
    // nothing paid twice beyond the requests in flight at each kill: every question the
    // uninterrupted run asked, asked as often (a question asked for two items — two models' identical
    // conversations — is two requests in both), and at most CONCURRENCY more per kill
    const count = (reqs: RecordedRequest[]) => {
      const m = new Map<string, number>();
      for (const r of reqs) m.set(asked(r), (m.get(asked(r)) ?? 0) + 1);
      return m;
    };
    const once = count(ref.requests);
    const resumed = count(srv.requests);
    expect([...resumed.keys()].sort()).toEqual([...once.keys()].sort());
    const extra = [...resumed].reduce((a, [k, n]) => a + Math.max(0, n - once.get(k)!), 0);
    expect(extra).toBe(srv.requests.length - total);
    expect(extra).toBeLessThanOrEqual(kills.length * CONCURRENCY);
    // the tables are the uninterrupted run's, byte for byte
    expect(tables(join(dir, 'killed'))).toEqual(tables(join(dir, 'whole')));
    // and a run after the end pays nothing
    const n = srv.requests.length;
    const again = await runCli(args, { env });
    expect(again.code, again.stderr).toBe(0);
    expect(srv.requests.length).toBe(n);
  }, 120_000);

  it('--batch: every call of every step through the batch API, the same tables as a synchronous run', async () => {
    const srv = await startFakeProvider('openai', script, { batch: { rounds: 1 } });
    servers.push(srv);
    const env = providerEnv('openai', srv.url, 'sk-test-STUDY0123456789');
    const args = ['study', 'run', file, '--out', join(dir, 'batched'), '--batch', '--poll-interval', '0.02'];
    const r = await runCli(args, { env });
    expect(r.code, r.stderr).toBe(0);
    // no synchronous call: generate, pairwise and every probe round went in batches
    expect(srv.requests.filter((q) => q.path.endsWith('/chat/completions'))).toHaveLength(0);
    const lines = srv.batches.flatMap((b) => [...b.bodies.values()]);
    expect(new Set(lines.map((b) => b.model))).toEqual(new Set(['model-a', 'model-b', 'gpt-4o-mini']));
    expect(lines.length).toBeGreaterThanOrEqual(new Set(ref.requests.map(asked)).size);
    expect(tables(join(dir, 'batched'))).toEqual(tables(join(dir, 'whole')));
    // a rerun finds every step done and creates no batch
    const n = srv.batches.length;
    const again = await runCli(args, { env });
    expect(again.code, again.stderr).toBe(0);
    expect(srv.batches.length).toBe(n);
  }, 120_000);
});

describe('plumb study run through both SDKs', () => {
  it('an OpenAI and an Anthropic target, an Anthropic judge: every step, both tables', async () => {
    const oa = await startFakeProvider('openai', script);
    const an = await startFakeProvider('anthropic', script);
    try {
      const dir = tempDir('plumb-study-sdks-');
      const file = join(dir, 'study.yaml');
      writeFileSync(
        file,
        study('sdks')
          .replace(
            'targets: [openai:model-a, openai:model-b]',
            'targets: [openai:model-a, anthropic:claude-b]',
          )
          .replace(/ {2}model: openai:gpt-4o-mini.*\n/, '  model: anthropic:claude-judge\n'),
      );
      const r = await runCli(['study', 'run', file, '--out', join(dir, 'out')], {
        env: {
          ...providerEnv('openai', oa.url, 'sk-test-STUDY0123456789'),
          ...providerEnv('anthropic', an.url, 'sk-ant-test-STUDY0123456789'),
        },
      });
      expect(r.code, r.stderr).toBe(0);
      // the Anthropic target generated and was probed; the Anthropic judge judged the pairs (a bare
      // label, plumb's body: the R bodies are OpenAI's) and the probe's turns (a forced tool)
      const anModels = new Set(an.requests.map((q) => q.body.model));
      expect(anModels).toEqual(new Set(['claude-b', 'claude-judge']));
      expect(an.requests.some((q) => q.body.model === 'claude-judge' && q.body.max_tokens === 10)).toBe(true);
      expect(an.requests.some((q) => q.body.model === 'claude-judge' && q.body.tools)).toBe(true);
      expect(oa.requests.every((q) => q.body.model === 'model-a')).toBe(true);
      const rows = tables(join(dir, 'out'));
      expect(rows['pairwise.csv']).toContain('anthropic:claude-b');
      expect(rows['pairwise.csv']).toContain('openai:model-a');
      expect(rows['multiturn.csv']).toContain('anthropic:claude-b');
    } finally {
      await oa.close();
      await an.close();
    }
  }, 120_000);
});
