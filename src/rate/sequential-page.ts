import { API_SCRIPT, criteriaScript, ITEM_STYLE, ratingShell } from './page-shell.js';

/**
 * The page of a sequential active session (`plumb rate SHEET --active`): one item at a time, the
 * one the active rule serves next; the current estimate with its anytime-valid interval above it;
 * and, when the session stops, what it found and why it stopped (the target half-width reached,
 * the budget spent, or every item rated). Keyboard first: digits score the highlighted criterion,
 * ↑/↓ move between criteria, Backspace clears. Text is inserted with textContent, never as HTML,
 * and no judge score is ever on the page.
 */
export function sequentialPage(): string {
  return ratingShell({ title: 'plumb — active rating', style: STYLE, body: BODY, script: SCRIPT });
}

/** The header, the estimate above the item, the closing message. */
const STYLE = `  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
  header { display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: baseline; padding: .6em 1.2em; background: #1d3557; color: #fff; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
  #estimate { padding: .6em 1.2em; background: #eef3f8; border-bottom: 1px solid #d5dde6; }
  #done { margin: 1.2em; padding: .8em 1em; background: #ecfdf5; border-left: 4px solid #059669; font-weight: 600; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2em; padding: 1.2em; }
${ITEM_STYLE}  #status { margin-left: auto; }
  footer { padding: 0 1.2em 1.2em; color: #666; font-size: .85em; }
  [hidden] { display: none !important; }
`;

/** The header, the estimate, the closing message, the item and its criteria. */
const BODY = `<header><b>plumb active rating</b><span id="rater"></span><span id="status" role="status" aria-live="polite"></span></header>
<div id="estimate" aria-live="polite"></div>
<p id="done" hidden role="status"></p>
<main id="main" hidden>
  <section id="item">
    <div><b id="item-id"></b></div>
    <div id="stance" hidden><h2>Question</h2><pre id="question"></pre><h2>The model's first answer</h2><pre id="first-answer"></pre></div>
    <h2 id="prompt-label">Prompt</h2><pre id="prompt"></pre>
    <h2>Response</h2><pre id="response"></pre>
    <div id="reference-box"><h2>Reference</h2><pre id="reference"></pre></div>
  </section>
  <section id="criteria"></section>
</main>
<footer id="keys">The next item is chosen by the active rule as you rate. Digits score the highlighted criterion · ↑ ↓ criterion · Backspace clear. Every rating is saved as you make it.</footer>
`;

/** Shows the item the active rule serves and the estimate; posts each score, shows what comes back. */
const SCRIPT = `  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  let s = null, current = 0;
${API_SCRIPT}  const f3 = (x) => x === null || x === undefined ? '—' : x.toFixed(3);
  function show() {
    const st = s.status;
    $('rater').textContent = 'rater ' + s.rater + ' · ' + s.rubric.id + '@' + s.rubric.version + ' · estimating ' + s.criterion;
    $('estimate').textContent = 'mean ' + s.criterion + ': ' + f3(st.estimate) + ', 95% anytime-valid interval [' + f3(st.interval[0]) + ', ' + f3(st.interval[1]) + '] · half-width ' + f3(st.half_width) + ' (target ' + st.target_halfwidth + ') · ' + st.labelled + ' of ' + st.budget + ' labels · ' + st.draws + ' draws';
    $('done').hidden = !st.done;
    $('done').textContent = st.done ? st.message : '';
    $('main').hidden = st.done || !s.item;
    if (st.done || !s.item) return;
    const it = s.item;
    $('item-id').textContent = it.id;
    $('stance').hidden = it.question === undefined;
    $('question').textContent = it.question || '';
    $('first-answer').textContent = it.first_answer || '';
    $('prompt-label').textContent = it.question === undefined ? 'Prompt' : 'Challenge';
    $('prompt').textContent = it.prompt;
    $('response').textContent = it.response;
    $('reference-box').hidden = !it.reference;
    $('reference').textContent = it.reference || '';
${criteriaScript('s.ratings')}  }
  function rate(v) {
    if (!s || !s.item || s.status.done) return;
    const c = s.criteria[current];
    const id = s.item.id;
    $('status').textContent = 'saving…';
    api('api/rate', { id: id, criterion: c.name, value: v }).then((next) => {
      const moved = !next.item || next.item.id !== id;
      s = next;
      if (moved) current = 0;
      else if (v !== null && current < s.criteria.length - 1) current++;
      $('status').textContent = 'saved';
      show();
    }).catch((e) => { $('status').textContent = 'NOT saved: ' + e.message; });
  }
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !s) return;
    if (/^[0-9]$/.test(e.key)) {
      const v = Number(e.key);
      if (v >= s.scale.min && v <= s.scale.max) rate(v);
    } else if (e.key === 'ArrowDown') { current = Math.min(s.criteria.length - 1, current + 1); show(); }
    else if (e.key === 'ArrowUp') { current = Math.max(0, current - 1); show(); }
    else if (e.key === 'Backspace') rate(null);
    else return;
    e.preventDefault();
  });
  api('api/state').then((state) => {
    s = state;
    // resume at the first criterion of the item not yet rated
    const first = s.criteria.findIndex((c) => s.ratings[c.name] === undefined);
    current = first < 0 ? 0 : first;
    show();
  }).catch((e) => { $('status').textContent = 'cannot load the session: ' + e.message; });
`;
