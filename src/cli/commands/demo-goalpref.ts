import { join } from 'node:path';
import { runGenerate } from '../../generate/run.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { LexiconJudge } from '../../judges/lexicon.js';
import { contrastPairs } from '../../pairwise/inputs.js';
import { runPairwise } from '../../pairwise/run.js';
import { createChallenger } from '../../probe/challenger.js';
import { clearProbeRun, runProbe } from '../../probe/run.js';
import { fmtEstimate, table } from '../../render/text.js';
import { resolvePairwiseRubric, resolveRubric } from '../../rubrics/load.js';
import { runScore } from '../../score/run.js';
import { loadLadder, loadRoles } from '../../study/config.js';
import { importQuestions } from '../../study/importers/index.js';
import { readPersonas } from '../../study/inputs.js';
import { createTarget } from '../../study/targets.js';
import { renderProbeConditions } from './probe.js';

/**
 * The seed study in miniature, offline: GoalPref-Bench's design on six scenarios and four personas
 * the project wrote in GoalPref-Bench's released layout (fixtures/goalpref/), with a scripted target
 * and a scripted challenger. import → generate → score (alignment) → the blind A/B comparison of
 * generic and personalized replies (pairwise, both orders) → probe with a challenger under
 * none / profile / profile-plus × advisor / peer, judged for goal alignment every turn.
 */
export async function goalPrefMiniature(
  fixtures: string,
  out: string,
  judge: LexiconJudge,
  say: (s: string) => void,
) {
  const paths = miniaturePaths(fixtures, out);
  const { questions } = await importQuestions('goalpref', paths.scenarios);
  await writeFileAtomic(paths.questionsFile, `${questions.map((q) => JSON.stringify(q)).join('\n')}\n`);
  const m: Miniature = {
    paths,
    questions,
    personas: await readPersonas(paths.personasFile),
    roles: await loadRoles(),
    target: await createTarget(paths.targetSpec, {}),
    judge,
    say,
  };

  say(
    "\nThe seed study in miniature: GoalPref-Bench's design, offline (6 scenarios and 4 personas the project wrote in",
  );
  say("GoalPref-Bench's layout; a scripted target and a scripted user — simulations, not models)");
  say(`  npx plumb import goalpref ${paths.scenarios} --out ${paths.questionsFile}`);
  const alignment = await generateAndScore(m);
  const pairwise = await comparePersonalized(m);
  const probe = await probeMiniature(m);
  return {
    alignment: alignment.summary.indices,
    pairwise: pairwise.summary,
    probe: probe.complete ? probe.summary.conditions : null,
    dir: paths.dir,
  };
}

/** The miniature's inputs, outputs and scripted models, as paths under fixtures and out. */
function miniaturePaths(fixtures: string, out: string) {
  const gp = join(fixtures, 'goalpref');
  const dir = join(out, 'goalpref');
  return {
    scenarios: join(gp, 'goal_preference_scenarios.json'),
    personasFile: join(gp, 'all_personas_first_person.json'),
    targetSpec: `scripted:${join(gp, 'scripted-target.yaml')}`,
    challengerSpec: `scripted:${join(fixtures, 'scripted-challenger.yaml')}`,
    dir,
    questionsFile: join(dir, 'questions.jsonl'),
    responses: join(dir, 'responses.jsonl'),
  };
}

/** What every step of the miniature reads, and where it tells what it does. */
interface Miniature {
  paths: ReturnType<typeof miniaturePaths>;
  questions: Awaited<ReturnType<typeof importQuestions>>['questions'];
  personas: Awaited<ReturnType<typeof readPersonas>>;
  roles: Awaited<ReturnType<typeof loadRoles>>;
  target: Awaited<ReturnType<typeof createTarget>>;
  judge: LexiconJudge;
  say: (s: string) => void;
}

/** Generates the replies and scores their alignment: AAI and EII per role and personalization. */
async function generateAndScore({ paths, questions, personas, roles, target, judge, say }: Miniature) {
  const { dir, questionsFile, responses } = paths;
  const gen = await runGenerate({
    questions,
    questionsFile,
    personas,
    target,
    roles,
    roleNames: ['advisor', 'peer'],
    personalizations: ['none', 'profile', 'filler'],
    samples: 1,
    seed: 0,
    settings: { temperature: 0.7, seed: 0, max_tokens: 500 },
    out: responses,
    concurrency: 4,
  });
  say(
    `  npx plumb generate --questions ${questionsFile} --target ${paths.targetSpec} --personas ${paths.personasFile} --out ${responses}`,
  );
  const alignment = await runScore({
    rubric: await resolveRubric('alignment'),
    judges: [judge],
    input: responses,
    out: join(dir, 'alignment.scores.jsonl'),
    summaryPath: join(dir, 'alignment.summary.json'),
  });
  say(
    `  npx plumb score --rubric alignment --input ${responses} --out ${join(dir, 'alignment.scores.jsonl')}   (${gen.done} replies)`,
  );
  const aai = alignment.summary.indices.aai!;
  const eii = alignment.summary.indices.eii!;
  say(
    table(
      ['role', 'personalization', 'n', 'AAI', 'EII'],
      aai.conditions.map((c) => {
        const e = eii.conditions.find((x) => x.role === c.role && x.personalization === c.personalization);
        return [c.role, c.personalization, String(c.n), fmtEstimate(c), fmtEstimate(e)];
      }),
    ).replace(/^/gm, '  '),
  );
  return alignment;
}

/** The blind A/B comparison: each generic reply against its personalized twin, in both orders. */
async function comparePersonalized({ paths, judge, say }: Miniature) {
  const { dir, responses } = paths;
  const pairsOut = join(dir, 'preference.pairwise.jsonl');
  const pairwise = await runPairwise({
    rubric: await resolvePairwiseRubric('preference'),
    judges: [judge],
    source: await contrastPairs(responses, { field: 'personalization', a: 'none', b: 'profile' }),
    out: pairsOut,
    summaryPath: join(dir, 'preference.pairwise.summary.json'),
    orders: 'both',
    samples: 1,
    seed: 0,
    concurrency: 4,
  });
  say(
    `  npx plumb pairwise --rubric preference --input ${responses} --contrast personalization=none,profile --out ${pairsOut}`,
  );
  say('  which reply serves the goal better, generic (A) or personalized (B), judged blind in both orders:');
  say(
    table(
      ['role', 'pairs', 'generic better', 'tie', 'personalized better'],
      pairwise.summary.conditions.map((c) => [
        c.role,
        String(c.n),
        fmtEstimate(c.a),
        fmtEstimate(c.tie),
        fmtEstimate(c.b),
      ]),
    ).replace(/^/gm, '  '),
  );
  return pairwise;
}

/** The multi-turn probe: a scripted user pushes the preference for 6 turns; goal alignment per turn. */
async function probeMiniature({ paths, questions, personas, roles, target, judge, say }: Miniature) {
  const { questionsFile, targetSpec, challengerSpec, personasFile } = paths;
  const probeDir = join(paths.dir, 'probe');
  await clearProbeRun(probeDir); // regenerated on every demo run
  const probe = await runProbe({
    questions,
    questionsFile,
    personas,
    target,
    judge,
    stanceRubric: await resolveRubric('goal_alignment'),
    correctnessRubric: await resolveRubric('correctness'),
    ladder: await loadLadder(),
    roles,
    turns: 6,
    roleNames: ['advisor', 'peer'],
    personalizations: ['none', 'profile', 'profile-plus'],
    challenger: await createChallenger(challengerSpec, {}),
    out: probeDir,
    concurrency: 4,
    alpha: 0.05,
  });
  say(
    `  npx plumb probe --questions ${questionsFile} --target ${targetSpec} --challenger ${challengerSpec} --personas ${personasFile} --personalization none,profile,profile-plus --turns 6 --out ${probeDir}`,
  );
  if (probe.complete) {
    say(
      '  goal alignment per turn (a flip = the reply gave up the goal); a scripted user pushes the preference each turn',
    );
    say(renderProbeConditions(probe.summary).replace(/^/gm, '  '));
  }
  return probe;
}
