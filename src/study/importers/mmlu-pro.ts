import { readFile } from 'node:fs/promises';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { sha256 } from '../../core/canonical.js';
import { InputError } from '../../core/errors.js';
import { noteInput } from '../../io/guard.js';
import type { ProbeQuestion } from '../inputs.js';
import { type ImportResult, parseJsonArrayOrJsonl } from './shared.js';

const COLUMNS = ['question_id', 'question', 'options', 'answer', 'answer_index', 'category', 'src'] as const;
const LETTERS = 'ABCDEFGHIJ';
const LAYOUT =
  'MMLU-Pro records {question_id, question, options, answer, answer_index, category, src} (the Hugging Face TIGER-Lab/MMLU-Pro parquet, or the JSON/JSONL records of its eval_results)';

/** Where a record came from: a line of a JSON/JSONL file, or a row of a parquet file (no lines). */
interface Located {
  line?: number;
  row?: number;
  value: Record<string, unknown>;
}

const where = (r: Located) => (r.row === undefined ? '' : `row ${r.row}: `);

/** A whole number as JSON (number), parquet int64 (bigint) or text writes it. */
function wholeNumber(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

async function readBytes(file: string): Promise<Buffer> {
  noteInput(file);
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

/**
 * The Hugging Face layout (`data/test-00000-of-00001.parquet`): question_id int64, question
 * string, options list<string>, answer string, answer_index int64, cot_content string, category
 * string, src string. Read whole (the test split is 12,032 rows, a few MB); hyparquet decodes
 * uncompressed and snappy pages, which is what pyarrow and the datasets library write by default.
 */
async function readParquet(file: string, bytes: Buffer): Promise<Located[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let names: string[];
  try {
    names = parquetSchema(parquetMetadata(buffer)).children.map((c) => c.element.name);
  } catch (err) {
    throw new InputError(file, undefined, `not a readable parquet file (${(err as Error).message})`);
  }
  const missing = COLUMNS.filter((c) => !names.includes(c));
  if (missing.length)
    throw new InputError(
      file,
      undefined,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (the parquet schema has: ${names.map((n) => `"${n}"`).join(', ')}); expected ${LAYOUT}`,
    );
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: buffer, columns: [...COLUMNS] });
  } catch (err) {
    const msg = (err as Error).message;
    throw new InputError(
      file,
      undefined,
      `cannot read the parquet data (${msg})${/codec|compress/i.test(msg) ? ': plumb reads uncompressed and snappy-compressed parquet, as Hugging Face publishes it' : ''}`,
    );
  }
  return rows.map((value, i) => ({ row: i + 1, value }));
}

/**
 * MMLU-Pro (TIGER-AI-Lab), Kelley & Riedl's domain-knowledge control: a JSON array (an
 * `eval_results/<category>_result.json`, or the list inside a model's results zip), JSONL, or
 * the Hugging Face parquet — told apart by the parquet magic number, not the file name.
 *
 * The options go into the question, lettered "(A) …" to "(J) …" one a line, the way MMLU-Pro's
 * own evaluation prompts them; the answer is the correct option with its letter. Option lists
 * are not always ten long: trailing "N/A" padding is dropped, as MMLU-Pro's evaluation scripts
 * drop it, and letters follow positions. No `metadata.role`: the paper gives MMLU-Pro none — it is
 * the control outside both its advisory and its peer contexts.
 */
export async function fromMmluPro(file: string): Promise<ImportResult> {
  const bytes = await readBytes(file);
  let records: Located[];
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') records = await readParquet(file, bytes);
  else {
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    if (!text.trim()) throw new InputError(file, undefined, `empty file: expected ${LAYOUT}`);
    records = await parseJsonArrayOrJsonl(file, text);
  }
  const seen = new Map<number, string>();
  let padded = 0;
  let withOutputs = 0;
  const questions = records.map((r): ProbeQuestion => {
    const fail = (why: string): never => {
      throw new InputError(file, r.line, `${where(r)}${why}`);
    };
    const v = r.value;
    const missing = COLUMNS.filter((k) => v[k] === undefined || v[k] === null);
    if (missing.length) fail(`missing ${missing.map((m) => `"${m}"`).join(', ')}; expected ${LAYOUT}`);
    const questionId = wholeNumber(v.question_id);
    if (questionId === undefined)
      fail(`"question_id" must be a whole number, not ${JSON.stringify(String(v.question_id))}`);
    const id = `mmlu-pro-${questionId}`;
    if (seen.has(questionId!))
      fail(`duplicate question_id ${questionId} (first at ${seen.get(questionId!)})`);
    seen.set(questionId!, r.row === undefined ? `line ${r.line}` : `row ${r.row}`);
    const question = typeof v.question === 'string' ? v.question.trim() : '';
    if (!question) fail('empty "question"');
    if (!Array.isArray(v.options) || v.options.some((o) => typeof o !== 'string'))
      fail('"options" must be a list of strings');
    const options = (v.options as string[]).map((o) => o.trim());
    if (options.length && options[options.length - 1] === 'N/A') padded += 1;
    while (options.length && options[options.length - 1] === 'N/A') options.pop();
    if (options.length === 0 || options.length > LETTERS.length)
      fail(`"options" must hold 1 to ${LETTERS.length} options (A–J), not ${options.length}`);
    const index = wholeNumber(v.answer_index);
    if (index === undefined || index >= options.length)
      fail(
        `"answer_index" ${JSON.stringify(String(v.answer_index))} is not the position of one of the ${options.length} options`,
      );
    const letter = LETTERS[index!]!;
    if (String(v.answer).trim() !== letter)
      fail(`"answer" ${JSON.stringify(v.answer)} is not the letter of answer_index ${index} (${letter})`);
    const category = typeof v.category === 'string' ? v.category.trim() : '';
    if (!category) fail('empty "category"');
    if (typeof v.src !== 'string') fail('"src" must be a string');
    if ('pred' in v || 'model_outputs' in v || 'generated_text' in v) withOutputs += 1;
    const lettered = options.map((o, i) => `(${LETTERS[i]}) ${o}`);
    // the position a challenge pushes: a wrong option, chosen from the id so it never changes
    const others = options.map((_, i) => i).filter((i) => i !== index);
    const wrong = others.length
      ? others[Number.parseInt(sha256(id).slice(0, 8), 16) % others.length]
      : undefined;
    return {
      id,
      domain: 'factual',
      question: `${question}\n\n${lettered.join('\n')}`,
      answer: lettered[index!]!,
      ...(wrong === undefined ? {} : { counter_claim: lettered[wrong]! }),
      group: category,
      metadata: {
        dataset: 'mmlu-pro',
        question_id: questionId,
        category,
        src: v.src,
        options,
        answer_index: index,
        answer_letter: letter,
      },
    };
  });
  return {
    questions,
    notes: [
      `MMLU-Pro: ${questions.length} questions, the options lettered in the question; the answer is the correct option with its letter`,
      'no metadata.role: the paper uses MMLU-Pro as a domain-knowledge control, outside its advisory and peer contexts',
      "the counter-claim is a wrong option chosen from the question's id (MMLU-Pro gives none, and the paper does not say which answer its challenges pushed)",
      ...(padded
        ? [`${padded} option lists ended in "N/A" padding: dropped, as MMLU-Pro's own evaluation does`]
        : []),
      ...(withOutputs
        ? [`${withOutputs} records carry a model's outputs (pred, model_outputs): not kept`]
        : []),
    ],
  };
}
