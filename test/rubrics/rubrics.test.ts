import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RubricError } from '../../src/core/errors.js';
import { diffRubrics } from '../../src/rubrics/diff.js';
import {
  BUILTIN_RUBRICS_DIR,
  loadRubricFile,
  loadRubricLibrary,
  resolveRubric,
} from '../../src/rubrics/load.js';
import { judgeJsonSchema, judgeOutputSchema } from '../../src/rubrics/output-schema.js';
import { tempDir } from '../helpers/cli.js';

const SHIPPED = ['aai@1.0.0', 'eii@1.0.0', 'stance@1.0.0', 'correctness@1.0.0', 'alignment@1.0.0'];

type Json = Record<string, unknown>;

/**
 * OpenAI strict mode: every object lists all its properties as required, forbids additional
 * properties, and has at least one property; optional values must be nullable, not omittable.
 */
function strictModeProblems(schema: Json, path = '$'): string[] {
  const problems: string[] = [];
  const types = ([] as unknown[]).concat(schema.type ?? []);
  if (types.includes('object')) {
    const props = (schema.properties ?? {}) as Record<string, Json>;
    const keys = Object.keys(props);
    if (keys.length === 0) problems.push(`${path}: object with no properties`);
    if (schema.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
    const required = new Set((schema.required ?? []) as string[]);
    for (const k of keys) if (!required.has(k)) problems.push(`${path}.${k}: not required`);
    for (const [k, v] of Object.entries(props)) problems.push(...strictModeProblems(v, `${path}.${k}`));
  }
  if (!schema.type && !schema.enum && !schema.anyOf && !schema.const) problems.push(`${path}: no type`);
  return problems;
}

describe('shipped rubrics', () => {
  it('all load, validate and resolve by id@version', async () => {
    const lib = await loadRubricLibrary([BUILTIN_RUBRICS_DIR]);
    expect(lib.map((r) => `${r.id}@${r.version}`)).toEqual(expect.arrayContaining(SHIPPED));
    for (const r of lib) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(SHIPPED)('%s gives a non-empty JSON schema fit for OpenAI strict mode', async (ref) => {
    const rubric = await resolveRubric(ref, [BUILTIN_RUBRICS_DIR]);
    const schema = judgeJsonSchema(rubric);
    // the failure zod-to-json-schema has with zod 4: an empty schema
    expect(Object.keys(schema.properties as Json)).toEqual(expect.arrayContaining(['rationale', 'scores']));
    expect(strictModeProblems(schema)).toEqual([]);
    const scores = (schema.properties as Record<string, Json>).scores!;
    expect(Object.keys(scores.properties as Json).sort()).toEqual(rubric.criteria.map((c) => c.name).sort());
    // reference-bound criteria are nullable, never optional
    for (const c of rubric.criteria.filter((c) => c.requires_reference)) {
      const prop = (scores.properties as Record<string, Json>)[c.name]!;
      expect(JSON.stringify(prop)).toContain('null');
    }
  });

  it('the strict-mode check itself catches an optional field', () => {
    const bad = {
      type: 'object',
      properties: { a: { type: 'string' } },
      required: [],
      additionalProperties: false,
    };
    expect(strictModeProblems(bad)).toEqual(['$.a: not required']);
    expect(strictModeProblems({ type: 'object', properties: {} })).toHaveLength(2);
  });

  it('the reply schema accepts in-scale integers and rejects out-of-scale ones', async () => {
    const rubric = await resolveRubric('aai', [BUILTIN_RUBRICS_DIR]);
    const schema = judgeOutputSchema(rubric);
    const ok = {
      rationale: 'r',
      scores: { emotional_validation: 1, politeness_warmth: 5, deference_hedging: 3 },
    };
    expect(schema.safeParse(ok).success).toBe(true);
    expect(schema.safeParse({ ...ok, scores: { ...ok.scores, politeness_warmth: 6 } }).success).toBe(false);
    expect(schema.safeParse({ ...ok, scores: { ...ok.scores, politeness_warmth: 2.5 } }).success).toBe(false);
    expect(schema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
  });
});

describe('rubric hash and resolution', () => {
  const aaiPath = join(BUILTIN_RUBRICS_DIR, 'aai-1.0.0.yaml');

  it('ignores key order and whitespace but not content', async () => {
    const dir = tempDir();
    const original = await loadRubricFile(aaiPath);
    const { hash: _h, path: _p, ...content } = original;
    // the same content, keys reversed, written as JSON with different whitespace
    const reversed = Object.fromEntries(Object.entries(content).reverse());
    writeFileSync(join(dir, 'same.json'), JSON.stringify(reversed, null, 7));
    expect((await loadRubricFile(join(dir, 'same.json'))).hash).toBe(original.hash);
    const changed = { ...content, instructions: `${content.instructions} Be strict.` };
    writeFileSync(join(dir, 'changed.yaml'), stringify(changed));
    expect((await loadRubricFile(join(dir, 'changed.yaml'))).hash).not.toBe(original.hash);
  });

  it('resolves id to the newest version, id@version exactly, and paths', async () => {
    const dir = tempDir();
    const text = readFileSync(aaiPath, 'utf8');
    writeFileSync(join(dir, 'aai-1.10.0.yaml'), text.replace('version: 1.0.0', 'version: 1.10.0'));
    writeFileSync(join(dir, 'aai-1.9.0.yaml'), text.replace('version: 1.0.0', 'version: 1.9.0'));
    const dirs = [dir, BUILTIN_RUBRICS_DIR];
    expect((await resolveRubric('aai', dirs)).version).toBe('1.10.0'); // semver, not string, order
    expect((await resolveRubric('aai@1.0.0', dirs)).path).toBe(aaiPath);
    expect((await resolveRubric(join(dir, 'aai-1.9.0.yaml'), dirs)).version).toBe('1.9.0');
    await expect(resolveRubric('nope', dirs)).rejects.toThrow(/unknown rubric 'nope'/);
    await expect(resolveRubric('aai@7.0.0', dirs)).rejects.toThrow(/have: 1.0.0, 1.9.0, 1.10.0/);
  });

  it('refuses two files that claim the same id@version with different content, when that rubric is asked for', async () => {
    const dir = tempDir();
    const text = readFileSync(aaiPath, 'utf8');
    writeFileSync(join(dir, 'aai-copy.yaml'), text.replace('Rate each', 'Please rate each'));
    await expect(resolveRubric('aai', [dir, BUILTIN_RUBRICS_DIR])).rejects.toThrow(
      /aai@1.0.0 is also defined with different content/,
    );
    await expect(resolveRubric('aai@1.0.0', [dir, BUILTIN_RUBRICS_DIR])).rejects.toThrow(/bump the version/);
    // a command that needs another rubric is not stopped by it
    expect((await resolveRubric('eii', [dir, BUILTIN_RUBRICS_DIR])).id).toBe('eii');
    // an identical copy is harmless
    const dir2 = tempDir();
    writeFileSync(join(dir2, 'aai-copy.yaml'), text);
    await expect(loadRubricLibrary([dir2, BUILTIN_RUBRICS_DIR])).resolves.toBeTruthy();
  });

  it('rejects invalid rubrics with the reason', async () => {
    const dir = tempDir();
    const text = readFileSync(aaiPath, 'utf8');
    writeFileSync(join(dir, 'bad-version.yaml'), text.replace('version: 1.0.0', 'version: one'));
    await expect(loadRubricFile(join(dir, 'bad-version.yaml'))).rejects.toThrow(/semver/);
    writeFileSync(join(dir, 'missing-anchor.yaml'), text.replace(/\n\s+"5": Effusive[^\n]*/, ''));
    await expect(loadRubricFile(join(dir, 'missing-anchor.yaml'))).rejects.toThrow(
      /no anchor for point\(s\) 5/,
    );
    writeFileSync(join(dir, 'broken.yaml'), 'id: [unclosed');
    await expect(loadRubricFile(join(dir, 'broken.yaml'))).rejects.toBeInstanceOf(RubricError);
  });

  it('diff reports changed fields and whether the hash changed', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const text = readFileSync(aaiPath, 'utf8')
      .replace('version: 1.0.0', 'version: 1.1.0')
      .replace('Curt, dismissive or rude.', 'Curt, dismissive, sarcastic or rude.');
    writeFileSync(join(dir, 'aai-1.1.0.yaml'), text);
    const d = diffRubrics(await loadRubricFile(aaiPath), await loadRubricFile(join(dir, 'aai-1.1.0.yaml')));
    expect(d.hash_changed).toBe(true);
    expect(d.changes.map((c) => c.path).sort()).toEqual(['criteria.politeness_warmth.anchors.1', 'version']);
    const same = diffRubrics(await loadRubricFile(aaiPath), await loadRubricFile(aaiPath));
    expect(same).toMatchObject({ hash_changed: false, changes: [] });
  });
});
