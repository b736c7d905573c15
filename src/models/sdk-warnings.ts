/**
 * The Anthropic SDK warns about deprecated models with console.warn on every request (4,302
 * identical lines in a 4,302-request run). This prints each distinct SDK warning once per
 * process: the warning still reaches the user, the log stays readable. Installed only when an
 * SDK client is made; it applies to every console.warn line of the process (a repeat of an
 * identical line is never news).
 */
let installed = false;

export function printSdkWarningsOnce(): void {
  if (installed) return;
  installed = true;
  const original = console.warn.bind(console);
  const seen = new Set<string>();
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (seen.has(text)) return;
    seen.add(text);
    original(...args);
  };
}
