import { MismatchError, PlumbError } from '../../core/errors.js';
import { resolveRubric } from '../../rubrics/load.js';
import type { Rubric } from '../../rubrics/schema.js';
import { mergeShards } from '../../score/merge.js';
import type { MergeFlags } from '../specs/score.js';

/** `plumb merge OUT SHARDS...`: the shards of one score run, joined as an unsharded run writes them. */
export async function mergeCommand(out: string, shards: string[], flags: MergeFlags): Promise<void> {
  const rubric = async (stamp: { id: string; version: string; hash: string }): Promise<Rubric> => {
    let found: Rubric | null = null;
    try {
      found = (await resolveRubric(flags.rubric ?? `${stamp.id}@${stamp.version}`)) as Rubric;
    } catch (err) {
      if (!(err instanceof PlumbError)) throw err;
    }
    if (!found || found.hash !== stamp.hash)
      throw new MismatchError(
        `the summary needs the rubric the shards were scored with (${stamp.id}@${stamp.version}, sha256 ${stamp.hash.slice(0, 12)}…)${found ? `; ${flags.rubric ?? `${stamp.id}@${stamp.version}`} resolves to another (sha256 ${found.hash.slice(0, 12)}…)` : ', which cannot be found'}: pass it with --rubric PATH`,
      );
    return found;
  };
  const result = await mergeShards({ shards, out, summaryPath: flags.summary ?? null, rubric });
  process.stdout.write(
    `merged ${shards.length} shard(s): ${result.lines} line(s) in input order to ${out}${flags.summary ? `; summary: ${flags.summary}` : ''}\n`,
  );
}
