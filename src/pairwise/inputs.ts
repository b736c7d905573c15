import { basename } from 'node:path';
import { canonicalJson } from '../core/canonical.js';
import { InputError, UsageError } from '../core/errors.js';
import type { ResponseItem } from '../core/types.js';
import { readJsonl } from '../io/jsonl.js';
import { parseLineBase, parseResponseLine, requiredText } from '../io/responses.js';
import type { PairItem } from '../judges/pairwise-types.js';

/** Where a run's pairs come from, how many there are, and what was left out (and why). */
export interface PairSource {
  /** What the pairs were read from, for the summary. */
  label: string;
  /** Every input file, so no output can overwrite one. */
  inputs: { flag: string; path: string }[];
  count: number;
  pairs: () => AsyncIterable<PairItem>;
  /** Lines that could not be paired, one sentence each (shown, and kept in the summary). */
  notes: string[];
}

function systemName(v: unknown, line: number, file: string, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v) throw new InputError(file, line, `"${field}" must be a non-empty string`);
  return v;
}

function parsePairLine(file: string, l: { line: number; value: Record<string, unknown> }): PairItem {
  const { fail, ...base } = parseLineBase(file, l);
  const a = requiredText(l.value, 'response_a', fail);
  const b = requiredText(l.value, 'response_b', fail);
  return {
    ...base,
    a,
    b,
    systems: {
      a: systemName(l.value.model_a, l.line, file, 'model_a'),
      b: systemName(l.value.model_b, l.line, file, 'model_b'),
    },
    raw: l.value,
  };
}

/**
 * A pairs file: `{id, prompt | messages, response_a, response_b, reference?, metadata?, model_a?,
 * model_b?}` a line. Read once to check every line (a missing side, a duplicate id) before any
 * judge is paid, then streamed.
 */
export async function pairsFile(file: string, given = file): Promise<PairSource> {
  // errors name what the user gave (`stdin` for -), not a spooled copy
  const label = given === '-' ? 'stdin' : given;
  const seen = new Map<string, number>();
  for await (const l of readJsonl(file, label)) {
    const p = parsePairLine(label, l);
    const first = seen.get(p.id);
    if (first !== undefined)
      throw new InputError(label, l.line, `duplicate id "${p.id}" (first on line ${first})`);
    seen.set(p.id, l.line);
  }
  if (seen.size === 0) throw new InputError(label, undefined, 'no pairs in the file');
  return {
    label,
    inputs: [{ flag: '--input', path: given }],
    count: seen.size,
    notes: [],
    pairs: async function* () {
      for await (const l of readJsonl(file, label)) yield parsePairLine(label, l);
    },
  };
}

interface Located {
  item: ResponseItem;
  line: number;
}

async function readAllResponses(file: string, label = file): Promise<Located[]> {
  const out: Located[] = [];
  for await (const l of readJsonl(file, label)) out.push({ item: parseResponseLine(label, l), line: l.line });
  if (out.length === 0) throw new InputError(label, undefined, 'no responses in the file');
  return out;
}

/** The metadata both sides agree on: what describes the pair rather than one of its responses. */
function sharedMetadata(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (k in b && canonicalJson(v) === canonicalJson(b[k])) out[k] = v;
  return out;
}

function makePair(
  id: string,
  a: Located,
  b: Located,
  systems: { a: string; b: string },
  extraMetadata: Record<string, unknown>,
): PairItem {
  const metadata = { ...sharedMetadata(a.item.metadata, b.item.metadata), ...extraMetadata };
  const reference = a.item.reference ?? b.item.reference;
  return {
    id,
    messages: a.item.messages,
    a: a.item.response,
    b: b.item.response,
    ...(reference ? { reference } : {}),
    metadata,
    systems,
    raw: {
      id,
      messages: a.item.messages,
      response_a: a.item.response,
      response_b: b.item.response,
      ...(reference ? { reference } : {}),
      model_a: systems.a,
      model_b: systems.b,
      metadata,
    },
  };
}

/** A pair is two responses to one conversation: different prompts are a mistake in the input. */
function assertSamePrompt(a: Located, b: Located, aFile: string, bFile: string): void {
  if (canonicalJson(a.item.messages) !== canonicalJson(b.item.messages))
    throw new InputError(
      bFile,
      b.line,
      `the conversation differs from ${aFile}:${a.line} (id "${a.item.id}"): a pair is two responses to the same prompt`,
    );
}

function firstDuplicate(list: Located[], keyOf: (l: Located) => string, file: string): void {
  const seen = new Map<string, number>();
  for (const l of list) {
    const k = keyOf(l);
    const first = seen.get(k);
    if (first !== undefined)
      throw new InputError(file, l.line, `duplicate id "${l.item.id}" (first on line ${first})`);
    seen.set(k, l.line);
  }
}

const nameOf = (file: string) => basename(file).replace(/\.(scores\.)?jsonl$/, '');

/**
 * Two responses files joined by id (`--a FILE --b FILE`): line by id, the response in `--a` is
 * A and the one in `--b` is B. Ids in only one file are left out and counted.
 */
export async function joinedFiles(aFile: string, bFile: string): Promise<PairSource> {
  const [as, bs] = [await readAllResponses(aFile), await readAllResponses(bFile)];
  firstDuplicate(as, (l) => l.item.id, aFile);
  firstDuplicate(bs, (l) => l.item.id, bFile);
  const byId = new Map(bs.map((l) => [l.item.id, l]));
  const systems = { a: nameOf(aFile), b: nameOf(bFile) };
  if (systems.a === systems.b) Object.assign(systems, { a: `${systems.a} (a)`, b: `${systems.b} (b)` });
  const pairs: PairItem[] = [];
  for (const a of as) {
    const b = byId.get(a.item.id);
    if (!b) continue;
    assertSamePrompt(a, b, aFile, bFile);
    pairs.push(makePair(a.item.id, a, b, systems, {}));
  }
  const onlyA = as.length - pairs.length;
  const onlyB = bs.length - pairs.length;
  if (pairs.length === 0)
    throw new InputError(
      aFile,
      undefined,
      `no id is in both ${aFile} and ${bFile}: there is nothing to compare`,
    );
  return inMemory(
    `${aFile} vs ${bFile}`,
    [
      { flag: '--a', path: aFile },
      { flag: '--b', path: bFile },
    ],
    pairs,
    [
      ...(onlyA ? [`${onlyA} id(s) only in ${aFile} were left out`] : []),
      ...(onlyB ? [`${onlyB} id(s) only in ${bFile} were left out`] : []),
    ],
  );
}

export interface Contrast {
  field: string;
  a: string;
  b: string;
}

/** `personalization=none,profile` → {field, a, b}. */
export function parseContrast(raw: string): Contrast {
  const m = /^([A-Za-z_][\w.-]*)=([^,]+),([^,]+)$/.exec(raw.trim());
  if (!m || m[2]!.trim() === m[3]!.trim())
    throw new UsageError(
      `--contrast takes FIELD=A,B with two different values (e.g. personalization=none,profile), got '${raw}'`,
    );
  return { field: m[1]!, a: m[2]!.trim(), b: m[3]!.trim() };
}

/** The fields `plumb generate` writes that tell two replies apart other than the contrasted one. */
/** What `plumb generate` writes to tell replies apart; a field no line has matches everywhere. */
export const DEFAULT_MATCH = ['question_id', 'model', 'role', 'personalization', 'sample'];

/**
 * Pairs within one responses file (`--contrast FIELD=A,B`): each response whose `metadata.FIELD`
 * is A is paired with the one whose value is B and that has the same conversation and the same
 * values of the `match` fields (by default those `plumb generate` writes: question, model, role,
 * personalization, sample — less the contrasted one). For GoalPref-Bench's comparison of generic
 * and personalized replies: `--contrast personalization=none,profile`.
 */
export async function contrastPairs(
  file: string,
  contrast: Contrast,
  match: string[] = DEFAULT_MATCH,
  given = file,
): Promise<PairSource> {
  const label = given === '-' ? 'stdin' : given;
  const fields = match.filter((f) => f !== contrast.field);
  const all = await readAllResponses(file, label);
  firstDuplicate(all, (l) => l.item.id, label);
  const keyOf = (l: Located) =>
    canonicalJson({ messages: l.item.messages, on: fields.map((f) => l.item.metadata[f] ?? null) });
  const value = (l: Located) => {
    const v = l.item.metadata[contrast.field];
    return v === undefined || v === null ? null : String(v);
  };
  const sideA = all.filter((l) => value(l) === contrast.a);
  const sideB = all.filter((l) => value(l) === contrast.b);
  if (sideA.length === 0 || sideB.length === 0) {
    const seen = [...new Set(all.map(value).filter((v) => v !== null))];
    throw new InputError(
      label,
      undefined,
      `no response has metadata.${contrast.field} = '${sideA.length === 0 ? contrast.a : contrast.b}' (values found: ${seen.join(', ') || 'none'})`,
    );
  }
  const twins = new Map<string, Located>();
  for (const b of sideB) {
    const k = keyOf(b);
    const first = twins.get(k);
    if (first)
      throw new InputError(
        label,
        b.line,
        `two responses with ${contrast.field} = '${contrast.b}' match line ${first.line} on the conversation and ${fields.join(', ')}: add the field that tells them apart with --match`,
      );
    twins.set(k, b);
  }
  const pairs: PairItem[] = [];
  const usedA = new Map<string, number>();
  for (const a of sideA) {
    const k = keyOf(a);
    const b = twins.get(k);
    if (!b) continue;
    const again = usedA.get(k);
    if (again !== undefined)
      throw new InputError(
        label,
        a.line,
        `two responses with ${contrast.field} = '${contrast.a}' match line ${again} on the conversation and ${fields.join(', ')}: add the field that tells them apart with --match`,
      );
    usedA.set(k, a.line);
    pairs.push(
      makePair(`${a.item.id}~${b.item.id}`, a, b, contrast, {
        contrast: { field: contrast.field, a: contrast.a, b: contrast.b },
        a_id: a.item.id,
        b_id: b.item.id,
      }),
    );
  }
  if (pairs.length === 0)
    throw new InputError(
      label,
      undefined,
      `no response with ${contrast.field} = '${contrast.a}' has a twin with '${contrast.b}' (same conversation and ${fields.join(', ')})`,
    );
  const others = all.length - sideA.length - sideB.length;
  return inMemory(label, [{ flag: '--input', path: given }], pairs, [
    ...(sideA.length - pairs.length
      ? [`${sideA.length - pairs.length} response(s) with '${contrast.a}' had no twin`]
      : []),
    ...(sideB.length - pairs.length
      ? [`${sideB.length - pairs.length} response(s) with '${contrast.b}' had no twin`]
      : []),
    ...(others ? [`${others} response(s) with other values of ${contrast.field} were left out`] : []),
  ]);
}

function inMemory(
  label: string,
  inputs: PairSource['inputs'],
  pairs: PairItem[],
  notes: string[],
): PairSource {
  return {
    label,
    inputs,
    count: pairs.length,
    notes,
    pairs: async function* () {
      yield* pairs;
    },
  };
}
