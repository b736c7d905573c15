import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { sha256 } from '../core/canonical.js';
import { InputError } from '../core/errors.js';
import { IMPORT_FORMATS } from '../study/importers/index.js';
import { GENERATE_PERSONALIZATIONS } from '../study/personalization.js';

/**
 * A study file (`plumb study run STUDY.yaml`): one declaration of a whole personalization study
 * — data sets and their samples, the models under test, the personalization levels and controls,
 * the judge and the dimensions, the multi-turn arms — that the planner turns into steps. Paths are
 * relative to the study file's folder.
 */

const modelSpec = z
  .string()
  .regex(
    /^(scripted:.+|lexicon|[a-z-]+:.+)$/,
    'a provider:model (openai:…, openai-compatible:…, scripted:FILE, lexicon)',
  );
const level = z.enum(GENERATE_PERSONALIZATIONS);

export const DatasetSchema = z.strictObject({
  /** The name used in step ids, folders and tables (e.g. oeq, aita, debate, goalpref). */
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, dot, dash or underscore'),
  importer: z.enum(IMPORT_FORMATS as [string, ...string[]]),
  file: z.string().min(1),
  /** A seeded subsample of this many items (plumb import --sample), else every item. */
  sample: z.int().min(1).optional(),
  seed: z.union([z.int(), z.string()]).optional(),
  /**
   * The data set's context (`metadata.role`: advisory, peer), over what the importer sets. Under
   * the preset no role prompt is sent: the role is this label, as in the paper.
   */
  role: z.string().min(1).optional(),
  /**
   * Pairwise rubric ids (the paper's dimensions) the replies to this data set are compared on;
   * none for a data set only a multi-turn arm uses (MMLU-Pro's answer-sycophancy control).
   */
  dimensions: z.array(z.string().min(1)).default([]),
});

export const ArmSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/),
  /** The data set (by name) whose questions the arm runs. */
  dataset: z.string(),
  /** The conditions compared over turns: none, profile, profile-plus (and the controls). */
  conditions: z.array(z.string()).min(2),
  turns: z.int().min(1).max(50).default(10),
  /** GoalPref-Bench's own draw of the scenarios (R's set.seed(456); the paper: 100). */
  r_sample: z.int().min(1).optional(),
  /** Which of the study's targets run this arm (default: all; the paper ran Qwen3 235B only). */
  targets: z.array(modelSpec).min(1).optional(),
  /** The simulated user (default: the model under test itself, as the paper). */
  challenger: modelSpec.optional(),
  turn_judging: z.enum(['graded', 'binary']).default('binary'),
  follow: z.enum(['paper', 'code']).default('paper'),
});

export const StudySchema = z.strictObject({
  study: z.literal(1),
  name: z.string().min(1),
  description: z.string().optional(),
  /** `kelley-riedl-2026`: the released prompts and settings (docs/kelley-riedl-2026.md). */
  preset: z.literal('kelley-riedl-2026').optional(),
  /** Where every step writes (`<out>/<step>/…`, `<out>/study-state.json`, `<out>/tables/`). */
  out: z.string().min(1),
  datasets: z.array(DatasetSchema).min(1),
  /** The models under test, each labelled in metadata.model. */
  targets: z.array(modelSpec).min(1),
  /** An OpenAI-compatible endpoint for openai-compatible: targets and judges (OpenRouter). */
  base_url: z.url().optional(),
  personas: z.string().optional(),
  /**
   * Without the preset: plumb's role prompts crossed with every question (its own extension of the
   * paper). Under the preset none is sent and this is ignored: the role is the data set's context.
   */
  roles: z.array(z.string().min(1)).min(1).default(['advisor', 'peer']),
  /** The treatment levels compared with the generic reply (`none`): the paper's is `profile`. */
  personalization: z
    .array(level.exclude(['none']))
    .min(1)
    .default(['profile']),
  /** The robustness controls, each compared with the generic reply like a treatment. */
  controls: z.array(z.enum(['filler', 'demographics', 'third-person'])).default([]),
  generation: z
    .strictObject({
      temperature: z.number().min(0).max(2).default(0.7),
      max_tokens: z.int().min(16).optional(),
      seed: z.int().default(0),
      samples: z.int().min(1).max(100).default(1),
    })
    .default({ temperature: 0.7, seed: 0, samples: 1 }),
  judge: z
    .strictObject({
      model: modelSpec,
      /**
       * One order per pair: r-sample (R's set.seed(456) draw in the responses' order, as the
       * released judge; the default under the preset) or random (from seed; the default
       * otherwise); both: AB and BA; ab: as given.
       */
      orders: z.enum(['r-sample', 'random', 'both', 'ab']).optional(),
      samples: z.int().min(1).max(20).default(1),
      seed: z.int().default(456),
    })
    .default({ model: 'lexicon', samples: 1, seed: 456 }),
  multiturn: z
    .strictObject({
      judge: modelSpec.optional(),
      arms: z.array(ArmSchema).min(1),
    })
    .optional(),
  concurrency: z.int().min(1).max(4096).default(8),
  prices: z.string().optional(),
});

export type StudySpec = z.infer<typeof StudySchema>;
export type DatasetSpec = z.infer<typeof DatasetSchema>;
export type ArmSpec = z.infer<typeof ArmSchema>;

/** A loaded study: the spec with its file, its folder, and the hash of its bytes. */
export interface Study extends Omit<StudySpec, 'judge'> {
  /** The judge, with the orders the preset implies when the file names none. */
  judge: StudySpec['judge'] & { orders: NonNullable<StudySpec['judge']['orders']> };
  path: string;
  /** The study file's folder: relative paths in it are resolved from here. */
  dir: string;
  /** sha256 of the study file's bytes: a changed file is refused by a resumed run. */
  hash: string;
}

/**
 * What the schema cannot say: data set names are unique, every arm names a data set and targets of
 * the study, a data set is used by a dimension or an arm, personas are there when a level needs them.
 */
function checkReferences(
  s: StudySpec,
  file: string,
  lineAt: (path: (string | number)[]) => number | undefined,
) {
  const names = new Set<string>();
  for (const [i, d] of s.datasets.entries()) {
    if (names.has(d.name))
      throw new InputError(file, lineAt(['datasets', i, 'name']), `data set name '${d.name}' is used twice`);
    names.add(d.name);
  }
  for (const [i, a] of (s.multiturn?.arms ?? []).entries())
    for (const t of a.targets ?? [])
      if (!s.targets.includes(t))
        throw new InputError(
          file,
          lineAt(['multiturn', 'arms', i, 'targets']),
          `arm '${a.name}': ${t} is not one of the study's targets`,
        );
  for (const [i, d] of s.datasets.entries())
    if (d.dimensions.length === 0 && !(s.multiturn?.arms ?? []).some((a) => a.dataset === d.name))
      throw new InputError(
        file,
        lineAt(['datasets', i, 'name']),
        `data set '${d.name}' has no dimensions and no multi-turn arm uses it: it would do nothing`,
      );
  for (const [i, a] of (s.multiturn?.arms ?? []).entries())
    if (!names.has(a.dataset))
      throw new InputError(
        file,
        lineAt(['multiturn', 'arms', i, 'dataset']),
        `arm '${a.name}': no data set named '${a.dataset}' (the study has ${[...names].join(', ')})`,
      );
  if (new Set(s.targets).size < s.targets.length)
    throw new InputError(file, lineAt(['targets']), 'a target is named twice');
  const needsPersonas = s.personalization.length > 0 || s.controls.length > 0;
  if (needsPersonas && !s.personas)
    throw new InputError(
      file,
      lineAt(['personalization']),
      'personalization levels and controls need personas: FILE',
    );
}

/** The line of the YAML node at a zod issue's path (the nearest existing parent's). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      offset = (node as { range?: [number] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Reads and checks a study file; every problem is an InputError naming the file and the line. */
export async function loadStudy(file: string): Promise<Study> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(
      file,
      undefined,
      `cannot read the study file (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new InputError(
      file,
      counter.linePos(e.pos[0]).line,
      `not valid YAML (${e.message.split('\n')[0]})`,
    );
  }
  const parsed = StudySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError(
      file,
      lineOf(doc, counter, issue.path),
      `invalid study file: ${where}${issue.message}`,
    );
  }
  const s = parsed.data;
  checkReferences(s, file, (path) => lineOf(doc, counter, path));
  const orders = s.judge.orders ?? (s.preset ? 'r-sample' : 'random');
  return {
    ...s,
    judge: { ...s.judge, orders },
    path: resolve(file),
    dir: dirname(resolve(file)),
    hash: sha256(text),
  };
}

/** A path of the study file, resolved from its folder. */
export const studyPath = (study: Pick<Study, 'dir'>, p: string) => resolve(study.dir, p);
