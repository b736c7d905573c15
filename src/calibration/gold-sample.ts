import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl.js';
import { seededRandom, shuffled } from '../stats/random.js';

export interface SheetRow {
  id: string;
  rater: string;
  stratum: string;
  prompt: string;
  response: string;
  reference: string;
}

function field(line: Record<string, unknown>, name: string): string {
  const meta = (line.metadata ?? {}) as Record<string, unknown>;
  const path = name.startsWith('metadata.') ? name.slice('metadata.'.length) : name;
  const v = meta[path] ?? line[path];
  return v === undefined || v === null ? '(none)' : String(v);
}

function promptText(line: Record<string, unknown>): string {
  if (typeof line.prompt === 'string') return line.prompt;
  if (Array.isArray(line.messages))
    return (line.messages as { role: string; content: string }[])
      .map((m) => `${m.role}: ${m.content}`)
      .join('\n');
  return '';
}

/**
 * Picks items for people to rate: stratified random sampling with proportional allocation
 * (largest remainder), reproducible from the seed. Returns the rows and the criteria to rate.
 */
export async function sampleForGold(
  scoresFile: string,
  n: number,
  opts: { stratify?: string; seed: number },
) {
  const byStratum = new Map<string, SheetRow[]>();
  const criteria = new Set<string>();
  let total = 0;
  for await (const { value } of readJsonl(scoresFile)) {
    if (!value.scores) continue; // unscored items are not sampled: they cannot be calibrated
    total += 1;
    for (const k of Object.keys(value.scores as object)) criteria.add(k);
    const stratum = opts.stratify ? field(value, opts.stratify) : 'all';
    const row: SheetRow = {
      id: String(value.id),
      rater: '',
      stratum,
      prompt: promptText(value),
      response: String(value.response ?? ''),
      reference: String(value.reference ?? ''),
    };
    if (!byStratum.has(stratum)) byStratum.set(stratum, []);
    byStratum.get(stratum)!.push(row);
  }
  const take = Math.min(n, total);
  const strata = [...byStratum.keys()].sort();
  const quotas = strata.map((s) => (take * byStratum.get(s)!.length) / total);
  const alloc = quotas.map(Math.floor);
  let left = take - alloc.reduce((a, b) => a + b, 0);
  const byRemainder = quotas
    .map((q, i) => ({ r: q - Math.floor(q), i }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    alloc[i]! += 1;
    left -= 1;
  }
  const rand = seededRandom(opts.seed);
  const rows = strata.flatMap((s, i) => shuffled(byStratum.get(s)!, rand).slice(0, alloc[i]));
  return {
    rows,
    criteria: [...criteria],
    total,
    strata: Object.fromEntries(strata.map((s, i) => [s, alloc[i]!])),
  };
}

/** Writes the rating sheet as CSV and JSONL, with an empty column per criterion to fill in. */
export async function writeRatingSheet(
  prefix: string,
  rows: SheetRow[],
  criteria: string[],
): Promise<{ csv: string; jsonl: string }> {
  const csv = `${prefix}.csv`;
  const jsonl = `${prefix}.jsonl`;
  const header = ['id', 'rater', 'stratum', 'prompt', 'response', 'reference', ...criteria];
  const records = rows.map((r) => [
    r.id,
    r.rater,
    r.stratum,
    r.prompt,
    r.response,
    r.reference,
    ...criteria.map(() => ''),
  ]);
  await writeFileAtomic(csv, stringify([header, ...records]));
  await writeFileAtomic(
    jsonl,
    rows
      .map((r) => JSON.stringify({ ...r, scores: Object.fromEntries(criteria.map((c) => [c, null])) }))
      .join('\n') + (rows.length ? '\n' : ''),
  );
  return { csv, jsonl };
}
