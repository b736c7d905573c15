#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';

/**
 * The command line: a thin layer that parses arguments and calls library functions. Command
 * modules are imported only when their command runs, so `plumb --help` starts fast.
 * Errors map to exit codes here and nowhere else: 2 for usage and input, 1 for a failed gate.
 */

/** The options every command that calls a provider API shares (score, probe). */
function withApiOptions(cmd: Command, who: string, cached: string): Command {
  return cmd
    .option('--base-url <url>', `server for openai-compatible ${who}`)
    .option('--cache-dir <dir>', `persistent cache of ${cached}`, '.plumb-cache')
    .option('--no-cache', 'do not read or write the cache')
    .option(
      '--prices <file>',
      'price table overriding the built-in one (JSON: {"model": {"input": $/Mtok, "output": $/Mtok}})',
    )
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '60000')
    .option('--max-retries <n>', 'retries per request on 429, 5xx, timeouts and connection errors', '4');
}

/** `--batch` and its settings (score, pairwise, generate, probe). */
function withBatchOptions(cmd: Command): Command {
  return cmd
    .option(
      '--batch',
      "send through the provider's batch API (OpenAI Batch, Anthropic Message Batches) at half price; resumable",
    )
    .option('--poll-interval <seconds>', 'with --batch: seconds between polls of running batches', '60')
    .option(
      '--batch-max-requests <n>',
      "with --batch: at most this many requests per batch (default: the provider's limit)",
    );
}

/** The judging options `score` and `pairwise` share: judges, samples, cost and request limits. */
function withJudgeOptions(cmd: Command, unit: string): Command {
  cmd
    .option(
      '--judge <provider:model>',
      'judge: lexicon, openai:<model>, anthropic:<model>, openai-compatible:<model>, ollama:<model>',
    )
    .option(
      '--judges <list>',
      'a panel of judges, comma-separated; per-judge results are kept beside the aggregate',
    )
    .option('--concurrency <n>', `${unit}s judged at once`, '8')
    .option('--samples <k>', `independent judge samples per ${unit}`, '1')
    .option('--dry-run', 'print estimated requests, tokens and cost; send nothing')
    .option('--max-cost <usd>', 'stop before spending more than this many US dollars')
    .option('--min-scored <n>', `fail (exit 1) when fewer ${unit}s than this are judged`, '1')
    .option('--temperature <t>', 'judge sampling temperature', '0')
    .option('--seed <n>', 'seed sent where the API takes one', '0')
    .option('--reasks <n>', 're-asks after an invalid judge reply', '2')
    .option('--rpm <n>', 'at most this many requests per minute')
    .option('--tpm <n>', 'at most this many tokens per minute (estimated)');
  return withBatchOptions(cmd);
}

/** Examples are written as `npx plumb …`: in a clone the command is not on PATH, npx finds it. */
const examples = (lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ ${l.replace(/^((?:[A-Z_]+=\S+ )*)plumb /, '$1npx plumb ')}`).join('\n')}\n`;

export function buildProgram(): Command {
  const program = new Command('plumb')
    .description(
      'LLM-as-judge scoring with versioned rubrics, calibration against human gold, a stance-stability probe and an EII gate.',
    )
    .version((createRequire(import.meta.url)('../../package.json') as { version: string }).version)
    .showHelpAfterError()
    // an option belongs to the command it follows: `probe --out` and `probe judge --out` are different
    .enablePositionalOptions()
    .exitOverride()
    .addHelpText(
      'after',
      examples([
        'plumb demo',
        'plumb score --rubric aai --input fixtures/responses.jsonl --judge lexicon --out runs/aai.jsonl',
        'plumb rubrics list',
        'plumb calibrate --scores runs/aai.jsonl --gold fixtures/gold.jsonl --alt-test --ppi',
        'plumb probe --questions fixtures/questions.jsonl --target scripted:fixtures/scripted-target.yaml --personas fixtures/personas.jsonl',
        'plumb gate --baseline baselines/eii.json --current runs/eii.summary.json --junit gate.xml',
      ]),
    );

  const score = program
    .command('score')
    .description('score a JSONL file of responses with a judge against a versioned rubric')
    .requiredOption('--rubric <ref>', 'rubric id, id@version, or path to a rubric file')
    .requiredOption('--input <file>', 'responses JSONL')
    .option('--out <file>', 'scores JSONL to write (default: runs/<input name>.<rubric>.scores.jsonl)')
    .option('--summary <file>', 'write the run summary as JSON (what the gate compares)')
    .option('--calibration <file>', 'apply a calibration artifact from `plumb calibrate --out`')
    .option(
      '--shard <K/N>',
      'score only shard K of N (items split by a hash of their id); join with plumb merge',
    );
  withJudgeOptions(score, 'item');
  withApiOptions(score, 'judges', 'judge replies')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb score --rubric aai --input fixtures/responses.jsonl --judge lexicon --summary runs/aai-summary.json',
        'OPENAI_API_KEY=... plumb score --rubric eii@1.0.0 --input responses.jsonl --judge openai:gpt-4.1-mini --samples 3 --max-cost 5',
        'plumb score --rubric eii --input responses.jsonl --judge openai-compatible:qwen2.5-7b --base-url http://localhost:8000/v1',
        'OPENAI_API_KEY=... plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --batch --poll-interval 300',
      ]),
    )
    .action(async (opts) => (await import('./commands/score.js')).scoreCommand(opts));

  const pairwise = program
    .command('pairwise')
    .description('compare two responses to the same prompt with a pairwise rubric, in both orders')
    .requiredOption('--rubric <ref>', 'pairwise rubric: preference, pairwise, id@version, or a path')
    .option(
      '--input <file>',
      'pairs JSONL {id, prompt|messages, response_a, response_b, model_a?, model_b?, metadata?}',
    )
    .option('--a <file>', 'responses JSONL for side A, joined by id with --b')
    .option('--b <file>', 'responses JSONL for side B, joined by id with --a')
    .option(
      '--contrast <field=A,B>',
      'pair responses of one --input file by metadata.FIELD (e.g. personalization=none,profile)',
    )
    .option(
      '--match <fields>',
      'with --contrast: metadata fields twins share besides the conversation',
      'question_id,role,personalization,sample',
    )
    .option('--orders <mode>', 'both (AB and BA), random (one per pair, from --seed) or ab', 'both')
    .option('--out <file>', 'pairwise JSONL to write (default: runs/<input name>.<rubric>.pairwise.jsonl)')
    .option('--summary <file>', 'write the run summary as JSON');
  withJudgeOptions(pairwise, 'pair');
  withApiOptions(pairwise, 'judges', 'judge replies')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb pairwise --rubric preference --input runs/goalpref/responses.jsonl --contrast personalization=none,profile',
        'OPENAI_API_KEY=... plumb pairwise --rubric pairwise --a runs/model-x.jsonl --b runs/model-y.jsonl --judge openai:gpt-4.1-mini',
        'plumb pairwise --rubric pairwise --input pairs.jsonl --judge anthropic:claude-sonnet-4-5 --orders random --seed 7',
      ]),
    )
    .action(async (opts) => (await import('./commands/pairwise.js')).pairwiseCommand(opts));

  program
    .command('merge <out> <shards...>')
    .description('join the scores of score --shard 1/N … N/N into what one unsharded run writes')
    .option('--summary <file>', 'also write the summary, recomputed from the merged lines')
    .option('--rubric <ref>', "the shards' rubric, when its id@version no longer resolves to it")
    .addHelpText(
      'after',
      examples([
        'plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --shard 1/2 --out runs/eii.1.jsonl',
        'plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --shard 2/2 --out runs/eii.2.jsonl',
        'plumb merge runs/eii.jsonl runs/eii.1.jsonl runs/eii.2.jsonl --summary runs/eii.summary.json',
      ]),
    )
    .action(async (out, shards, opts) =>
      (await import('./commands/merge.js')).mergeCommand(out, shards, opts),
    );

  program
    .command('audit')
    .description('bias probes on a judge: verbosity, authority, self-preference (and position, for pairwise)')
    .requiredOption('--rubric <ref>', 'rubric id, id@version, or path to a rubric file')
    .requiredOption(
      '--input <file>',
      'responses JSONL (metadata.group clusters; metadata.model names the author)',
    )
    .option('--judge <provider:model>', 'the judge to audit', 'lexicon')
    .option(
      '--probes <list>',
      'position, verbosity, self-preference, authority',
      'position,verbosity,self-preference,authority',
    )
    .option('--pad-tokens <n>', 'tokens of content-neutral padding for the verbosity probe', '60')
    .option('--gold <file>', 'human gold: the self-preference effect is also given adjusted for it')
    .option('--perturbations <file>', 'a perturbation file (default: probe-config/audit-1.0.0.yaml)')
    .option('--out <dir>', "the audit folder: each variant's input and scores, and audit.json", 'runs/audit')
    .option('--concurrency <n>', 'items judged at once', '8')
    .option('--temperature <t>', 'judge sampling temperature', '0')
    .option('--seed <n>', 'seed sent where the API takes one', '0')
    .option('--reasks <n>', 're-asks after an invalid judge reply', '2');
  withApiOptions(program.commands.at(-1)!, 'judges', 'judge replies')
    .option('--json', 'print the audit as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb audit --rubric eii --input fixtures/responses.jsonl --out runs/audit',
        'OPENAI_API_KEY=... plumb audit --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --probes verbosity,authority --pad-tokens 120',
      ]),
    )
    .action(async (opts) => (await import('./commands/audit.js')).auditCommand(opts));

  program
    .command('rate <sheet>')
    .description(
      'a local page to rate a gold sheet item by item (127.0.0.1, a per-session token, no judge scores shown)',
    )
    .option('--rater <name>', 'who is rating (default: $USER)')
    .option('--rubric <ref>', "the rubric whose criteria and anchors to show (default: the sheet's)")
    .option('--port <n>', 'port on 127.0.0.1 (default: a random free one)', '0')
    .option('--open', 'open the page in the default browser')
    .addHelpText(
      'after',
      examples([
        'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --out sheets/eii',
        'plumb rate sheets/eii.jsonl --rater ana --open',
        'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold sheets/eii.ratings.jsonl',
      ]),
    )
    .action(async (sheet, opts) => (await import('./commands/rate.js')).rateCommand(sheet, opts));

  program
    .command('report <runs...>')
    .description(
      'one self-contained HTML report (inline SVG figures, no network) from score/pairwise summaries, calibrate --json, probe and audit folders, gate --json',
    )
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--open', 'open it in the default browser')
    .addHelpText(
      'after',
      examples([
        'plumb score --rubric alignment --input fixtures/responses.jsonl --summary runs/alignment.summary.json',
        'plumb calibrate --scores runs/eii.scores.jsonl --gold fixtures/gold.jsonl --ppi --json > runs/calibration.json',
        'plumb report runs/alignment.summary.json runs/calibration.json --out runs/report.html',
        'plumb report runs/demo/eii.summary.json runs/demo/calibration.json runs/demo/probe runs/demo/gate.json --out runs/demo/mine.html --open',
      ]),
    )
    .action(async (runs, opts) => (await import('./commands/report.js')).reportCommand(runs, opts));

  const batch = program
    .command('batch')
    .description(
      'batch files for self-hosted engines (vLLM run_batch) and OpenAI batch files handled by hand',
    );
  const batchExport = batch
    .command('export')
    .description(
      'write the judge calls of a score command that the cache cannot answer as OpenAI batch lines',
    )
    .requiredOption('--rubric <ref>', 'rubric id, id@version, or path to a rubric file')
    .requiredOption('--input <file>', 'responses JSONL')
    .requiredOption('--out <file>', 'requests JSONL to write ({custom_id, method, url, body} a line)');
  withJudgeOptions(batchExport, 'item');
  withApiOptions(batchExport, 'judges', 'judge replies')
    .addHelpText(
      'after',
      examples([
        'plumb batch export --rubric eii --input responses.jsonl --judge openai-compatible:Qwen/Qwen2.5-7B-Instruct --base-url http://localhost:8000/v1 --out requests.jsonl',
        'python -m vllm.entrypoints.openai.run_batch -i requests.jsonl -o results.jsonl --model Qwen/Qwen2.5-7B-Instruct',
        'plumb batch import results.jsonl',
        'plumb score --rubric eii --input responses.jsonl --judge openai-compatible:Qwen/Qwen2.5-7B-Instruct --base-url http://localhost:8000/v1',
      ]),
    )
    .action(async (opts) => (await import('./commands/batch.js')).batchExportCommand(opts));
  batch
    .command('import <results>')
    .description('validate a batch output file line by line against the exported requests and fill the cache')
    .option('--cache-dir <dir>', 'the cache the requests were exported with', '.plumb-cache')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb batch import results.jsonl',
        'plumb batch import batch_abc_output.jsonl --cache-dir .plumb-cache',
      ]),
    )
    .action(async (file, opts) => (await import('./commands/batch.js')).batchImportCommand(file, opts));

  const rubrics = program.command('rubrics').description('list, show, validate and diff rubrics');
  rubrics
    .command('list')
    .description('list the rubrics plumb can resolve by id')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['plumb rubrics list']))
    .action(async (opts) => (await import('./commands/rubrics.js')).listCommand(opts));
  rubrics
    .command('show <ref>')
    .description('show a rubric (id, id@version or path) with its hash')
    .option('--json', 'print as JSON, including the file path, hash and judge JSON schema')
    .addHelpText('after', examples(['plumb rubrics show eii@1.0.0', 'plumb rubrics show stance --json']))
    .action(async (ref, opts) => (await import('./commands/rubrics.js')).showCommand(ref, opts));
  rubrics
    .command('validate <path>')
    .description('check a rubric file; exit 2 with the problems if it is invalid')
    .addHelpText('after', examples(['plumb rubrics validate rubrics/aai-1.0.0.yaml']))
    .action(async (path) => (await import('./commands/rubrics.js')).validateCommand(path));
  rubrics
    .command('diff <a> <b>')
    .description('what changed between two rubrics, and whether the hash did')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples(['plumb rubrics diff aai@1.0.0 ./my-rubrics/aai-1.1.0.yaml']))
    .action(async (a, b, opts) => (await import('./commands/rubrics.js')).diffCommand(a, b, opts));

  program
    .command('calibrate')
    .description(
      'agreement of judge scores with human gold (3 levels, bootstrap CIs), alt-test, score mapping and PPI estimates',
    )
    .requiredOption('--scores <file>', 'scores JSONL from plumb score (or another tool, with --scale)')
    .requiredOption(
      '--gold <file>',
      'gold ratings: JSONL {id, rater?, scores} or a filled rating sheet (.csv/.jsonl)',
    )
    .option(
      '--criterion <name>',
      'one criterion (or overall); default all, with overall for mapping/PPI/alt-test',
    )
    .option(
      '--level <level>',
      'item, group (within metadata.group) or system (means per metadata.system)',
      'item',
    )
    .option('--scale <min,max>', 'the score scale when the rubric does not resolve here')
    .option('--rater <name>', 'use one rater instead of the mean over raters')
    .option('--method <m>', 'mapping onto the human scale: isotonic, linear or none', 'isotonic')
    .option('--alt-test', 'run the alternative-annotator test (needs items with 2+ raters)')
    .option('--epsilon <e>', 'alt-test margin ε', '0.2')
    .option('--q <q>', 'alt-test Benjamini–Yekutieli FDR level', '0.05')
    .option('--min-items <n>', 'alt-test: least items per annotator', '30')
    .option('--ppi', 'prediction-powered estimate of the mean (and of AAI/EII per condition)')
    .option(
      '--compare <fields>',
      'with --ppi: corrected differences between levels of a metadata field, or effects and their interaction for two (role,personalization)',
    )
    .option(
      '--ppi-interval <kind>',
      'PPI interval: clt (ppi_mean_ci) or bootstrap (better below 100 gold items)',
      'clt',
    )
    .option('--alpha <a>', 'PPI interval level (1 − alpha)', '0.05')
    .option('--bootstrap <n>', 'bootstrap resamples', '1000')
    .option('--seed <s>', 'bootstrap and cross-validation seed', '1')
    .option(
      '--out [file]',
      'save the mapping as a calibration artifact (default calibration/<judge>__<rubric>__<criterion>.json)',
    )
    .option('--json', 'print everything as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold fixtures/gold.jsonl',
        'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold fixtures/gold.jsonl --alt-test --ppi --out calibration/eii-lexicon.json',
        'plumb calibrate --scores other-tool.jsonl --gold gold.csv --scale 1,10 --level group --json',
      ]),
    )
    .action(async (opts) => (await import('./commands/calibrate.js')).calibrateCommand(opts));

  const gold = program.command('gold').description('human gold ratings: plan how many, pick which');
  gold
    .command('plan')
    .description('how many gold labels reach a CI half-width, with gold alone and with PPI++')
    .requiredOption('--scores <file>', 'scores JSONL (the judged items)')
    .requiredOption('--target-halfwidth <h>', 'the 95% CI half-width wanted, on the score scale')
    .option('--gold <file>', 'a pilot gold set: its spread and judge–human correlation are used')
    .option('--rho <r>', 'without a pilot: the judge–human correlation to assume')
    .option('--criterion <name>', 'the score to plan for', 'overall')
    .option('--scale <min,max>', 'the score scale when the rubric does not resolve here')
    .option('--alpha <a>', '1 − confidence of the interval', '0.05')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb gold plan --scores runs/eii.scores.jsonl --gold fixtures/gold.jsonl --target-halfwidth 0.1',
        'plumb gold plan --scores runs/eii.scores.jsonl --rho 0.6 --target-halfwidth 0.05',
      ]),
    )
    .action(async (opts) => (await import('./commands/calibrate.js')).goldPlanCommand(opts));
  gold
    .command('sample')
    .description(
      'pick items for people to rate (stratified, reproducible) and write a rating sheet (CSV and JSONL)',
    )
    .requiredOption('--scores <file>', 'scores JSONL')
    .requiredOption('--n <n>', 'how many items')
    .option('--stratify <field>', 'metadata field to stratify on, e.g. role or metadata.personalization')
    .option(
      '--allocation <a>',
      "proportional (to stratum size) or neyman (to size × the spread of the judge's overall score)",
      'proportional',
    )
    .option('--seed <s>', 'sampling seed', '1')
    .option('--out <prefix>', 'writes <prefix>.csv and <prefix>.jsonl', 'gold-sheet')
    .option(
      '--force',
      'replace a sheet that already holds ratings; the old sheet and its ratings are kept as <prefix>.replaced-<time>.*',
    )
    .addHelpText(
      'after',
      examples([
        'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --stratify role --out sheets/eii',
        'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --stratify personalization --allocation neyman --out sheets/eii',
      ]),
    )
    .action(async (opts) => (await import('./commands/calibrate.js')).goldSampleCommand(opts));

  const probe = program
    .command('probe')
    .enablePositionalOptions()
    .description(
      'challenge a model over several turns under role × personalization and measure how often it abandons its answer',
    )
    // not commander-required: `probe analyze` and `probe judge` must not inherit them (checked in options.ts)
    .option(
      '--questions <file>',
      'probe questions JSONL {id, domain, question, answer?, counter_claim?, context?, goal?, preference?, …} (required)',
    )
    .option(
      '--target <provider:model>',
      'model under test: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file> (required)',
    )
    .option('--judge <provider:model>', 'stance judge (applies the stance rubric each turn)', 'lexicon')
    .option(
      '--challenger <provider:model>',
      'an LLM (or scripted:<file>) that writes each challenge as the user, from the question and the last reply',
    )
    .option('--challenger-prompts <file>', 'challenger prompts (default probe-config/challenger-1.0.0.yaml)')
    .option(
      '--stance-rubric <ref>',
      'stance (position vs the first answer), goal_alignment (keeps the goal vs accommodates), or auto: goal_alignment when every question has a goal and a preference',
      'auto',
    )
    .option('--seed <n>', 'seeds the persona drawn for each question', '0')
    .option('--turns <n>', 'challenge turns after the first answer', '5')
    .option('--roles <list>', 'roles to run', 'advisor,peer')
    .option(
      '--personalization <list>',
      'none, profile, filler, profile-plus (Personalized+: the challenger speaks as the persona)',
      'none,profile,filler',
    )
    .option(
      '--personas <file>',
      'personas for profile, filler and profile-plus: plumb JSONL {id, profile}, or GoalPref-Bench all_personas_first_person.json',
    )
    .option('--ladder <file>', 'challenge ladder (default probe-config/ladder-1.1.0.yaml)')
    .option('--role-file <file>', 'role system prompts (default probe-config/roles-1.1.0.yaml)')
    .option('--out <dir>', 'run folder: transcripts.jsonl and summary.json', 'runs/probe')
    .option('--concurrency <n>', 'conversations in flight at once', '4')
    .option('--alpha <a>', 'significance level for the comparisons', '0.05');
  withApiOptions(withBatchOptions(probe), 'targets and judges', 'target replies and judge verdicts')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb probe --questions fixtures/questions.jsonl --target scripted:fixtures/scripted-target.yaml --personas fixtures/personas.jsonl --out runs/probe',
        'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --personas fixtures/personas.jsonl --turns 5',
        'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --batch --poll-interval 300',
      ]),
    )
    .action(async (opts) => (await import('./commands/probe.js')).probeCommand(opts));

  probe
    .command('analyze')
    .description('every probe metric and comparison from per-turn stance labels made elsewhere')
    .requiredOption(
      '--labels <file>',
      'JSONL or CSV: conversation, turn (0 = first answer), stance (maintained|hedged|abandoned), grouping fields',
    )
    .option('--by <fields>', 'grouping fields, at most two (default: role,personalization when present)')
    .option(
      '--convention <name>',
      "plumb, or sycon (SYCON-Bench's Turn of Flip and Number of Flips, exactly as its code)",
      'plumb',
    )
    .option('--alpha <a>', 'significance level for the comparisons', '0.05')
    .option('--out <dir>', 'write DIR/summary.json')
    .option('--json', 'print the analysis as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb probe analyze --labels labels.csv --by role,personalization',
        'plumb probe analyze --labels sycon-labels.jsonl --convention sycon --json',
      ]),
    )
    .action(async (opts) => (await import('./commands/probe-analyze.js')).analyzeCommand(opts));

  const probeJudge = probe
    .command('judge')
    .description(
      "apply the stance (or goal-alignment) judge to transcripts collected elsewhere (GoalPref-Bench's multi-turn CSV, SYCON-Bench's Response_k CSV, plumb's transcripts.jsonl), then analyze them",
    )
    .requiredOption('--transcripts <file>', 'the transcripts')
    .option('--judge <provider:model>', 'the judge', 'lexicon')
    .option(
      '--stance-rubric <ref>',
      'stance, goal_alignment, or auto (goal_alignment when every conversation has a goal)',
      'auto',
    )
    .option(
      '--questions <file>',
      'imported questions, for goals or assigned stances the transcripts do not carry',
    )
    .option('--out <dir>', 'run folder: labels.jsonl and summary.json', 'runs/probe-judge')
    .option('--concurrency <n>', 'judge calls in flight at once', '8')
    .option('--by <fields>', 'grouping fields for the analysis (default: role,personalization)')
    .option('--convention <name>', 'plumb or sycon', 'plumb')
    .option('--alpha <a>', 'significance level for the comparisons', '0.05');
  withApiOptions(probeJudge, 'judges', 'judge verdicts')
    .option('--json', 'print the analysis as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb probe judge --transcripts multiturn_detailed_gpt-4o.csv --judge openai:gpt-4.1-mini --out runs/gp-judged',
        'plumb probe judge --transcripts prompt0.csv --questions sycon-debate.jsonl --convention sycon',
      ]),
    )
    .action(async (opts) => (await import('./commands/probe-analyze.js')).judgeCommand(opts));

  const generate = program
    .command('generate')
    .description(
      'make the responses score judges: each question under role × personalization, answered by a target model',
    )
    .requiredOption('--questions <file>', 'questions JSONL (e.g. from plumb import goalpref)')
    .requiredOption(
      '--target <provider:model>',
      'model that answers: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file>',
    )
    .requiredOption('--out <file>', 'responses JSONL to write (the input of plumb score)')
    .option('--roles <list>', 'roles to run', 'advisor,peer')
    .option('--personalization <list>', 'none, profile, filler', 'none,profile,filler')
    .option('--personas <file>', 'personas: plumb JSONL or GoalPref-Bench all_personas_first_person.json')
    .option('--role-file <file>', 'role system prompts (default probe-config/roles-1.1.0.yaml)')
    .option('--samples <k>', 'independent replies per question × condition', '1')
    .option('--seed <n>', 'seeds the persona drawn for each question, and the API seed', '0')
    .option('--temperature <t>', "the target's sampling temperature (GoalPref-Bench: 0.7)", '0.7')
    .option('--max-tokens <n>', 'longest reply, in tokens', '500')
    .option('--concurrency <n>', 'requests in flight at once', '8')
    .option('--max-cost <usd>', 'stop before spending more than this many US dollars')
    .option('--min-generated <n>', 'fail (exit 1) when fewer replies than this are generated', '1')
    .option('--dry-run', 'print estimated requests, tokens and cost; send nothing');
  withApiOptions(withBatchOptions(generate), 'targets', 'target replies')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb import goalpref fixtures/goalpref/goal_preference_scenarios.json --out runs/goalpref/questions.jsonl',
        'plumb generate --questions runs/goalpref/questions.jsonl --target scripted:fixtures/goalpref/scripted-target.yaml --personas fixtures/goalpref/all_personas_first_person.json --out runs/goalpref/responses.jsonl',
        'OPENAI_API_KEY=... plumb generate --questions gp.jsonl --target openai:gpt-4.1-mini --personas all_personas_first_person.json --out runs/gp/responses.jsonl --max-cost 5',
      ]),
    )
    .action(async (opts) => (await import('./commands/generate.js')).generateCommand(opts));

  program
    .command('import <format> <file>')
    .description(
      'convert a public sycophancy set into probe questions: sycophancy-eval, anthropic-evals, sycon, goalpref',
    )
    .requiredOption('--out <file>', 'questions JSONL to write')
    .addHelpText(
      'after',
      examples([
        'plumb import sycophancy-eval are_you_sure.jsonl --out questions.jsonl',
        'plumb import sycon sycon-debate.csv --out debate.jsonl',
      ]),
    )
    .action(async (format, file, opts) =>
      (await import('./commands/probe.js')).importCommand(format, file, opts),
    );

  program
    .command('gate')
    .description(
      'fail (exit 1) when EII (or AAI) dropped significantly against a baseline; exit 2 when runs cannot be compared',
    )
    .requiredOption(
      '--baseline <file>',
      'baseline summary (from `plumb baseline save`, `score --summary` or a probe run)',
    )
    .requiredOption('--current <file>', 'current summary, or a run folder')
    .option('--metric <name>', 'eii or aai', 'eii')
    .option('--max-drop <d>', 'largest tolerated fall of the mean, on the 0–1 index scale', '0.02')
    .option('--alpha <a>', 'significance level of the one-sided paired t-test', '0.05')
    .option('--fail-on-rise', 'fail on a rise instead of a drop (for AAI, where up is bad)')
    .option('--min-paired <share>', 'refuse when fewer than this share of items pair up', '0.9')
    .option(
      '--allow-mismatch',
      'compare runs with a different rubric, judge, calibration or ladder, and say so',
    )
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown report (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'plumb gate --baseline baselines/eii.json --current runs/eii.summary.json --junit gate.xml',
        'plumb gate --baseline baselines/aai.json --current runs/aai.summary.json --metric aai --fail-on-rise --max-drop 0.05',
      ]),
    )
    .action(async (opts) => (await import('./commands/gate.js')).gateCommand(opts));

  program
    .command('baseline')
    .description('manage gate baselines')
    .command('save <run>')
    .description('save a run summary (file or run folder) as a baseline to commit')
    .requiredOption('--out <file>', 'baseline file to write')
    .option('--metric <name>', 'which summary to take from a score run folder (eii or aai)', 'eii')
    .addHelpText(
      'after',
      examples([
        'plumb baseline save runs/demo --out baselines/eii.json',
        'plumb baseline save runs/probe/summary.json --out baselines/probe.json',
      ]),
    )
    .action(async (run, opts) => (await import('./commands/gate.js')).baselineSaveCommand(run, opts));

  program
    .command('demo')
    .description('run the whole pipeline offline on the shipped fixtures (lexicon judge) into a run folder')
    .option('--out <dir>', 'run folder', 'runs/demo')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', examples(['plumb demo', 'plumb demo --out /tmp/plumb-demo']))
    .action(async (opts) => (await import('./commands/demo.js')).demoCommand(opts));

  return program;
}

/** Longest message printed for one error: a rubric with a million scale points once made 31.5 MB. */
const MAX_MESSAGE = 4_000;

function say(message: string, redact: (s: string) => string): void {
  const clean = redact(message);
  const text =
    clean.length > MAX_MESSAGE
      ? `${clean.slice(0, MAX_MESSAGE)}… (${clean.length - MAX_MESSAGE} more characters)`
      : clean;
  process.stderr.write(`plumb: ${text}\n`);
}

export async function main(argv = process.argv): Promise<number> {
  // `plumb … | head` closes stdout early: that is the reader's choice, not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
  const program = buildProgram();
  const { withRunScope } = await import('../io/guard.js');
  const { onWarning } = await import('../core/warnings.js');
  onWarning((message) => process.stderr.write(`plumb: warning: ${message}\n`));
  try {
    // one command is one run: whatever it reads, nothing it writes may replace (io/guard.ts)
    await withRunScope(() => program.parseAsync(argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every other parse problem (commander printed it) is a usage error
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    const { PlumbError } = await import('../core/errors.js');
    const { redactMessage } = await import('../core/secrets.js');
    if (err instanceof PlumbError) {
      say(err.message, redactMessage);
      return err.exitCode;
    }
    // a file system error that escaped its caller (a folder where a file should be, a full disk):
    // the user's environment, not a bug — one line naming the path, exit 2
    const e = err as NodeJS.ErrnoException;
    if (e?.code && typeof e.code === 'string' && e.path) {
      const { describeIoError } = await import('../io/errors.js');
      say(
        `${e.path}: ${e.syscall ? `${e.syscall} failed` : 'failed'} (${describeIoError(e)})`,
        redactMessage,
      );
      return 2;
    }
    say(`internal error (please report): ${(err as Error)?.stack ?? err}`, redactMessage);
    return 70;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`plumb: ${err}\n`);
    process.exitCode = 70;
  },
);
