/**
 * The viewer's query engine: what a view's address means (`#q=…&role=advisor&independence=1..2&
 * sort=gold&item=…`) and which items, in which order, it selects from a run's columns. It is
 * written once, as plain JavaScript in ENGINE_SOURCE, and runs in two places: on the local server
 * (`plumb view`, over an index of up to millions of items) and inside the page of a static file
 * (`plumb view --static`, over the columns embedded in it). The two therefore select the same
 * items for the same address; a test holds them to it.
 *
 * The address (URL fragment, `--filter`) is `key=value` pairs joined by `&`, each part
 * URI-encoded:
 *   q=TEXT            full-text search (case- and whitespace-insensitive substring)
 *   item=ID           the item shown (a deep link)
 *   run=N             which of the runs given (0-based), compare=N another run of the same rubric
 *   sort=KEY[:asc]    file (the default), gold (judge–human gap), judges (judge–judge spread),
 *                     change (between the two runs), or any numeric column; largest first
 *   page=N            the page of the list (0-based)
 *   FIELD=V1,V2       a facet: the item's FIELD is one of the values (`(none)` for absent)
 *   FIELD=LO..HI      a range on a numeric column (either end may be left out: `overall=..2`)
 */

/** One run's columns, as the engine reads them (typed arrays on the server, plain arrays in the page). */
export interface Table {
  n: number;
  facets: Record<string, { values: string[]; codes: ArrayLike<number> }>;
  /** NaN (or null, in the page) is "no value". */
  nums: Record<string, ArrayLike<number | null>>;
}

export type Filter =
  | { field: string; values: string[] }
  | { field: string; lo: number | null; hi: number | null };

export interface ViewState {
  q: string;
  item: string | null;
  run: number;
  compare: number | null;
  sort: string;
  page: number;
  filters: Filter[];
}

export interface Selection {
  /** Items the filters and the search leave. */
  total: number;
  /** The first `need` of them, in the sort's order (item numbers). */
  order: number[];
  /** Filter fields the run has no column for: they match nothing, and the page says so. */
  unknown: string[];
}

export interface Engine {
  parseState(fragment: string): ViewState;
  formatState(state: ViewState): string;
  normalizeText(text: string): string;
  select(table: Table, state: ViewState, matches: Uint8Array | null, need: number): Selection;
  searchTexts(texts: readonly string[], q: string): Uint8Array;
}

/** The sort keys that are not columns of the run itself but derived for the view. */
export const DERIVED_SORTS = ['gold', 'judges', 'change'] as const;

export const ENGINE_SOURCE = String.raw`
const RESERVED = ['q', 'item', 'run', 'compare', 'sort', 'page', 'token'];
function decodePart(s) {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; }
}
function encodePart(s) {
  return encodeURIComponent(s).replace(/%3A/g, ':').replace(/%2F/g, '/').replace(/%40/g, '@');
}
function toInt(v, fallback) {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}
function parseState(fragment) {
  const s = { q: '', item: null, run: 0, compare: null, sort: 'file', page: 0, filters: [] };
  const text = String(fragment || '').replace(/^[#?]/, '');
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodePart(eq < 0 ? part : part.slice(0, eq)).trim();
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    const value = decodePart(raw);
    if (!key) continue;
    if (key === 'q') s.q = value;
    else if (key === 'item') s.item = value === '' ? null : value;
    else if (key === 'run') s.run = toInt(value, 0);
    else if (key === 'compare') s.compare = value === '' ? null : toInt(value, null);
    else if (key === 'sort') s.sort = value.trim() || 'file';
    else if (key === 'page') s.page = toInt(value, 0);
    else if (key === 'token') continue;
    else {
      const range = /^\s*(-?[0-9.]*(?:e-?[0-9]+)?)\s*\.\.\s*(-?[0-9.]*(?:e-?[0-9]+)?)\s*$/i.exec(value);
      if (range && (range[1] !== '' || range[2] !== '') &&
          (range[1] === '' || Number.isFinite(Number(range[1]))) &&
          (range[2] === '' || Number.isFinite(Number(range[2]))))
        s.filters.push({ field: key, lo: range[1] === '' ? null : Number(range[1]), hi: range[2] === '' ? null : Number(range[2]) });
      else if (raw !== '') s.filters.push({ field: key, values: raw.split(',').map(decodePart) });
    }
  }
  return s;
}
function formatState(s) {
  const parts = [];
  if (s.run) parts.push('run=' + s.run);
  if (s.compare !== null && s.compare !== undefined) parts.push('compare=' + s.compare);
  if (s.q) parts.push('q=' + encodePart(s.q));
  for (const f of s.filters) {
    if (f.values) parts.push(encodePart(f.field) + '=' + f.values.map(encodePart).join(','));
    else parts.push(encodePart(f.field) + '=' + (f.lo === null ? '' : f.lo) + '..' + (f.hi === null ? '' : f.hi));
  }
  if (s.sort && s.sort !== 'file') parts.push('sort=' + encodePart(s.sort));
  if (s.page) parts.push('page=' + s.page);
  if (s.item !== null && s.item !== undefined) parts.push('item=' + encodePart(s.item));
  return parts.join('&');
}
function normalizeText(t) {
  return String(t).toLowerCase().replace(/\s+/g, ' ').trim();
}
function searchTexts(texts, q) {
  const needle = normalizeText(q);
  const out = new Uint8Array(texts.length);
  for (let i = 0; i < texts.length; i++) if (texts[i].indexOf(needle) >= 0) out[i] = 1;
  return out;
}
function numberAt(col, i) {
  const v = col[i];
  return v === null || v === undefined || Number.isNaN(v) ? NaN : v;
}
function compileFilter(table, f, unknown) {
  const facet = table.facets[f.field];
  const nums = table.nums[f.field];
  if (f.values) {
    if (facet) {
      const wanted = new Uint8Array(facet.values.length);
      for (const v of f.values) { const k = facet.values.indexOf(v); if (k >= 0) wanted[k] = 1; }
      const codes = facet.codes;
      return (i) => wanted[codes[i]] === 1;
    }
    if (nums) {
      const set = f.values.map(Number).filter((x) => Number.isFinite(x));
      const none = f.values.indexOf('(none)') >= 0;
      return (i) => { const x = numberAt(nums, i); return Number.isNaN(x) ? none : set.indexOf(x) >= 0; };
    }
  } else if (nums) {
    const lo = f.lo === null ? -Infinity : f.lo;
    const hi = f.hi === null ? Infinity : f.hi;
    return (i) => { const x = numberAt(nums, i); return x >= lo && x <= hi; };
  }
  unknown.push(f.field);
  return () => false;
}
function sortColumn(table, sort) {
  if (!sort || sort === 'file') return null;
  const asc = /:asc$/.test(sort);
  const name = sort.replace(/:(asc|desc)$/, '');
  const col = table.nums[name];
  return col ? { col, asc } : null;
}
// worse(a, b): a comes after b in the order (NaN last, then file order)
function makeWorse(key) {
  if (!key) return (a, b) => a > b;
  const { col, asc } = key;
  return (a, b) => {
    const x = numberAt(col, a), y = numberAt(col, b);
    const xn = Number.isNaN(x), yn = Number.isNaN(y);
    if (xn !== yn) return xn;
    if (!xn && x !== y) return asc ? x > y : x < y;
    return a > b;
  };
}
function select(table, state, matches, need) {
  const unknown = [];
  const tests = state.filters.map((f) => compileFilter(table, f, unknown));
  const key = sortColumn(table, state.sort);
  if (state.sort && state.sort !== 'file' && !key) unknown.push('sort:' + state.sort);
  const worse = makeWorse(key);
  const heap = [];
  let total = 0;
  const keep = Math.max(0, need);
  const up = (k) => {
    while (k > 0) { const p = (k - 1) >> 1; if (worse(heap[k], heap[p])) { const t = heap[k]; heap[k] = heap[p]; heap[p] = t; k = p; } else break; }
  };
  const down = (k) => {
    for (;;) {
      const l = 2 * k + 1, r = l + 1; let m = k;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === k) break;
      const t = heap[k]; heap[k] = heap[m]; heap[m] = t; k = m;
    }
  };
  outer: for (let i = 0; i < table.n; i++) {
    if (matches && matches[i] !== 1) continue;
    for (let t = 0; t < tests.length; t++) if (!tests[t](i)) continue outer;
    total++;
    if (keep === 0) continue;
    if (!key) { if (heap.length < keep) heap.push(i); continue; }
    if (heap.length < keep) { heap.push(i); up(heap.length - 1); }
    else if (worse(heap[0], i)) { heap[0] = i; down(0); }
  }
  const order = heap.slice().sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
  return { total, order, unknown };
}
`;

let engine: Engine | null = null;

/** The engine on the server: the same source the page runs, evaluated once. */
export function viewEngine(): Engine {
  if (!engine) {
    // the page and the server must run one implementation, so the server evaluates the page's
    // source rather than a TypeScript twin of it
    const make = new Function(
      `${ENGINE_SOURCE}\nreturn { parseState, formatState, normalizeText, select, searchTexts };`,
    ) as () => Engine;
    engine = make();
  }
  return engine;
}
