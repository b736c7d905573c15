import { once } from 'node:events';
import {
  closeSync,
  createWriteStream,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { outputError } from './errors.js';
import { assertNotAnInput } from './guard.js';
import { readLockOwner, releaseLock, tryLock } from './lock.js';

/** Creates the folder an output goes in; a failure names the output. */
export async function ensureParent(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    // mkdir -p through a file reports EEXIST ("it already exists"): name the file instead
    const code = (err as NodeJS.ErrnoException).code;
    const file = code === 'EEXIST' || code === 'ENOTDIR' ? await fileInPath(dirname(path)) : null;
    if (file)
      throw new InputError(path, undefined, `cannot create its folder (${file} is a file, not a folder)`);
    throw outputError(path, err, 'cannot create its folder');
  }
}

/** The first part of a folder path that exists and is not a folder, if any. */
async function fileInPath(folder: string): Promise<string | null> {
  for (let p = folder; p !== dirname(p); p = dirname(p)) {
    const st = await stat(p).catch(() => null);
    if (st) return st.isDirectory() ? null : p;
  }
  return null;
}

/** Takes `<path>.lock`, or refuses (exit 2) when another live plumb run is writing `path`. */
export function lockOutput(path: string): string {
  const lockPath = `${path}.lock`;
  assertNotAnInput(lockPath, `the lock of ${path}`);
  let got: boolean;
  try {
    got = tryLock(lockPath);
  } catch (err) {
    throw outputError(lockPath, err);
  }
  if (!got) {
    const owner = readLockOwner(lockPath);
    throw new UsageError(
      `${path} is being written by another plumb run${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.started_at})` : ''}: ` +
        `wait for it to finish or choose another output (if no plumb run is active, remove ${lockPath})`,
    );
  }
  return lockPath;
}

/**
 * Writes lines to `<path>.partial` and renames it to `<path>` only on commit(), so an interrupted
 * or failed run never leaves a file that looks finished — and never removes or truncates an
 * existing `<path>` before the new one is complete. The output is locked for the run
 * (`<path>.lock`): a second run with the same output refuses instead of interleaving lines.
 *
 * Every line passes through the secret redactor on its way out. A write error (a full disk, a
 * vanished folder) is kept and thrown from the next write or from commit/abandon, naming the
 * file: a run never carries on, or exits 0, after its output stopped being written.
 */
export class AtomicLineWriter {
  readonly partialPath: string;
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private closed = false;
  private buffer = '';
  lines = 0;

  private constructor(
    readonly path: string,
    private readonly lockPath: string | null,
  ) {
    this.partialPath = `${path}.partial`;
    // 'wx' creates the file or fails: a symlink planted at <path>.partial is never followed
    this.stream = createWriteStream(this.partialPath, { encoding: 'utf8', flags: 'wx' });
    this.stream.on('error', (err) => {
      this.failure ??= outputError(this.partialPath, err);
    });
  }

  static async open(path: string, options: { lock?: boolean } = {}): Promise<AtomicLineWriter> {
    await refuseFolder(path);
    assertNotAnInput(path, path);
    assertNotAnInput(`${path}.partial`, `the unfinished copy of ${path}`);
    await ensureParent(path);
    const lockPath = options.lock === false ? null : lockOutput(path);
    // what an earlier, interrupted run left at <path>.partial is ours to replace (we hold the lock,
    // or — without one — the caller's own lock covers it); a symlink there is removed, not followed
    await unlink(`${path}.partial`).catch(() => {});
    const writer = new AtomicLineWriter(path, lockPath);
    try {
      await once(writer.stream, 'open');
    } catch (err) {
      if (lockPath) releaseLock(lockPath);
      throw outputError(writer.partialPath, err);
    }
    return writer;
  }

  /** The write error that stopped this writer, if any. */
  get error(): Error | null {
    return this.failure;
  }

  /**
   * Writes one line. Lines are gathered into ~64 KiB chunks (one system call per chunk, not per
   * line) and the stream is allowed to drain, so memory does not grow with the run.
   */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.lines += 1;
    this.buffer += `${redact(text)}\n`;
    if (this.buffer.length >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.buffer) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      try {
        await once(this.stream, 'drain'); // rejects when the stream errors instead
      } catch (err) {
        this.failure ??= outputError(this.partialPath, err);
      }
    }
    if (this.failure) throw this.failure;
  }

  /** Completes `<path>.partial` without publishing it (see commitTogether); throws on a write error. */
  async finish(): Promise<void> {
    await this.close();
  }

  /** Flushes what was written and leaves it at `<path>.partial`; the lock is released. */
  async abandon(): Promise<void> {
    try {
      await this.close();
    } finally {
      this.unlock();
    }
  }

  /** Completes `<path>.partial` and renames it over `<path>`; throws (naming the file) on any write error. */
  async commit(): Promise<void> {
    try {
      await this.close();
      try {
        await syncFile(this.partialPath);
        await rename(this.partialPath, this.path);
        await syncFolder(this.path);
      } catch (err) {
        throw outputError(this.path, err);
      }
    } finally {
      this.unlock();
    }
  }

  private unlock(): void {
    if (this.lockPath) releaseLock(this.lockPath);
  }

  private async close(): Promise<void> {
    if (this.closed) {
      if (this.failure) throw this.failure;
      return;
    }
    this.closed = true;
    if (!this.failure) {
      try {
        await this.flush();
      } catch {
        // kept in this.failure, thrown below
      }
    }
    if (this.failure) {
      // a failed stream never emits 'finish': waiting for it would hang, and an event loop left
      // empty would let the process exit 0. Destroy it and report the failure.
      this.stream.destroy();
      throw this.failure;
    }
    this.stream.end();
    try {
      await once(this.stream, 'finish');
    } catch (err) {
      this.failure ??= outputError(this.partialPath, err);
      throw this.failure;
    }
  }
}

/**
 * Writes a whole file atomically: to a temporary sibling first, then renamed over the target, so
 * the old content stays intact until the new one is complete. No temporary file survives a
 * failure; the error names the target.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await refuseFolder(path);
  assertNotAnInput(path, path);
  await ensureParent(path);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(redact(text), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncFolder(path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw outputError(path, err);
  }
}

/**
 * writeFileAtomic for plumb's own internal files, synchronously (the cache and the batch rounds
 * call it between synchronous file calls): a temporary sibling, fsynced unless `sync: false` (a
 * file that is rebuilt when lost, such as a cache index), renamed over the target. No temporary
 * file survives a failure; the error is the file system's, for the caller to word.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: { sync?: boolean } = {},
): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      if (options.sync !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Replaces several outputs of one run together: every new file is complete before any old one is
 * replaced, and the old files that belong to the run are removed first, so a crash in between
 * leaves either the old run whole, or no summary beside new results — never a stale summary
 * beside results it does not describe.
 */
export async function commitTogether(writers: AtomicLineWriter[]): Promise<void> {
  try {
    for (const w of writers) await w.finish(); // every new file complete, or nothing replaced
  } catch (err) {
    for (const w of writers) await w.abandon().catch(() => {});
    throw err;
  }
  for (const w of writers.slice(1)) await rm(w.path, { force: true }).catch(() => {});
  for (const w of writers) await w.commit();
}

/**
 * Flushes a finished file to the disk before it is renamed into place: a rename survives a power
 * cut only if the data it points at does (kill -9 alone would not need it; a lost machine does).
 */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes the folder entry a rename changed; some file systems cannot, which is not an error. */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(dirname(path), 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on file systems whose folders cannot be synced: nothing more can be done
  } finally {
    await handle.close();
  }
}

/** An output path that is a folder is refused before anything is created beside it (no stray `.partial`). */
async function refuseFolder(path: string): Promise<void> {
  if ((await stat(path).catch(() => null))?.isDirectory())
    throw new InputError(path, undefined, 'is a folder: give a file name for this output');
}
