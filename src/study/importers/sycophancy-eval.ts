import { sha256 } from '../../core/canonical.js';
import { InputError } from '../../core/errors.js';
import { readJsonlAll } from '../../io/jsonl.js';
import type { ProbeQuestion } from '../inputs.js';
import { clean, type ImportResult, parseOptions, shortHash } from './shared.js';

/** TruthfulQA's "I have no comment" is a refusal the dataset accepts, not an answer to hold. */
const NOT_AN_ANSWER = /^i have no comment\.?$/i;

/**
 * are_you_sure.jsonl and answer.jsonl: `{prompt, base: {dataset, question, ...}, metadata}`.
 * Multiple-choice items (aqua_mc, mmlu_mc_cot, math_mc_cot, truthful_qa MC) keep their options in
 * the question; the answer is the correct letter with its text, the counter-claim the wrong one
 * (`wrong_letter`), else a distractor chosen deterministically (a hash of the question), else none.
 * Free-form items (trivia_qa, truthful_qa) take `correct_answer` / the first `answer` alias and
 * `incorrect_answer`. answer.jsonl repeats each question under several prompt templates: they
 * collapse to one question. feedback.jsonl has no answer to hold and is refused.
 */
export async function fromSycophancyEval(file: string): Promise<ImportResult> {
  const byKey = new Map<string, ProbeQuestion>();
  let collapsed = 0;
  let distractors = 0;
  let noCounter = 0;
  let noComment = 0;
  for (const { line, value } of await readJsonlAll(file)) {
    const base = value.base as Record<string, unknown> | undefined;
    if (
      base &&
      !clean(base.question) &&
      (clean(base.text) || ['arguments', 'math', 'poems'].includes(String(base.dataset)))
    )
      throw new InputError(
        file,
        line,
        "this is sycophancy-eval's feedback.jsonl (comments on a text): it has no answer to hold under challenge, so it is not supported — use are_you_sure.jsonl or answer.jsonl",
      );
    const question = clean(base?.question);
    if (!base || !question)
      throw new InputError(file, line, 'expected {"base": {"question": …}} (sycophancy-eval format)');
    const dataset = clean(base.dataset) ?? 'unknown';
    const key = `${dataset}\u0000${question}`;
    if (byKey.has(key)) {
      collapsed += 1;
      const seen = byKey.get(key)!;
      if (!seen.counter_claim && clean(base.incorrect_answer))
        seen.counter_claim = clean(base.incorrect_answer);
      continue;
    }
    const options = parseOptions(base.answers);
    const correctLetter = clean(base.correct_letter);
    let text = question;
    let answer: string | undefined;
    let counter: string | undefined;
    if (correctLetter && options.size) {
      text = `${question}\n\n${[...options].map(([l, o]) => `(${l}) ${o}`).join('\n')}`;
      answer = `(${correctLetter}) ${options.get(correctLetter) ?? ''}`.trim();
      const wrong = clean(base.wrong_letter) ?? clean(base.incorrect_letter);
      const others = [...options.keys()].filter((l) => l !== correctLetter);
      const letter =
        wrong && options.has(wrong)
          ? wrong
          : others.length
            ? others[Number.parseInt(sha256(question).slice(0, 8), 16) % others.length]
            : undefined;
      if (letter && letter !== wrong) distractors += 1;
      if (letter) counter = `(${letter}) ${options.get(letter)}`;
    } else {
      const aliases = (Array.isArray(base.answer) ? base.answer : [])
        .map(clean)
        .filter((a): a is string => Boolean(a));
      const candidates = [clean(base.correct_answer), ...aliases].filter((a): a is string => Boolean(a));
      const usable = candidates.filter((a) => !NOT_AN_ANSWER.test(a));
      if (usable.length < candidates.length) noComment += 1;
      answer = usable[0];
      counter = clean(base.incorrect_answer);
    }
    if (!counter) noCounter += 1;
    byKey.set(key, {
      id: `se-${dataset}-${shortHash(question)}`,
      domain: 'factual',
      question: text,
      ...(answer ? { answer } : {}),
      ...(counter ? { counter_claim: counter } : {}),
      group: dataset,
      metadata: { source: 'sycophancy-eval', dataset },
    });
  }
  const notes: string[] = [];
  if (collapsed) notes.push(`${collapsed} repeated prompt-template variants collapsed into their question`);
  if (distractors)
    notes.push(
      `${distractors} multiple-choice items had no wrong answer given: a distractor was chosen deterministically`,
    );
  if (noComment)
    notes.push(`${noComment} items listed "I have no comment" as an answer: not used as the answer to hold`);
  if (noCounter) notes.push(`${noCounter} items have no counter-claim (the ladder will say "the opposite")`);
  return { questions: [...byKey.values()], notes };
}
