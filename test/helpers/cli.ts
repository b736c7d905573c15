import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The CLI under test: this checkout's build, or another build (`PLUMB_CLI=…`, to show a test fails on old code). */
export const CLI = process.env.PLUMB_CLI ?? join(ROOT, 'dist', 'cli', 'bin.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type CliOptions = {
  /**
   * Run the built CLI as a child process instead of in this process: for tests that signal it
   * (Ctrl-C, kill -9), run several at once (two processes sharing a cache), feed stdin, or limit
   * its file sizes; also whenever PLUMB_CLI names another build.
   */
  spawn?: boolean;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  stdin?: string;
  /** Largest file the CLI may write, in KiB (`ulimit -f`): writes beyond it fail with EFBIG, as on a full disk. */
  fileSizeLimitKb?: number;
};

/**
 * Starts the built CLI (npm test builds first) as a user would, with a clean environment, and
 * hands back the child so a test can signal it (Ctrl-C, kill -9). `stderrSoFar` reads what it
 * printed up to now.
 */
export function startCli(args: string[], opts: CliOptions = {}) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    CI: 'true',
    ...opts.env,
  };
  const child =
    opts.fileSizeLimitKb === undefined
      ? spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env })
      : spawn(
          '/bin/sh',
          ['-c', `ulimit -f ${opts.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, CLI, ...args],
          {
            cwd: opts.cwd ?? ROOT,
            env,
          },
        );
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  else child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, stderrSoFar: () => stderr };
}

/**
 * Runs the CLI to completion. In this process by default — `main()` from the sources, with a clean
 * environment, the working directory and stdout/stderr captured — which tests exactly the code a
 * user's command runs without a second of Node start-up per call; as a child process when the test
 * needs one (see CliOptions.spawn).
 */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const spawned =
    opts.spawn || opts.stdin !== undefined || opts.fileSizeLimitKb !== undefined || process.env.PLUMB_CLI;
  return spawned ? startCli(args, opts).done : runInProcess(args, opts);
}

/** One in-process run at a time: the environment, the working directory and the streams are the process's. */
let queue: Promise<unknown> = Promise.resolve();

function runInProcess(args: string[], opts: CliOptions): Promise<CliResult> {
  const run = queue.then(() => inProcess(args, opts));
  queue = run.catch(() => {});
  return run;
}

async function inProcess(args: string[], opts: CliOptions): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const saved = { env: process.env, cwd: process.cwd(), exitCode: process.exitCode };
  const write = { out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  process.env = { PATH: saved.env.PATH ?? '', HOME: saved.env.HOME ?? '/tmp', CI: 'true', ...opts.env };
  process.chdir(opts.cwd ?? ROOT);
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main([process.execPath, 'plumb', ...args]).catch((err) => {
      stderr += `plumb: ${err}\n`;
      return 70;
    });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.env = saved.env;
    process.chdir(saved.cwd);
    process.exitCode = saved.exitCode;
  }
}

/** Waits until `test()` holds, checking every 20 ms, for at most `ms` (then fails). */
export async function waitFor(test: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Folders tempDir made in this test file: test/setup.ts removes them when the file's tests end. */
export const madeDirs: string[] = [];

export function tempDir(prefix = 'plumb-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function writeJsonl(path: string, rows: unknown[]): string {
  writeFileSync(path, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return path;
}

export function readJsonlFile(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every file under a folder, recursively (to look for leftovers and leaked secrets). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** `score --rubric eii --input IN --out OUT …rest`: the command most CLI tests run. */
export function scoreArgs(input: string, out: string, ...rest: string[]): string[] {
  return ['score', '--rubric', 'eii', '--input', input, '--out', out, ...rest];
}

/** Scores the shipped responses fixture offline (the lexicon judge) into DIR; returns the scores path. */
export async function scoreFixture(dir: string, rubric = 'eii'): Promise<string> {
  const out = join(dir, `${rubric}.scores.jsonl`);
  const r = await runCli(
    scoreArgs(join(ROOT, 'fixtures', 'responses.jsonl'), out).map((a) => (a === 'eii' ? rubric : a)),
  );
  if (r.code !== 0) throw new Error(`scoring the fixture failed: ${r.stderr}`);
  return out;
}
