import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * No output, derived file or side file ever destroys an input. Commands check the paths they are
 * given up front (outputs.ts); this is the net under that check, for every route it cannot see —
 * a price table, a rubric path, a persona file, a scripted target, a file inside a folder another
 * command reads, a name derived from an output (`<out>.partial`, `<out>.lock`, side files).
 *
 * A run is a scope (`withRunScope`). Every file the run reads through plumb's readers is noted as
 * one of its inputs; every file it is about to create, replace, lock or remove is checked against
 * them first, by device and inode (so symlinks and hard links count) or, for a file not there
 * yet, by its real path. Outside a scope nothing is noted and nothing refused: a program that
 * reads a file in one call and writes it in a later one is not a run destroying its input.
 */

export interface Identity {
  real: string;
  dev?: number;
  ino?: number;
}

/** Where a path really leads: symlinks resolved, and the file's device/inode when it exists. */
export function identify(path: string): Identity {
  const abs = resolve(path);
  try {
    const st = statSync(abs);
    return { real: realpathSync(abs), dev: st.dev, ino: st.ino };
  } catch {
    // not there yet: resolve the folder it would be created in
    try {
      return { real: join(realpathSync(dirname(abs)), basename(abs)) };
    } catch {
      return { real: abs };
    }
  }
}

export function sameFile(a: Identity, b: Identity): boolean {
  if (a.dev !== undefined && b.dev !== undefined) return a.dev === b.dev && a.ino === b.ino; // hard links too
  return a.real === b.real;
}

interface RunScope {
  inputs: { path: string; id: Identity }[];
  seen: Set<string>;
  /** Reading one of the run's own outputs (to see what it holds before replacing it): not an input. */
  inspecting?: boolean;
}

const scopes = new AsyncLocalStorage<RunScope>();

/** Runs `fn` as one run whose inputs nothing it writes may replace (nested calls join the outer run). */
export function withRunScope<T>(fn: () => Promise<T>): Promise<T> {
  if (scopes.getStore()) return fn();
  return scopes.run({ inputs: [], seen: new Set() }, fn);
}

/**
 * Runs `fn`, which reads one of the run's own outputs — what a rating sheet about to be replaced
 * holds — without making it an input the run may not then replace.
 */
export function inspectingOutput<T>(fn: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore();
  return scope ? scopes.run({ ...scope, inspecting: true }, fn) : fn();
}

/** Notes that the current run reads `path` (called by plumb's file readers). */
export function noteInput(path: string): void {
  const scope = scopes.getStore();
  if (!scope || scope.inspecting || !path || path === '-') return;
  const abs = resolve(path);
  if (scope.seen.has(abs)) return;
  scope.seen.add(abs);
  const id = identify(abs);
  if (id.dev === undefined) return; // not there: the reader reports it
  scope.inputs.push({ path, id });
}

/**
 * Refuses (exit 2) to create, replace, lock or remove `path` when it is a file the current run
 * has read. `what` says which output it belongs to (`--out runs/x.jsonl`, "the lock of …").
 */
export function assertNotAnInput(path: string, what: string): void {
  const scope = scopes.getStore();
  if (!scope || scope.inputs.length === 0) return;
  const id = identify(path);
  for (const input of scope.inputs) {
    // a path where nothing is yet matches an input only if the input is still there: one the run
    // itself moved aside (gold sample --force) leaves its old name free for the new file
    if (id.dev === undefined) {
      const now = identify(input.path);
      if (now.dev !== input.id.dev || now.ino !== input.id.ino) continue;
    }
    if (sameFile(id, input.id))
      throw new UsageError(
        `${what} would write ${path}, which is an input of this run (${input.path}): an output never overwrites an input; choose another output path`,
      );
  }
}
