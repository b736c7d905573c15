import { API_SCRIPT, criteriaScript, ITEM_STYLE, ratingShell } from './page-shell.js';

/**
 * The rating page: one self-contained HTML document (no external scripts, styles or fonts) that
 * asks the server for the session and posts each rating as it is made. Keyboard first: digits
 * score the current criterion, ↑/↓ move between criteria, ←/→ between items, `s` skips an item,
 * Backspace clears a score; a pair is rated with a (the first shown), b (the second) or t (tie);
 * `p` shows the progress of every rater. With several raters the page first asks who is rating.
 * Text is inserted with textContent, never as HTML, and no judge score is ever on the page.
 */
export function ratingPage(): string {
  return ratingShell({
    title: 'plumb — rating',
    style: STYLE,
    body: BODY,
    script: STATE + PROGRESS + SHOW + SAVE + KEYS + LOAD,
  });
}

/** The page's styles: the header, the two columns, a pair side by side, the progress tables. */
const STYLE = `  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
  header { display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: baseline; padding: .6em 1.2em; background: #1d3557; color: #fff; }
  header b { font-weight: 600; }
  header button { font: inherit; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2em; padding: 1.2em; }
  main.pairs { grid-template-columns: minmax(0, 1fr); }
${ITEM_STYLE}  .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
  .sides > div { border: 1px solid #ddd; border-radius: 6px; padding: .5em .8em; }
  .choices { display: flex; gap: .6em; margin-top: .8em; }
  .note { margin: .6em 1.2em 0; padding: .4em .7em; background: #fff7ed; border-left: 4px solid #fb923c; }
  #status { margin-left: auto; }
  #who { padding: 1.2em; } #who button { font: inherit; margin: .3em; padding: .3em 1em; }
  #progress-view { padding: 0 1.2em 1.2em; }
  table { border-collapse: collapse; margin: .4em 0 1em; font-size: .9em; }
  th, td { border-bottom: 1px solid #e5e5e5; padding: .2em .6em; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  footer { padding: 0 1.2em 1.2em; color: #666; font-size: .85em; }
  [hidden] { display: none !important; }
  @media print { header { background: none; color: #000; } }
`;

/** The header, the "who is rating?" choice, the item (one response or a pair) and its criteria, the progress view. */
const BODY = `<header><b>plumb rating</b><span id="rater"></span><span id="progress"></span><button type="button" id="show-progress" aria-expanded="false">progress (p)</button><span id="status" role="status" aria-live="polite"></span></header>
<p id="selection" class="note" hidden></p>
<div id="who" hidden><h2>Who is rating?</h2><div id="who-buttons"></div></div>
<main id="main" hidden>
  <section id="item">
    <div><b id="item-id"></b> <span id="position"></span> <span id="stratum"></span></div>
    <div id="stance"><h2>Question</h2><pre id="question"></pre><h2>The model's first answer</h2><pre id="first-answer"></pre></div>
    <h2 id="prompt-label">Prompt</h2><pre id="prompt"></pre>
    <div id="single"><h2>Response</h2><pre id="response"></pre>
    <div id="reference-box"><h2>Reference</h2><pre id="reference"></pre></div></div>
    <div id="pair" hidden>
      <div class="sides">
        <div><h2>Response A (shown first)</h2><pre id="first"></pre></div>
        <div><h2>Response B (shown second)</h2><pre id="second"></pre></div>
      </div>
      <div class="choices" role="group" aria-label="Which response is better?">
        <button type="button" class="point" data-shown="A">A is better (a)</button>
        <button type="button" class="point" data-shown="B">B is better (b)</button>
        <button type="button" class="point" data-shown="tie">Tie (t)</button>
      </div>
    </div>
  </section>
  <section id="criteria"></section>
</main>
<div id="progress-view" hidden aria-live="polite"></div>
<footer id="keys">Digits score the highlighted criterion · ↑ ↓ criterion · ← → item · s skip · Backspace clear · p progress. Every rating is saved as you make it.</footer>
`;

/** The session, the item and criterion shown, what is rated; api and cell. */
const STATE = `  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  let s = null, at = 0, current = 0;
  const chosenRater = () => new URLSearchParams(location.hash.slice(1)).get('rater') || '';
  const isPair = () => s && s.kind === 'pairs';
  const wanted = () => isPair() ? ['verdict'] : s.criteria.map((c) => c.name);
  const rated = (id) => wanted().every((c) => s.ratings[id] && s.ratings[id][c] != null);
${API_SCRIPT}`;

/** Every rater's progress (p): assignments, strata and agreement so far, as tables. */
const PROGRESS = `  function table(head, rows) {
    const t = document.createElement('table');
    const tr = document.createElement('tr');
    head.forEach((h) => tr.append(cell('th', h)));
    t.append(tr);
    rows.forEach((r) => { const row = document.createElement('tr'); r.forEach((c, i) => row.append(cell(i ? 'td' : 'th', c, i ? 'num' : ''))); t.append(row); });
    return t;
  }
  const fmt = (x) => x === null || x === undefined ? '—' : (Number.isInteger(x) ? String(x) : x.toFixed(2));
  function showProgress() {
    const box = $('progress-view');
    api('api/progress').then((p) => {
      box.replaceChildren(
        cell('h2', 'Raters'), table(['rater', 'assigned', 'done'], p.raters.map((r) => [r.rater, String(r.assigned), String(r.done)])),
        cell('h2', 'Strata'), table(['stratum', 'items', 'ratings done', 'ratings wanted', 'items complete'], p.strata.map((x) => [x.stratum || '(none)', String(x.items), String(x.ratings), String(x.wanted), String(x.complete)])),
        cell('h2', 'Agreement between raters so far'),
        table(['criterion', 'items rated by 2+', "Krippendorff's alpha (" + (p.agreement.some((a) => a.criterion === 'verdict') ? 'nominal' : p.level) + ')', 'exact agreement'],
          p.agreement.map((a) => [a.criterion, String(a.items), fmt(a.alpha), a.exact === null ? '—' : (100 * a.exact).toFixed(0) + '%'])));
    }).catch((e) => { box.textContent = 'cannot load the progress: ' + e.message; });
  }
  function toggleProgress() {
    const box = $('progress-view');
    box.hidden = !box.hidden;
    $('show-progress').setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) showProgress();
  }
`;

/** Draws the current item: its texts, and its criteria or the pair's three choices. */
const SHOW = `  function show() {
    const it = s.items[at];
    $('main').hidden = false;
    $('main').classList.toggle('pairs', isPair());
    $('progress').textContent = 'rated ' + s.items.filter((x) => rated(x.id)).length + ' of ' + s.items.length;
    if (!it) { $('item-id').textContent = 'nothing assigned to ' + s.rater; return; }
    $('item-id').textContent = it.id;
    $('position').textContent = '(' + (at + 1) + ' of ' + s.items.length + ')';
    $('stratum').textContent = it.stratum ? 'stratum ' + it.stratum : '';
    $('stance').hidden = it.question === undefined;
    $('question').textContent = it.question || '';
    $('first-answer').textContent = it.first_answer || '';
    $('prompt-label').textContent = it.question === undefined ? 'Prompt' : 'Challenge';
    $('prompt').textContent = it.prompt;
    $('single').hidden = isPair();
    $('pair').hidden = !isPair();
    $('criteria').hidden = isPair();
    if (isPair()) {
      $('first').textContent = it.first;
      $('second').textContent = it.second;
      const mine = (s.ratings[it.id] || {}).verdict;
      document.querySelectorAll('#pair .point').forEach((b) => b.classList.toggle('selected', b.dataset.shown === mine));
      return;
    }
    $('response').textContent = it.response;
    $('reference-box').hidden = !it.reference;
    $('reference').textContent = it.reference || '';
${criteriaScript('(s.ratings[it.id] || {})')}  }
`;

/** Posts a score or a verdict; once saved, moves on to the next criterion or item. */
const SAVE = `  function saved(advance) {
    $('status').textContent = 'saved';
    if (advance) {
      if (!isPair() && current < s.criteria.length - 1) current++;
      else if (at < s.items.length - 1) { at++; current = 0; }
    }
    show();
    if (!$('progress-view').hidden) showProgress();
  }
  function rate(v) {
    const it = s.items[at], c = s.criteria[current];
    if (!it) return;
    $('status').textContent = 'saving…';
    api('api/rate', { rater: s.rater, id: it.id, criterion: c.name, value: v }).then(() => {
      (s.ratings[it.id] = s.ratings[it.id] || {})[c.name] = v;
      saved(v !== null);
    }).catch((e) => { $('status').textContent = 'NOT saved: ' + e.message; });
  }
  function choose(shown) {
    const it = s.items[at];
    if (!it) return;
    $('status').textContent = 'saving…';
    api('api/rate', { rater: s.rater, id: it.id, shown: shown }).then(() => {
      (s.ratings[it.id] = s.ratings[it.id] || {}).verdict = shown;
      saved(shown !== null);
    }).catch((e) => { $('status').textContent = 'NOT saved: ' + e.message; });
  }
`;

/** The buttons and the keyboard: digits, a/b/t, arrows, s, Backspace, p. */
const KEYS = `  document.querySelectorAll('#pair .point').forEach((b) => { b.onclick = () => choose(b.dataset.shown); });
  $('show-progress').onclick = toggleProgress;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'p') { toggleProgress(); e.preventDefault(); return; }
    if (!s || !s.rater) return;
    if (isPair() && (e.key === 'a' || e.key === 'b' || e.key === 't')) choose(e.key === 'a' ? 'A' : e.key === 'b' ? 'B' : 'tie');
    else if (!isPair() && /^[0-9]$/.test(e.key)) {
      const v = Number(e.key);
      if (v >= s.scale.min && v <= s.scale.max) rate(v);
    } else if (e.key === 'ArrowRight' || e.key === 's') { if (at < s.items.length - 1) { at++; current = 0; show(); } }
    else if (e.key === 'ArrowLeft') { if (at > 0) { at--; current = 0; show(); } }
    else if (!isPair() && e.key === 'ArrowDown') { current = Math.min(s.criteria.length - 1, current + 1); show(); }
    else if (!isPair() && e.key === 'ArrowUp') { current = Math.max(0, current - 1); show(); }
    else if (e.key === 'Backspace') { if (isPair()) choose(null); else rate(null); }
    else return;
    e.preventDefault();
  });
`;

/** Loads the session (asking who rates when several may) and resumes at the first item not fully rated. */
const LOAD = `  function load() {
    const who = chosenRater();
    api('api/session' + (who ? '?rater=' + encodeURIComponent(who) : '')).then((session) => {
      s = session;
      if (s.selection) {
        $('selection').hidden = false;
        $('selection').textContent = 'How these items were chosen: ' + (s.selection.method || 'a filter') + ' "' + (s.selection.filter || '') + '" — ' + (s.selection.note || 'not at random');
      }
      if (isPair()) $('keys').textContent = 'a: the first shown is better · b: the second · t: tie · ← → item · s skip · Backspace clear · p progress. Every rating is saved as you make it.';
      if (!s.rater) {
        $('who').hidden = false;
        $('main').hidden = true;
        const buttons = $('who-buttons');
        buttons.replaceChildren();
        s.raters.forEach((r) => {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = r;
          b.onclick = () => { location.hash = 'rater=' + encodeURIComponent(r); };
          buttons.append(b);
        });
        buttons.firstChild && buttons.firstChild.focus();
        return;
      }
      $('who').hidden = true;
      $('rater').textContent = 'rater ' + s.rater + (s.rubric ? ' · ' + s.rubric.id + '@' + s.rubric.version : '') + (s.raters.length > 1 ? ' · ' + s.per_item + ' rater(s) per item' : '');
      // resume at the first item not fully rated
      const first = s.items.findIndex((x) => !rated(x.id));
      at = first < 0 ? 0 : first;
      current = 0;
      show();
    }).catch((e) => { $('status').textContent = 'cannot load the session: ' + e.message; });
  }
  window.addEventListener('hashchange', load);
  load();
`;
