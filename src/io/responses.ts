import { InputError } from '../core/errors.js';
import type { Message, ResponseItem } from '../core/types.js';
import { warn } from '../core/warnings.js';
import { IdHashSet } from './id-set.js';
import { type JsonlLine, readJsonl } from './jsonl.js';

const ROLES = new Set(['system', 'user', 'assistant']);

/**
 * The conversation a line carries: `metadata.system_prompt` (a system prompt), then `messages`,
 * or a bare `prompt` string as one user turn. Problems go to `fail` (which names the file and line).
 *
 * `metadata.system` is not part of the conversation: it names the item's system for calibration's
 * system level (and any other grouping), so a model name put there is never shown to the judge.
 * Earlier builds also showed it to the judge as the system prompt; `legacySystemPrompt` finds the
 * lines that still use it so, and validateResponses warns about them (docs/file-formats.md).
 */
export function parseMessages(
  value: Record<string, unknown>,
  meta: Record<string, unknown>,
  fail: (reason: string) => never,
): Message[] {
  const messages: Message[] = [];
  if (
    meta.system_prompt !== undefined &&
    meta.system_prompt !== null &&
    typeof meta.system_prompt !== 'string'
  )
    fail('"metadata.system_prompt" must be a string');
  if (typeof meta.system_prompt === 'string' && meta.system_prompt)
    messages.push({ role: 'system', content: meta.system_prompt });
  if (value.messages !== undefined) {
    if (!Array.isArray(value.messages)) fail('"messages" must be an array of {role, content}');
    (value.messages as unknown[]).forEach((msg, i) => {
      const m = msg as Record<string, unknown>;
      if (!m || typeof m.content !== 'string' || typeof m.role !== 'string' || !ROLES.has(m.role)) {
        fail(`messages[${i}] must be {"role": "system"|"user"|"assistant", "content": string}`);
      }
      messages.push({ role: m.role as Message['role'], content: m.content as string });
    });
  } else if (typeof value.prompt === 'string') {
    messages.push({ role: 'user', content: value.prompt });
  } else if (value.prompt !== undefined) {
    fail('"prompt" must be a string');
  }
  return messages;
}

/**
 * A `metadata.system` that reads like a system prompt (it has a space, and no system prompt is
 * given otherwise): a file written for an earlier plumb, when that field was shown to the judge.
 */
export function legacySystemPrompt(messages: Message[], meta: Record<string, unknown>): boolean {
  return (
    typeof meta.system === 'string' &&
    /\s/.test(meta.system.trim()) &&
    !messages.some((m) => m.role === 'system')
  );
}

/** What every judged line shares: an id, the conversation, an optional reference, metadata. */
export interface LineBase {
  id: string;
  messages: Message[];
  reference?: string;
  metadata: Record<string, unknown>;
  /** Throws an InputError naming the file and line. */
  fail: (reason: string) => never;
}

/** Checks the fields every judged line shares (responses and pairs); errors name the file and line. */
export function parseLineBase(file: string, { line, value }: JsonlLine): LineBase {
  const fail = (reason: string): never => {
    throw new InputError(file, line, reason);
  };
  const id = value.id;
  if (id === undefined || id === null || id === '') fail('missing "id"');
  if (typeof id !== 'string' && typeof id !== 'number') fail('"id" must be a string or a number');
  const metadata = value.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    fail('"metadata" must be an object');
  if (value.reference !== undefined && value.reference !== null && typeof value.reference !== 'string') {
    fail('"reference" must be a string');
  }
  const meta = metadata as Record<string, unknown>;
  return {
    id: String(id),
    messages: parseMessages(value, meta, fail),
    reference: typeof value.reference === 'string' ? value.reference : undefined,
    metadata: meta,
    fail,
  };
}

/** A required string field of a line: missing and non-string are different messages. */
export function requiredText(
  value: Record<string, unknown>,
  field: string,
  fail: (r: string) => never,
): string {
  const v = value[field];
  if (typeof v !== 'string') fail(v === undefined ? `missing "${field}"` : `"${field}" must be a string`);
  return v as string;
}

/** Checks one responses line and turns it into a ResponseItem; errors name the file and line. */
export function parseResponseLine(file: string, l: JsonlLine): ResponseItem {
  const { fail, ...base } = parseLineBase(file, l);
  const response = requiredText(l.value, 'response', fail);
  return { ...base, response, raw: l.value };
}

/**
 * Reads a responses file once to check every line before any judge is paid: malformed JSON,
 * missing fields and duplicate ids (named at their second occurrence) all stop here, exit 2.
 * Keeps only a hash of each id (IdHashSet), not the items. `kept` counts the items `keep` accepts (a shard's).
 */
export async function validateResponses(
  file: string,
  label = file,
  keep?: (id: string) => boolean,
): Promise<{ count: number; empty: number; kept: number }> {
  const ids = new IdHashSet();
  let count = 0;
  let empty = 0;
  let kept = 0;
  let legacy = 0;
  let firstLegacy = 0;
  for await (const l of readJsonl(file, label)) {
    const item = parseResponseLine(label, l);
    if (legacySystemPrompt(item.messages, item.metadata)) {
      legacy += 1;
      firstLegacy ||= l.line;
    }
    if (!ids.add(item.id)) {
      // the hash was seen: find the earlier line, or it was two ids sharing a hash
      const seen = await firstLineOf(file, label, item.id, l.line);
      if (seen !== null)
        throw new InputError(label, l.line, `duplicate id "${item.id}" (first on line ${seen})`);
    }
    count += 1;
    if (item.response.trim() === '') empty += 1;
    if (!keep || keep(item.id)) kept += 1;
  }
  if (count === 0) throw new InputError(label, undefined, 'no responses in the file');
  if (legacy)
    warn(
      `${label}: ${legacy} line(s) (the first: line ${firstLegacy}) have a metadata.system that reads like a system prompt; it is not shown to the judge (metadata.system names the system for calibration). A system prompt goes in metadata.system_prompt or a "system" message (docs/file-formats.md)`,
    );
  return { count, empty, kept };
}

/** The first line before `before` whose item has this id, or null. */
async function firstLineOf(file: string, label: string, id: string, before: number): Promise<number | null> {
  for await (const l of readJsonl(file, label)) {
    if (l.line >= before) return null;
    if (parseResponseLine(label, l).id === id) return l.line;
  }
  return null;
}

/** Streams validated items (call validateResponses first to get whole-file checks). */
export async function* readResponses(file: string, label = file): AsyncGenerator<ResponseItem> {
  for await (const l of readJsonl(file, label)) yield parseResponseLine(label, l);
}
