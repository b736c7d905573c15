/** The paper's design: role × personalization, read from an item's metadata. */
export interface Condition {
  role: string;
  personalization: string;
}

export const UNSPECIFIED = 'unspecified';

export function conditionOf(metadata: Record<string, unknown>): Condition {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : UNSPECIFIED);
  return { role: str(metadata.role), personalization: str(metadata.personalization) };
}

export function conditionKey(c: Condition): string {
  return `${c.role}/${c.personalization}`;
}

const ROLE_ORDER = ['advisor', 'peer'];
const PERS_ORDER = ['none', 'profile', 'filler', 'profile-plus'];

/** Sorts conditions in the design's order (advisor before peer; none, profile, filler), others last. */
export function compareConditions(a: Condition, b: Condition): number {
  const rank = (order: string[], v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
  return (
    rank(ROLE_ORDER, a.role) - rank(ROLE_ORDER, b.role) ||
    a.role.localeCompare(b.role) ||
    rank(PERS_ORDER, a.personalization) - rank(PERS_ORDER, b.personalization) ||
    a.personalization.localeCompare(b.personalization)
  );
}

/** An item's cluster: its `metadata.group` (several responses to one prompt), when it has one. */
export function groupOf(metadata: Record<string, unknown> | undefined): string | null {
  const g = metadata?.group;
  return typeof g === 'string' || typeof g === 'number' ? String(g) : null;
}
