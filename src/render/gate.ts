import { describeMismatch, fmtP, type GateResult } from '../gate/gate.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "95%" for alpha 0.05: the confidence of the intervals, which follows --alpha. */
export const confidenceLabel = (alpha: number) => `${Number((100 * (1 - alpha)).toPrecision(6))}%`;

const numbers = (c: GateResult['checks'][number], alpha: number) =>
  `n=${c.n} baseline=${c.baseline_mean.toFixed(4)} current=${c.current_mean.toFixed(4)} change=${c.change.toFixed(4)} ` +
  `t=${c.t === null ? '—' : Number.isFinite(c.t) ? c.t.toFixed(3) : String(c.t)} df=${c.df} p=${fmtP(c.p)} p_adj=${fmtP(c.p_adjusted)} ` +
  `one-sided ${confidenceLabel(alpha)} lower bound ${c.lower_bound === null ? '—' : c.lower_bound.toFixed(4)} ` +
  `(two-sided ${confidenceLabel(alpha)} CI [${c.ci ? `${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}` : '—'}])`;

/** JUnit XML in the common (Jenkins/Surefire) schema: one testcase per metric × condition. */
export function toJunit(r: GateResult): string {
  const name = `plumb gate ${r.metric}`;
  const failures = r.checks.filter((c) => c.failed).length;
  const cases = r.checks
    .map((c) => {
      const head = `    <testcase classname="plumb.gate.${r.metric}" name="${esc(`${r.metric} ${c.condition}`)}" time="0">`;
      const body = c.failed
        ? `\n      <failure message="${esc(c.reason)}" type="${r.metric.toUpperCase()}${r.direction === 'drop' ? 'Drop' : 'Rise'}">${esc(numbers(c, r.options.alpha))}</failure>\n    `
        : '';
      const out = `\n      <system-out>${esc(`${c.reason}\n${numbers(c, r.options.alpha)}`)}</system-out>\n    `;
      return `${head}${body || ''}${out}</testcase>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="plumb gate" tests="${r.checks.length}" failures="${failures}" errors="0" time="0">
  <testsuite name="${esc(name)}" tests="${r.checks.length}" failures="${failures}" errors="0" skipped="0" time="0" timestamp="${new Date().toISOString().slice(0, 19)}">
${cases}
  </testsuite>
</testsuites>
`;
}

export function toMarkdown(r: GateResult): string {
  const icon = r.verdict === 'pass' ? '✅' : '❌';
  const lines = [
    `### ${icon} plumb gate: ${r.metric.toUpperCase()} ${r.verdict.toUpperCase()}${r.mismatch_allowed ? ' (runs mismatched: compared with --allow-mismatch)' : ''}`,
    '',
    `Test: ${r.test}. Max ${r.direction} ${r.options.maxDrop}, alpha ${r.options.alpha}. ${r.paired} items paired (${(100 * r.paired_share).toFixed(1)}%).`,
    '',
    `| condition | n | baseline | current | change | t | p (adj.) | one-sided ${confidenceLabel(r.options.alpha)} lower bound | two-sided ${confidenceLabel(r.options.alpha)} CI | result |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...r.checks.map(
      (c) =>
        `| ${c.condition} | ${c.n} | ${c.baseline_mean.toFixed(3)} | ${c.current_mean.toFixed(3)} | ${c.change.toFixed(3)} | ${c.t === null ? '—' : Number.isFinite(c.t) ? c.t.toFixed(2) : '∞'} | ${fmtP(c.p_adjusted)} | ${c.lower_bound === null ? '—' : c.lower_bound.toFixed(3)} | ${c.ci ? `[${c.ci[0].toFixed(3)}, ${c.ci[1].toFixed(3)}]` : '—'} | ${c.failed ? '❌ ' : ''}${c.reason} |`,
    ),
  ];
  if (r.mismatches.length) lines.push('', `Mismatches: ${r.mismatches.map(describeMismatch).join('; ')}`);
  if (r.n_only_in_baseline || r.n_only_in_current) {
    lines.push(
      '',
      `Unpaired: ${r.n_only_in_baseline} only in baseline, ${r.n_only_in_current} only in current.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function toText(r: GateResult): string {
  const lines = [
    `plumb gate ${r.metric.toUpperCase()}: ${r.verdict.toUpperCase()}${r.mismatch_allowed ? ' (MISMATCHED RUNS, compared with --allow-mismatch)' : ''}`,
    `test: ${r.test}`,
    `paired ${r.paired} items (${(100 * r.paired_share).toFixed(1)}%); only in baseline ${r.n_only_in_baseline}, only in current ${r.n_only_in_current}`,
  ];
  if (r.mismatches.length) lines.push(`mismatches: ${r.mismatches.map(describeMismatch).join('; ')}`);
  for (const c of r.checks)
    lines.push(
      `${c.failed ? 'FAIL' : 'ok  '} ${c.condition.padEnd(24)} ${numbers(c, r.options.alpha)}\n     ${c.reason}`,
    );
  return lines.join('\n');
}
