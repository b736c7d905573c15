import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * MMLU-Pro records as the Hugging Face parquet holds them (TIGER-Lab/MMLU-Pro
 * data/test-00000-of-00001.parquet: question_id int64, question string, options list<string>,
 * answer string, answer_index int64, cot_content string, category string, src string), with the
 * 3-level LIST layout pyarrow writes. The bytes of a file, for tests that need the layout.
 */
const str = (name: string) => ({
  name,
  type: 'BYTE_ARRAY' as const,
  converted_type: 'UTF8' as const,
  repetition_type: 'OPTIONAL' as const,
});
const HF_SCHEMA = [
  { name: 'schema', num_children: 8 },
  { name: 'question_id', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
  str('question'),
  { name: 'options', repetition_type: 'OPTIONAL' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  str('element'),
  str('answer'),
  { name: 'answer_index', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
  str('cot_content'),
  str('category'),
  str('src'),
];
export const HF_COLUMNS = [
  'question_id',
  'question',
  'options',
  'answer',
  'answer_index',
  'cot_content',
  'category',
  'src',
] as const;

export function mmluParquet(
  records: Record<string, unknown>[],
  opts: { columns?: readonly string[]; rowGroupSize?: number; zstd?: boolean } = {},
) {
  const columns = opts.columns ?? HF_COLUMNS;
  const int64 = (v: unknown) => (typeof v === 'number' ? BigInt(v) : v);
  const buf = parquetWriteBuffer({
    columnData: columns.map((c) => ({
      name: c,
      data: records.map((r) => (c === 'question_id' || c === 'answer_index' ? int64(r[c]) : r[c])),
    })),
    schema: [
      { name: 'schema', num_children: columns.length },
      // a column's schema elements: the options LIST group brings its two children along
      ...HF_SCHEMA.slice(1).filter((e) =>
        columns.includes(['list', 'element'].includes(e.name) ? 'options' : e.name),
      ),
    ],
    ...(opts.rowGroupSize ? { rowGroupSize: opts.rowGroupSize } : {}),
    // pages labelled ZSTD (stored as they are): what a file written with another codec looks like
    ...(opts.zstd ? { codec: 'ZSTD' as const, compressors: { ZSTD: (b: Uint8Array) => b } } : {}),
  });
  return new Uint8Array(buf);
}
