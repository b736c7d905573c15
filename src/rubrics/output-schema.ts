import { z } from 'zod';
import { type Rubric, scalePoints } from './schema.js';

/**
 * The zod schema a judge's reply must satisfy for this rubric. It is built to be fit for OpenAI
 * strict mode as it stands: every property required, no additional properties, and optional
 * values expressed as nullable rather than omittable. `rationale` comes first so that a model
 * generating in order writes its reasoning before its scores.
 */
export function judgeOutputSchema(rubric: Rubric) {
  const cached = schemaCache.get(rubric);
  if (cached) return cached;
  const schema = buildSchema(rubric);
  schemaCache.set(rubric, schema);
  return schema;
}

// Built once per loaded rubric: building zod schemas (and their JSON form) per judge call is slow.
const schemaCache = new WeakMap<Rubric, ReturnType<typeof buildSchema>>();
const jsonSchemaCache = new WeakMap<Rubric, Record<string, unknown>>();

function buildSchema(rubric: Rubric) {
  const points = scalePoints(rubric.scale.min, rubric.scale.max) as [number, ...number[]];
  const scoreShape: Record<string, z.ZodType> = {};
  for (const c of rubric.criteria) {
    // A reference-bound criterion is null when the item has no reference to judge against.
    const point = z.literal(points).describe(c.description);
    scoreShape[c.name] = c.requires_reference ? point.nullable() : point;
  }
  const extraShape: Record<string, z.ZodType> = {};
  for (const f of rubric.extra_fields) {
    extraShape[f.name] = (f.type === 'boolean' ? z.boolean() : z.string()).nullable().describe(f.description);
  }
  return z
    .object({
      rationale: z.string().describe('Brief reasoning that cites the response, written before the scores.'),
      scores: z.object(scoreShape).strict(),
      ...extraShape,
    })
    .strict();
}

export type JudgeOutput = {
  rationale: string;
  scores: Record<string, number | null>;
  [extra: string]: unknown;
};

/** JSON Schema (draft 7) of the judge reply, from zod's own converter. Shared: do not mutate. */
export function judgeJsonSchema(rubric: Rubric): Record<string, unknown> {
  let schema = jsonSchemaCache.get(rubric);
  if (!schema) {
    schema = z.toJSONSchema(judgeOutputSchema(rubric), { target: 'draft-7' }) as Record<string, unknown>;
    delete schema.$schema; // providers want the bare schema object
    jsonSchemaCache.set(rubric, schema);
  }
  return schema;
}
