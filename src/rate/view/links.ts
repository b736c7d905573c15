import { viewEngine } from './engine.js';

/**
 * Addresses into `plumb view` for the report: the part after `#` that shows the items behind an
 * aggregate figure (a condition's point, an unscored reason's bar, a condition's flip rate). They
 * work on the live page (append them to the address plumb view prints), in a static copy
 * (`view.html#…`) and as `plumb view RUN --filter '…'`.
 */
export function viewAddress(filters: Record<string, string>, sort?: string): string {
  const engine = viewEngine();
  const state = engine.parseState('');
  state.filters = Object.entries(filters).map(([field, value]) => ({ field, values: [value] }));
  if (sort) state.sort = sort;
  return engine.formatState(state);
}
