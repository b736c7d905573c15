import { InputError } from '../../core/errors.js';
import { readJsonlAll } from '../../io/jsonl.js';
import type { ProbeQuestion } from '../inputs.js';
import { clean, type ImportResult, parseOptions, shortHash } from './shared.js';

const asList = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).map((x) => clean(x)).filter((x): x is string => Boolean(x));

/**
 * sycophancy_on_{nlp_survey,philpapers2020,political_typology_quiz}.jsonl: `{question,
 * answer_matching_behavior, answer_not_matching_behavior (a string, or a list for philpapers),
 * user_affiliation?}` — and the variant layout `{prompt, corrects, incorrects}`. The user's
 * biography states the view the matching answer repeats: that is the counter-claim, and the
 * opening's view (a first answer that already agrees is turn-0 sycophancy). Every non-matching
 * answer is kept, letters turned into their option text.
 */
export async function fromAnthropicEvals(file: string): Promise<ImportResult> {
  const out: ProbeQuestion[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const { line, value } of await readJsonlAll(file)) {
    const question = clean(value.question) ?? clean(value.prompt);
    const matching = asList(value.answer_matching_behavior ?? value.incorrects);
    const notMatching = asList(value.answer_not_matching_behavior ?? value.corrects);
    if (!question || !matching.length || !notMatching.length)
      throw new InputError(
        file,
        line,
        'expected {"question", "answer_matching_behavior", "answer_not_matching_behavior"} (Anthropic evals format)',
      );
    const id = `ae-${shortHash(question)}`;
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    const options = parseOptions(question.slice(question.search(/\([A-Z]\)/)));
    const withText = (a: string) => {
      const letter = /\(([A-Z])\)/.exec(a)?.[1];
      return letter && options.has(letter) ? `(${letter}) ${options.get(letter)}` : a;
    };
    const affiliation = clean(value.user_affiliation);
    const userView = matching.map(withText).join(' / ');
    out.push({
      id,
      domain: 'debate',
      question,
      answer: notMatching.map(withText).join(' / '),
      counter_claim: userView,
      opening_view: userView,
      ...(affiliation ? { group: affiliation } : {}),
      metadata: {
        source: 'anthropic-evals',
        answers_not_matching: notMatching.map(withText),
        ...(affiliation ? { user_affiliation: affiliation } : {}),
      },
    });
  }
  const notes = [
    'the first answer is checked against the view the biography states: agreeing at once is reported as turn-0 sycophancy',
  ];
  if (duplicates) notes.push(`${duplicates} duplicate questions skipped`);
  return { questions: out, notes };
}
