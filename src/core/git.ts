import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The git commit of the working directory and whether it has uncommitted changes, stamped in run
 * summaries so a number can be traced to the code and data that produced it. Null outside a
 * repository or without git.
 */
export async function gitStamp(cwd = process.cwd()): Promise<{ commit: string; dirty: boolean } | null> {
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
