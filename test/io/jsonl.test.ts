import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../src/io/jsonl.js';
import { tempDir } from '../helpers/cli.js';

async function readAll(file: string) {
  const out = [];
  for await (const l of readJsonl(file)) out.push(l);
  return out;
}

describe('reading JSONL', () => {
  it('numbers lines across chunks, skips blank ones, takes CRLF and UTF-8 of every width', async () => {
    const file = join(tempDir(), 'a.jsonl');
    const long = 'é€😀'.repeat(40_000); // several 64 KiB chunks, multi-byte characters across their edges
    writeFileSync(file, `{"id":"a"}\r\n\n{"id":"b","t":"${long}"}\n{"id":"c"}`);
    const lines = await readAll(file);
    expect(lines.map((l) => [l.line, l.value.id])).toEqual([
      [1, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
    expect(lines[1]!.value.t).toBe(long);
  });

  it('a Latin-1 byte is an error naming its line, not a silent U+FFFD (#23 item 4)', async () => {
    const file = join(tempDir(), 'latin1.jsonl');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('{"id":"a"}\n{"id":"b","response":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n'),
      ]),
    );
    await expect(readAll(file)).rejects.toThrow(/latin1\.jsonl:2: not UTF-8 text/);
  });

  it('a line nested thousands deep is refused on reading, naming it (#23 item 16)', async () => {
    const file = join(tempDir(), 'deep.jsonl');
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    writeFileSync(file, `{"id":"ok"}\n{"id":"x","metadata":${deep}}\n`);
    await expect(readAll(file)).rejects.toThrow(/deep\.jsonl:2: nested more than 64 levels deep/);
  });
});
