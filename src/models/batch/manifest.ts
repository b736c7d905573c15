import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { assertNotAnInput } from '../../io/guard.js';

/**
 * The events of a batch run, one JSON object a line, appended and fsynced before the step they
 * record is taken further — so a process killed at any point leaves a manifest that says exactly
 * what the provider may hold:
 * - `run`: the run's id (tags its submissions) and the fingerprint of what it judges;
 * - `chunk`: a batch's requests were written to their file (`<out>.batch/<local>.jsonl`);
 * - `submitting`: the submission is about to be sent (if no `submitted` follows, the rerun looks
 *   for the batch at the provider before it submits again);
 * - `submitted`: the provider's batch id;
 * - `collected`: its results are in the cache, and its follow-up chunk (re-asks, retries) written.
 */
export type ManifestEvent =
  | { event: 'run'; run: string; fingerprint: string; time: string }
  | { event: 'chunk'; local: string; judge: string; count: number }
  | { event: 'submitting'; local: string; at: number }
  | { event: 'submitted'; local: string; batch_id: string }
  | { event: 'collected'; local: string; answered: number; failed: number; followup: string | null };

export interface ChunkState {
  local: string;
  judge: string;
  count: number;
  submittingAt?: number;
  batchId?: string;
  collected: boolean;
}

export class Manifest {
  readonly chunks = new Map<string, ChunkState>();
  private constructor(
    private readonly path: string,
    readonly runId: string,
  ) {}

  /**
   * Opens the manifest at `path`, replaying its events; a new one is started when there is none.
   * One written for other work (another rubric, judge or setting) is refused: its batches may still
   * be running, and this run would neither use nor collect them.
   */
  static open(path: string, fingerprint: string): Manifest {
    assertNotAnInput(path, 'the batch manifest');
    if (!existsSync(path)) {
      const m = new Manifest(path, randomBytes(8).toString('hex'));
      m.append({ event: 'run', run: m.runId, fingerprint, time: new Date().toISOString() });
      return m;
    }
    const events: ManifestEvent[] = [];
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (!text.trim()) return;
      try {
        events.push(JSON.parse(text) as ManifestEvent);
      } catch {
        // a line torn by a crash can only be the last one: what it recorded did not happen
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim()))
          throw new InputError(path, i + 1, 'this batch manifest line is not JSON (the file was edited?)');
      }
    });
    const head = events[0];
    if (head?.event !== 'run') throw new InputError(path, 1, 'not a plumb batch manifest');
    if (head.fingerprint !== fingerprint)
      throw new InputError(
        path,
        1,
        'this batch manifest belongs to another run (a different rubric, judge or setting); its batches may still be running. ' +
          'Give this run another --out, or remove the manifest and its .batch folder to start afresh',
      );
    const m = new Manifest(path, head.run);
    for (const e of events.slice(1)) m.apply(e);
    return m;
  }

  /** Records an event durably, then applies it. */
  append(event: ManifestEvent): void {
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(event)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.apply(event);
  }

  private apply(e: ManifestEvent): void {
    if (e.event === 'chunk') {
      this.chunks.set(e.local, { local: e.local, judge: e.judge, count: e.count, collected: false });
      return;
    }
    if (e.event === 'run') return;
    const chunk = this.chunks.get(e.local);
    if (!chunk) return;
    if (e.event === 'submitting') chunk.submittingAt = e.at;
    else if (e.event === 'submitted') chunk.batchId = e.batch_id;
    else chunk.collected = true;
  }

  /** The submission tag: which run and which chunk, for finding a batch after a crash. */
  tag(local: string): string {
    return `${this.runId}/${local}`;
  }
}
