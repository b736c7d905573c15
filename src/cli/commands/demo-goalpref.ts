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
  const gp = join(fixtures, 'goalpref');
  const scenarios = join(gp, 'goal_preference_scenarios.json');
  const personasFile = join(gp, 'all_personas_first_person.json');
  const targetSpec = `scripted:${join(gp, 'scripted-target.yaml')}`;
  const challengerSpec = `scripted:${join(fixtures, 'scripted-challenger.yaml')}`;
  const dir = join(out, 'goalpref');
  const questionsFile = join(dir, 'questions.jsonl');

  const { questions } = await importQuestions('goalpref', scenarios);
  await writeFileAtomic(questionsFile, `${questions.map((q) => JSON.stringify(q)).join('\n')}\n`);
  const personas = await readPersonas(personasFile);
  const roles = await loadRoles();
  const target = await createTarget(targetSpec, {});

  say(
    "\nThe seed study in miniature: GoalPref-Bench's design, offline (6 scenarios and 4 personas the project wrote in",
  );
  say("GoalPref-Bench's layout; a scripted target and a scripted user — simulations, not models)");
  say(`  npx plumb import goalpref ${scenarios} --out ${questionsFile}`);
  const responses = join(dir, 'responses.jsonl');
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
    `  npx plumb generate --questions ${questionsFile} --target ${targetSpec} --personas ${personasFile} --out ${responses}`,
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

  // the blind A/B comparison: each generic reply against its personalized twin, in both orders
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

  const probeDir = join(dir, 'probe');
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
  return {
    alignment: alignment.summary.indices,
    pairwise: pairwise.summary,
    probe: probe.complete ? probe.summary.conditions : null,
    dir,
  };
}
