import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { addFlags, parseFlags } from './flags.js';
import { COMMANDS, GROUPS } from './specs/index.js';

/**
 * The command line: a thin layer that parses arguments and calls library functions. Command
 * modules are imported only when their command runs, so `plumb --help` starts fast.
 * Errors map to exit codes here and nowhere else: 2 for usage and input, 1 for a failed gate.
 */

/** Examples are written as `npx plumb …`: in a clone the command is not on PATH, npx finds it. */
const examples = (lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ ${l.replace(/^((?:[A-Z_]+=\S+ )*)plumb /, '$1npx plumb ')}`).join('\n')}\n`;

/**
 * The program, made from the command declarations (cli/specs/): each command's options and
 * --help come from its flag table, and what it runs gets the values that table parsed.
 */
export function buildProgram(): Command {
  const program = new Command('plumb')
    .description(
      'LLM-as-judge scoring with versioned rubrics, calibration against human gold, a stance-stability probe and an EII gate.',
    )
    .version((createRequire(import.meta.url)('../../package.json') as { version: string }).version)
    .showHelpAfterError()
    // an option belongs to the command it follows: `probe --out` and `probe judge --out` are different
    .enablePositionalOptions()
    .exitOverride()
    .addHelpText(
      'after',
      examples([
        'plumb demo',
        'plumb score --rubric aai --input fixtures/responses.jsonl --judge lexicon --out runs/aai.jsonl',
        'plumb rubrics list',
        'plumb calibrate --scores runs/aai.jsonl --gold fixtures/gold.jsonl --alt-test --ppi',
        'plumb probe --questions fixtures/questions.jsonl --target scripted:fixtures/scripted-target.yaml --personas fixtures/personas.jsonl',
        'plumb gate --baseline baselines/eii.json --current runs/eii.summary.json --junit gate.xml',
      ]),
    );
  const made = new Map<string, Command>([['', program]]);
  const commandAt = (path: string[]): Command => {
    const key = path.join(' ');
    let cmd = made.get(key);
    if (!cmd) {
      const parent = commandAt(path.slice(0, -1));
      cmd = parent.command(path[path.length - 1]!).description(GROUPS[key] ?? '');
      made.set(key, cmd);
    }
    return cmd;
  };
  for (const spec of COMMANDS) {
    const parent = commandAt(spec.path.slice(0, -1));
    const name = spec.path[spec.path.length - 1]!;
    const cmd = parent.command(spec.args ? `${name} ${spec.args}` : name).description(spec.description);
    made.set(spec.path.join(' '), cmd);
    addFlags(cmd, spec.flags);
    if (spec.examples.length) cmd.addHelpText('after', examples(spec.examples));
    cmd.action(async (...given: unknown[]) => {
      // commander hands over the positional arguments, then the options, then the command
      const args = given.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : [a])) as string[];
      const raw = given[given.length - 2] as Record<string, unknown>;
      const values = parseFlags(spec.flags, raw, spec.check);
      await pinNonceFrom((values as { nonce?: string }).nonce);
      try {
        await spec.run(values, args);
      } finally {
        // a command's judge caches end with it: their indexes written, their registrations as users
        // of the folder (which a compaction waits on) ended, also for a test running many in-process
        const { closeOpenCaches } = await import('../models/cache.js');
        closeOpenCaches();
      }
    });
    // a command with subcommands of its own keeps its options to itself (`probe --out` ≠ `probe judge --out`)
    if (COMMANDS.some((c) => c.path.length > spec.path.length && c.path[0] === spec.path[0]))
      cmd.enablePositionalOptions();
  }
  return program;
}

/**
 * The judge prompt's nonce secret for this command: `--nonce`, else PLUMB_NONCE, else the
 * process's random one (a test running several commands in one process gets it back each time).
 */
let noncePinned = false;
async function pinNonceFrom(flag: string | undefined): Promise<void> {
  const env = process.env.PLUMB_NONCE?.trim();
  const given = flag ?? (env || undefined);
  if (given === undefined && !noncePinned) return; // nothing to pin, nothing to undo
  const { NONCE_PATTERN, NONCE_RULE } = await import('../core/nonce.js');
  if (flag === undefined && env && !NONCE_PATTERN.test(env)) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError(`PLUMB_NONCE ${NONCE_RULE}`);
  }
  const { pinNonce } = await import('../judges/prompt.js');
  pinNonce(given ?? null);
  noncePinned = given !== undefined;
}

/** Longest message printed for one error: a rubric with a million scale points once made 31.5 MB. */
const MAX_MESSAGE = 4_000;

function say(message: string, redact: (s: string) => string): void {
  const clean = redact(message);
  const text =
    clean.length > MAX_MESSAGE
      ? `${clean.slice(0, MAX_MESSAGE)}… (${clean.length - MAX_MESSAGE} more characters)`
      : clean;
  process.stderr.write(`plumb: ${text}\n`);
}

/**
 * Runs one command line and returns its exit code: 0 done, 1 a failed gate or run, 2 usage or
 * input, 70 a bug, 130 interrupted. What a command prints goes to stdout/stderr; the caller (bin.ts,
 * or a test running the CLI in-process) sets the process's exit code.
 */
export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    // no command at all is a usage error, as for any other missing argument: help, exit 2
    process.stderr.write(program.helpInformation());
    return 2;
  }
  const { withRunScope } = await import('../io/guard.js');
  const { onWarning } = await import('../core/warnings.js');
  onWarning((message) => process.stderr.write(`plumb: warning: ${message}\n`));
  try {
    // one command is one run: whatever it reads, nothing it writes may replace (io/guard.ts)
    await withRunScope(() => program.parseAsync(argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every other parse problem (commander printed it) is a usage error
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    const { PlumbError } = await import('../core/errors.js');
    const { redactMessage } = await import('../core/secrets.js');
    if (err instanceof PlumbError) {
      say(err.message, redactMessage);
      return err.exitCode;
    }
    // a file system error that escaped its caller (a folder where a file should be, a full disk):
    // the user's environment, not a bug — one line naming the path, exit 2
    const e = err as NodeJS.ErrnoException;
    if (e?.code && typeof e.code === 'string' && e.path) {
      const { describeIoError } = await import('../io/errors.js');
      say(
        `${e.path}: ${e.syscall ? `${e.syscall} failed` : 'failed'} (${describeIoError(e)})`,
        redactMessage,
      );
      return 2;
    }
    say(`internal error (please report): ${(err as Error)?.stack ?? err}`, redactMessage);
    return 70;
  }
}
