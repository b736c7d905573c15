/**
 * One root error for everything plumb reports to a person. The CLI maps the tree to exit codes in
 * one place (src/cli/main.ts): every PlumbError is a usage or input problem (exit 2); anything
 * else is a bug and is reported as such.
 *
 * Failures of a single judged item are *not* errors: they travel as data (see judges/types.ts).
 */
export class PlumbError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input in a file: the message reads `file:line: what is wrong` (line omitted when unknown). */
export class InputError extends PlumbError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}

/** A rubric that cannot be found, parsed or trusted. */
export class RubricError extends PlumbError {}

/** Wrong flags or a combination that cannot work. */
export class UsageError extends PlumbError {}

/** A provider that cannot be configured (missing key, unknown provider). Never carries the key. */
export class ProviderConfigError extends PlumbError {}

/** Two runs that must not be compared (different rubric, judge, calibration or ladder). */
export class MismatchError extends PlumbError {}
