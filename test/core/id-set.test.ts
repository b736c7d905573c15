import { describe, expect, it } from 'vitest';
import { IdHashSet, StringIndex } from '../../src/io/id-set.js';

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

describe('StringIndex (metadata.group names interned off the heap)', () => {
  it('numbers 200,000 keys in the order first seen, through several resizes, as a Map would', () => {
    const index = new StringIndex();
    const map = new Map<string, number>();
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 400_000; i++) {
      const key = `g${(i * 7919) % 200_000}`;
      if (!map.has(key)) map.set(key, map.size);
      got.push(index.intern(key));
      want.push(map.get(key)!);
    }
    expect(got).toEqual(want);
    expect(index.size).toBe(200_000);
  });

  it('tells apart keys that differ in one character, in length, or only beyond ASCII', () => {
    const index = new StringIndex();
    const keys = ['a', 'b', 'ab', 'ba', 'a ', '', 'é', 'e\u0301', '日本', '日本語', '0', '00'];
    keys.forEach((k, i) => {
      expect(index.intern(k), JSON.stringify(k)).toBe(i);
    });
    expect(index.intern('日本')).toBe(8);
    expect(index.intern('')).toBe(5);
    expect(index.size).toBe(keys.length);
  });
});
