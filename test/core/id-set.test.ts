import { describe, expect, it } from 'vitest';
import { IdHashSet } from '../../src/io/id-set.js';

describe('IdHashSet (duplicate-id checks in 8 bytes an id)', () => {
  it('takes 200,000 distinct ids (through several resizes) and refuses each a second time', () => {
    const set = new IdHashSet();
    const ids = Array.from({ length: 200_000 }, (_, i) => `item-${i}`);
    expect(ids.every((id) => set.add(id))).toBe(true);
    expect(ids.filter((_, i) => i % 997 === 0).every((id) => !set.add(id))).toBe(true);
  });

  it('tells apart ids that differ in one character, in length, or only beyond ASCII', () => {
    const set = new IdHashSet();
    for (const id of ['a', 'b', 'ab', 'ba', 'a ', '', 'é', 'e\u0301', '日本', '日本語', '0', '00'])
      expect(set.add(id), JSON.stringify(id)).toBe(true);
    expect(set.add('日本')).toBe(false);
    expect(set.add('')).toBe(false);
  });
});
