import { join } from 'node:path';
import { readGold } from '../calibration/gold.js';
import { groupGold, humanValue } from '../calibration/join.js';
import { groupOf } from '../core/conditions.js';
import { countTokens } from '../core/tokens.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import { validateResponses } from '../io/responses.js';
import type { Judge } from '../judges/types.js';
import { type Rubric, stampOf } from '../rubrics/schema.js';
import { runScore, type ScoreRunResult } from '../score/run.js';
import { type AuditConfig, stamp } from '../study/config.js';
import {
  familyOf,
  type PairedEffect,
  pairedEffect,
  type WelchDifference,
  welchDifference,
} from './effects.js';
import type { AuditProbe } from './probes.js';

export interface AuditOptions {
  rubric: Rubric;
  judge: Judge;
  input: string;
  /** The audit's folder: each variant's input and scores, and audit.json. */
  out: string;
  probes: AuditProbe[];
  padTokens: number;
  config: AuditConfig;
  /** Human gold (`{id, rater, scores}`), for the self-preference probe's adjusted effect. */
  gold?: string | null;
  concurrency?: number;
  signal?: AbortSignal;
  stopReason?: () => string | null;
}

type Line = Record<string, unknown> & { id: string; metadata?: Record<string, unknown> };

export interface AuditReport {
  kind: 'audit';
  created_at: string;
  rubric: ReturnType<typeof stampOf>;
  judge: Judge['stamp'];
  perturbations: ReturnType<typeof stamp>;
  input: string;
  items: number;
  pad_tokens: number;
  probes: AuditProbes;
}

/** A probe that does not apply to this rubric or these items, and why. */
export interface NotApplicable {
  applicable: false;
  reason: string;
}

/** A perturbation's paired effect on the scores, or why its scoring run stopped. */
export type VariantEffect = PairedEffect | { stopped: string };

/** The judge's score for its own model family's responses against the others'. */
export interface SelfPreference extends WelchDifference {
  family: string;
  what: string;
  /** With gold: the same difference on judge − human residuals (null without gold). */
  adjusted_for_gold: (WelchDifference & { what: string }) | { reason: string } | null;
}

/** audit.json's `probes`: each probe that ran, by name. */
export interface AuditProbes {
  position?: NotApplicable;
  verbosity?: { what: string } & VariantEffect;
  authority?: { what: string; variants: Record<string, { claim: string } & VariantEffect> };
  'self-preference'?: NotApplicable | SelfPreference;
}

/**
 * Bias probes on a judge (`plumb audit`): the user's own items scored as they are and under
 * perturbations a fair judge should ignore, each a paired experiment on the same items (see
 * effects.ts); the perturbations come from a versioned, hashed file (probe-config/audit-*.yaml).
 * Every variant is an ordinary `score` run with its files in the audit folder — cached, resumable,
 * costed — so an audit can be inspected, re-run and compared.
 */
export async function runAudit(o: AuditOptions): Promise<{ report: AuditReport; stopped: string | null }> {
  const auditPath = join(o.out, 'audit.json');
  refuseOutputsOverInputs(
    [{ flag: '--out', path: auditPath }],
    [{ flag: '--input', path: o.input }, ...(o.gold ? [{ flag: '--gold', path: o.gold }] : [])],
  );
  await validateResponses(o.input);
  const lines: Line[] = [];
  for await (const { value } of readJsonl(o.input)) lines.push(value as Line);

  const probes: AuditProbes = {};
  const original = await scoreVariant(o, 'original', null);
  if (typeof original === 'string') return { report: reportOf(o, lines.length, probes), stopped: original };
  const paired = pairedOriginal(lines, original);
  // a perturbed copy scored, and its paired effect against the original scores
  const effectOf: EffectOf = async (name, rows) => {
    const perturbed = await scoreVariant(o, name, rows);
    return typeof perturbed === 'string' ? { stopped: perturbed } : pairedEffect(paired, perturbed);
  };

  for (const probe of o.probes) {
    if (probe === 'position') {
      probes.position = {
        applicable: false,
        reason:
          'a pointwise rubric shows the judge one candidate, so there is no order to swap: run `plumb pairwise` (both orders by default) for position consistency and the first-position rate',
      };
    } else if (probe === 'verbosity') probes.verbosity = await verbosityProbe(o, lines, effectOf);
    else if (probe === 'authority') probes.authority = await authorityProbe(o, lines, effectOf);
    else probes['self-preference'] = await selfPreference(o, lines, original);
  }
  const report = reportOf(o, lines.length, probes);
  await writeFileAtomic(auditPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, stopped: null };
}

/** How a probe measures a perturbation: its rows scored and paired with the original scores. */
type EffectOf = (name: string, rows: Line[]) => Promise<VariantEffect>;

/**
 * Scores the input (`rows` null) or a perturbed copy of it written beside the report: the overall
 * score by id, or why the run stopped.
 */
async function scoreVariant(
  o: AuditOptions,
  name: string,
  rows: Line[] | null,
): Promise<Map<string, number> | string> {
  let input = o.input;
  if (rows) {
    input = join(o.out, `${name}.input.jsonl`);
    await writeFileAtomic(input, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  }
  const out = join(o.out, `${name}.scores.jsonl`);
  const r: ScoreRunResult = await runScore({
    rubric: o.rubric,
    judges: [o.judge],
    input,
    out,
    summaryPath: join(o.out, `${name}.summary.json`),
    concurrency: o.concurrency,
    signal: o.signal,
    stopReason: o.stopReason,
  });
  if (!r.complete) return r.stoppedBecause ?? r.failure ?? 'incomplete';
  const values = new Map<string, number>();
  for await (const { value } of readJsonl(out))
    if (typeof value.overall === 'number') values.set(String(value.id), value.overall);
  return values;
}

/** The original scores by id, each with its cluster (the item's group, else the item). */
function pairedOriginal(
  lines: Line[],
  original: Map<string, number>,
): Map<string, { value: number; cluster: string }> {
  const paired = new Map<string, { value: number; cluster: string }>();
  for (const l of lines) {
    const v = original.get(String(l.id));
    if (v !== undefined)
      paired.set(String(l.id), { value: v, cluster: groupOf(l.metadata) ?? `item:${l.id}` });
  }
  return paired;
}

/** A perturbed line, its metadata marked with the probe that made it. */
const tag = (l: Line, probe: string, extra: Record<string, unknown> = {}) => ({
  ...l,
  metadata: { ...(l.metadata ?? {}), audit: { probe, ...extra } },
});

/** The verbosity probe: every response with content-neutral padding. */
async function verbosityProbe(
  o: AuditOptions,
  lines: Line[],
  effectOf: EffectOf,
): Promise<NonNullable<AuditProbes['verbosity']>> {
  const rows: Line[] = [];
  for (const l of lines)
    rows.push(
      tag({ ...l, response: await pad(String(l.response ?? ''), o) }, 'verbosity', {
        pad_tokens: o.padTokens,
      }),
    );
  return {
    what: `the same response with ${o.padTokens} tokens of content-neutral padding`,
    ...(await effectOf('verbosity', rows)),
  };
}

/** The authority probe: one variant per configured claim, each added to the conversation. */
async function authorityProbe(
  o: AuditOptions,
  lines: Line[],
  effectOf: EffectOf,
): Promise<NonNullable<AuditProbes['authority']>> {
  const variants: Record<string, { claim: string } & VariantEffect> = {};
  for (const [name, claim] of Object.entries(o.config.authority.claims))
    variants[name] = {
      claim,
      ...(await effectOf(
        `authority-${name}`,
        lines.map((l) => tag(withClaim(l, claim), 'authority', { claim: name })),
      )),
    };
  return { what: 'the conversation with a user claim about the answer added', variants };
}

function reportOf(o: AuditOptions, items: number, probes: AuditProbes): AuditReport {
  return {
    kind: 'audit',
    created_at: new Date().toISOString(),
    rubric: stampOf(o.rubric),
    judge: o.judge.stamp,
    perturbations: stamp(o.config),
    input: o.input,
    items,
    pad_tokens: o.padTokens,
    probes,
  };
}

/** The response with padding appended: the file's sentences in order, until `padTokens` is reached. */
async function pad(response: string, o: AuditOptions): Promise<string> {
  const first = /^[\s\S]*?[.!?](?=\s|$)/.exec(response.trim())?.[0] ?? response.trim();
  const sentences = o.config.verbosity.padding.map((s) => s.replace('{first_sentence}', first.slice(0, 400)));
  const added: string[] = [];
  for (let i = 0; (await countTokens(added.join(' '))) < o.padTokens && i < 10_000; i++)
    added.push(sentences[i % sentences.length]!);
  return `${response}\n\n${added.join(' ')}`;
}

/** The conversation with the claim added after the user's last message; the response unchanged. */
function withClaim(l: Line, claim: string): Line {
  if (typeof l.prompt === 'string') return { ...l, prompt: `${l.prompt}\n\n${claim}` };
  const messages = [...((l.messages as { role: string; content: string }[] | undefined) ?? [])];
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') last = i;
  });
  if (last < 0) messages.push({ role: 'user', content: claim });
  else messages[last] = { ...messages[last]!, content: `${messages[last]!.content}\n\n${claim}` };
  return { ...l, messages };
}

/**
 * Self-preference: the judge's score for responses written by its own model family against the
 * others' (`metadata.model` names the author), a Welch difference; with gold, the same difference
 * of judge − human residuals on the items people rated, which removes real quality differences.
 */
async function selfPreference(
  o: AuditOptions,
  lines: Line[],
  scores: Map<string, number>,
): Promise<NotApplicable | SelfPreference> {
  const family = familyOf(o.judge.stamp.model);
  const authored = lines.filter((l) => typeof l.metadata?.model === 'string' && scores.has(String(l.id)));
  if (authored.length === 0)
    return { applicable: false, reason: 'no item names its author in metadata.model' };
  const own = authored.filter((l) => familyOf(String(l.metadata!.model)) === family);
  const others = authored.filter((l) => familyOf(String(l.metadata!.model)) !== family);
  if (own.length === 0 || others.length === 0)
    return {
      applicable: false,
      reason: `needs responses by the judge's own family (${family}) and by others: ${own.length} own, ${others.length} other`,
    };
  const values = (ls: Line[]) => ls.map((l) => scores.get(String(l.id))!);
  let adjusted: (WelchDifference & { what: string }) | { reason: string } | null = null;
  if (o.gold) {
    const gold = await readGold(o.gold);
    const criteria = o.rubric.criteria.map((c) => c.name);
    const humans = groupGold(gold, o.rubric, criteria);
    const residuals = (ls: Line[]) =>
      ls.flatMap((l) => {
        const h = humanValue(humans.get(String(l.id)), 'overall');
        return h === undefined ? [] : [scores.get(String(l.id))! - h];
      });
    const d = welchDifference(residuals(own), residuals(others));
    adjusted =
      d.estimate === null
        ? { reason: 'needs at least 2 gold items on each side' }
        : { what: 'judge − human residual, own family − others', ...d };
  }
  return {
    family,
    what: `mean score of responses by ${family} models − by others`,
    ...welchDifference(values(own), values(others)),
    adjusted_for_gold: adjusted,
  };
}
