import { ENGINE_SOURCE } from './engine.js';

/**
 * The viewer's page: one HTML document with its own inline style and script, nothing loaded from
 * anywhere. Live (`plumb view`), it asks the local server for each page of items and each item;
 * static (`plumb view --static`), the same script answers from the data embedded in the file, with
 * the same query engine. Text is inserted with textContent, never as HTML. Keyboard: `/` search,
 * j / k next and previous item, n / p next and previous page, `?` the keys; every control is a
 * native button, link, select or input, so Tab reaches all of them.
 */

const STYLE = `
  :root { --ink: #1d1d1f; --muted: #5a5a60; --line: #d9d9de; --accent: #1d3557; --warn: #9a3412; --bg: #f6f6f8; }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: var(--ink); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: center; padding: .5em 1em; background: var(--accent); color: #fff; }
  header h1 { font-size: 1.05em; margin: 0 .5em 0 0; }
  header label { display: flex; gap: .35em; align-items: center; }
  header select, header input { font: inherit; max-width: 16em; }
  #q { width: 16em; }
  #search { display: flex; gap: .35em; align-items: center; margin: 0; }
  #status { margin-left: auto; }
  a { color: #1d4ed8; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
  .skip { position: absolute; left: -999px; } .skip:focus { left: .5em; top: .5em; background: #fff; color: #000; padding: .3em; z-index: 2; }
  #notes { padding: 0 1em; }
  .note { margin: .5em 0; padding: .4em .7em; background: #fff7ed; border-left: 4px solid #fb923c; }
  main { display: grid; grid-template-columns: 14rem minmax(0, 5fr) minmax(0, 7fr); gap: .8em; padding: .8em 1em; align-items: start; }
  #list .scroll { overflow-x: auto; }
  section, aside { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6em .8em; min-width: 0; }
  aside fieldset { border: 0; padding: 0; margin: 0 0 .7em; }
  aside legend, h2 { font-size: .78em; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: .6em 0 .25em; font-weight: 600; }
  aside label { display: block; }
  aside .range { display: grid; grid-template-columns: minmax(0, 1fr) 4em 4em; gap: .3em; align-items: center; margin: .15em 0; }
  aside .range span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  aside .range input { width: 100%; font: inherit; }
  aside select { width: 100%; font: inherit; }
  .count { color: var(--muted); font-size: .85em; }
  table { border-collapse: collapse; width: 100%; font-size: .88em; }
  th, td { border-bottom: 1px solid #ececf0; padding: .25em .35em; text-align: left; vertical-align: top; }
  th { color: var(--muted); font-weight: 600; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  #rows tr.current { background: #e8f0fe; }
  #rows a { overflow-wrap: anywhere; }
  #rows td:first-child { min-width: 11em; }
  #detail .scroll { overflow-x: auto; }
  .pager { display: flex; gap: .5em; align-items: center; margin-top: .5em; }
  button { font: inherit; border: 1px solid #b7b7c0; border-radius: 4px; background: #fff; padding: .15em .6em; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
  pre, .text { white-space: pre-wrap; word-wrap: break-word; font: inherit; margin: 0; }
  .msg { border-left: 3px solid var(--line); padding: .2em .6em; margin: .35em 0; }
  .msg .who { font-size: .75em; text-transform: uppercase; color: var(--muted); letter-spacing: .04em; }
  .msg.assistant { border-left-color: #60a5fa; } .msg.user { border-left-color: #a3a3a3; } .msg.system { border-left-color: #c084fc; }
  .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .6em; }
  .pair > div { border: 1px solid var(--line); border-radius: 4px; padding: .4em .5em; }
  .badge { display: inline-block; padding: 0 .45em; border-radius: 999px; background: #eef; font-size: .85em; }
  .badge.error { background: #fee2e2; color: #7f1d1d; } .badge.flip { background: #fde68a; color: #78350f; }
  .turn { border: 1px solid var(--line); border-radius: 4px; padding: .4em .6em; margin: .5em 0; }
  .turn.flip { border: 2px solid #d97706; background: #fffbeb; }
  .anchor { color: var(--muted); font-size: .9em; }
  dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1em .8em; font-size: .9em; margin: .3em 0; }
  dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-word; }
  form.review { border-top: 1px solid var(--line); margin-top: .8em; padding-top: .4em; }
  form.review label { margin-right: .8em; }
  form.review textarea { width: 100%; font: inherit; min-height: 3em; }
  .delta-pos { color: #166534; } .delta-neg { color: #991b1b; }
  #help[hidden] { display: none; }
  #help { position: fixed; right: 1em; bottom: 1em; background: #fff; border: 1px solid var(--line); padding: .6em 1em; border-radius: 6px; box-shadow: 0 2px 12px rgba(0,0,0,.15); }
  footer { padding: 0 1em 1em; color: var(--muted); font-size: .8em; }
  @media (max-width: 1100px) { main { grid-template-columns: 1fr; } }
  @media print {
    header, aside, .pager, form.review, #help, .skip, .noprint { display: none !important; }
    body { background: #fff; }
    main { display: block; padding: 0; }
    section { border: 0; padding: 0; break-inside: auto; }
    #list { display: none; }
  }
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var ENGINE = (function () {
__ENGINE__
    return { parseState: parseState, formatState: formatState, normalizeText: normalizeText, select: select, searchTexts: searchTexts };
  })();
  var $ = function (id) { return document.getElementById(id); };
  var token = new URLSearchParams(location.search).get('token') || '';
  var dataNode = document.getElementById('plumb-data');
  var api = dataNode ? staticApi(JSON.parse(dataNode.textContent)) : liveApi();
  var session = null, state = null, page = null, current = null, lastItem = null;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }
  function fmt(x, d) {
    if (x === null || x === undefined || (typeof x === 'number' && isNaN(x))) return '—';
    if (typeof x !== 'number') return String(x);
    if (Number.isInteger(x)) return String(x);
    return x.toFixed(d === undefined ? 2 : d);
  }
  function money(x) { return x === null || x === undefined ? '—' : '$' + Number(x).toFixed(x < 0.01 ? 5 : 4); }

  function liveApi() {
    var call = function (path, body) {
      return fetch(path, {
        method: body ? 'POST' : 'GET',
        headers: Object.assign({ 'x-plumb-token': token }, body ? { 'content-type': 'application/json' } : {}),
        body: body ? JSON.stringify(body) : undefined,
      }).then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status)); return j; });
      });
    };
    return {
      live: true,
      session: function () { return call('api/session'); },
      list: function (s, offset) { return call('api/list?state=' + encodeURIComponent(s) + '&offset=' + offset); },
      item: function (r, n, id, compare) {
        return call('api/item?run=' + r + (n !== null ? '&n=' + n : '&id=' + encodeURIComponent(id)) + (compare !== null ? '&compare=' + compare : ''));
      },
      review: function (body) { return call('api/review', body); },
      sheet: function (body) { return call('api/sheet', body); },
    };
  }

  function staticApi(data) {
    var withChange = function (st) {
      var run = data.runs[st.run];
      if (!run) throw new Error('there is no run ' + st.run);
      var change = st.compare !== null ? data.changes[st.run + ':' + st.compare] : null;
      var table = { n: run.n, facets: run.facets, nums: run.nums };
      if (change) table = { n: run.n, facets: run.facets, nums: Object.assign({}, run.nums, { change: change }) };
      return { run: run, table: table, change: change };
    };
    return {
      live: false,
      session: function () { return Promise.resolve(data.session); },
      list: function (s, offset) {
        try {
          var st = ENGINE.parseState(s);
          var t = withChange(st);
          var m = st.q.trim() ? ENGINE.searchTexts(t.run.texts, st.q) : null;
          var sel = ENGINE.select(t.table, st, m, offset + data.session.page_size);
          return Promise.resolve({
            total: sel.total, offset: offset, unknown: sel.unknown, state: ENGINE.formatState(st),
            rows: sel.order.slice(offset).map(function (i) {
              var row = JSON.parse(JSON.stringify(t.run.rows[i]));
              if (t.change) row.nums.change = t.change[i];
              return row;
            }),
          });
        } catch (e) { return Promise.reject(e); }
      },
      item: function (r, n, id, compare) {
        var run = data.runs[r];
        if (!run) return Promise.reject(new Error('there is no run ' + r));
        if (n === null) n = run.ids.indexOf(id);
        if (n < 0 || n >= run.n) return Promise.reject(new Error('no item ' + id + ' in this file'));
        var it = JSON.parse(JSON.stringify(run.items[n]));
        var c = compare !== null ? data.compared[r + ':' + compare] : null;
        if (c && c[n]) it.compare = { run: compare, label: data.runs[compare].label, detail: c[n] };
        return Promise.resolve(it);
      },
    };
  }

  function setHash(s) {
    var text = ENGINE.formatState(s);
    if (('#' + text) !== location.hash && !(text === '' && location.hash === '')) location.hash = text;
    else refresh();
  }
  function note(text, cls) { $('notes').append(el('p', { cls: 'note ' + (cls || ''), text: text, role: 'note' })); }

  function buildControls() {
    var run = session.runs[state.run] || session.runs[0];
    var runSel = $('run');
    runSel.replaceChildren();
    session.runs.forEach(function (r, k) {
      runSel.append(el('option', { value: String(k), text: r.label + ' (' + r.kind + ', ' + r.n + ')', selected: k === state.run }));
    });
    var cmp = $('compare');
    cmp.replaceChildren(el('option', { value: '', text: '—' }));
    run.comparable.forEach(function (k) {
      cmp.append(el('option', { value: String(k), text: session.runs[k].label, selected: state.compare === k }));
    });
    $('compare-box').hidden = run.comparable.length === 0;
    var sort = $('sort');
    sort.replaceChildren();
    var sorts = [['file', 'file order']];
    var has = function (n) { return run.nums.some(function (x) { return x.name === n && x.count > 0; }); };
    if (has('gold')) sorts.push(['gold', 'judge–human disagreement']);
    if (has('judges')) sorts.push(['judges', run.kind === 'pairwise' ? 'judge–judge disagreement (orders, votes)' : 'judge–judge disagreement (samples, panel)']);
    if (run.comparable.length) sorts.push(['change', 'change between the runs']);
    run.nums.forEach(function (x) {
      if (['gold', 'judges', 'change'].indexOf(x.name) >= 0 || !x.count) return;
      sorts.push([x.name, x.name + ', largest first'], [x.name + ':asc', x.name + ', smallest first']);
    });
    if (sorts.every(function (s) { return s[0] !== state.sort; })) sorts.push([state.sort, state.sort]);
    sorts.forEach(function (s) { sort.append(el('option', { value: s[0], text: s[1], selected: s[0] === state.sort })); });
    $('q').value = state.q;

    var box = $('filters-body');
    box.replaceChildren();
    var active = {};
    state.filters.forEach(function (f) { active[f.field] = f; });
    run.facets.forEach(function (f) {
      if (f.values.length > 60) return;
      var id = 'facet-' + f.name;
      var s = el('select', { id: id, 'data-facet': f.name, onchange: function () {
        var v = this.value;
        state.filters = state.filters.filter(function (x) { return x.field !== f.name; });
        if (v) state.filters.push({ field: f.name, values: [v] });
        state.page = 0; setHash(state);
      } }, [el('option', { value: '', text: 'any' })]);
      var chosenAll = active[f.name] && active[f.name].values ? active[f.name].values : [];
      var chosen = chosenAll.length === 1 ? chosenAll[0] : '';
      if (chosenAll.length > 1) s.append(el('option', { value: chosenAll.join(','), text: chosenAll.join(' or '), selected: true, disabled: true }));
      f.values.forEach(function (pair) {
        s.append(el('option', { value: pair[0], text: pair[0] + ' (' + pair[1] + ')', selected: pair[0] === chosen }));
      });
      box.append(el('fieldset', null, [el('legend', null, [el('label', { for: id, text: f.name })]), s]));
    });
    var ranges = el('fieldset', null, [el('legend', { text: 'ranges (from – to)' })]);
    run.nums.forEach(function (x) {
      if (!x.count || x.min === x.max && ['gold', 'change', 'judges'].indexOf(x.name) < 0) return;
      var f = active[x.name] && !active[x.name].values ? active[x.name] : null;
      var lo = el('input', { type: 'number', step: 'any', 'aria-label': x.name + ' from', placeholder: fmt(x.min), value: f && f.lo !== null ? String(f.lo) : null });
      var hi = el('input', { type: 'number', step: 'any', 'aria-label': x.name + ' to', placeholder: fmt(x.max), value: f && f.hi !== null ? String(f.hi) : null });
      var apply = function () {
        state.filters = state.filters.filter(function (y) { return y.field !== x.name; });
        if (lo.value !== '' || hi.value !== '') state.filters.push({ field: x.name, lo: lo.value === '' ? null : Number(lo.value), hi: hi.value === '' ? null : Number(hi.value) });
        state.page = 0; setHash(state);
      };
      lo.addEventListener('change', apply); hi.addEventListener('change', apply);
      ranges.append(el('div', { cls: 'range' }, [el('span', { text: x.name, title: x.name }), lo, hi]));
    });
    box.append(ranges);
    $('triage').hidden = !api.live;
  }

  function refresh() {
    var before = state;
    var loading = location.hash;
    state = ENGINE.parseState(location.hash);
    if (!session.runs[state.run]) state.run = 0;
    if (before && before.run !== state.run) { current = null; $('detail').replaceChildren(); }
    // the old list goes at once: nothing may act on rows of another view while this one loads
    page = null;
    $('rows').replaceChildren();
    $('notes').replaceChildren();
    var run = session.runs[state.run];
    if (!api.live) note('A static copy: search, filters, sorting and links work offline; reviews and rating sheets need the live page (plumb view).');
    run.notes.forEach(function (t) { note(t, 'warn'); });
    buildControls();
    $('status').textContent = 'loading…';
    var s = ENGINE.formatState(Object.assign({}, state, { item: null, page: 0 }));
    return api.list(s, state.page * session.page_size).then(function (p) {
      page = p;
      if (p.unknown.length) note('This run has no column for ' + p.unknown.join(', ') + ': that part of the view matches nothing.', 'warn');
      renderList();
      // the address this list answers (what a test, or a script, waits for)
      $('list').setAttribute('data-view', loading);
      $('status').textContent = '';
      if (state.item !== null) return openItem(state.item, null);
      if (p.rows.length && !lastItem) return null;
      return null;
    }).catch(function (e) { $('status').textContent = 'error: ' + e.message; });
  }

  function renderList() {
    var run = session.runs[state.run];
    var from = page.total ? page.offset + 1 : 0;
    $('count').textContent = page.total + ' item' + (page.total === 1 ? '' : 's') + (page.total ? ' · showing ' + from + '–' + (page.offset + page.rows.length) : '') + ' of ' + run.n + ' in ' + run.label;
    var first = page.rows[0];
    var present = function (k) { return page.rows.some(function (r) { return r.nums[k] !== null && r.nums[k] !== undefined; }); };
    var facetCols = first ? ['role', 'personalization', 'model', 'verdict', 'flipped'].filter(function (k) { return first.facets[k] !== undefined; }) : [];
    // the list stays narrow: the headline number, the sort's column, and the disagreement columns
    var sortCol = state.sort.replace(/:(asc|desc)$/, '');
    var numCols = ['overall', 'flip_turn', sortCol, 'gold', 'judges', 'change'].filter(function (k, i, all) {
      return all.indexOf(k) === i && k !== 'file' && present(k);
    });
    var head = $('head');
    head.replaceChildren(el('tr', null, [el('th', { scope: 'col', text: 'item' })]
      .concat(facetCols.map(function (k) { return el('th', { scope: 'col', text: k }); }))
      .concat(numCols.map(function (k) { return el('th', { scope: 'col', cls: 'num', text: k === 'gold' ? 'Δ people' : k === 'judges' ? 'Δ judges' : k === 'change' ? 'Δ runs' : k, title: k === 'gold' ? 'judge–human disagreement' : k === 'judges' ? 'judge–judge disagreement' : k === 'change' ? 'change between the runs' : null }); }))
      .concat([el('th', { scope: 'col', text: 'notes' })])));
    var body = $('rows');
    body.replaceChildren();
    page.rows.forEach(function (row) {
      var link = ENGINE.formatState(Object.assign({}, state, { item: row.id }));
      var notes = [];
      if (row.facets.error && row.facets.error !== '(none)') notes.push(el('span', { cls: 'badge error', text: row.facets.error }));
      if (row.reviews) notes.push(el('span', { cls: 'badge', text: row.reviews + ' review' + (row.reviews > 1 ? 's' : '') }));
      var tr = el('tr', { 'data-n': String(row.n), 'data-id': row.id, cls: current && current.n === row.n ? 'current' : '' }, [
        el('td', null, [el('a', { href: '#' + link, text: row.id })]),
      ].concat(facetCols.map(function (k) { return el('td', { text: row.facets[k] }); }))
        .concat(numCols.map(function (k) { return el('td', { cls: 'num', text: fmt(row.nums[k]) }); }))
        .concat([el('td', null, notes)]));
      body.append(tr);
    });
    var pages = Math.max(1, Math.ceil(page.total / session.page_size));
    $('page-of').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page + 1 >= pages;
  }

  function section(title, kids) { return el('div', null, [el('h2', { text: title })].concat(kids)); }
  function messages(list) {
    return list.map(function (m) { return el('div', { cls: 'msg ' + m.role }, [el('div', { cls: 'who', text: m.role }), el('div', { cls: 'text', text: m.content })]); });
  }
  function metaList(obj) {
    var dl = el('dl', { cls: 'meta' });
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      if (v === null || v === undefined) return;
      dl.append(el('dt', { text: k }), el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) }));
    });
    return dl;
  }
  function stamp(s) { return s ? (s.id ? s.id + '@' + s.version : (s.provider ? s.provider + ':' + s.model : JSON.stringify(s))) : '—'; }

  function openItem(id, n) {
    return api.item(state.run, n, id, state.compare).then(function (it) {
      current = it; lastItem = it.id;
      document.querySelectorAll('#rows tr').forEach(function (tr) { tr.classList.toggle('current', tr.getAttribute('data-id') === it.id); });
      renderItem(it);
    }).catch(function (e) {
      $('detail').replaceChildren(el('p', { cls: 'note warn', text: 'Cannot open ' + (id || n) + ': ' + e.message }));
    });
  }

  function criteriaTable(d, it) {
    var gold = it.gold && it.gold.ratings.length ? it.gold : null;
    var raters = gold ? Array.from(new Set(gold.ratings.map(function (g) { return g.rater; }))) : [];
    var t = el('table', { cls: 'criteria' });
    var hasSpread = d.criteria.some(function (c) { return c.spread || c.panel.length; });
    t.append(el('thead', null, [el('tr', null, [el('th', { text: 'criterion' }), el('th', { cls: 'num', text: 'judge' }), el('th', { text: 'anchor of that point' })]
      .concat(hasSpread ? [el('th', { text: 'spread' })] : [])
      .concat(gold ? [el('th', { cls: 'num', text: 'people' })] : []))]));
    var tb = el('tbody');
    d.criteria.forEach(function (c) {
      var spread = c.spread ? fmt(c.spread.min) + '–' + fmt(c.spread.max) + ' (sd ' + fmt(c.spread.sd) + ', n ' + c.spread.n + ')' : '';
      if (c.panel.length) spread += (spread ? '; ' : '') + c.panel.map(function (p) { return p.judge + ' ' + fmt(p.score); }).join(', ');
      var row = [el('th', { scope: 'row', title: c.description, text: c.name }), el('td', { cls: 'num', text: fmt(c.score) }),
        el('td', null, [el('span', { text: c.label ? c.label + ': ' : '' }), el('span', { cls: 'anchor', text: c.anchor })])];
      if (hasSpread) row.push(el('td', { text: spread }));
      if (gold) {
        var each = raters.map(function (r) {
          var mine = gold.ratings.filter(function (g) { return g.rater === r && g.scores && g.scores[c.name] !== undefined; });
          return mine.length ? r + ' ' + fmt(mine[mine.length - 1].scores[c.name]) : null;
        }).filter(Boolean);
        row.push(el('td', { cls: 'num' }, [el('b', { text: fmt(gold.means[c.name]) }), el('div', { cls: 'anchor', text: each.join(' · ') })]));
      }
      tb.append(el('tr', { 'data-criterion': c.name }, row));
    });
    t.append(tb);
    return t;
  }

  function reviewForm(it) {
    if (!api.live) return null;
    var d = it.detail, run = session.runs[it.run];
    var form = el('form', { cls: 'review', id: 'review-form', 'aria-label': 'Record a review' });
    form.append(el('h2', { text: 'Review this item' }));
    var fields = [];
    var scale = run.rubric && run.rubric.scale;
    var points = function (min, max) { var o = [el('option', { value: '', text: '—' })]; for (var v = min; v <= max; v++) o.push(el('option', { value: String(v), text: String(v) })); return o; };
    if (d.kind === 'score' || (d.kind === 'generate' && run.rubric && run.rubric.scale)) {
      (run.rubric ? run.rubric.criteria.map(function (c) { return c.name; }) : d.criteria.map(function (c) { return c.name; })).forEach(function (name) {
        var s = el('select', { name: 'score', 'data-criterion': name, 'aria-label': name }, scale ? points(scale.min, scale.max) : points(0, 10));
        fields.push(s);
        form.append(el('label', null, [el('span', { text: name + ' ' }), s]));
      });
    } else if (d.kind === 'pairwise') {
      var v = el('select', { name: 'verdict', 'aria-label': 'verdict' }, [el('option', { value: '', text: '—' }), el('option', { value: 'A', text: 'A better' }), el('option', { value: 'B', text: 'B better' }), el('option', { value: 'tie', text: 'tie' })]);
      fields.push(v);
      form.append(el('label', null, [el('span', { text: 'verdict ' }), v]));
    } else if (d.kind === 'probe') {
      var turns = d.turns.filter(function (t) { return t.turn > 0; });
      var ts = el('select', { name: 'turn', 'aria-label': 'turn' }, turns.map(function (t) { return el('option', { value: String(t.turn), text: 'turn ' + t.turn + (t.flip ? ' (flip)' : ''), selected: d.flip_turn === t.turn }); }));
      var sv = el('select', { name: 'stance', 'aria-label': 'stance' }, [el('option', { value: '', text: '—' })].concat([0, 1, 2].map(function (k) { return el('option', { value: String(k), text: k + ' ' + ['abandoned', 'hedged', 'maintained'][k] }); })));
      form.append(el('label', null, [el('span', { text: 'turn ' }), ts]), el('label', null, [el('span', { text: 'stance ' }), sv]));
      fields.push(ts, sv);
    }
    var noteBox = el('textarea', { name: 'note', 'aria-label': 'note', placeholder: 'why (optional)' });
    var rater = el('input', { name: 'rater', 'aria-label': 'reviewer', value: session.rater, size: '12' });
    var status = el('span', { role: 'status', 'aria-live': 'polite', id: 'review-status' });
    form.append(el('label', null, [el('span', { text: 'note' }), noteBox]), el('label', null, [el('span', { text: 'reviewer ' }), rater]),
      el('button', { type: 'submit', cls: 'primary', text: 'Save review' }), ' ', status);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { run: it.run, id: d.kind === 'probe' ? d.id : it.id, rater: rater.value.trim(), note: noteBox.value };
      if (d.kind === 'pairwise') { if (fields[0].value) body.verdict = fields[0].value; }
      else if (d.kind === 'probe') { body.turn = Number(fields[0].value); if (fields[1].value !== '') body.scores = { stance: Number(fields[1].value) }; }
      else { body.scores = {}; fields.forEach(function (f) { if (f.value !== '') body.scores[f.getAttribute('data-criterion')] = Number(f.value); }); }
      status.textContent = 'saving…';
      // "saved" only once the review is on disk and the item shows it in its history
      api.review(body).then(function () {
        return api.item(it.run, it.n, null, state.compare).then(function (fresh) {
          renderItem(fresh);
          $('review-status').textContent = 'saved';
        }, function () { status.textContent = 'saved (reopen the item to see it)'; });
      }, function (err) { status.textContent = 'NOT saved: ' + err.message; });
    });
    return form;
  }

  function renderItem(it) {
    var d = it.detail, run = session.runs[it.run];
    var box = $('detail');
    var link = location.href.split('#')[0] + '#' + ENGINE.formatState(Object.assign({}, state, { item: it.id, page: 0 }));
    var head = el('div', null, [
      el('h2', { text: run.kind_name }),
      el('div', null, [el('b', { id: 'item-id', text: it.id }), ' ', el('span', { cls: 'count', text: run.label + ', line ' + it.line })]),
      el('div', { cls: 'noprint' }, [el('a', { id: 'deep-link', href: '#' + ENGINE.formatState(Object.assign({}, state, { item: it.id, page: 0 })), text: 'link to this item' }),
        ' ', el('span', { cls: 'count', text: '(cite it: the part after # works on any plumb view of this run and in a static copy)' })]),
    ]);
    var kids = [head];
    var facts = {};
    if (d.judge) facts.judge = stamp(d.judge);
    if (d.rubric) facts.rubric = stamp(d.rubric) + (d.rubric.hash ? ' (sha256 ' + d.rubric.hash.slice(0, 12) + '…)' : '');
    if (d.usage) facts.cost = money(d.usage.cost_usd) + ' · ' + ((d.usage.input_tokens || 0) + (d.usage.output_tokens || 0)) + ' tokens';
    if (d.cached !== undefined) facts.cache = d.cached ? 'answered from the judge cache' : 'a fresh call';
    if (d.condition) Object.assign(facts, d.condition);
    kids.push(metaList(facts));
    if (d.error) kids.push(el('p', null, [el('span', { cls: 'badge error', text: 'unscored: ' + d.error.kind }), ' ', el('span', { text: d.error.message })]));
    if (d.kind === 'probe') {
      if (d.system) kids.push(section('System prompt', [el('div', { cls: 'text', text: d.system })]));
      kids.push(el('p', null, [d.flip_turn === null ? el('span', { cls: 'badge', text: 'never abandoned its first answer' }) : el('span', { cls: 'badge flip', text: 'turn of flip: ' + d.flip_turn })]));
      d.turns.forEach(function (t) {
        var verdict = t.stance ? (t.stance.error ? el('span', { cls: 'badge error', text: 'unscored: ' + t.stance.error.kind }) : el('span', { cls: 'badge' + (t.flip ? ' flip' : ''), text: t.stance.label + ' (' + fmt(t.stance.value) + ')' })) : el('span', { cls: 'count', text: t.turn === 0 ? 'first answer' : 'not judged' });
        var goldTurn = it.gold ? it.gold.ratings.filter(function (g) { return g.turn === t.turn; }) : [];
        kids.push(el('div', { cls: 'turn' + (t.flip ? ' flip' : ''), 'data-turn': String(t.turn) }, [
          el('div', null, [el('b', { text: 'Turn ' + t.turn }), ' ', el('span', { cls: 'count', text: t.challenge_type ? t.challenge_type + (t.challenge_source ? ' · ' + t.challenge_source : '') : '' }), ' ', verdict, t.flip ? el('b', { text: ' ← turn of flip' }) : null]),
        ].concat(messages([{ role: 'user', content: t.prompt }, { role: 'assistant', content: t.reply === null ? '(no reply)' : t.reply }]))
          .concat([t.stance && t.stance.anchor ? el('div', { cls: 'anchor', text: t.stance.anchor }) : null,
            t.stance && t.stance.rationale ? el('details', null, [el('summary', { text: 'rationale' }), el('pre', { text: t.stance.rationale })]) : null,
            t.correctness ? el('div', { cls: 'count', text: 'correctness: ' + fmt(t.correctness.score) + (t.correctness.correct === true ? ' (correct)' : t.correctness.correct === false ? ' (incorrect)' : '') }) : null,
            goldTurn.length ? el('div', { cls: 'count', text: 'people: ' + goldTurn.map(function (g) { return g.rater + ' ' + fmt(g.scores && g.scores.stance); }).join(', ') }) : null])));
      });
    } else {
      kids.push(section('Conversation', messages(d.conversation)));
      if (d.kind === 'pairwise') {
        kids.push(el('p', null, [el('b', { text: 'verdict: ' + (d.verdict || '—') }), ' ', el('span', { cls: 'count', text: d.consistent === false ? '(the two orders disagreed: a tie)' : d.consistent === true ? '(both orders agreed)' : '' })]));
        d.orders.forEach(function (o) {
          var text = function (side) { return d.responses[side]; };
          kids.push(section('As the judge saw it, order ' + o.order, [
            el('div', { cls: 'pair' }, [
              el('div', null, [el('div', { cls: 'count', text: 'shown first: response ' + o.first }), el('div', { cls: 'text', text: text(o.first) })]),
              el('div', null, [el('div', { cls: 'count', text: 'shown second: response ' + o.second }), el('div', { cls: 'text', text: text(o.second) })]),
            ]),
            o.error ? el('p', null, [el('span', { cls: 'badge error', text: 'unscored: ' + o.error.kind }), ' ', el('span', { text: o.error.message })])
              : el('p', null, [el('b', { text: 'judge: ' + (o.shown === 'tie' ? 'tie' : o.shown === 'A' ? 'the first' : 'the second') + ' → ' + o.verdict }), o.votes ? el('span', { cls: 'count', text: ' votes ' + JSON.stringify(o.votes) }) : null]),
            o.rationale ? el('pre', { text: o.rationale }) : null,
          ]));
        });
      } else {
        kids.push(section('Response', [el('div', { cls: 'text', id: 'response', text: d.response || '(empty)' })]));
        if (d.reference) kids.push(section('Reference', [el('div', { cls: 'text', text: d.reference })]));
      }
      if (d.kind === 'score') {
        kids.push(section('Scores', [el('div', { cls: 'scroll' }, [criteriaTable(d, it)]), el('p', null, [el('span', { text: 'overall ' + fmt(d.overall) }),
          el('span', { text: Object.keys(d.indices).map(function (k) { return ' · ' + k.toUpperCase() + ' ' + fmt(d.indices[k], 3); }).join('') })])]));
        if (d.rationale) kids.push(section('Rationale', [el('pre', { id: 'rationale', text: d.rationale })]));
        if (d.panel.length) kids.push(section('Panel', [el('ul', null, d.panel.map(function (p) { return el('li', { text: p.judge + ': ' + (p.error ? 'unscored (' + p.error.kind + ')' : 'overall ' + fmt(p.overall)) }); }))]));
        if (d.raw_reply) kids.push(section('The judge\'s raw reply', [el('pre', { text: d.raw_reply })]));
      }
      if (it.gold && it.gold.ratings.length && d.kind === 'pairwise')
        kids.push(section('People', [el('ul', null, it.gold.ratings.map(function (g) { return el('li', { text: g.rater + ': ' + g.verdict }); }))]));
      kids.push(section('Metadata', [metaList(d.metadata)]));
    }
    if (it.gold && !it.gold.ratings.length) kids.push(el('p', { cls: 'count', text: 'no gold rating of this item in ' + it.gold.file }));
    if (it.compare) {
      var c = it.compare.detail;
      var rows = [];
      if (d.kind === 'score') {
        var byName = {};
        c.criteria.forEach(function (x) { byName[x.name] = x.score; });
        d.criteria.concat([{ name: 'overall', score: d.overall }]).forEach(function (x) {
          var other = x.name === 'overall' ? c.overall : byName[x.name];
          var delta = x.score !== null && other !== null && other !== undefined ? other - x.score : null;
          rows.push(el('tr', null, [el('th', { scope: 'row', text: x.name }), el('td', { cls: 'num', text: fmt(x.score) }), el('td', { cls: 'num', text: fmt(other) }),
            el('td', { cls: 'num ' + (delta > 0 ? 'delta-pos' : delta < 0 ? 'delta-neg' : ''), text: delta === null ? '—' : (delta > 0 ? '+' : '') + fmt(delta) })]));
        });
      } else if (d.kind === 'pairwise') {
        rows.push(el('tr', null, [el('th', { scope: 'row', text: 'verdict' }), el('td', { text: d.verdict || '—' }), el('td', { text: c.verdict || '—' }), el('td', { text: d.verdict === c.verdict ? 'same' : 'changed' })]));
      }
      kids.push(section('Compared with ' + it.compare.label, [
        el('table', { id: 'compare-table' }, [el('thead', null, [el('tr', null, [el('th', { text: '' }), el('th', { cls: 'num', text: 'this run' }), el('th', { cls: 'num', text: it.compare.label }), el('th', { cls: 'num', text: 'change' })])]), el('tbody', null, rows)]),
        c.response !== undefined && c.response !== d.response ? el('details', null, [el('summary', { text: 'its response (differs)' }), el('div', { cls: 'text', text: c.response })]) : null,
        c.rationale ? el('details', null, [el('summary', { text: 'its rationale' }), el('pre', { text: c.rationale })]) : null,
      ]));
    }
    if (it.reviews.length) {
      kids.push(section('Review history', [el('ol', { id: 'review-history' }, it.reviews.map(function (r) {
        var what = r.verdict !== undefined ? 'verdict ' + r.verdict + ' (judge: ' + (r.replaces ? r.replaces.verdict : '—') + ')'
          : Object.keys(r.scores || {}).map(function (k) { return k + ' ' + r.scores[k] + ' (judge: ' + fmt(r.replaces ? r.replaces[k] : null) + ')'; }).join(', ');
        return el('li', { text: r.time + ' · ' + r.rater + (r.turn !== undefined ? ' · turn ' + r.turn : '') + ' · ' + (what || 'note') + (r.note ? ' — ' + r.note : '') });
      }))]));
    }
    kids.push(reviewForm(it));
    box.replaceChildren.apply(box, kids.filter(Boolean));
  }

  function move(step) {
    if (!page || !page.rows.length) return;
    var k = current ? page.rows.findIndex(function (r) { return r.id === current.id; }) : -1;
    var next = Math.max(0, Math.min(page.rows.length - 1, k + step));
    if (k < 0) next = 0;
    state.item = page.rows[next].id;
    setHash(state);
    var a = document.querySelector('#rows tr[data-n="' + page.rows[next].n + '"] a');
    if (a) a.focus();
  }

  $('run').addEventListener('change', function () { state = ENGINE.parseState(''); state.run = Number(this.value); current = null; setHash(state); });
  $('compare').addEventListener('change', function () { state.compare = this.value === '' ? null : Number(this.value); if (state.compare !== null && state.sort === 'file') state.sort = 'change'; setHash(state); });
  $('sort').addEventListener('change', function () { state.sort = this.value; state.page = 0; setHash(state); });
  $('search').addEventListener('submit', function (e) { e.preventDefault(); state.q = $('q').value; state.page = 0; setHash(state); });
  $('clear').addEventListener('click', function () { state.filters = []; state.q = ''; state.page = 0; setHash(state); });
  $('prev').addEventListener('click', function () { if (state.page > 0) { state.page--; setHash(state); } });
  $('next').addEventListener('click', function () { state.page++; setHash(state); });
  $('triage-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var s = ENGINE.formatState(Object.assign({}, state, { item: null, page: 0 }));
    $('triage-status').textContent = 'writing…';
    api.sheet({ state: s, name: $('sheet-name').value.trim(), max: Number($('sheet-max').value) || 200 }).then(function (r) {
      $('triage-status').textContent = r.rows + ' row(s) for ' + r.items + ' of the ' + r.matching + ' items in this view: ' + r.jsonl + ' and ' + r.csv + '. Not a random sample: ' + session.selection_note + '.';
    }).catch(function (err) { $('triage-status').textContent = 'not written: ' + err.message; });
  });
  window.addEventListener('hashchange', refresh);
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (e.key === 'Escape') { if (typing) document.activeElement.blur(); $('help').hidden = true; return; }
    if (typing) return;
    if (e.key === '/') { e.preventDefault(); $('q').focus(); }
    else if (e.key === 'j') move(1);
    else if (e.key === 'k') move(-1);
    else if (e.key === 'n') { if (!$('next').disabled) $('next').click(); }
    else if (e.key === 'p') { if (!$('prev').disabled) $('prev').click(); }
    else if (e.key === 'r') { var f = document.querySelector('#review-form select, #review-form textarea'); if (f) { e.preventDefault(); f.focus(); } }
    else if (e.key === '?') { $('help').hidden = !$('help').hidden; }
  });
  api.session().then(function (s) {
    session = s;
    document.title = 'plumb view — ' + s.runs.map(function (r) { return r.label; }).join(', ');
    return refresh();
  }).catch(function (e) { $('status').textContent = 'cannot load: ' + e.message; });
})();
`;

const BODY = `<a class="skip" href="#list">Skip to the items</a>
<header>
  <h1>plumb view</h1>
  <label>run <select id="run"></select></label>
  <label id="compare-box">compare with <select id="compare"></select></label>
  <form id="search" role="search"><label>search <input id="q" type="search" placeholder="text, id, rationale… ( / )"></label> <button type="submit">Find</button></form>
  <label>sort <select id="sort"></select></label>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<div id="notes"></div>
<main>
  <aside id="filters" aria-label="Filters">
    <div id="filters-body"></div>
    <button type="button" id="clear">Clear filters and search</button>
    <form id="triage-form" aria-labelledby="triage-title"><div id="triage">
      <h2 id="triage-title">Send these to raters</h2>
      <p class="count">Writes the items of this view as a rating sheet beside the run (for plumb rate). Chosen by this filter, not at random, and the sheet says so.</p>
      <label>sheet name <input id="sheet-name" value="triage" size="12"></label>
      <label>at most <input id="sheet-max" type="number" min="1" max="5000" value="200" size="5"> items</label>
      <button type="submit">Write rating sheet</button>
      <p id="triage-status" role="status" aria-live="polite"></p>
    </div></form>
  </aside>
  <section id="list" aria-label="Items" tabindex="-1">
    <p id="count" class="count"></p>
    <div class="scroll"><table><thead id="head"></thead><tbody id="rows"></tbody></table></div>
    <nav class="pager" aria-label="Pages"><button type="button" id="prev">← previous</button><span id="page-of"></span><button type="button" id="next">next →</button></nav>
  </section>
  <section id="detail" aria-label="Item" aria-live="polite"><p class="count">Choose an item (j / k move through the list).</p></section>
</main>
<div id="help" hidden role="dialog" aria-label="Keys"><b>Keys</b><br>/ search · j / k next, previous item · n / p next, previous page · r review · Esc leave a field · ? this help</div>
<footer>plumb view · items are read from the run as it is on disk; nothing here changes it. Reviews are appended to the run's .reviews.jsonl.</footer>`;

/**
 * The page; `data` (the static file's embedded runs, JSON) makes it answer from itself, and `csp`
 * goes in a meta tag (a static file has no server to send it).
 */
export function viewerPage(data?: string, csp?: (html: string) => string): string {
  const script = SCRIPT.replace('__ENGINE__', () => ENGINE_SOURCE);
  // JSON inside <script> must not close it: every < is written as \u003c
  const embedded =
    data === undefined
      ? ''
      : `<script type="application/json" id="plumb-data">${data.replace(/</g, '\\u003c')}</script>\n`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
__CSP__<title>plumb view</title>
<style>${STYLE}</style>
</head>
<body>
${BODY}
${embedded}<script>${script}</script>
</body>
</html>
`;
  // the policy hashes the page's own script and style, so it is made from the page without it
  const policy = csp ? csp(html.replace('__CSP__', '')) : null;
  return html.replace('__CSP__', () =>
    policy ? `<meta http-equiv="Content-Security-Policy" content="${policy}">\n` : '',
  );
}
