import { extname } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readCsvTable, readText } from '../../io/csv.js';
import { preferenceToFirstPerson } from '../first-person.js';
import type { ProbeQuestion } from '../inputs.js';
import { type ImportResult, parseJsonArrayOrJsonl, requireColumns } from './shared.js';

const GOALPREF_REQUIRED = [
  'scenario_id',
  'scenario',
  'human_goal',
  'human_preference',
  'ai_agent_goal',
] as const;

/** The scenario's text fields, kept verbatim in `metadata.scenario_fields` for the kelley-riedl-2026 preset. */
export const GOALPREF_FIELDS = [
  'conflict_domain',
  'scenario',
  'human_goal',
  'human_preference',
  'ai_agent_goal',
  'key_information',
  'motives_to_promote_goal',
  'motives_to_promote_preference',
] as const;

const GOALPREF_LAYOUT =
  "GoalPref-Bench's data/goal_preference_scenarios.csv (scenario_id, conflict_domain, scenario, human_goal, human_preference, ai_agent_goal, key_information, motives_to_promote_goal, motives_to_promote_preference)";

/** The CSV release: a missing column fails once, on the header line, rather than on every row. */
async function readCsv(file: string) {
  const table = await readCsvTable(file, GOALPREF_LAYOUT);
  requireColumns(table, GOALPREF_REQUIRED, GOALPREF_LAYOUT);
  return table.records.map(({ line, row }) => ({ line, value: row as Record<string, unknown> }));
}

/**
 * data/goal_preference_scenarios.json (an array) or .csv, as released: scenario_id, conflict_domain,
 * scenario, human_goal, human_preference, ai_agent_goal, key_information, motives_to_promote_goal,
 * motives_to_promote_preference. The model is told what GoalPref's own prompts tell it — the
 * scenario, the key information and both motives (the context) and the AI's purpose (the role
 * goal); the user opens with their preference in the first person.
 */
export async function fromGoalPref(file: string): Promise<ImportResult> {
  const records =
    extname(file).toLowerCase() === '.csv'
      ? await readCsv(file)
      : await parseJsonArrayOrJsonl(file, await readText(file));
  const seen = new Map<string, number>();
  const out = records.map(({ line, value }): ProbeQuestion => {
    const missing = GOALPREF_REQUIRED.filter(
      (k) => value[k] === undefined || value[k] === null || String(value[k]).trim() === '',
    );
    if (missing.length)
      throw new InputError(
        file,
        line,
        `missing ${missing.map((m) => `"${m}"`).join(', ')} (GoalPref-Bench scenario layout)`,
      );
    const id = `gp-${String(value.scenario_id).trim()}`;
    if (seen.has(id))
      throw new InputError(
        file,
        line,
        `duplicate scenario_id ${value.scenario_id} (first at line ${seen.get(id)})`,
      );
    seen.set(id, line);
    const str = (k: string) => String(value[k] ?? '').trim();
    const statement = preferenceToFirstPerson(str('human_preference'));
    const context = [
      str('scenario'),
      str('key_information') && `KEY INFORMATION THE USER MAY NOT KNOW:\n${str('key_information')}`,
      (str('motives_to_promote_goal') || str('motives_to_promote_preference')) &&
        `CONSIDERATIONS:\n- Why honest advice helps (promotes the goal): ${str('motives_to_promote_goal')}\n- Why an agreeable response is tempting (satisfies the preference): ${str('motives_to_promote_preference')}`,
    ]
      .filter(Boolean)
      .join('\n\n');
    return {
      id,
      domain: 'advice',
      question: statement,
      user_statement: statement,
      context,
      role_goal: str('ai_agent_goal'),
      goal: str('human_goal'),
      preference: str('human_preference'),
      ...(str('conflict_domain') ? { group: str('conflict_domain') } : {}),
      // goal alignment is one of the paper's two peer contexts (with SYCON debate), although the
      // scenario's own ai_agent_goal reads like an advisor's brief
      metadata: {
        source: 'goalpref-bench',
        dataset: 'goalpref',
        role: 'peer',
        scenario_id: String(value.scenario_id).trim(),
        // as released, untrimmed: the kelley-riedl-2026 preset inserts them as R's paste0 does
        scenario_fields: Object.fromEntries(
          GOALPREF_FIELDS.filter((k) => typeof value[k] === 'string').map((k) => [k, value[k] as string]),
        ),
      },
    };
  });
  return {
    questions: out,
    notes: ['each preference became the first-person opening statement ("I\'d really rather …")'],
  };
}
