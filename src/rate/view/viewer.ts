import { createRequire } from 'node:module';
import { InputError, UsageError } from '../../core/errors.js';
import { isPairwise, resolveAnyRubric } from '../../rubrics/load.js';
import { type ItemDetail, itemDetail, type RubricInfo, rubricInfo } from './detail.js';
import { DERIVED_SORTS, type Table, type ViewState, viewEngine } from './engine.js';
import { type GoldSet, humanMeans, loadGold, scoreGap, verdictGap } from './gold.js';
import { openIndex, readItemLines, readTexts, searchIndex, type ViewIndex } from './index-file.js';
import { KIND_NAMES, type RunKind } from './kinds.js';
import { appendReview, type ReviewRequest, readReviews, reviewLine } from './reviews.js';
import { type RunSource, sourcesOf } from './sources.js';
import {
  SELECTION_NOTE,
  type Selection,
  sheetPrefixBeside,
  sheetRowsOf,
  writeTriageSheet,
} from './triage.js';

/**
 * One viewing session over the runs named on the command line: their indexes, rubrics, the gold
 * given with --gold and each run's reviews. The local server and the static file both answer the
 * page from here, through the same query engine the page itself carries.
 */

type Json = Record<string, unknown>;

export interface ViewerRun {
  source: RunSource;
  index: ViewIndex;
  kind: RunKind;
  built: boolean;
  notes: string[];
  rubric: RubricInfo | null;
  gold: GoldSet | null;
  reviews: Map<string, Json[]>;
  /** The run's columns with the derived ones (gold gap, reviewed, gold), for the engine. */
  table: Table;
}

export interface ViewerOptions {
  gold?: string;
  /** A rubric for anchors when the runs' own cannot be resolved (or for generated responses). */
  rubric?: string;
  rebuild?: boolean;
  rater: string;
  /** Called as each run's index is built or loaded, for the command's progress lines. */
  onIndex?: (run: ViewerRun) => void;
}

/** A row of the item list: what the list shows and sorts by, from the columns alone. */
export interface ListRow {
  n: number;
  id: string;
  facets: Record<string, string>;
  nums: Record<string, number | null>;
  reviews: number;
}

export interface Page {
  total: number;
  offset: number;
  rows: ListRow[];
  unknown: string[];
  state: string;
}

/** How many items a page of the list holds. */
export const PAGE_SIZE = 50;
/** Items a sheet made from a view may hold (more is not triage). */
export const MAX_SHEET_ITEMS = 5000;
/** Columns the list shows first when the run has them. */
const CONDITION_FACETS = ['role', 'personalization', 'model', 'judge', 'verdict', 'flipped', 'error'];

const version = () =>
  (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

async function rubricFor(
  source: RunSource,
  index: ViewIndex,
  override: string | undefined,
  notes: string[],
): Promise<RubricInfo | null> {
  const stamp = source.probeRun?.stance ?? index.header.rubric;
  const ref = override ?? (stamp ? `${stamp.id}@${stamp.version}` : null);
  if (!ref) return null;
  try {
    const r = await resolveAnyRubric(ref);
    if (!override && stamp && r.hash !== stamp.hash)
      notes.push(
        `${ref} here has other content than the rubric ${source.label} was judged with (sha256 ${stamp.hash.slice(0, 12)}…): its anchors may not be the ones the judge saw`,
      );
    if (index.kind === 'pairwise' && !isPairwise(r)) notes.push(`${ref} is not a pairwise rubric`);
    return rubricInfo(r);
  } catch (err) {
    if (override) throw err;
    notes.push(
      `the rubric ${ref} cannot be found here, so no anchor text is shown (${(err as Error).message})`,
    );
    return null;
  }
}

export class Viewer {
  readonly runs: ViewerRun[] = [];
  private readonly searches = new Map<string, Uint8Array>();
  private readonly idMaps = new Map<number, Map<string, number>>();
  private readonly changes = new Map<string, Float64Array>();
  readonly engine = viewEngine();

  private constructor(readonly options: ViewerOptions) {}

  static async open(args: string[], options: ViewerOptions): Promise<Viewer> {
    const v = new Viewer(options);
    const sources = args.flatMap((a) => sourcesOf(a));
    for (const source of sources) {
      const opened = openIndex(source.file, { rebuild: options.rebuild });
      const notes = opened.note ? [opened.note] : [];
      const index = opened.index;
      const rubric = await rubricFor(source, index, options.rubric, notes);
      const run: ViewerRun = {
        source,
        index,
        kind: index.kind,
        built: opened.built,
        notes,
        rubric,
        gold: null,
        reviews: readReviews(source.reviews, index.kind),
        table: { n: index.n, facets: { ...index.facets }, nums: { ...index.nums } },
      };
      v.runs.push(run);
      options.onIndex?.(run);
    }
    if (options.gold) {
      const first = v.runs[0]!;
      const gold = await loadGold(options.gold, first.kind);
      for (const run of v.runs) if (run.kind === first.kind) run.gold = gold;
    }
    let matched = 0;
    for (let r = 0; r < v.runs.length; r++) matched += v.derive(r);
    if (options.gold && matched === 0)
      throw new InputError(
        options.gold,
        undefined,
        'none of its ids is an item of the runs given: is it the gold of another run?',
      );
    return v;
  }

  /**
   * The derived columns of run `r`: gold (gap), gold.<criterion>, and the gold / reviewed facets.
   * Returns how many of its items have gold.
   */
  derive(r: number): number {
    const run = this.runs[r]!;
    const { index, table } = run;
    const n = index.n;
    const has = new Uint16Array(n);
    const reviewed = new Uint16Array(n);
    const gap = new Float64Array(n).fill(Number.NaN);
    const perCriterion: Record<string, Float64Array> = {};
    let matched = 0;
    if (run.reviews.size === 0 && !run.gold) {
      table.facets.reviewed = { values: ['no', 'yes'], codes: reviewed };
      return 0;
    }
    const ids = index.ids.all();
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (run.reviews.has(id)) reviewed[i] = 1;
      const ratings = run.gold?.byId.get(id);
      if (!ratings) continue;
      has[i] = 1;
      matched += 1;
      if (run.kind === 'pairwise') {
        const verdicts = index.facets.verdict;
        const v = verdicts ? verdicts.values[verdicts.codes[i]!]! : '(none)';
        gap[i] = verdictGap(v === '(none)' ? null : v, ratings) ?? Number.NaN;
      } else if (run.kind === 'probe') {
        const lines = readItemLines(index, i);
        const gaps: number[] = [];
        for (const l of lines) {
          const stance = (l.stance as { value?: unknown } | undefined)?.value;
          const means = humanMeans(ratings, Number(l.turn));
          if (typeof stance === 'number' && typeof means.stance === 'number')
            gaps.push(Math.abs(stance - means.stance));
        }
        if (gaps.length) gap[i] = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      } else {
        const { gap: g, byCriterion } = scoreGap((c) => {
          const col = index.nums[c];
          const x = col ? col[i]! : Number.NaN;
          return Number.isNaN(x) ? null : x;
        }, ratings);
        if (g !== null) gap[i] = g;
        for (const [c, x] of Object.entries(byCriterion)) {
          perCriterion[c] ??= new Float64Array(n).fill(Number.NaN);
          perCriterion[c]![i] = x;
        }
      }
    }
    table.facets.reviewed = { values: ['no', 'yes'], codes: reviewed };
    if (run.gold) {
      table.facets.gold = { values: ['no', 'yes'], codes: has };
      table.nums.gold = gap;
      for (const [c, col] of Object.entries(perCriterion)) table.nums[`gold.${c}`] = col;
    }
    return matched;
  }

  /** Item number of `id` in run `r`, or −1. */
  findId(r: number, id: string): number {
    const map = this.idMaps.get(r);
    if (map) return map.get(id) ?? -1;
    return this.runs[r]!.index.ids.indexOf(id);
  }

  private idMap(r: number): Map<string, number> {
    let map = this.idMaps.get(r);
    if (!map) {
      map = new Map();
      const ids = this.runs[r]!.index.ids.all();
      for (let i = 0; i < ids.length; i++) if (!map.has(ids[i]!)) map.set(ids[i]!, i);
      this.idMaps.set(r, map);
    }
    return map;
  }

  /** Runs `r` can be compared with: the same kind (score or pairwise) and the same rubric id. */
  comparable(r: number): number[] {
    const a = this.runs[r]!;
    if (a.kind !== 'score' && a.kind !== 'pairwise') return [];
    return this.runs
      .map((b, k) => ({ b, k }))
      .filter(
        ({ b, k }) => k !== r && b.kind === a.kind && b.index.header.rubric?.id === a.index.header.rubric?.id,
      )
      .map(({ k }) => k);
  }

  /** The change between run r and run c, per item of r: |Δ overall| (pairs: 1 when the verdict changed). */
  changeColumn(r: number, c: number): Float64Array {
    const key = `${r}:${c}`;
    let col = this.changes.get(key);
    if (col) return col;
    const a = this.runs[r]!.index;
    const b = this.runs[c]!.index;
    const map = this.idMap(c);
    const aIds = a.ids.all();
    col = new Float64Array(a.n).fill(Number.NaN);
    if (a.kind === 'pairwise') {
      const va = a.facets.verdict;
      const vb = b.facets.verdict;
      for (let i = 0; i < a.n; i++) {
        const j = map.get(aIds[i]!);
        if (j === undefined || !va || !vb) continue;
        const x = va.values[va.codes[i]!]!;
        const y = vb.values[vb.codes[j]!]!;
        if (x !== '(none)' && y !== '(none)') col[i] = x === y ? 0 : 1;
      }
    } else {
      const oa = a.nums.overall;
      const ob = b.nums.overall;
      for (let i = 0; i < a.n; i++) {
        const j = map.get(aIds[i]!);
        if (j === undefined || !oa || !ob) continue;
        const d = Math.abs(oa[i]! - ob[j]!);
        if (!Number.isNaN(d)) col[i] = d;
      }
    }
    this.changes.set(key, col);
    return col;
  }

  /** The table the engine selects from for a view: the run's columns, and `change` when comparing. */
  tableFor(state: ViewState): Table {
    const run = this.runs[state.run];
    if (!run) throw new UsageError(`there is no run ${state.run} (runs 0–${this.runs.length - 1})`);
    if (state.compare === null || !this.comparable(state.run).includes(state.compare)) return run.table;
    return { ...run.table, nums: { ...run.table.nums, change: this.changeColumn(state.run, state.compare) } };
  }

  /** Items whose text holds `q`, remembered for the next page of the same search. */
  matches(r: number, q: string): Uint8Array | null {
    if (!q.trim()) return null;
    const key = `${r}\u0000${this.engine.normalizeText(q)}`;
    let m = this.searches.get(key);
    if (!m) {
      m = searchIndex(this.runs[r]!.index, q);
      this.searches.set(key, m);
      if (this.searches.size > 8) this.searches.delete(this.searches.keys().next().value!);
    }
    return m;
  }

  /** The search text of some items of run `r` (for a static file). */
  texts(r: number, which: readonly number[]): string[] {
    return readTexts(this.runs[r]!.index, which);
  }

  /** One page of the list for a view's address. */
  list(fragment: string, offset = 0, limit = PAGE_SIZE): Page {
    const state = this.engine.parseState(fragment);
    const table = this.tableFor(state);
    const sel = this.engine.select(table, state, this.matches(state.run, state.q), offset + limit);
    return {
      total: sel.total,
      offset,
      rows: sel.order.slice(offset).map((i) => this.row(state.run, i, table)),
      unknown: sel.unknown,
      state: this.engine.formatState(state),
    };
  }

  /** A list row from the columns. */
  row(r: number, i: number, table: Table = this.runs[r]!.table): ListRow {
    const run = this.runs[r]!;
    const facets: Record<string, string> = {};
    for (const f of CONDITION_FACETS) {
      const col = table.facets[f];
      if (col) facets[f] = col.values[col.codes[i]!]!;
    }
    const nums: Record<string, number | null> = {};
    const wanted = [
      'overall',
      ...(run.rubric?.criteria.map((c) => c.name) ?? run.index.header.criteria),
      ...DERIVED_SORTS,
      'flip_turn',
      'cost',
    ];
    for (const k of wanted) {
      const col = table.nums[k];
      if (!col) continue;
      const x = col[i];
      nums[k] = x === null || x === undefined || Number.isNaN(x) ? null : x;
    }
    return {
      n: i,
      id: run.index.ids.get(i),
      facets,
      nums,
      reviews: run.reviews.size ? (run.reviews.get(run.index.ids.get(i))?.length ?? 0) : 0,
    };
  }

  /** Everything the page shows of one item, with gold, reviews and the compared run's version of it. */
  item(r: number, key: { n?: number; id?: string }, compare: number | null = null): Json {
    const run = this.runs[r];
    if (!run) throw new UsageError(`there is no run ${r}`);
    const i =
      key.n !== undefined && key.n >= 0 && key.n < run.index.n
        ? key.n
        : key.id !== undefined
          ? this.findId(r, key.id)
          : -1;
    if (i < 0) throw new UsageError(`no item ${key.id ?? key.n} in ${run.source.label}`);
    const lines = readItemLines(run.index, i);
    const id = run.index.ids.get(i);
    const other =
      compare !== null && this.comparable(r).includes(compare) ? this.idMap(compare).get(id) : undefined;
    let compared: ItemDetail | null = null;
    if (other !== undefined && compare !== null) {
      const c = this.runs[compare]!;
      compared = itemDetail(c.kind, readItemLines(c.index, other), c.rubric);
    }
    const gold = run.gold?.byId.get(id) ?? [];
    return {
      run: r,
      n: i,
      id,
      line: run.index.line[i],
      detail: itemDetail(run.kind, lines, run.rubric),
      gold: run.gold ? { file: run.gold.file, ratings: gold, means: humanMeans(gold) } : null,
      reviews: run.reviews.get(id) ?? [],
      compare: compared ? { run: compare, label: this.runs[compare!]!.source.label, detail: compared } : null,
    };
  }

  /** Records a review of an item of run `r` (appended and fsynced); returns the line. */
  review(r: number, req: ReviewRequest): Json {
    const run = this.runs[r];
    if (!run) throw new UsageError(`there is no run ${r}`);
    const key = run.kind === 'probe' ? req.id.replace(/\|t\d+$/, '') : req.id;
    const i = this.findId(r, key);
    if (i < 0) throw new UsageError(`no item ${req.id} in ${run.source.label}`);
    const lines = readItemLines(run.index, i);
    const line = reviewLine(req, {
      kind: run.kind,
      lines,
      rubric: run.rubric,
      run: { file: run.source.file, sha256: run.index.header.source.sha256, line: run.index.line[i]! },
    });
    appendReview(run.source.reviews, line);
    if (!run.reviews.has(key)) run.reviews.set(key, []);
    run.reviews.get(key)!.push(line);
    const reviewed = run.table.facets.reviewed!.codes as Uint16Array;
    reviewed[i] = 1;
    return line;
  }

  /**
   * Triage: writes the items of a view (at most `max`, in the view's order) as a rating sheet —
   * beside the run under `name` (from the page), or at `prefix` (from the command line).
   */
  async sheet(
    fragment: string,
    where: { name: string } | { prefix: string },
    max = MAX_SHEET_ITEMS,
  ): Promise<{
    csv: string;
    jsonl: string;
    rows: number;
    items: number;
    matching: number;
    selection: Selection;
  }> {
    const state = this.engine.parseState(fragment);
    const run = this.runs[state.run];
    if (!run) throw new UsageError(`there is no run ${state.run}`);
    const take = Math.min(Math.max(1, Math.floor(max)), MAX_SHEET_ITEMS);
    const table = this.tableFor(state);
    const sel = this.engine.select(table, state, this.matches(state.run, state.q), take);
    if (sel.unknown.length)
      throw new UsageError(`the view names ${sel.unknown.join(', ')}, which this run has no column for`);
    const prefix = 'name' in where ? sheetPrefixBeside(run.source.file, where.name) : where.prefix;
    const criteria =
      run.kind === 'pairwise'
        ? ['verdict']
        : run.kind === 'probe'
          ? ['stance']
          : (run.rubric?.criteria.map((c) => c.name) ?? run.index.header.criteria);
    if (!criteria.length)
      throw new UsageError(
        `${run.source.label} has no criteria to rate: give --rubric to say what raters rate`,
      );
    const selection: Selection = {
      method: 'viewer-filter',
      filter: this.engine.formatState({ ...state, item: null, page: 0 }),
      run: run.source.file,
      sha256: run.index.header.source.sha256,
      chosen: sel.order.length,
      matching: sel.total,
      by: this.options.rater,
      time: new Date().toISOString(),
      random: false,
      note: SELECTION_NOTE,
    };
    const stance = run.rubric
      ? { id: run.rubric.id, version: run.rubric.version, hash: run.rubric.hash }
      : null;
    const rows = sel.order.flatMap((i) =>
      sheetRowsOf(run.kind, readItemLines(run.index, i), selection, stance),
    );
    const written = await writeTriageSheet(prefix, rows, criteria);
    return { ...written, items: sel.order.length, matching: sel.total, selection };
  }

  /** What the page is told once: the runs, their columns' facets and ranges, rubrics, gold and limits. */
  session(mode: 'live' | 'static'): Json {
    return {
      mode,
      plumb: version(),
      rater: this.options.rater,
      page_size: PAGE_SIZE,
      selection_note: SELECTION_NOTE,
      runs: this.runs.map((run, r) => {
        const table = run.table;
        return {
          label: run.source.label,
          file: run.source.file,
          kind: run.kind,
          kind_name: KIND_NAMES[run.kind],
          n: run.index.n,
          sha256: run.index.header.source.sha256,
          index: { path: run.index.path, built: run.built, built_at: run.index.header.built_at },
          notes: run.notes,
          variant: run.source.variant,
          rubric: run.rubric,
          stamp: run.index.header.rubric,
          judge: run.index.header.judge,
          criteria: run.rubric?.criteria.map((c) => c.name) ?? run.index.header.criteria,
          facets: Object.entries(table.facets)
            .map(([name, f]) => {
              // the run's own facets were counted when the index was built; derived ones are counted now
              let counts = name === 'reviewed' ? undefined : run.index.header.facets[name]?.counts;
              if (!counts) {
                counts = new Array<number>(f.values.length).fill(0);
                for (let i = 0; i < table.n; i++) counts[f.codes[i]!]! += 1;
              }
              const c = counts;
              return {
                name,
                values: f.values.map((v, k) => [v, c[k] ?? 0] as [string, number]).filter(([, x]) => x > 0),
              };
            })
            .filter((f) => f.values.length > 1 || f.name === 'error')
            .sort((a, b) => a.name.localeCompare(b.name)),
          nums: Object.entries(table.nums).map(([name, col]) => {
            const known = run.index.header.nums[name];
            if (known) return { name, min: known.min, max: known.max, count: known.count };
            let min: number | null = null;
            let max: number | null = null;
            let count = 0;
            for (let i = 0; i < table.n; i++) {
              const x = col[i];
              if (x === null || x === undefined || Number.isNaN(x)) continue;
              count += 1;
              if (min === null || x < min) min = x;
              if (max === null || x > max) max = x;
            }
            return { name, min, max, count };
          }),
          comparable: this.comparable(r),
          gold: run.gold ? { file: run.gold.file, raters: run.gold.raters, items: run.gold.byId.size } : null,
          reviews: { file: run.source.reviews, items: run.reviews.size },
        };
      }),
    };
  }
}
