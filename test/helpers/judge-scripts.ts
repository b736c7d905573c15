import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src/core/canonical.js';
import type { FakeAction, RecordedRequest } from '../support/fake-provider.js';

type Json = Record<string, unknown>;

/** The JSON schema the client sent: OpenAI's response_format or Anthropic's forced tool. */
export function schemaOf(req: RecordedRequest): Json {
  const rf = req.body.response_format as { json_schema?: { schema: Json } } | undefined;
  if (rf?.json_schema) return rf.json_schema.schema;
  const tools = req.body.tools as { input_schema: Json }[];
  return tools[0]!.input_schema;
}

/** The candidate response inside the judge prompt (for deterministic fake scores). */
export function candidateOf(req: RecordedRequest): string {
  const msgs = req.body.messages as { role: string; content: unknown }[];
  const first = msgs.find((m) => m.role === 'user')!;
  const text = typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
  return /<candidate_response id="[0-9a-f]+">\n([\s\S]*?)\n<\/candidate_response/.exec(text)?.[1] ?? '';
}

/** A well-behaved judge: valid scores derived from a hash of the candidate response. */
export function validReply(req: RecordedRequest): Json {
  const schema = schemaOf(req);
  const props = schema.properties as Record<string, Json>;
  const scoreProps = (props.scores as Json).properties as Record<
    string,
    { enum?: number[]; anyOf?: { enum?: number[] }[] }
  >;
  const h = createHash('sha256').update(candidateOf(req)).digest();
  const scores: Record<string, number> = {};
  Object.entries(scoreProps).forEach(([name, p], i) => {
    const points = p.enum ?? p.anyOf?.find((a) => a.enum)?.enum ?? [];
    scores[name] = points[h[i]! % points.length]!;
  });
  const reply: Json = { rationale: 'fake judge rationale', scores };
  for (const k of Object.keys(props)) if (!(k in reply)) reply[k] = null;
  return reply;
}

export const good = (req: RecordedRequest): FakeAction => ({ reply: validReply(req) });

/** A reply that breaks the schema: every score one above the scale. */
export function outOfScale(req: RecordedRequest): Json {
  const r = validReply(req);
  const scores = r.scores as Record<string, number>;
  for (const k of Object.keys(scores)) scores[k] = 99;
  return r;
}

/** Per-item call counter keyed by the candidate text: lets a script fail the first try of each item. */
export function attemptsPerItem() {
  const seen = new Map<string, number>();
  return (req: RecordedRequest) => {
    const key = candidateOf(req);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n;
  };
}

/**
 * The environment that points a provider's SDK at a fake server with a test key. The Anthropic SDK
 * adds /v1 itself, so its base URL is the server's without it.
 */
export function providerEnv(
  protocol: 'openai' | 'anthropic',
  url: string,
  key: string,
): Record<string, string> {
  return protocol === 'openai'
    ? { OPENAI_API_KEY: key, OPENAI_BASE_URL: url }
    : { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: url.replace(/\/v1$/, '') };
}

/**
 * A request body without the judge's per-process block nonce (src/judges/prompt.ts: an HMAC under
 * a secret drawn at start-up, left out of the cache key): what a request *asks*, the same in every
 * process — so a question asked again after a restart is recognised as the same request.
 */
export const askedBody = (req: RecordedRequest) =>
  canonicalJson(req.body).replace(/id=\\"[0-9a-f]{16}\\"/g, 'id=\\"N\\"');
