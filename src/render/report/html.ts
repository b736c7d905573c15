import { createRequire } from 'node:module';
import type { Section } from './sections.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The report as one HTML file: inline CSS, the figures as inline SVG, no script and nothing
 * loaded from anywhere (a content-security policy says so to the browser), so it opens from disk,
 * travels by mail and prints to PDF as it looks.
 */
export function reportHtml(sections: Section[], createdAt: string, caveats: string[] = []): string {
  const version = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  const stamps = [...new Set(sections.flatMap((s) => s.stamps))];
  const body = sections
    .map(
      (s, i) => `<section>
<h2>${escapeHtml(s.title)}</h2>
<p class="source">from ${escapeHtml(s.source)}</p>
${(s.caveats ?? []).map((n) => `<p class="caveat">${escapeHtml(n)}</p>`).join('\n')}
${s.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
${(s.tables ?? [])
  .map(
    (t) => `<table>
<caption>${escapeHtml(t.caption)}</caption>
<thead><tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>`,
  )
  .join('\n')}
${s.figures
  .map(
    (f) => `<figure id="s${i + 1}-${escapeHtml(f.id)}" data-figure="${escapeHtml(f.id)}">
${f.svg}
<figcaption>${escapeHtml(f.caption)}</figcaption>
</figure>`,
  )
  .join('\n')}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>plumb report</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; color: #1d1d1f; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
  .source { color: #666; font-size: .85rem; margin-top: -.4rem; }
  .caveats, .caveat { background: #fff7e0; border-left: 4px solid #e0a800; padding: .4rem .8rem; } .caveats ul { margin: .2rem 0; }
  figure { margin: 1.2rem 0; break-inside: avoid; } figcaption { color: #444; font-size: .85rem; max-width: 44rem; }
  svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; font-size: .85rem; margin: 1rem 0; } caption { text-align: left; color: #444; padding-bottom: .3rem; }
  th, td { border-bottom: 1px solid #e3e3e3; padding: .2rem .6rem; text-align: left; }
  footer { margin-top: 3rem; border-top: 1px solid #ddd; padding-top: .5rem; color: #666; font-size: .8rem; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
</style>
</head>
<body>
<h1>plumb report</h1>
${caveats.length ? `<aside class="caveats"><strong>Read with care:</strong><ul>\n${caveats.map((c) => `<li>${escapeHtml(c)}</li>`).join('\n')}\n</ul></aside>` : ''}
${body}
<footer>${escapeHtml([...stamps, `plumb ${version}`, `made ${createdAt}`].join(' · '))}</footer>
</body>
</html>
`;
}
