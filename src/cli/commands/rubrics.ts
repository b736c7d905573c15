import { table } from '../../render/text.js';
import { diffRubrics } from '../../rubrics/diff.js';
import { isPairwise, loadAnyRubricFile, loadRubricLibrary, resolveAnyRubric } from '../../rubrics/load.js';
import { judgeJsonSchema } from '../../rubrics/output-schema.js';
import { type PairwiseRubric, pairwiseJsonSchema } from '../../rubrics/pairwise.js';

export async function listCommand(opts: { json?: boolean }): Promise<void> {
  const all = await loadRubricLibrary();
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        all.map((r) => ({
          id: r.id,
          version: r.version,
          kind: isPairwise(r) ? 'pairwise' : 'pointwise',
          hash: r.hash,
          path: r.path,
          ...(isPairwise(r)
            ? { considerations: r.considerations.map((c) => c.name) }
            : { criteria: r.criteria.map((c) => c.name) }),
        })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  process.stdout.write(
    `${table(
      ['rubric', 'scale', 'criteria', 'indices', 'sha256'],
      all.map((r) =>
        isPairwise(r)
          ? [
              `${r.id}@${r.version}`,
              'pairwise: A | B | tie',
              r.considerations.map((c) => c.name).join(', ') || '—',
              '—',
              `${r.hash.slice(0, 12)}…`,
            ]
          : [
              `${r.id}@${r.version}`,
              `${r.scale.min}–${r.scale.max}`,
              r.criteria.map((c) => c.name).join(', '),
              Object.keys(r.indices).join(', ') || '—',
              `${r.hash.slice(0, 12)}…`,
            ],
      ),
    )}\n`,
  );
}

function showPairwise(r: PairwiseRubric, json: boolean | undefined): string {
  if (json) return JSON.stringify({ ...r, judge_output_schema: pairwiseJsonSchema() }, null, 2);
  const lines = [
    `${r.id}@${r.version} (pairwise)`,
    `file:   ${r.path}`,
    `sha256: ${r.hash}`,
    '',
    r.description.trim(),
    '',
    'verdicts:',
    ...Object.entries(r.verdicts).map(([v, meaning]) => `  ${v}: ${meaning}`),
  ];
  for (const c of r.considerations) lines.push('', `- ${c.name}: ${c.description}`);
  lines.push('', 'instructions:', r.instructions.trim());
  return lines.join('\n');
}

export async function showCommand(ref: string, opts: { json?: boolean }): Promise<void> {
  const r = await resolveAnyRubric(ref);
  if (isPairwise(r)) {
    process.stdout.write(`${showPairwise(r, opts.json)}\n`);
    return;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...r, judge_output_schema: judgeJsonSchema(r) }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${r.id}@${r.version}`,
    `file:   ${r.path}`,
    `sha256: ${r.hash}`,
    '',
    r.description.trim(),
    '',
    `scale ${r.scale.min}–${r.scale.max} (${r.scale.type}): ${Object.entries(r.scale.labels)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `overall: ${r.overall.method}${r.overall.weights ? ` ${JSON.stringify(r.overall.weights)}` : ''}`,
  ];
  for (const [name, idx] of Object.entries(r.indices)) {
    lines.push(
      `index ${name}: weighted mean of ${Object.entries(idx.weights)
        .map(([c, w]) => `${c}×${w}`)
        .join(', ')} rescaled to 0–1${idx.invert.length ? `, inverted: ${idx.invert.join(', ')}` : ''}`,
    );
  }
  for (const c of r.criteria) {
    lines.push('', `- ${c.name}${c.requires_reference ? ' (needs a reference)' : ''}: ${c.description}`);
    for (const [p, a] of Object.entries(c.anchors)) lines.push(`    ${p}: ${a}`);
  }
  for (const f of r.extra_fields) lines.push('', `+ ${f.name} (${f.type}, nullable): ${f.description}`);
  lines.push('', 'instructions:', r.instructions.trim());
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function validateCommand(path: string): Promise<void> {
  const r = await loadAnyRubricFile(path);
  const what = isPairwise(r) ? 'pairwise' : `${r.criteria.length} criteria`;
  process.stdout.write(`${path}: valid — ${r.id}@${r.version}, ${what}, sha256 ${r.hash}\n`);
}

export async function diffCommand(a: string, b: string, opts: { json?: boolean }): Promise<void> {
  const d = diffRubrics(await resolveAnyRubric(a), await resolveAnyRubric(b));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return;
  }
  const lines = [
    `a: ${d.a.id}@${d.a.version}  ${d.a.path}`,
    `b: ${d.b.id}@${d.b.version}  ${d.b.path}`,
    d.hash_changed
      ? `hash changed: ${d.a.hash.slice(0, 12)}… → ${d.b.hash.slice(0, 12)}…`
      : `hash unchanged: ${d.a.hash.slice(0, 12)}…`,
  ];
  if (d.changes.length === 0) lines.push('no differences in content');
  for (const c of d.changes) {
    const show = (v: unknown) => JSON.stringify(v);
    if (c.kind === 'added') lines.push(`+ ${c.path}: ${show(c.after)}`);
    else if (c.kind === 'removed') lines.push(`- ${c.path}: ${show(c.before)}`);
    else lines.push(`~ ${c.path}: ${show(c.before)} → ${show(c.after)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
