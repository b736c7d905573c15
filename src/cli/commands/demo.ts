import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATE_DEFAULTS, runGateOnFiles } from '../../gate/gate.js';
import { saveBaseline } from '../../gate/summary-file.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { LexiconJudge } from '../../judges/lexicon.js';
import { toJunit, toMarkdown, toText } from '../../render/gate.js';
import { fmtEstimate, table } from '../../render/text.js';
import { resolveRubric } from '../../rubrics/load.js';
import { runScore } from '../../score/run.js';
import type { ScoreSummary } from '../../score/summary.js';

/** The fixtures shipped with plumb (beside src/ or dist/). */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');
/** The study files shipped with plumb (beside src/ or dist/). */
export const STUDIES_DIR = resolve(FIXTURES_DIR, '..', 'studies');

/** studies/demo.yaml into `<out>/study`, from a clean folder each time; where its tables are, and one figure. */
async function demoStudy(out: string) {
  const { loadStudy } = await import('../../experiments/schema.js');
  const { runStudy } = await import('../../experiments/run.js');
  const file = join(STUDIES_DIR, 'demo.yaml');
  const dir = join(out, 'study');
  // the demo's run folders are regenerated each time (a study folder refuses a changed study file)
  await rm(dir, { recursive: true, force: true });
  const r = await runStudy(await loadStudy(file), { out: dir });
  if (!r.complete) throw new Error(`the demo study stopped: ${r.stopped}`);
  const rows = (await readFile(join(dir, 'tables', 'pairwise.csv'), 'utf8')).trim().split('\n');
  const head = rows[0]!.split(',');
  const cells = rows[1]!.split(',');
  const at = (c: string) => cells[head.indexOf(c)] ?? '';
  return {
    file,
    out: dir,
    tables: join(dir, 'tables'),
    row: `${at('dimension')}, ${at('model')}: ${at('n_preferring_treatment')}/${at('n_decided')} pairs prefer the ${at('treatment')} reply (share ${at('share')}, Wilson 95% [${at('wilson_lo')}, ${at('wilson_hi')}], binomial p ${at('binom_p')})`,
  };
}

type Say = (s: string) => void;

export async function demoCommand(opts: { out: string; json?: boolean }): Promise<void> {
  const out = resolve(opts.out);
  const input = join(FIXTURES_DIR, 'responses.jsonl');
  const judge = new LexiconJudge();
  const say: Say = (s) => {
    if (!opts.json) process.stdout.write(`${s}\n`);
  };
  say(`plumb demo — offline: the lexicon judge (a rule-based baseline, not an LLM) on ${input}\n`);
  const { aai, eii } = await demoScores(out, input, judge, say);
  await demoCalibration(out, say);
  await demoProbe(out, judge, say);
  // The seed study in miniature: GoalPref-Bench's design on project-written scenarios
  const { goalPrefMiniature } = await import('./demo-goalpref.js');
  const seed = await goalPrefMiniature(FIXTURES_DIR, out, judge, say);
  // Kelley & Riedl's design as a study file, at its smallest (studies/demo.yaml): import →
  // generate → pairwise per dimension → probe → the paper's tables
  const study = await demoStudy(out);
  say(
    `\nThe paper's design as one study file (${study.file}: one scripted target, emotional validation, the third-person control, a multi-turn arm) → ${study.tables}`,
  );
  say(`  npx plumb study run ${study.file} --out ${study.out}`);
  say(`  ${study.row}`);
  const { baselinePath, gate, degraded } = await demoGate(out, judge);
  await demoReport(out);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ out, aai, eii, goalpref: seed, gate: { verdict: gate.verdict, checks: gate.checks }, degraded_eii: degraded.summary.indices.eii }, null, 2)}\n`,
    );
    return;
  }
  say('\nGate: the EII baseline above vs a deliberately degraded (more sycophantic) run of the same prompts');
  say(`  npx plumb gate --baseline ${baselinePath} --current ${join(out, 'degraded')}`);
  say(toText(gate).replace(/^/gm, '  '));
  say(
    gate.verdict === 'fail'
      ? '  → the gate fails, as it should: in CI this exits 1.'
      : '  → unexpectedly passed.',
  );
  sayWritten(out, input, say);
}

/** The fixture responses scored with AAI and EII, and both indices by condition as a table. */
async function demoScores(out: string, input: string, judge: LexiconJudge, say: Say) {
  const summaries: Record<string, ScoreSummary> = {};
  for (const id of ['aai', 'eii']) {
    const rubric = await resolveRubric(id);
    const result = await runScore({
      rubric,
      judges: [judge],
      input,
      out: join(out, `${id}.scores.jsonl`),
      summaryPath: join(out, `${id}.summary.json`),
      concurrency: 8,
    });
    summaries[id] = result.summary;
    say(
      `scored ${result.summary.n.scored}/${result.summary.n.total} with ${id}@${rubric.version} → ${result.outPath}`,
    );
  }
  const aai = summaries.aai!.indices.aai!;
  const eii = summaries.eii!.indices.eii!;
  const rows = aai.conditions.map((c) => {
    const e = eii.conditions.find((x) => x.role === c.role && x.personalization === c.personalization);
    return [c.role, c.personalization, String(c.n), fmtEstimate(c), fmtEstimate(e)];
  });
  rows.push(['all', '', String(aai.overall.n), fmtEstimate(aai.overall), fmtEstimate(eii.overall)]);
  say('\nAffective Alignment (AAI) and Epistemic Independence (EII) by condition, 0–1, mean [95% CI]');
  say(table(['role', 'personalization', 'n', 'AAI', 'EII'], rows));
  return { aai, eii };
}

/**
 * Calibration: the EII judge against the fixture gold (illustrative ratings the project wrote,
 * not human data), with the alternative-annotator test and prediction-powered estimates.
 */
async function demoCalibration(out: string, say: Say): Promise<void> {
  const { calibrateFiles } = await import('../../calibration/from-files.js');
  const { renderCalibration } = await import('./calibrate.js');
  const cal = await calibrateFiles({
    scoresFile: join(out, 'eii.scores.jsonl'),
    goldFile: join(FIXTURES_DIR, 'gold.jsonl'),
    criterion: 'overall',
    level: 'item',
    method: 'isotonic',
    altTest: { epsilon: 0.2, q: 0.05, minItems: 30 },
    ppi: { alpha: 0.05, interval: 'clt' },
    compare: null,
    bootstrap: 1000,
    seed: 1,
    artifact: join(out, 'calibration-eii-overall.json'),
  });
  // what `calibrate --json` prints, kept for the report
  await writeFileAtomic(join(out, 'calibration.json'), `${JSON.stringify(cal.report, null, 2)}\n`);
  say(
    '\nCalibration of the lexicon judge on EII against fixtures/gold.jsonl (ILLUSTRATIVE ratings written by the project, not human data)',
  );
  say(
    `  npx plumb calibrate --scores ${join(out, 'eii.scores.jsonl')} --gold ${join(FIXTURES_DIR, 'gold.jsonl')} --criterion overall --alt-test --ppi`,
  );
  say(renderCalibration(cal.report).replace(/^/gm, '  '));
}

/**
 * Probe: a scripted target (declared behaviour, fixtures/scripted-target.yaml) that, as a peer,
 * gives in more under a user profile; the comparisons should find the role × personalization interaction.
 */
async function demoProbe(out: string, judge: LexiconJudge, say: Say): Promise<void> {
  const { clearProbeRun, runProbe } = await import('../../probe/run.js');
  const { renderProbe } = await import('./probe.js');
  const { loadLadder, loadRoles } = await import('../../study/config.js');
  const { readPersonas, readQuestions } = await import('../../study/inputs.js');
  const { createTarget } = await import('../../study/targets.js');
  // the demo's run folders are regenerated each time (a probe folder otherwise refuses other settings)
  await clearProbeRun(join(out, 'probe'));
  const probe = await runProbe({
    questions: await readQuestions(join(FIXTURES_DIR, 'questions.jsonl')),
    questionsFile: join(FIXTURES_DIR, 'questions.jsonl'),
    personas: await readPersonas(join(FIXTURES_DIR, 'personas.jsonl')),
    target: await createTarget(`scripted:${join(FIXTURES_DIR, 'scripted-target.yaml')}`, {}),
    judge,
    stanceRubric: await resolveRubric('stance'),
    correctnessRubric: await resolveRubric('correctness'),
    ladder: await loadLadder(),
    roles: await loadRoles(),
    turns: 5,
    roleNames: ['advisor', 'peer'],
    personalizations: ['none', 'profile', 'filler'],
    out: join(out, 'probe'),
    concurrency: 4,
    alpha: 0.05,
  });
  if (!probe.complete) return;
  say(
    '\nStability probe: a scripted target (fixtures/scripted-target.yaml, a simulation, not a real model) challenged for 5 turns',
  );
  say(
    `  npx plumb probe --questions ${join(FIXTURES_DIR, 'questions.jsonl')} --target scripted:${join(FIXTURES_DIR, 'scripted-target.yaml')} --personas ${join(FIXTURES_DIR, 'personas.jsonl')} --out ${join(out, 'probe')}`,
  );
  say(renderProbe(probe.summary).replace(/^/gm, '  '));
  const interaction = probe.summary.comparisons.anova?.terms.find((t) => t.effect === 'role:personalization');
  say(
    interaction?.significant
      ? `  → the role × personalization interaction is detected (p=${interaction.p?.toFixed(4)}): as a peer, the target gives in more under a profile.`
      : '  → no significant role × personalization interaction in this run.',
  );
}

/**
 * Gate: the EII run as the baseline, against a deliberately more sycophantic run of the same
 * prompts (fixtures/responses-degraded.jsonl); the verdict written as JUnit, Markdown and JSON.
 * The gate is expected to fail here.
 */
async function demoGate(out: string, judge: LexiconJudge) {
  const baselinePath = join(out, 'baseline-eii.json');
  await saveBaseline(join(out, 'eii.summary.json'), baselinePath);
  const degraded = await runScore({
    rubric: await resolveRubric('eii'),
    judges: [judge],
    input: join(FIXTURES_DIR, 'responses-degraded.jsonl'),
    out: join(out, 'degraded', 'eii.scores.jsonl'),
    summaryPath: join(out, 'degraded', 'eii.summary.json'),
  });
  const gate = await runGateOnFiles(baselinePath, join(out, 'degraded', 'eii.summary.json'), GATE_DEFAULTS);
  await writeFileAtomic(join(out, 'gate.junit.xml'), toJunit(gate));
  await writeFileAtomic(join(out, 'gate.md'), toMarkdown(gate));
  await writeFileAtomic(join(out, 'gate.json'), `${JSON.stringify(gate, null, 2)}\n`);
  return { baselinePath, gate, degraded };
}

/** Everything the demo wrote in one self-contained HTML file, with what the terminal says of its data. */
async function demoReport(out: string): Promise<void> {
  const { buildReport } = await import('../../render/report/build.js');
  const report = await buildReport(
    [
      join(out, 'aai.summary.json'),
      join(out, 'eii.summary.json'),
      join(out, 'calibration.json'),
      join(out, 'probe'),
      join(out, 'goalpref', 'preference.pairwise.summary.json'),
      join(out, 'gate.json'),
    ],
    {
      out: join(out, 'report.html'),
      caveats: [
        'Illustrative gold: the calibration is against fixtures/gold.jsonl, ratings the project wrote to show the method — not human data.',
        'Scripted target: the stability probe challenges a scripted target (fixtures/scripted-target.yaml), and the GoalPref-Bench miniature uses a scripted target and a scripted user — simulations with declared behaviour, not models.',
        'Judge: the built-in lexicon judge (transparent marker rules), not an LLM.',
      ],
    },
  );
  await writeFileAtomic(join(out, 'report.html'), report.html);
}

/** What the demo wrote, and what to try next. */
function sayWritten(out: string, input: string, say: Say): void {
  say(`\nWritten to ${out}:`);
  say('  aai.scores.jsonl, eii.scores.jsonl   one scored line per response');
  say('  aai.summary.json, eii.summary.json   run summaries (the gate compares these)');
  say('  calibration-eii-overall.json          the fitted isotonic mapping (plumb score --calibration)');
  say('  probe/transcripts.jsonl, probe/summary.json   every probe turn, and the flip statistics');
  say(
    '  goalpref/                             the seed-study miniature: questions, responses, scores, probe',
  );
  say(
    '  study/tables/                         the miniature study: pairwise, controls, multiturn (.csv, .md)',
  );
  say('  baseline-eii.json, degraded/          the gate baseline and the degraded run');
  say('  gate.junit.xml, gate.md, gate.json    the gate verdict as JUnit, Markdown and JSON');
  say('  calibration.json                      the calibration report (calibrate --json)');
  say('  report.html                           all of it as figures, in one self-contained file');
  say('\nNext:');
  say('  npx plumb rubrics show eii                        what the EII rubric asks the judge');
  say(`  npx plumb score --rubric aai --input ${input} --judge lexicon --out my-run.jsonl`);
  say('  npx plumb score ... --judge openai:gpt-4.1-mini   the same with a real judge (OPENAI_API_KEY)');
}
