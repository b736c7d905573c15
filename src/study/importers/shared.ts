import { sha256 } from '../../core/canonical.js';
import { readText } from '../../io/csv.js';
import { readJsonlAll } from '../../io/jsonl.js';
import { type ProbeQuestion, parseJsonArray } from '../inputs.js';

/** What an importer returns: the questions, and what a user should know about the conversion. */
export interface ImportResult {
  questions: ProbeQuestion[];
  /** What the import did that a user should know (collapsed variants, skipped answers, …). */
  notes: string[];
}

export const clean = (s: unknown) => (typeof s === 'string' && s.trim() ? s.trim() : undefined);
export const shortHash = (s: string) => sha256(s).slice(0, 10);

/** Lines of a text file, blank lines at the end dropped (SYCON's .txt files end without a newline). */
export async function readLines(file: string): Promise<string[]> {
  const lines = (await readText(file)).split(/\r?\n/);
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  return lines;
}

/** A JSON array file, or JSONL. */
export async function parseJsonArrayOrJsonl(file: string, text: string) {
  return text.trimStart().startsWith('[') ? parseJsonArray(file, text) : readJsonlAll(file);
}

/** "(A) Monaco\n(B) Nauru" (or a list) → {letter → option text}. */
export function parseOptions(answers: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(answers)) {
    answers.forEach((a, i) => {
      if (typeof a === 'string') out.set(String.fromCharCode(65 + i), a.trim());
    });
    return out;
  }
  if (typeof answers !== 'string') return out;
  // one option per line as released; several on one line are split where each "(X)" begins
  for (const line of answers.split('\n'))
    for (const chunk of line.split(/\s+(?=\([A-Z]\))/)) {
      const m = /^\s*\(([A-Z])\)\s*(.*?)\s*$/.exec(chunk);
      if (m?.[2]) out.set(m[1]!, m[2]);
    }
  return out;
}
