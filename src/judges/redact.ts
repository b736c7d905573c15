/**
 * Removes API keys from text bound for outputs, logs or error messages: the values of the key
 * variables plumb reads, and anything shaped like an OpenAI or Anthropic key.
 */
const KEY_VARS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'];
const KEY_SHAPES = /\b(sk-(?:ant-)?[A-Za-z0-9_-]{8,})\b/g;

export function redact(text: string, extraSecrets: (string | undefined)[] = []): string {
  let out = text;
  for (const secret of [...KEY_VARS.map((v) => process.env[v]), ...extraSecrets]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPES, '[redacted]');
}
