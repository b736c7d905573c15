import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { identify, sameFile as same } from './guard.js';

/** A path named on the command line, with the flag that named it (for the message). */
export interface NamedPath {
  flag: string;
  path: string;
}

/** The files writing `path` may create beside it: the unfinished copy and the writer's lock. */
export function derivedNames(path: string): string[] {
  return [`${path}.partial`, `${path}.lock`];
}

/**
 * Refuses (exit 2) any output that is, or would overwrite, an input of the same command —
 * directly, through a symlink, or as a hard link, and through the names derived from it
 * (`<out>.partial`, `<out>.lock`) — and any two outputs that are the same file. Checked before
 * anything is written, so an output never destroys an input.
 */
export function refuseOutputsOverInputs(outputs: NamedPath[], inputs: NamedPath[]): void {
  const ins = inputs.filter((i) => i.path && i.path !== '-').map((i) => ({ ...i, id: identify(i.path) }));
  const outs = outputs.filter((o) => o.path).map((o) => ({ ...o, id: identify(o.path) }));
  for (const o of outs) {
    for (const written of [o.path, ...derivedNames(o.path)]) {
      const id = written === o.path ? o.id : identify(written);
      for (const i of ins) {
        if (!same(id, i.id)) continue;
        const via = written === o.path ? '' : ` (${o.flag} writes ${written} while it runs)`;
        const how = via || resolve(o.path) === resolve(i.path) ? '' : ` (both lead to ${i.id.real})`;
        throw new UsageError(
          `${o.flag} ${o.path} ${via ? 'would overwrite' : 'is the same file as'} ${i.flag} ${i.path}${how}${via}: an output never overwrites an input; choose another ${o.flag}`,
        );
      }
    }
  }
  outs.forEach((a, k) => {
    for (const b of outs.slice(k + 1)) {
      if (same(a.id, b.id))
        throw new UsageError(
          `${a.flag} ${a.path} and ${b.flag} ${b.path} are the same file: give them different paths`,
        );
    }
  });
}
