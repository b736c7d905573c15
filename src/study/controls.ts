import { UsageError } from '../core/errors.js';
import { type Persona, personaText } from './inputs.js';

/**
 * The paper's robustness controls as personalization levels (Kelley & Riedl 2026, §3.2: neutral
 * text, demographics only, third person, against the first-person profile). The paper does not
 * say how it built them; these are plumb's definitions, deterministic and documented:
 *
 * - `demographics`: only the persona's structured demographics, one `Name: value` line each, in
 *   the record's own order, names spelled out (`employmentStatus` → `Employment status`). GoalPref-
 *   Bench's released personas carry them (`profile.profile.demographics`: age, gender, education,
 *   employmentStatus, socioeconomicStatus); a plumb JSONL persona may carry `profile.demographics`.
 *   A persona without them (one GoalPref persona is a bare text) is refused, never invented.
 * - `third-person`: the persona's own text with the first person turned into the singular
 *   "they" (I → they, me → them, my → their, mine → theirs, myself → themselves, I am / I'm →
 *   they are / they're, I was → they were, am I / was I → are they / were they, I've / I'd / I'll
 *   → they've / they'd / they'll), capitalised at the start of a sentence. "They" keeps every
 *   other verb as it is ("I find" → "they find"), so no verb has to be conjugated. A persona may
 *   carry its own third-person text (`third_person` in plumb's JSONL), which is used as it is.
 * - `filler` (study/roles.ts): neutral text with the profile's token count.
 */

/** The persona's structured demographics, or null. */
export function demographicsOf(p: Persona): Record<string, unknown> | null {
  const d = (p.profile as { demographics?: unknown }).demographics;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : null;
}

const spell = (key: string) => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** `demographics`: "Age: 18-24\nGender: Male\n…", or a refusal naming the persona. */
export function demographicsText(p: Persona): string {
  const d = demographicsOf(p);
  const lines = d
    ? Object.entries(d)
        .filter(([, v]) => v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
        .map(([k, v]) => `${spell(k)}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    : [];
  if (lines.length === 0)
    throw new UsageError(
      `persona ${p.id} has no structured demographics (profile.demographics): the demographics control needs them and plumb does not invent them — use personas that carry them, or leave demographics out`,
    );
  return lines.join('\n');
}

const APOS = "['’]";
const SUBJECT: [RegExp, string][] = [
  [new RegExp(`\\bI${APOS}m\\b`, 'g'), "they're"],
  [new RegExp(`\\bI(${APOS})(ve|d|ll)\\b`, 'g'), 'they$1$2'],
  [/\bI am\b/g, 'they are'],
  [/\bI was\b/g, 'they were'],
  [/\bam I\b/g, 'are they'],
  [/\bwas I\b/g, 'were they'],
  [/\bAm I\b/g, 'Are they'],
  [/\bWas I\b/g, 'Were they'],
  [/\bI\b/g, 'they'],
  [/\bmyself\b/gi, 'themselves'],
  [/\bmine\b/gi, 'theirs'],
  [/\bmy\b/gi, 'their'],
  [/\bme\b/gi, 'them'],
];

/** First person → singular "they", deterministic (see the module's note). */
export function toThirdPerson(text: string): string {
  let out = text;
  for (const [re, to] of SUBJECT) out = out.replace(re, to);
  // capitalise what now starts a sentence (the text, a line, or after . ! ? and a space or a quote)
  // (a quotation that opens inside a sentence starts a sentence too)
  return out.replace(
    /(^|[.!?]["'”’]?\s+|\n\s*|(?:^|\s)["“‘])(they|their|theirs|them|themselves)\b/g,
    (_, pre: string, w: string) => pre + w.charAt(0).toUpperCase() + w.slice(1),
  );
}

/** `third-person`: the persona's own third-person text, else its text rewritten. */
export function thirdPersonText(p: Persona): string {
  return p.third_person ?? toThirdPerson(personaText(p));
}

/**
 * Refuses, before anything is sent, a run whose controls cannot be built for some question: the
 * demographics control on a persona without structured demographics. Names the questions.
 */
export function assertControlsPossible(
  tasks: { question: { id: string }; persona: Persona | undefined; personalization: string }[],
): void {
  const missing = new Map<string, string[]>();
  for (const t of tasks)
    if (t.personalization === 'demographics' && t.persona && !demographicsOf(t.persona)) {
      const qs = missing.get(t.persona.id) ?? [];
      if (!qs.includes(t.question.id)) qs.push(t.question.id);
      missing.set(t.persona.id, qs);
    }
  if (missing.size === 0) return;
  const list = [...missing].map(
    ([p, qs]) => `${p} (drawn for ${qs.slice(0, 3).join(', ')}${qs.length > 3 ? ', …' : ''})`,
  );
  throw new UsageError(
    `the demographics control needs structured demographics (profile.demographics), and ${list.length === 1 ? 'persona' : 'personas'} ${list.join('; ')} ${list.length === 1 ? 'has' : 'have'} none: plumb does not invent them — use personas that carry them (e.g. fixtures/goalpref/personas-with-demographics.json), or leave demographics out. Nothing was sent.`,
  );
}
