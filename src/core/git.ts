import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The git commit of the working directory and whether it has uncommitted changes, stamped in run
 * summaries so a number can be traced to the code and data that produced it. Null outside a
 * repository or without git.
 */
export function gitStamp(cwd = process.cwd()): Promise<{ commit: string; dirty: boolean } | null> {
  // asked once per folder per process: the stamp names the code this process runs, and two git
  // processes per run made a loop of small runs (an audit, a simulation) spend most of its time in git
  let stamp = stamps.get(cwd);
  if (!stamp) {
    stamp = readStamp(cwd);
    stamps.set(cwd, stamp);
  }
  return stamp;
}

const stamps = new Map<string, Promise<{ commit: string; dirty: boolean } | null>>();

async function readStamp(cwd: string): Promise<{ commit: string; dirty: boolean } | null> {
  try {
    const { stdout: commit } = await run('git', ['rev-parse', 'HEAD'], { cwd, timeout: 2_000 });
    const { stdout: status } = await run('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      timeout: 2_000,
    });
    return { commit: commit.trim(), dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}
