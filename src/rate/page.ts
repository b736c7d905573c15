/**
 * The rating page: one self-contained HTML document (no external scripts, styles or fonts) that
 * asks the server for the session and posts each rating as it is made. Keyboard first: digits
 * score the current criterion, ↑/↓ move between criteria, ←/→ between items, `s` skips an item,
 * Backspace clears a score. Text is inserted with textContent, never as HTML.
 */
export function ratingPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>plumb — rating</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
  header { display: flex; gap: 1.5em; align-items: baseline; padding: .6em 1.2em; background: #1d3557; color: #fff; }
  header b { font-weight: 600; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.2em; padding: 1.2em; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em 1em; }
  h2 { font-size: .8em; text-transform: uppercase; letter-spacing: .06em; color: #666; margin: .8em 0 .3em; }
  pre { white-space: pre-wrap; font: inherit; margin: 0; }
  .criterion { border-left: 4px solid transparent; padding: .3em .6em; margin: .4em 0; }
  .criterion.current { border-left-color: #e76f51; background: #fff4ef; }
  .points { display: flex; flex-wrap: wrap; gap: .3em; margin: .3em 0; }
  .point { border: 1px solid #bbb; border-radius: 4px; background: #fff; padding: .15em .6em; cursor: pointer; font: inherit; }
  .point.selected { background: #1d3557; color: #fff; border-color: #1d3557; }
  .anchor { font-size: .85em; color: #555; }
  #status { margin-left: auto; }
  footer { padding: 0 1.2em 1.2em; color: #666; font-size: .85em; }
  @media print { header { background: none; color: #000; } }
</style>
</head>
<body>
<header><b>plumb rating</b><span id="rater"></span><span id="progress"></span><span id="status"></span></header>
<main>
  <section id="item">
    <div><b id="item-id"></b> <span id="position"></span> <span id="stratum"></span></div>
    <div id="stance"><h2>Question</h2><pre id="question"></pre><h2>The model's first answer</h2><pre id="first-answer"></pre></div>
    <h2 id="prompt-label">Prompt</h2><pre id="prompt"></pre>
    <h2>Response</h2><pre id="response"></pre>
    <div id="reference-box"><h2>Reference</h2><pre id="reference"></pre></div>
  </section>
  <section id="criteria"></section>
</main>
<footer>Digits score the highlighted criterion · ↑ ↓ criterion · ← → item · s skip · Backspace clear. Every rating is saved as you make it.</footer>
<script>
(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  let s = null, at = 0, current = 0;
  const rated = (id) => s.criteria.every((c) => s.ratings[id] && s.ratings[id][c.name] != null);
  const api = (path, body) => fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: { 'x-plumb-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  function show() {
    const it = s.items[at];
    $('item-id').textContent = it.id;
    $('position').textContent = '(' + (at + 1) + ' of ' + s.items.length + ')';
    $('stratum').textContent = it.stratum ? 'stratum ' + it.stratum : '';
    $('stance').hidden = it.question === undefined;
    $('question').textContent = it.question || '';
    $('first-answer').textContent = it.first_answer || '';
    $('prompt-label').textContent = it.question === undefined ? 'Prompt' : 'Challenge';
    $('prompt').textContent = it.prompt;
    $('response').textContent = it.response;
    $('reference-box').hidden = !it.reference;
    $('reference').textContent = it.reference || '';
    $('progress').textContent = 'rated ' + s.items.filter((x) => rated(x.id)).length + ' of ' + s.items.length;
    const box = $('criteria');
    box.replaceChildren();
    s.criteria.forEach((c, i) => {
      const div = document.createElement('div');
      div.className = 'criterion' + (i === current ? ' current' : '');
      div.dataset.name = c.name;
      const title = document.createElement('div');
      title.innerHTML = '<b></b> <span class="anchor"></span>';
      title.firstChild.textContent = c.name;
      title.lastChild.textContent = c.description;
      const points = document.createElement('div');
      points.className = 'points';
      for (let v = s.scale.min; v <= s.scale.max; v++) {
        const b = document.createElement('button');
        b.className = 'point' + ((s.ratings[it.id] || {})[c.name] === v ? ' selected' : '');
        b.dataset.value = String(v);
        b.textContent = String(v);
        b.title = c.anchors[String(v)] || '';
        b.onclick = () => { current = i; rate(v); };
        points.append(b);
      }
      const anchors = document.createElement('div');
      anchors.className = 'anchor';
      anchors.textContent = Object.entries(c.anchors).map(([k, t]) => k + ' = ' + t).join(' · ');
      div.append(title, points, anchors);
      box.append(div);
    });
  }
  function rate(v) {
    const it = s.items[at], c = s.criteria[current];
    $('status').textContent = 'saving…';
    api('api/rate', { id: it.id, criterion: c.name, value: v }).then(() => {
      (s.ratings[it.id] = s.ratings[it.id] || {})[c.name] = v;
      $('status').textContent = 'saved';
      if (v !== null) {
        if (current < s.criteria.length - 1) current++;
        else if (at < s.items.length - 1) { at++; current = 0; }
      }
      show();
    }).catch((e) => { $('status').textContent = 'NOT saved: ' + e.message; });
  }
  document.addEventListener('keydown', (e) => {
    if (!s || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) {
      const v = Number(e.key);
      if (v >= s.scale.min && v <= s.scale.max) rate(v);
    } else if (e.key === 'ArrowRight' || e.key === 's') { if (at < s.items.length - 1) { at++; current = 0; show(); } }
    else if (e.key === 'ArrowLeft') { if (at > 0) { at--; current = 0; show(); } }
    else if (e.key === 'ArrowDown') { current = Math.min(s.criteria.length - 1, current + 1); show(); }
    else if (e.key === 'ArrowUp') { current = Math.max(0, current - 1); show(); }
    else if (e.key === 'Backspace') rate(null);
    else return;
    e.preventDefault();
  });
  api('api/session').then((session) => {
    s = session;
    $('rater').textContent = 'rater ' + s.rater + (s.rubric ? ' · ' + s.rubric.id + '@' + s.rubric.version : '');
    // resume at the first item not fully rated
    const first = s.items.findIndex((x) => !rated(x.id));
    at = first < 0 ? 0 : first;
    show();
  }).catch((e) => { $('status').textContent = 'cannot load the session: ' + e.message; });
})();
</script>
</body>
</html>`;
}
