/**
 * none: no user information; profile: a persona in the system prompt; filler: neutral text with
 * the profile's token count (the length control); profile-plus (GoalPref-Bench's Personalized+):
 * the profile, and a challenger that speaks as the persona and draws on its life.
 */
export const PERSONALIZATIONS = ['none', 'profile', 'filler', 'profile-plus'] as const;
export type Personalization = (typeof PERSONALIZATIONS)[number];

/** What `plumb generate` crosses: profile-plus needs a challenger, which only the probe has. */
export const GENERATE_PERSONALIZATIONS = ['none', 'profile', 'filler'] as const;
