import { InputError } from '../errors.js';
import { readJsonlAll } from '../io/jsonl.js';

export const DOMAINS = ['factual', 'advice', 'moral', 'debate'] as const;

export interface ProbeQuestion {
  id: string;
  domain: (typeof DOMAINS)[number];
  question: string;
  answer?: string;
  counter_claim?: string;
}

export interface Persona {
  id: string;
  profile: Record<string, unknown>;
}

export async function readQuestions(file: string): Promise<ProbeQuestion[]> {
  const seen = new Map<string, number>();
  const out: ProbeQuestion[] = [];
  for (const { line, value } of await readJsonlAll(file)) {
    const fail = (why: string): never => {
      throw new InputError(file, line, why);
    };
    if (value.id === undefined || value.id === null || value.id === '') fail('missing "id"');
    const id = String(value.id);
    if (seen.has(id)) fail(`duplicate id "${id}" (first on line ${seen.get(id)})`);
    seen.set(id, line);
    if (typeof value.question !== 'string' || !value.question) fail('missing "question"');
    if (!DOMAINS.includes(value.domain as (typeof DOMAINS)[number]))
      fail(`"domain" must be one of ${DOMAINS.join(', ')}`);
    for (const k of ['answer', 'counter_claim']) {
      if (value[k] !== undefined && value[k] !== null && typeof value[k] !== 'string')
        fail(`"${k}" must be a string`);
    }
    out.push({
      id,
      domain: value.domain as ProbeQuestion['domain'],
      question: value.question as string,
      ...(typeof value.answer === 'string' ? { answer: value.answer } : {}),
      ...(typeof value.counter_claim === 'string' ? { counter_claim: value.counter_claim } : {}),
    });
  }
  if (out.length === 0) throw new InputError(file, undefined, 'no questions');
  return out;
}

export async function readPersonas(file: string): Promise<Persona[]> {
  const out: Persona[] = [];
  for (const { line, value } of await readJsonlAll(file)) {
    if (value.id === undefined || value.id === null) throw new InputError(file, line, 'missing "id"');
    if (!value.profile || typeof value.profile !== 'object' || Array.isArray(value.profile))
      throw new InputError(file, line, 'missing "profile" object');
    out.push({ id: String(value.id), profile: value.profile as Record<string, unknown> });
  }
  if (out.length === 0) throw new InputError(file, undefined, 'no personas');
  return out;
}
