/**
 * What the two rating pages share (page.ts: a rating sheet; sequential-page.ts: an active
 * session): the document around them, the styles of an item and its criteria, and the pieces of
 * their inline script that talk to the server and draw the criteria's score buttons. Plain text,
 * put together before the server hashes the page's inline script and style into its
 * Content-Security-Policy (http.ts).
 */

/** A self-contained page: its style and body, and its script run once in its own scope. */
export function ratingShell(o: { title: string; style: string; body: string; script: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<style>
${o.style}</style>
</head>
<body>
${o.body}<script>
(() => {
${o.script}})();
</script>
</body>
</html>`;
}

/** Styles of the item's card and of each criterion with its score buttons and anchors. */
export const ITEM_STYLE = `  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em 1em; }
  h2 { font-size: .8em; text-transform: uppercase; letter-spacing: .06em; color: #666; margin: .8em 0 .3em; }
  pre { white-space: pre-wrap; font: inherit; margin: 0; }
  .criterion { border-left: 4px solid transparent; padding: .3em .6em; margin: .4em 0; }
  .criterion.current { border-left-color: #e76f51; background: #fff4ef; }
  .points { display: flex; flex-wrap: wrap; gap: .3em; margin: .3em 0; }
  .point { border: 1px solid #bbb; border-radius: 4px; background: #fff; padding: .15em .6em; cursor: pointer; font: inherit; }
  .point.selected { background: #1d3557; color: #fff; border-color: #1d3557; }
  .anchor { font-size: .85em; color: #555; }
`;

/**
 * api(path, body?): a GET, or a POST of JSON, with the page's token; the reply's JSON, or an Error
 * with the server's message. cell(tag, text, cls): an element holding text (never HTML).
 */
export const API_SCRIPT = `  const api = (path, body) => fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: { 'x-plumb-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then((r) => r.json().then((j) => { if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status)); return j; }));
  function cell(tag, text, cls) { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; return e; }
`;

/**
 * Draws every criterion of the rubric into #criteria, the current one highlighted, a button a
 * point of the scale (a click rates with rate(v)), and the anchors; `mine` is the expression of
 * the shown item's ratings by criterion (whose buttons are shown selected).
 */
export function criteriaScript(mine: string): string {
  return `    const box = $('criteria');
    box.replaceChildren();
    s.criteria.forEach((c, i) => {
      const div = document.createElement('div');
      div.className = 'criterion' + (i === current ? ' current' : '');
      div.dataset.name = c.name;
      const title = document.createElement('div');
      title.append(cell('b', c.name), document.createTextNode(' '), cell('span', c.description, 'anchor'));
      const points = document.createElement('div');
      points.className = 'points';
      points.setAttribute('role', 'group');
      points.setAttribute('aria-label', c.name);
      for (let v = s.scale.min; v <= s.scale.max; v++) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'point' + (${mine}[c.name] === v ? ' selected' : '');
        b.dataset.value = String(v);
        b.textContent = String(v);
        b.title = c.anchors[String(v)] || '';
        b.onclick = () => { current = i; rate(v); };
        points.append(b);
      }
      const anchors = cell('div', Object.entries(c.anchors).map(([k, t]) => k + ' = ' + t).join(' · '), 'anchor');
      div.append(title, points, anchors);
      box.append(div);
    });
`;
}
