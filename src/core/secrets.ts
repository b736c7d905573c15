/**
 * Keeps API keys out of everything plumb writes: outputs, caches, logs and error messages.
 *
 * Known secret values — every environment variable whose name marks it as a credential
 * (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`, …) and any credential found in a `--base-url`
 * — are replaced wherever they appear, in every line written. Error and log text is additionally
 * scrubbed of anything shaped like an OpenAI or Anthropic key (`redactMessage`); that pattern is
 * not applied to data lines, where a response may legitimately discuss such strings.
 */
const CREDENTIAL_VAR = /(?:^|_)(?:API_?KEY|ACCESS_?KEY|TOKEN|SECRET|PASSWORD|PASSWD)$/i;
const KEY_SHAPES = /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,})\b/g;
/** Shorter values are too likely to be ordinary words ("none", "true") to replace everywhere. */
const MIN_SECRET_LENGTH = 8;
const SENSITIVE_PARAMS = new Set([
  'key',
  'api-key',
  'api_key',
  'apikey',
  'token',
  'access_token',
  'auth',
  'authorization',
  'secret',
  'password',
  'sig',
  'signature',
  'code',
]);
export const REDACTED = '[redacted]';

const secrets = new Set<string>();

/** Adds the credential-named variables of an environment to the secrets to scrub. */
export function learnSecretsFrom(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (value && CREDENTIAL_VAR.test(name)) addSecret(value);
  }
}

export function addSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

learnSecretsFrom(process.env);

/** Replaces every known secret value. Used on every line plumb writes. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** For error and log text: known secrets, and anything shaped like an API key. */
export function redactMessage(text: string): string {
  return redact(text).replace(KEY_SHAPES, REDACTED);
}

/**
 * A URL fit to be stamped in score lines and summaries: user:password@ and credential-like query
 * parameters (`?api-key=…`, `?token=…`) are removed, and their values learnt as secrets so they
 * are scrubbed wherever else they appear.
 */
export function stripUrlCredentials(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redact(url);
  }
  if (u.username || u.password) {
    addSecret(decodeURIComponent(u.username));
    addSecret(decodeURIComponent(u.password));
    u.username = '';
    u.password = '';
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SENSITIVE_PARAMS.has(name.toLowerCase())) {
      addSecret(u.searchParams.get(name));
      u.searchParams.delete(name);
    }
  }
  return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}
