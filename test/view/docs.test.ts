import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { runExamples } from '../helpers/examples.js';

/**
 * docs/viewer-and-rating.md: every `npx plumb …` example in its sh blocks runs offline from a
 * clone, in order, and exits 0 — except those that start a local page and wait for a person, which
 * the doc marks with the line `# starts a local server; Ctrl-C to stop` just above them.
 */
const doc = readFileSync(join(ROOT, 'docs', 'viewer-and-rating.md'), 'utf8');
const MARK = '# starts a local server; Ctrl-C to stop';

function examples(): { line: string; server: boolean }[] {
  const out: { line: string; server: boolean }[] = [];
  for (const [, block] of doc.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let server = false;
    for (const raw of block!.split('\n')) {
      const line = raw.trim();
      if (line === MARK) {
        server = true;
        continue;
      }
      if (line.startsWith('npx plumb ')) out.push({ line, server });
      server = false;
    }
  }
  return out;
}

describe('docs/viewer-and-rating.md', () => {
  it('every example that does not start a server runs from a clone and exits 0; the server examples are marked', async () => {
    const all = examples();
    const servers = all.filter((e) => e.server);
    expect(servers.map((e) => e.line.split(' ')[2])).toEqual(['view', 'rate', 'rate', 'rate']);
    // the shared runner (test/helpers/examples.ts) runs the rest, in order, as a shell would
    const { ran: runs, skipped, cwd } = await runExamples(all.filter((e) => !e.server).map((e) => e.line));
    expect(skipped).toEqual([]);
    for (const r of runs) expect(r.code, `${r.line}\n${r.stderr.slice(0, 800)}`).toBe(0);
    const ran = runs.map((r) => r.line);
    expect(ran.some((l) => l.includes('--static'))).toBe(true);
    expect(ran.some((l) => l.includes('--sheet'))).toBe(true);
    expect(existsSync(join(cwd, 'runs', 'view', 'peer.html'))).toBe(true);
    expect(readFileSync(join(cwd, 'runs', 'view', 'disagree.jsonl'), 'utf8')).toContain(
      '"method":"viewer-filter"',
    );
  }, 120_000);
});
