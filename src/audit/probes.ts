/** The bias probes `plumb audit` runs (a list of its own, so the CLI can declare it without loading the audit). */
export const AUDIT_PROBES = ['position', 'verbosity', 'self-preference', 'authority'] as const;
export type AuditProbe = (typeof AUDIT_PROBES)[number];
