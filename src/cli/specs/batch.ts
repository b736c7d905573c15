import { defineCommand, type FlagValues, flag, text } from '../flags.js';
import { apiFlags, jsonFlag, judgeFlags, nonceFlag } from './groups.js';
import { scoreFlags } from './score.js';

export const batchExportFlags = {
  rubric: scoreFlags.rubric,
  input: scoreFlags.input,
  out: flag('--out <file>', 'requests JSONL to write ({custom_id, method, url, body} a line)', text(), {
    required: true,
  }),
  ...judgeFlags('item'),
  ...apiFlags('judges', 'judge replies'),
  ...nonceFlag,
};
export type BatchExportFlags = FlagValues<typeof batchExportFlags>;

export const batchExport = defineCommand({
  path: ['batch', 'export'],
  description: 'write the judge calls of a score command that the cache cannot answer as OpenAI batch lines',
  flags: batchExportFlags,
  examples: [
    'plumb batch export --rubric eii --input responses.jsonl --judge openai-compatible:Qwen/Qwen2.5-7B-Instruct --base-url http://localhost:8000/v1 --out requests.jsonl',
    'python -m vllm.entrypoints.openai.run_batch -i requests.jsonl -o results.jsonl --model Qwen/Qwen2.5-7B-Instruct',
    'plumb batch import results.jsonl',
    'plumb score --rubric eii --input responses.jsonl --judge openai-compatible:Qwen/Qwen2.5-7B-Instruct --base-url http://localhost:8000/v1',
  ],
});

export const batchImportFlags = {
  cacheDir: flag('--cache-dir <dir>', 'the cache the requests were exported with', text(), {
    default: '.plumb-cache',
  }),
  ...jsonFlag('print the report as JSON'),
};
export type BatchImportFlags = FlagValues<typeof batchImportFlags>;

export const batchImport = defineCommand({
  path: ['batch', 'import'],
  args: '<results>',
  description: 'validate a batch output file line by line against the exported requests and fill the cache',
  flags: batchImportFlags,
  examples: [
    'plumb batch import results.jsonl',
    'plumb batch import batch_abc_output.jsonl --cache-dir .plumb-cache',
  ],
});
