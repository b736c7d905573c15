/**
 * Warnings the library has for whoever runs it — a rubric file it skipped, a cache it cannot
 * write. Library code never writes to the terminal: it hands each warning to the handler the
 * program installed (the CLI prints them on stderr); a program that installs none hears nothing
 * and reads the same facts from the results.
 */
type Handler = (message: string) => void;

let handler: Handler = () => {};

/** Installs where warnings go; returns the handler it replaced. */
export function onWarning(next: Handler): Handler {
  const previous = handler;
  handler = next;
  return previous;
}

export function warn(message: string): void {
  handler(message);
}
