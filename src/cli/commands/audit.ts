import { type AuditReport, runAudit, type VariantEffect } from '../../audit/run.js';
import { anySignal } from '../../core/abort.js';
import { createJudge, parseJudgeSpec } from '../../judges/create.js';
import { loadPrices } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import { table } from '../../render/text.js';
import { resolveRubric } from '../../rubrics/load.js';
import { loadAuditConfig } from '../../study/config.js';
import { onInterrupt } from '../interrupt.js';
import type { AuditFlags } from '../specs/audit.js';
import { checkJudgeSettings, runtimeFor, stopReasonOf } from './score.js';

/** `plumb audit`: bias probes on a judge, each a paired experiment on the user's own items. */
export async function auditCommand(flags: AuditFlags): Promise<void> {
  const rubric = await resolveRubric(flags.rubric);
  const prices = await loadPrices(flags.prices);
  const settings = { ...flags, samples: 1, maxCost: undefined, rpm: undefined, tpm: undefined };
  checkJudgeSettings(settings, [parseJudgeSpec(flags.judge)], prices);
  assertBaseUrlUsed(flags.baseUrl, [flags.judge]);
  const runtime = runtimeFor(settings, prices);
  const judge = await createJudge(flags.judge, runtime);
  const config = await loadAuditConfig(flags.perturbations);
  const interrupt = onInterrupt('finishing what is in flight and keeping what is done…');
  try {
    const { report, stopped } = await runAudit({
      rubric,
      judge,
      input: flags.input,
      out: flags.out,
      probes: flags.probes,
      padTokens: flags.padTokens,
      config,
      gold: flags.gold ?? null,
      concurrency: flags.concurrency,
      signal: anySignal(interrupt.signal, runtime.circuit!.signal),
      stopReason: stopReasonOf(runtime),
    });
    if (stopped) {
      process.stderr.write(
        `plumb: stopped: ${stopped === 'provider' ? `the judge cannot answer: ${runtime.circuit?.reason}` : stopped}; what is done is in ${flags.out} and the judge cache. Re-run the same command to resume.\n`,
      );
      process.exitCode = stopped === 'interrupted' ? 130 : 1;
      return;
    }
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${renderAudit(report)}\n\naudit: ${flags.out}/audit.json\n`,
    );
  } finally {
    interrupt.dispose();
  }
}

function renderAudit(r: AuditReport): string {
  const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
  const ci = (c: [number, number] | null) => (c ? `[${f(c[0])}, ${f(c[1])}]` : '');
  const row = (name: string, e: VariantEffect) =>
    'stopped' in e
      ? [name, '—', `stopped: ${e.stopped}`, '', '', '']
      : [
          name,
          String(e.n),
          `${f(e.effect.value)} ${ci(e.effect.ci)}`,
          f(e.p_value, 4),
          f(e.changed.value),
          String(e.clusters),
        ];
  const rows: string[][] = [];
  const notes: string[] = [];
  const { position, verbosity, authority } = r.probes;
  const self = r.probes['self-preference'];
  // in the order the probes ran (the order of --probes)
  for (const name of Object.keys(r.probes)) {
    const probe = name === 'position' ? position : name === 'self-preference' ? self : null;
    if (probe && 'applicable' in probe) {
      notes.push(`${name}: not applicable — ${probe.reason}`);
      continue;
    }
    if (name === 'verbosity' && verbosity) rows.push(row('verbosity', verbosity));
    if (name === 'authority' && authority)
      for (const [v, e] of Object.entries(authority.variants)) rows.push(row(`authority (${v})`, e));
    if (name === 'self-preference' && self && !('applicable' in self)) {
      rows.push([
        `self-preference (${self.family})`,
        `${self.n_a}+${self.n_b}`,
        `${f(self.estimate)} ${ci(self.ci)}`,
        f(self.p_value, 4),
        '',
        '',
      ]);
      const adjusted = self.adjusted_for_gold;
      if (adjusted)
        rows.push([
          '  adjusted for gold',
          '',
          'reason' in adjusted ? `— (${adjusted.reason})` : `${f(adjusted.estimate)} ${ci(adjusted.ci)}`,
          '',
          '',
          '',
        ]);
    }
  }
  return [
    `audit of ${r.judge.provider}:${r.judge.model} with ${r.rubric.id}@${r.rubric.version} on ${r.items} items (perturbations ${r.perturbations.id}@${r.perturbations.version}, sha256 ${r.perturbations.hash.slice(0, 12)}…)`,
    'effect = perturbed − original overall score, paired by item, 95% CI cluster-robust over metadata.group',
    table(['probe', 'n', 'effect [95% CI]', 'p', 'changed', 'clusters'], rows),
    ...notes,
  ].join('\n');
}
