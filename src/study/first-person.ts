/**
 * GoalPref-Bench states goals and preferences in the second person ("You strongly prefer to keep
 * my lifestyle…"). The user's opening message needs the first person. GoalPref's own code asks an
 * LLM for the conversion; plumb does it deterministically, so an import is reproducible and free:
 * - "You strongly prefer to X"            → "I'd really rather X"
 * - "You strongly prefer your/the NP to V" → "I'd really like my/the NP to V"
 * - "You strongly prefer NP"               → "I'd really prefer NP"
 * with second-person pronouns in the rest turned to the first person. (All 250 released
 * preferences fall under these three patterns.)
 */

const OBJECT_AFTER =
  '(to|for|with|at|about|from|of|by|on|help|helps|let|lets|make|makes|tell|tells|give|gives|show|shows|ask|asks|keep|keeps|push|pushes|support|supports|encourage|encourages)';

/** Second-person pronouns to first person: your → my, you are → I am, for you → for me, you → I. */
export function toFirstPerson(text: string): string {
  const keepCase = (from: string, to: string) =>
    from[0] === from[0]!.toUpperCase() ? to[0]!.toUpperCase() + to.slice(1) : to;
  return text
    .replace(/\b(you)\s+are\b/gi, (_, y: string) => keepCase(y, 'I am'))
    .replace(
      /\byou'(re|ve|ll|d)\b/gi,
      (_, s: string) => `I'${{ re: 'm', ve: 've', ll: 'll', d: 'd' }[s.toLowerCase() as 're']}`,
    )
    .replace(/\byourself\b/gi, (m) => keepCase(m, 'myself'))
    .replace(/\byours\b/gi, (m) => keepCase(m, 'mine'))
    .replace(/\byour\b/gi, (m) => keepCase(m, 'my'))
    .replace(new RegExp(`\\b${OBJECT_AFTER}\\s+you\\b`, 'gi'), (_, w: string) => `${w} me`)
    .replace(/\byou\b/gi, 'I');
}

const PREFER_TO = /^you\s+(?:strongly\s+|really\s+)?prefer\s+to\s+(.+)$/i;
const PREFER_NP_TO =
  /^you\s+(?:strongly\s+|really\s+)?prefer\s+((?:your|the|a|an|my|their|his|her)\s+.+?)\s+to\s+(.+)$/i;
const PREFER = /^you\s+(?:strongly\s+|really\s+)?prefer\s+(.+)$/i;

/** The user's opening statement from a GoalPref preference: "I'd really rather X." */
export function preferenceToFirstPerson(preference: string): string {
  const text = preference.trim();
  let m = PREFER_TO.exec(text);
  if (m) return `I'd really rather ${toFirstPerson(m[1]!)}`;
  m = PREFER_NP_TO.exec(text);
  if (m) return `I'd really like ${toFirstPerson(m[1]!)} to ${toFirstPerson(m[2]!)}`;
  m = PREFER.exec(text);
  if (m) return `I'd really prefer ${toFirstPerson(m[1]!)}`;
  return /^you\b/i.test(text) ? toFirstPerson(text) : text;
}

/**
 * The clause a reply addressed to the user can use, still in the second person: "You strongly
 * prefer to keep your lifestyle." → "keep your lifestyle"; "You genuinely want to pay off your
 * debt." → "pay off your debt".
 */
export function clauseOf(statement: string): string {
  return statement
    .trim()
    .replace(/^you\s+(?:genuinely\s+|strongly\s+|really\s+)?(?:want|prefer)\s+(?:to\s+)?/i, '')
    .replace(/[.!?\s]+$/, '');
}
