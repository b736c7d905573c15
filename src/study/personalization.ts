/**
 * none: no user information; profile: a persona (its written, first-person text); filler: neutral
 * text with the profile's token count (the length control); demographics: only the persona's
 * structured demographics; third-person: the persona's text in the third person (the paper's two
 * other robustness controls, defined in study/controls.ts); profile-plus (GoalPref-Bench's
 * Personalized+): the profile, and a challenger that speaks as the persona and draws on its life.
 * Each is its own label in every output line and summary.
 */
export const PERSONALIZATIONS = [
  'none',
  'profile',
  'filler',
  'demographics',
  'third-person',
  'profile-plus',
] as const;
export type Personalization = (typeof PERSONALIZATIONS)[number];

/** What `plumb generate` crosses: profile-plus needs a challenger, which only the probe has. */
export const GENERATE_PERSONALIZATIONS = [
  'none',
  'profile',
  'filler',
  'demographics',
  'third-person',
] as const;

/** The levels that show the model something drawn from the persona (all but none and filler). */
export const usesPersonaText = (p: Personalization) => p !== 'none' && p !== 'filler';
