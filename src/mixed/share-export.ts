import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io/atomic.js';
import { type NamedPath, refuseOutputsOverInputs } from '../io/outputs.js';
import {
  type AgainstHalfGroup,
  type AgainstHalfKey,
  type AgainstHalfPair,
  againstHalf,
  decidedRows,
  groupPairs,
} from '../pairwise/against-half.js';
import { rString, version } from './export-r.js';

/**
 * `plumb pairwise … --export r DIR`: the test against 50 % for R — per group (model × data set ×
 * role × dimension × contrast), the decided pairs plumb tested (`y` = 1 when the treatment side
 * was chosen, `question`, `pair`) as data.csv and fit.R, which redoes in R what the pairwise
 * summary reports: the share with its Wilson interval (`prop.test(k, n, correct = FALSE)`), the
 * exact `binom.test(k, n, 0.5)`, and the intercept of `glmer(y ~ 1 + (1 | question), family =
 * binomial)` — or, where plumb fell back to it, the plain logistic `glm(y ~ 1)` — each printed
 * beside plumb's figure. With several groups each gets its own folder DIR/<group>/.
 */
export interface AgainstHalfExport {
  exported: { group: string; dir: string; csv: string; script: string; rows: number }[];
  /** Groups with no decided pair (nothing to test), by name. */
  skipped: { group: string; note: string }[];
}

/** A group's name: its non-empty key parts, e.g. `goalpref.goal_alignment_pairwise.model-a.none-vs-profile`. */
function nameOf(k: AgainstHalfKey): string {
  return [k.dataset, k.rubric, k.model, k.role, `${k.baseline}-vs-${k.treatment}`]
    .filter((p): p is string => p !== null && p !== '')
    .join('.');
}

const folderOf = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'group';
const num = (x: number) => String(x);

/** The R script for one group (its data.csv beside it). */
export function againstHalfScript(g: AgainstHalfGroup, name: string, source: string): string {
  const w = g.wilson95!;
  const b = g.binom!;
  const header = [
    `# Re-test in R of one row of plumb's test against 50 % (plumb-judge ${version()}, plumb pairwise).`,
    `# Group: ${name} — ${g.field} ${g.baseline} (A, y = 0) vs ${g.treatment} (B, y = 1).`,
    `# Data: data.csv beside this script, exactly the ${g.decided} decided pairs plumb tested (from ${source});`,
    `# pairs without a verdict (${g.pairs - g.decided}: undecided, ties, failures) are left out, as plumb leaves them out.`,
    '# Run in this folder:  Rscript fit.R',
    '',
    'd <- read.csv("data.csv", colClasses = c(y = "numeric", question = "character", pair = "character"),',
    '              na.strings = character(0), check.names = FALSE, encoding = "UTF-8")',
    `stopifnot(nrow(d) == ${g.decided}L)`,
    'k <- sum(d$y); n <- nrow(d)',
    `cat("share:", k / n, "  plumb", ${rString(num(g.share!))}, "\\n")`,
    '# the Wilson score interval is prop.test without the continuity correction',
    `cat("Wilson 95 %:", prop.test(k, n, correct = FALSE)$conf.int, "  plumb", ${rString(num(w[0]))}, ${rString(num(w[1]))}, "\\n")`,
    `cat("binom.test p:", binom.test(k, n, p = 0.5)$p.value, "  plumb", ${rString(num(b.p))}, "\\n")`,
  ];
  const glmm = g.glmm;
  if (!glmm)
    return `${[...header, '', `# no model-based test: ${g.glmm_note ?? 'not fitted'}`].join('\n')}\n`;
  const fit =
    glmm.model === 'glmm'
      ? [
          'suppressPackageStartupMessages(library(lme4))',
          'm <- glmer(y ~ 1 + (1 | question), data = d, family = binomial)',
          'print(summary(m))',
          'cat("singular fit:", isSingular(m), "\\n")',
        ]
      : [
          `# plumb fitted the plain logistic intercept here: ${g.notes.find((n) => /logistic/.test(n)) ?? 'no random intercept can be estimated'}`,
          '# (glmer(y ~ 1 + (1 | question), family = binomial) on these rows has no identifiable question variance)',
          'm <- glm(y ~ 1, data = d, family = binomial)',
          'print(summary(m))',
        ];
  return `${[
    ...header,
    '',
    ...fit,
    'cf <- coef(summary(m))',
    `cat("intercept: R", cf[1, 1], " SE", cf[1, 2], " z", cf[1, 3], " p", cf[1, 4], "\\n")`,
    `cat("   plumb:   ", ${[glmm.estimate, glmm.se, glmm.z, glmm.p].map((x) => rString(num(x))).join(', ')}, "\\n")`,
  ].join('\n')}\n`;
}

/** A group's key as text, to find the summary's figures for the pairs of the same group. */
const keyText = (k: AgainstHalfKey) =>
  JSON.stringify([k.model, k.dataset, k.role, k.rubric, k.field, k.baseline, k.treatment]);

export async function exportAgainstHalf(o: {
  dir: string;
  pairs: readonly AgainstHalfPair[];
  /** The figures the run reported (its summary's `against_half`): written into fit.R as they are. */
  reported?: readonly AgainstHalfGroup[];
  source: string;
  inputs?: NamedPath[];
}): Promise<AgainstHalfExport> {
  const groups = groupPairs(o.pairs);
  const reported = new Map((o.reported ?? []).map((g) => [keyText(g), g]));
  const out: AgainstHalfExport = { exported: [], skipped: [] };
  const several = groups.length > 1;
  for (const { key, pairs } of groups) {
    const name = nameOf(key);
    const g = reported.get(keyText(key)) ?? againstHalf(pairs)[0];
    if (!g || g.decided === 0) {
      out.skipped.push({ group: name, note: 'no decided pair: nothing to test' });
      continue;
    }
    const dir = several ? join(o.dir, folderOf(name)) : o.dir;
    const csv = join(dir, 'data.csv');
    const script = join(dir, 'fit.R');
    refuseOutputsOverInputs(
      [
        { flag: '--export', path: csv },
        { flag: '--export', path: script },
      ],
      o.inputs ?? [],
    );
    const rows = decidedRows(pairs);
    await writeFileAtomic(
      csv,
      stringify([['y', 'question', 'pair'], ...rows.map((r) => [String(r.y), r.group, r.id])], {
        record_delimiter: '\n',
      }),
    );
    await writeFileAtomic(script, againstHalfScript(g, name, o.source));
    out.exported.push({ group: name, dir, csv, script, rows: rows.length });
  }
  return out;
}
