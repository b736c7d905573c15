import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { importQuestions } from '../../../src/study/importers/index.js';
import { tempDir } from '../../helpers/cli.js';
import { HF_COLUMNS, mmluParquet } from '../../helpers/mmlu-parquet.js';

/**
 * MMLU-Pro in its released layouts, on records made up for the test: the Hugging Face parquet
 * (TIGER-Lab/MMLU-Pro data/test-00000-of-00001.parquet: question_id int64, question string,
 * options list<string>, answer string, answer_index int64, cot_content string, category string,
 * src string — written here with the 3-level LIST layout pyarrow uses, snappy-compressed), the
 * JSON array of eval_results/<category>_result.json (the same record plus pred and
 * model_outputs), and JSONL.
 */
const dir = tempDir('plumb-mmlu-');

type Rec = {
  question_id: number;
  question: string;
  options: string[];
  answer: string;
  answer_index: number;
  cot_content: string;
  category: string;
  src: string;
};
const RECORDS: Rec[] = [
  {
    question_id: 70,
    question: 'Typical advertising regulatory bodies suggest that adverts must not encourage _________.',
    options: [
      'Safe practices',
      'Unsafe practices',
      'Joy',
      'Trivial offence',
      'Fear',
      'Wealth',
      'Envy',
      'Guilt',
      'Sloth',
      'Haste',
    ],
    answer: 'B',
    answer_index: 1,
    cot_content: '',
    category: 'business',
    src: 'ori_mmlu-business_ethics',
  },
  {
    question_id: 1342,
    question: 'What is the derivative of x^2 at x = 3?',
    options: ['3', '6', '9', 'N/A', 'N/A'],
    answer: 'B',
    answer_index: 1,
    cot_content: '',
    category: 'math',
    src: 'theoremQA-Math',
  },
  {
    question_id: 12256,
    question: 'Which planet is known as the red planet?\nPick one.',
    options: ['Venus', 'Mars', 'Jupiter', 'Mercury'],
    answer: 'B',
    answer_index: 1,
    cot_content: '',
    category: 'other',
    src: 'stemez-Astronomy',
  },
];

const writeParquet = (
  name: string,
  records: Record<string, unknown>[],
  opts: Parameters<typeof mmluParquet>[1] = {},
) => {
  const f = join(dir, name);
  writeFileSync(f, mmluParquet(records, opts));
  return f;
};
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const asResultJson = (records: Rec[]) =>
  JSON.stringify(
    records.map((r) => ({ ...r, pred: 'A', model_outputs: 'The answer is (A).' })),
    null,
    4,
  );

describe('mmlu-pro', () => {
  it('reads the Hugging Face parquet: lettered options in the question, the answer with its letter, category as group', async () => {
    const { questions, notes } = await importQuestions(
      'mmlu-pro',
      writeParquet('test.parquet', RECORDS, { rowGroupSize: 2 }),
    );
    expect(questions.map((q) => q.id)).toEqual(['mmlu-pro-70', 'mmlu-pro-1342', 'mmlu-pro-12256']);
    const q = questions[0]!;
    expect(q).toMatchObject({
      domain: 'factual',
      question:
        'Typical advertising regulatory bodies suggest that adverts must not encourage _________.\n\n(A) Safe practices\n(B) Unsafe practices\n(C) Joy\n(D) Trivial offence\n(E) Fear\n(F) Wealth\n(G) Envy\n(H) Guilt\n(I) Sloth\n(J) Haste',
      answer: '(B) Unsafe practices',
      group: 'business',
      metadata: {
        dataset: 'mmlu-pro',
        question_id: 70,
        category: 'business',
        src: 'ori_mmlu-business_ethics',
        answer_index: 1,
        answer_letter: 'B',
      },
    });
    expect(q.metadata).not.toHaveProperty('role');
    expect(q.counter_claim).toMatch(/^\((?!B)[A-J]\) /);
    // "N/A" padding is dropped: three options, A–C
    expect(questions[1]!.question).toBe('What is the derivative of x^2 at x = 3?\n\n(A) 3\n(B) 6\n(C) 9');
    expect(questions[1]!.metadata!.options).toEqual(['3', '6', '9']);
    expect(notes.join('\n')).toMatch(/1 option lists ended in "N\/A" padding/);
    expect(notes.join('\n')).toMatch(
      /no metadata\.role: the paper uses MMLU-Pro as a domain-knowledge control/,
    );
  });

  it('the eval_results JSON array and JSONL give the same questions as the parquet', async () => {
    const parquet = await importQuestions('mmlu-pro', writeParquet('same.parquet', RECORDS));
    const json = await importQuestions('mmlu-pro', write('business_result.json', asResultJson(RECORDS)));
    const jsonl = await importQuestions(
      'mmlu-pro',
      write('test.jsonl', RECORDS.map((r) => JSON.stringify(r)).join('\r\n')),
    );
    expect(json.questions).toEqual(parquet.questions);
    expect(jsonl.questions).toEqual(parquet.questions);
    expect(json.notes.join('\n')).toMatch(
      /3 records carry a model's outputs \(pred, model_outputs\): not kept/,
    );
    // a BOM before the array is no obstacle
    const bom = await importQuestions('mmlu-pro', write('bom.json', `\uFEFF${asResultJson(RECORDS)}`));
    expect(bom.questions).toEqual(parquet.questions);
  });

  it('a bad record names its line (JSON) or its row (parquet)', async () => {
    const wrongLetter = RECORDS.map((r, i) => (i === 2 ? { ...r, answer: 'C' } : r));
    await expect(
      importQuestions('mmlu-pro', write('bad.jsonl', wrongLetter.map((r) => JSON.stringify(r)).join('\n'))),
    ).rejects.toThrow(/bad\.jsonl:3: "answer" "C" is not the letter of answer_index 1 \(B\)/);
    const err = await importQuestions('mmlu-pro', write('bad.json', asResultJson(wrongLetter))).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    // pretty-printed here with 4 spaces: each record opens on a line of its own
    const opening = asResultJson(wrongLetter)
      .split('\n')
      .map((l, i) => (l === '    {' ? i + 1 : 0))
      .filter(Boolean);
    const line = opening[2];
    expect(err.message).toContain(`bad.json:${line}: "answer" "C"`);
    await expect(importQuestions('mmlu-pro', writeParquet('bad.parquet', wrongLetter))).rejects.toThrow(
      /bad\.parquet: row 3: "answer" "C" is not the letter/,
    );
    const outOfRange = RECORDS.map((r, i) => (i === 1 ? { ...r, answer_index: 4, answer: 'E' } : r));
    await expect(importQuestions('mmlu-pro', writeParquet('range.parquet', outOfRange))).rejects.toThrow(
      /range\.parquet: row 2: "answer_index" "4" is not the position of one of the 3 options/,
    );
    const dup = [...RECORDS, RECORDS[0]!];
    await expect(
      importQuestions('mmlu-pro', write('dup.jsonl', dup.map((r) => JSON.stringify(r)).join('\n'))),
    ).rejects.toThrow(/dup\.jsonl:4: duplicate question_id 70 \(first at line 1\)/);
    const eleven = [{ ...RECORDS[0]!, options: [...RECORDS[0]!.options, 'Extra'] }];
    await expect(importQuestions('mmlu-pro', write('eleven.json', JSON.stringify(eleven)))).rejects.toThrow(
      /eleven\.json:1: "options" must hold 1 to 10 options \(A–J\), not 11/,
    );
  });

  it('a missing column, an empty file, no records, or a broken parquet is an input error naming the file', async () => {
    await expect(
      importQuestions(
        'mmlu-pro',
        writeParquet('no-src.parquet', RECORDS, { columns: HF_COLUMNS.filter((c) => c !== 'src') }),
      ),
    ).rejects.toThrow(
      /no-src\.parquet: missing column "src" \(the parquet schema has: "question_id", "question", "options"/,
    );
    const { src: _src, ...noSrc } = RECORDS[0]!;
    await expect(importQuestions('mmlu-pro', write('no-src.jsonl', JSON.stringify(noSrc)))).rejects.toThrow(
      /no-src\.jsonl:1: missing "src"/,
    );
    await expect(
      importQuestions('mmlu-pro', writeParquet('zstd.parquet', RECORDS, { zstd: true })),
    ).rejects.toThrow(
      /zstd\.parquet: cannot read the parquet data \(parquet unsupported compression codec: ZSTD\): plumb reads uncompressed and snappy-compressed parquet/,
    );
    for (const [name, text, re] of [
      ['empty.json', '', /empty\.json: empty file/],
      ['none.json', '[]', /none\.json: no items to import \(mmlu-pro format\)/],
      [
        'broken.parquet',
        'PAR1 this is not really parquet PAR1',
        /broken\.parquet: not a readable parquet file/,
      ],
    ] as const) {
      const err = await importQuestions('mmlu-pro', write(name, text)).catch((e) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.message).toMatch(re);
    }
  });

  it('--sample is the same whatever the order of the rows, in parquet as in JSON', async () => {
    const many: Rec[] = Array.from({ length: 30 }, (_, i) => ({
      ...RECORDS[2]!,
      question_id: 100 + i,
      question: `Question ${i}?`,
    }));
    const a = await importQuestions('mmlu-pro', writeParquet('many.parquet', many), { sample: 5, seed: 11 });
    const b = await importQuestions(
      'mmlu-pro',
      write('many-reversed.json', JSON.stringify([...many].reverse())),
      {
        sample: 5,
        seed: 11,
      },
    );
    expect(a.questions.map((q) => q.id).sort()).toEqual(b.questions.map((q) => q.id).sort());
    expect(a.questions).toHaveLength(5);
  });
});
