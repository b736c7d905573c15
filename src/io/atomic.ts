import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes lines to `<path>.partial` and renames to `<path>` only on commit(), so an interrupted or
 * failed run leaves a file that is plainly incomplete and never one that looks finished.
 * What was written stays in the .partial file: nothing already scored is lost.
 */
export class AtomicLineWriter {
  readonly partialPath: string;
  private readonly stream: WriteStream;
  private closed = false;
  private buffer = '';
  lines = 0;

  private constructor(readonly path: string) {
    this.partialPath = `${path}.partial`;
    this.stream = createWriteStream(this.partialPath, { encoding: 'utf8' });
  }

  static async open(path: string): Promise<AtomicLineWriter> {
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true });
    const writer = new AtomicLineWriter(path);
    await once(writer.stream, 'open');
    return writer;
  }

  /**
   * Writes one line. Lines are gathered into ~64 KiB chunks (one system call per chunk, not per
   * line) and the stream is allowed to drain, so memory does not grow with the run.
   */
  async write(text: string): Promise<void> {
    this.lines += 1;
    this.buffer += `${text}\n`;
    if (this.buffer.length >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buffer) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Flushes what was written and leaves it at `<path>.partial`. */
  async abandon(): Promise<void> {
    await this.close();
  }

  async commit(): Promise<void> {
    await this.close();
    await rename(this.partialPath, this.path);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Writes a whole file atomically: to a temporary sibling first, then renamed over the target. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}
