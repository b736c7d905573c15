import { basename, join } from 'node:path';
import type { ArmSpec, DatasetSpec, Study } from './schema.js';

/**
 * The steps a study runs, in order: import each data set → generate per data set × target →
 * pairwise per data set × target × dimension × compared level (generic vs each treatment and
 * control) → probe per multi-turn arm → analysis (analysis.json and the tables). Every step writes
 * under `<out>/<kind>/…`; a step's id names it in `study-state.json` and in the progress lines.
 */
export type Step =
  | { kind: 'import'; id: string; dataset: DatasetSpec; out: string }
  | { kind: 'generate'; id: string; dataset: DatasetSpec; target: string; questions: string; out: string }
  | {
      kind: 'pairwise';
      id: string;
      dataset: DatasetSpec;
      target: string;
      dimension: string;
      /** The compared level (a treatment or a control): pairs are generic (A) vs this (B). */
      level: string;
      /** Whether the level is one of the study's controls (it goes in the controls table). */
      control: boolean;
      responses: string;
      out: string;
      summary: string;
    }
  | { kind: 'probe'; id: string; arm: ArmSpec; dataset: DatasetSpec; questions: string; out: string }
  | { kind: 'analysis'; id: string; out: string };

/** A name safe as one path segment: `openai-compatible:qwen/qwen3` → `openai-compatible_qwen_qwen3`. */
export const slug = (s: string) =>
  (s.startsWith('scripted:') ? `scripted_${basename(s.slice(9)).replace(/\.ya?ml$/, '')}` : s).replace(
    /[^A-Za-z0-9._-]+/g,
    '_',
  );

/** The generic level, the treatments and the controls, each once, generic first. */
export function levelsOf(study: Pick<Study, 'personalization' | 'controls'>): string[] {
  return [...new Set(['none', ...study.personalization, ...study.controls])];
}

export function planStudy(study: Study, out: string): Step[] {
  const steps: Step[] = [];
  const questions = (d: DatasetSpec) => join(out, 'import', `${d.name}.jsonl`);
  for (const d of study.datasets)
    steps.push({ kind: 'import', id: `import/${d.name}`, dataset: d, out: questions(d) });
  // single-turn replies only where a dimension compares them
  for (const d of study.datasets.filter((x) => x.dimensions.length > 0))
    for (const t of study.targets)
      steps.push({
        kind: 'generate',
        id: `generate/${d.name}/${slug(t)}`,
        dataset: d,
        target: t,
        questions: questions(d),
        out: join(out, 'generate', d.name, `${slug(t)}.jsonl`),
      });
  const compared = [
    ...study.personalization.map((l) => ({ level: l, control: false })),
    ...study.controls.map((l) => ({ level: l, control: true })),
  ];
  for (const d of study.datasets)
    for (const t of study.targets)
      for (const dim of d.dimensions)
        for (const { level, control } of compared) {
          const base = join(out, 'pairwise', d.name, slug(t), `${dim}.none-vs-${level}`);
          steps.push({
            kind: 'pairwise',
            id: `pairwise/${d.name}/${slug(t)}/${dim}/none-vs-${level}`,
            dataset: d,
            target: t,
            dimension: dim,
            level,
            control,
            responses: join(out, 'generate', d.name, `${slug(t)}.jsonl`),
            out: `${base}.jsonl`,
            summary: `${base}.summary.json`,
          });
        }
  for (const arm of study.multiturn?.arms ?? []) {
    const d = study.datasets.find((x) => x.name === arm.dataset)!;
    steps.push({
      kind: 'probe',
      id: `probe/${arm.name}`,
      arm,
      dataset: d,
      questions: questions(d),
      out: join(out, 'probe', arm.name),
    });
  }
  steps.push({ kind: 'analysis', id: 'analysis', out });
  return steps;
}
