import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../../src/generate/run.js';
import { createJudge } from '../../../src/judges/create.js';
import { createRuntime } from '../../../src/models/runtime.js';
import { createPresetAgents, presetSettings } from '../../../src/probe/preset-agents.js';
import { runProbe } from '../../../src/probe/run.js';
import { resolveRubric } from '../../../src/rubrics/load.js';
import { loadLadder, loadRoles } from '../../../src/study/config.js';
import { importQuestions } from '../../../src/study/importers/index.js';
import { readPersonas } from '../../../src/study/inputs.js';
import { loadKelleyRiedl, mechanicsFor } from '../../../src/study/presets/kelley-riedl.js';
import { createTarget, targetLabel } from '../../../src/study/targets.js';
import { runCli } from '../../helpers/cli.js';
import { good } from '../../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../../support/fake-provider.js';
import * as R from './expected-bodies.js';
import { startRawServer } from './raw-server.js';

/**
 * --preset kelley-riedl-2026 with --follow code sends what the released R code sends, byte for byte:
 * scenario 1 and persona 1 (test/study/presets/data, in the released layouts), through the real
 * OpenAI SDK to a loopback server that keeps the raw bodies and answers with the placeholder
 * replies the R run got (example-input-canned-replies.json of the brief). The expected bodies are
 * in expected-bodies.ts, each cited by R file and lines.
 */
const DATA = join(import.meta.dirname, 'data');
const OPENER =
  '"I really want to give this a chance even with the red flags, the connection just feels so strong."';
const QWEN = 'openai-compatible:qwen/qwen3-235b-a22b-2507';

let judgeServer: FakeServer;
let dir: string;
beforeAll(async () => {
  judgeServer = await startFakeProvider('openai', good);
  dir = mkdtempSync(join(tmpdir(), 'plumb-kr-bytes-'));
});
afterAll(async () => {
  await judgeServer.close();
  rmSync(dir, { recursive: true, force: true });
});

const inputs = async () => ({
  questions: (await importQuestions('goalpref', join(DATA, 'goal_preference_scenarios.csv'))).questions,
  personas: await readPersonas(join(DATA, 'all_personas_first_person.json')),
  roles: await loadRoles(),
  preset: await loadKelleyRiedl(),
});

const runtime = (url: string) =>
  createRuntime({
    baseUrl: url,
    cacheDir: null,
    maxRetries: 0,
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: judgeServer.url },
  });

/** The single-turn generation of scenario 1 (generic, personalized) through the server at `url`, into `out`. */
async function generateScenario1(url: string, out: string) {
  const { questions, personas, roles, preset } = await inputs();
  const target = await createTarget(
    'openai-compatible:openai/gpt-4o',
    runtime(url),
    { temperature: 0.7, maxTokens: preset.settings.single_turn.max_tokens },
    { profile: 'goalpref-r' },
  );
  return runGenerate({
    questions,
    questionsFile: join(DATA, 'goal_preference_scenarios.csv'),
    personas,
    target,
    roles,
    roleNames: [],
    personalizations: ['none', 'profile'],
    samples: 1,
    seed: 0,
    settings: {},
    out,
    concurrency: 1,
    preset,
  });
}

describe('kelley-riedl-2026 requests equal the released R code byte for byte', () => {
  it('single turn: generic and personalized (generate_responses.R)', async () => {
    const srv = await startRawServer((_b, n) => `<<CANNED REPLY ${n}>>`);
    try {
      const r = await generateScenario1(srv.url, join(dir, 'responses.jsonl'));
      expect(r.complete).toBe(true);
      const bodies = srv.requests.map((q) => q.body.toString('utf8'));
      expect(bodies).toEqual([R.GENERIC, R.PERSONALIZED]);
      expect(srv.requests.every((q) => q.path === '/api/v1/chat/completions')).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('the goal-alignment judge: plumb pairwise --preset (evaluate_alignment.R), R order row 1', async () => {
    const gen = await startRawServer((_b, n) => `<<CANNED REPLY ${n}>>`);
    const judge = await startRawServer(() => 'A');
    try {
      const responses = join(dir, 'judge-responses.jsonl');
      await generateScenario1(gen.url, responses);
      const out = join(dir, 'judged.jsonl');
      const r = await runCli(
        [
          'pairwise',
          '--preset',
          'kelley-riedl-2026',
          '--input',
          responses,
          '--contrast',
          'personalization=none,profile',
          '--judge',
          'openai-compatible:openai/gpt-4o-mini',
          '--base-url',
          judge.url,
          '--no-cache',
          '--out',
          out,
        ],
        { env: { OPENAI_COMPATIBLE_API_KEY: 'sk-test' } },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(judge.requests.map((q) => q.body.toString('utf8'))).toEqual([R.JUDGE]);
      expect(judge.requests[0]!.path).toBe('/api/v1/chat/completions');
      const line = JSON.parse(readFileSync(out, 'utf8'));
      // 'A' with the generic reply shown first: the generic reply is preferred (R's more_aligned "generic")
      expect(line).toMatchObject({ orders: 'r-sample', verdict: 'A', judgements: { AB: { shown: 'A' } } });
      expect(line.judge).toMatchObject({ request_profile: 'goalpref-r', model: 'openai/gpt-4o-mini' });
    } finally {
      await gen.close();
      await judge.close();
    }
  });

  it('multi-turn generic, the code’s mechanics: opener, round 0 alone, null turns, challenger at 0.9 (goal_multiturn_challenge.R)', async () => {
    const srv = await startRawServer((_b, n) => (n === 1 ? OPENER : `<<CANNED REPLY ${n}>>`));
    try {
      const { questions, personas, roles, preset } = await inputs();
      const rt = runtime(srv.url);
      const mechanics = mechanicsFor(preset, 'code');
      const agents = await createPresetAgents(QWEN, rt, preset, presetSettings(preset, mechanics, {}), {
        profile: 'goalpref-r',
      });
      const r = await runProbe({
        questions,
        questionsFile: join(DATA, 'goal_preference_scenarios.csv'),
        personas,
        target: agents.defender,
        judge: await createJudge('openai:gpt-4o-mini', rt),
        stanceRubric: await resolveRubric('goal_alignment'),
        correctnessRubric: await resolveRubric('correctness'),
        ladder: await loadLadder(),
        roles,
        turns: preset.multiturn.rounds,
        roleNames: [],
        personalizations: ['none'],
        out: join(dir, 'mt'),
        concurrency: 1,
        alpha: 0.05,
        targets: [{ label: targetLabel(agents.defender), target: agents.defender, agents }],
        preset: { texts: preset, mechanics },
        turnJudging: 'binary',
      });
      expect(r.complete).toBe(true);
      const bodies = srv.requests.map((q) => q.body.toString('utf8'));
      expect(bodies).toHaveLength(22);
      expect(bodies[0]).toBe(R.MT_OPENER);
      expect(bodies[1]).toBe(R.MT_DEFENDER_ROUND0);
      expect(bodies[2]).toBe(R.MT_CHALLENGER_ROUND1);
      expect(bodies[3]).toBe(R.MT_DEFENDER_ROUND1);
      expect(bodies[4]).toBe(R.MT_CHALLENGER_ROUND2);
      expect(bodies[5]).toBe(R.MT_DEFENDER_ROUND2);
      expect(bodies[21]).toBe(R.MT_DEFENDER_ROUND10);
    } finally {
      await srv.close();
    }
  });

  it('multi-turn Personalized+ (goal_multiturn_personalized_plus.R)', async () => {
    // the R run behind these bodies had one more request before it: its replies are one further on
    const srv = await startRawServer((_b, n) => (n === 1 ? OPENER : `<<CANNED REPLY ${n + 1}>>`));
    try {
      const { questions, personas, roles, preset } = await inputs();
      const rt = runtime(srv.url);
      const mechanics = mechanicsFor(preset, 'code');
      const agents = await createPresetAgents(QWEN, rt, preset, presetSettings(preset, mechanics, {}), {
        profile: 'goalpref-r',
      });
      const r = await runProbe({
        questions,
        questionsFile: join(DATA, 'goal_preference_scenarios.csv'),
        personas,
        target: agents.defender,
        judge: await createJudge('openai:gpt-4o-mini', rt),
        stanceRubric: await resolveRubric('goal_alignment'),
        correctnessRubric: await resolveRubric('correctness'),
        ladder: await loadLadder(),
        roles,
        turns: 2,
        roleNames: [],
        personalizations: ['profile-plus'],
        out: join(dir, 'pplus'),
        concurrency: 1,
        alpha: 0.05,
        targets: [{ label: targetLabel(agents.defender), target: agents.defender, agents }],
        preset: { texts: preset, mechanics },
      });
      expect(r.complete).toBe(true);
      const bodies = srv.requests.map((q) => q.body.toString('utf8'));
      expect(bodies[0]).toBe(R.MT_OPENER);
      expect(bodies[1]).toBe(R.PPLUS_DEFENDER_ROUND0);
      expect(bodies[2]).toBe(R.PPLUS_CHALLENGER_ROUND1);
      expect(bodies[3]).toBe(R.PPLUS_DEFENDER_ROUND1);
    } finally {
      await srv.close();
    }
  });

  it("the paper's mechanics (the default): a clean round 0, the challenger at 0.7 seeing the whole conversation", async () => {
    const srv = await startRawServer((_b, n) => (n === 1 ? OPENER : `<<CANNED REPLY ${n}>>`));
    try {
      const { questions, personas, roles, preset } = await inputs();
      const rt = runtime(srv.url);
      const mechanics = mechanicsFor(preset, 'paper');
      const agents = await createPresetAgents(QWEN, rt, preset, presetSettings(preset, mechanics, {}), {
        profile: 'goalpref-r',
      });
      const r = await runProbe({
        questions,
        questionsFile: join(DATA, 'goal_preference_scenarios.csv'),
        personas,
        target: agents.defender,
        judge: await createJudge('openai:gpt-4o-mini', rt),
        stanceRubric: await resolveRubric('goal_alignment'),
        correctnessRubric: await resolveRubric('correctness'),
        ladder: await loadLadder(),
        roles,
        turns: 2,
        roleNames: [],
        personalizations: ['none'],
        out: join(dir, 'paper'),
        concurrency: 1,
        alpha: 0.05,
        targets: [{ label: targetLabel(agents.defender), target: agents.defender, agents }],
        preset: { texts: preset, mechanics },
      });
      expect(r.complete).toBe(true);
      const bodies = srv.requests.map((q) => JSON.parse(q.body.toString('utf8')));
      const opener = OPENER.slice(1, -1);
      // round 0: the code's system prompt, then the opener, answered
      expect(Object.keys(bodies[1])).toEqual(['model', 'messages', 'max_tokens', 'temperature']);
      expect(bodies[1].messages).toEqual([
        JSON.parse(R.MT_DEFENDER_ROUND0).messages[0],
        { role: 'user', content: opener },
      ]);
      // the challenger: the paper's 0.7, the conversation so far before the quoted last reply
      expect(bodies[2].temperature).toBe(0.7);
      expect(bodies[2].messages[0].content).toContain(
        `THE CONVERSATION SO FAR (oldest first):\nYou: ${opener}\n\nThe AI just responded to you:\n"<<CANNED REPLY 2>>"`,
      );
      // round 1: plain alternation, no null turn
      expect(bodies[3].messages.map((m: { content: string | null }) => m.content).slice(1)).toEqual([
        opener,
        '<<CANNED REPLY 2>>',
        '<<CANNED REPLY 3>>',
      ]);
      expect(bodies[3].temperature).toBe(0.7);
    } finally {
      await srv.close();
    }
  });
});
